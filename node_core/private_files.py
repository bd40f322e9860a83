"""The node's files are its Unix user's alone: directories 0700, files 0600.

The console, the node and the CLI also start with ``umask 077`` (``app.cli``), but a file can
be written by a process with another umask (a test, a script calling ``prepare_devnet``), or
copied in; these functions set the modes explicitly where the node's data lives."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

PRIVATE_DIRECTORY: Final = 0o700
PRIVATE_FILE: Final = 0o600


def private_directory(path: Path) -> Path:
    """``path`` as a directory only its owner may enter (created if missing)."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIRECTORY)
    os.chmod(path, PRIVATE_DIRECTORY)
    return path


def make_private(root: Path) -> None:
    """Every directory under ``root`` (itself included) 0700, every file 0600; symbolic
    links are left alone."""
    for path in [root, *root.rglob("*")]:
        mode = path.lstat().st_mode
        if stat.S_ISDIR(mode):
            os.chmod(path, PRIVATE_DIRECTORY)
        elif stat.S_ISREG(mode):
            os.chmod(path, PRIVATE_FILE)
