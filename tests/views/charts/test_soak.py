"""Repaint soak in a subprocess: an upgrade that brings back PySide6 6.12's none_dealloc
abort (shared/README.md) must fail CI rather than crash a control room."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CYCLES = 3000


@pytest.mark.slow
def test_thousands_of_repaints_do_not_abort():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONFAULTHANDLER": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "tests.views.charts.soak_child", str(CYCLES)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert "Fatal Python error" not in result.stderr, result.stderr[-4000:]
    assert result.returncode == 0, result.stderr[-4000:]
    assert f"soak ok: {CYCLES} cycles" in result.stdout
