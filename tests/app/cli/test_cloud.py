"""``main.py config check FILE`` and ``main.py spanner schema``."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import cloud as cloud_cli
from node_core.cloud.spanner_sink import spanner_schema
from node_core.telemetry import BigtableEmulator
from tests.helpers.bigtable import bigtable_emulator, fresh_instance_id  # noqa: F401
from tests.node_core.telemetry.fake_bigtable_iam import FakeBigtableIam, serving

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "resources" / "gcp-profile.example.toml"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The sub-commands through their own parser (the lead registers the module in
    app/cli/__init__.py; until then main.py does not know 'config' or 'spanner')."""
    parser = argparse.ArgumentParser()
    cloud_cli.register(parser.add_subparsers(dest="command"))
    parsed = parser.parse_args(args)
    code = parsed.handler(parsed)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(autouse=True)
def no_emulator_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PUBSUB_EMULATOR_HOST", "SPANNER_EMULATOR_HOST", "BIGTABLE_EMULATOR_HOST"):
        monkeypatch.delenv(name, raising=False)


def test_config_check_of_the_example_says_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["config", "check", "--offline", str(EXAMPLE)], capsys) == (0, "OK\n", "")


def test_config_check_asks_the_bigtable_instance(
        bigtable_emulator: BigtableEmulator,  # noqa: F811
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BIGTABLE_EMULATOR_HOST", bigtable_emulator.host_port)
    profile = tmp_path / "gcp.toml"
    profile.write_text(EXAMPLE.read_text().replace('"gridtokenx-metrics"',
                                                   f'"{fresh_instance_id()}"'), "utf-8")
    code, out, err = run(["config", "check", str(profile)], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "OK"
    assert "table NodeMetrics is missing; the first writer creates it" in out


def test_config_check_names_the_missing_iam_role(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    with serving(FakeBigtableIam({"bigtable.tables.list", "bigtable.tables.readRows"})) as host:
        monkeypatch.setenv("BIGTABLE_EMULATOR_HOST", host)
        code, out, err = run(["config", "check", str(EXAMPLE)], capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[1:4] == [
        f"  [bigtable] table {table} is missing and this account may not create it: grant "
        "roles/bigtable.admin (bigtable.tables.create), or have an administrator do it"
        for table in ("GridMetrics", "TradingMetrics", "NodeMetrics")]


def test_config_check_lists_every_problem_and_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text().replace('database = "blockchain-state"', "database = 1")
                   .replace('backend = "kms"', 'backend = "usb"') + "\n[extra]\n", "utf-8")
    code, out, err = run(["config", "check", str(bad)], capsys)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == f"{bad}: 3 problems"
    assert lines[1:] == ["  unknown section [extra]",
                         "  [spanner] database must be a string, not integer",
                         "  [signer] backend must be 'pkcs11' or 'kms', not 'usb'"]


def test_config_check_of_a_missing_file_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["config", "check", str(tmp_path / "nope.toml")], capsys)
    assert code == 2 and "cannot read the file" in err


def test_spanner_schema_prints_the_ddl(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["spanner", "schema"], capsys)
    assert code == 0
    assert out.strip().split(";\n\n") == [*spanner_schema()[:-1], spanner_schema()[-1] + ";"]
    assert "CREATE TABLE Blocks" in out and "CREATE TABLE Accounts" in out


def test_config_check_runs_as_a_process_without_qt() -> None:
    """The command module imports nothing heavy: run it in a fresh interpreter."""
    code = ("import argparse, sys; from app.cli import cloud; p = argparse.ArgumentParser(); "
            "cloud.register(p.add_subparsers()); a = p.parse_args(sys.argv[1:]); "
            "sys.exit(a.handler(a)); ")
    done = subprocess.run([sys.executable, "-c", code, "config", "check", "--offline",
                           str(EXAMPLE)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "OK\n")
    assert "PySide6" not in done.stderr
