"""Where the console's files are: resources (icons, theme, default configs, translations) and
the version, from a source checkout or from inside a frozen (PyInstaller) bundle.

In a bundle PyInstaller unpacks data under ``sys._MEIPASS`` (``_internal/`` next to the
executable in a one-folder bundle); ``packaging/gridtokenx-console.spec`` puts ``resources/``
and ``pyproject.toml`` there. From source, they sit at the repository root.
"""

from __future__ import annotations

import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "gridtokenx-console"


def frozen() -> bool:
    """Running from the packaged bundle."""
    return bool(getattr(sys, "frozen", False))


def base_dir() -> Path:
    """The directory holding ``resources/`` and ``pyproject.toml``."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle)
    return Path(__file__).resolve().parents[2]


def resource_path(*parts: str) -> Path:
    """A file under ``resources/``: ``resource_path("icons", "gridtokenx-console.png")``."""
    return base_dir().joinpath("resources", *parts)


@cache
def version() -> str:
    """The version, defined once in pyproject.toml: the installed distribution's metadata,
    else (running from source, or a bundle without metadata) pyproject.toml itself."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pass
    try:
        with (base_dir() / "pyproject.toml").open("rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
