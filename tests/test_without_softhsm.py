"""A contributor without SoftHSM2 can run the pure tests: a pytest run of ledger tests passes
with SoftHSM2's module and tool hidden in a private mount namespace (``unshare``; the rest of
the machine keeps them). Tests that need a token ask for it (tests/helpers/softhsm.py)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from node_core.signers.softhsm import MODULE_CANDIDATES

ROOT = Path(__file__).resolve().parents[1]
PURE_TESTS = "tests/node_core/ledger/test_hashing.py"


def _hiding_script(empty_dir: Path, empty_file: Path) -> str:
    """Shell lines that bind empty things over every SoftHSM2 module and tool present."""
    targets = {Path(c).parent for c in MODULE_CANDIDATES if Path(c).exists()}
    lines = [f"mount --bind {empty_dir} {target}" for target in sorted(targets)]
    tool = shutil.which("softhsm2-util")
    if tool:
        lines.append(f"mount --bind {empty_file} {tool}")
    checks = [f"test ! -e {c}" for c in MODULE_CANDIDATES]
    return " && ".join([*lines, *checks, "test ! -x \"$(command -v softhsm2-util)\""])


def test_pure_tests_run_with_softhsm2_hidden(tmp_path: Path) -> None:
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or unshare is None or subprocess.run(
            [unshare, "--mount", "true"], check=False).returncode != 0:
        pytest.skip("hiding SoftHSM2 needs root and a mount namespace (unshare --mount)")
    empty_dir, empty_file = tmp_path / "empty", tmp_path / "not-a-tool"
    empty_dir.mkdir()
    empty_file.touch()
    script = f"{_hiding_script(empty_dir, empty_file)} && exec \"$@\""
    pytest_run = [sys.executable, "-m", "pytest", PURE_TESTS, "-q", "-p", "no:cacheprovider"]
    result = subprocess.run([unshare, "--mount", "--propagation", "private", "sh", "-c", script,
                             "hidden", *pytest_run], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert " passed in " in result.stdout
