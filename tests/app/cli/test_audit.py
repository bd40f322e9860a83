"""``main.py audit verify`` / ``audit export``: OK line, tampering named, exports."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import audit as audit_cli
from node_core.control_room.audit import AUDIT_FILENAME, AuditLog

ROOT = Path(__file__).resolve().parents[3]
T0 = 1_764_086_400_000
"""2025-11-25T16:00:00Z."""


def run(args, capsys):
    """The audit sub-commands through their own parser (the lead registers the module in
    app/cli/__init__.py; until then main.py does not know 'audit')."""
    import argparse

    parser = argparse.ArgumentParser()
    audit_cli.register(parser.add_subparsers(dest="command"))
    parsed = parser.parse_args(args)
    code = parsed.handler(parsed)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def data_dir(tmp_path):
    with AuditLog.open(tmp_path / AUDIT_FILENAME) as log:
        for i in range(5):
            log.append(T0 + i * 60_000, "somchai", "operator", "acknowledge", f"alarm.{i}",
                       "ok", {"i": i})
    return tmp_path


def test_verify_prints_ok_with_count_and_head(data_dir, capsys):
    code, out, _ = run(["audit", "verify", "--data-dir", str(data_dir)], capsys)
    with AuditLog.open(data_dir / AUDIT_FILENAME) as log:
        head = log.head()[1]
    assert code == 0 and out.strip() == f"OK 5 entries, head {head}"


def test_verify_names_a_tampered_entry(data_dir, capsys):
    db = sqlite3.connect(data_dir / AUDIT_FILENAME)
    db.execute("DROP TRIGGER AuditLogNoUpdate")
    db.execute("UPDATE AuditLog SET operator = 'mallory' WHERE seq = 2")
    db.commit()
    code, _, err = run(["audit", "verify", "--data-dir", str(data_dir)], capsys)
    assert code == 1 and err.startswith("FAIL entry 2: ")


def test_verify_without_a_log_fails(tmp_path, capsys):
    code, _, err = run(["audit", "verify", "--data-dir", str(tmp_path)], capsys)
    assert code == 1 and err.startswith("FAIL ")
    assert not (tmp_path / AUDIT_FILENAME).exists()


def test_export_jsonl_since_to_stdout(data_dir, capsys):
    code, out, _ = run(["audit", "export", "--data-dir", str(data_dir), "--since",
                        "2025-11-25T23:02:00+07:00", "--format", "jsonl"], capsys)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["seq"] for r in records] == [3, 4, 5]
    assert records[0]["time"] == "2025-11-25T16:02:00.000Z"


def test_export_csv_to_a_file(data_dir, tmp_path, capsys):
    target = tmp_path / "audit.csv"
    code, out, _ = run(["audit", "export", "--data-dir", str(data_dir), "--since",
                        "2025-11-25T16:00:00Z", "--format", "csv", "--output", str(target)],
                       capsys)
    lines = target.read_text().splitlines()
    assert code == 0 and "exported 5 entries" in out
    assert lines[0].startswith("seq,time,time_ms,operator") and len(lines) == 6


def test_a_bad_since_is_a_usage_error(data_dir, capsys):
    with pytest.raises(SystemExit):
        run(["audit", "export", "--data-dir", str(data_dir), "--since", "yesterday"], capsys)


def test_main_py_runs_audit_verify_once_registered(data_dir):
    """Through main.py as an operator types it; skipped until app/cli registers 'audit'."""
    from app import cli

    if audit_cli not in getattr(cli, "_COMMAND_MODULES", ()):
        pytest.skip("app/cli/__init__.py does not register the audit module yet")
    result = subprocess.run([sys.executable, "main.py", "audit", "verify", "--data-dir",
                             str(data_dir)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("OK 5 entries, head ")
