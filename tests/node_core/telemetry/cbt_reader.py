"""Reading the telemetry as an outsider does: Google's ``cbt`` with the committed format file
(README "Reading the telemetry"). Tests skip, saying why, where ``cbt`` is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

FORMAT_FILE = Path(__file__).resolve().parents[3] / "resources" / "telemetry" / "cbt-format.yaml"
Rows = dict[str, dict[str, str]]
"""row key → {``family:qualifier``: the value as cbt prints it}."""


def cbt_path() -> str:
    """The ``cbt`` binary, or skip the test."""
    path = shutil.which("cbt")
    if path is None:
        pytest.skip("cbt is not installed (Google Cloud CLI component cbt)")
    return path


def cbt(emulator_host: str, project: str, instance: str, *args: str) -> str:
    """``cbt -project P -instance I ARGS`` against the emulator at ``emulator_host``."""
    done = subprocess.run([cbt_path(), "-project", project, "-instance", instance, *args],
                          env={**os.environ, "BIGTABLE_EMULATOR_HOST": emulator_host},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def read_rows(emulator_host: str, project: str, instance: str, table: str,
              *args: str) -> Rows:
    """``cbt read TABLE ARGS format-file=…``, parsed."""
    out = cbt(emulator_host, project, instance, "read", table, *args,
              f"format-file={FORMAT_FILE}")
    rows: Rows = {}
    row: dict[str, str] = {}
    column = ""
    for line in out.splitlines():
        if not line.strip() or line.startswith("---"):
            continue
        if not line.startswith(" "):
            row = rows.setdefault(line, {})
        elif line.startswith("    "):
            row[column] = line.strip()
        else:
            column = line.split()[0]
    return rows


def number(text: str) -> float:
    """A value cbt printed, which must be a number (a cell it could not decode is not)."""
    return float(text)
