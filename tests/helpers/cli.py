"""``main.py`` as a subprocess, the way an operator at a shell runs it on the devnet: a command
naming ``--operator NAME`` gets that person's own token PIN (the devnet's, documented in the
README) in the variable the CLI reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.cli.node_access import OPERATOR_PIN_ENV
from node_core.devnet.layout import person_pin

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if "--operator" in args:
        env[OPERATOR_PIN_ENV] = person_pin(args[args.index("--operator") + 1])
    return subprocess.run([sys.executable, "main.py", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout_s, env=env)
