"""Audit trail: append/verify, any tampered column or deleted entry is named, export, prune."""

import csv
import io
import itertools
import json
import sqlite3

import pytest

from node_core.control_room.audit import (
    AUDIT_FILENAME,
    DEFAULT_RETENTION_MS,
    AuditLog,
    InvalidAuditEntry,
    entry_hash,
    iso_utc,
    verify_records,
)
from node_core.ledger.types import ZERO_HASH

T0 = 1_764_086_400_000
"""2025-11-25T16:00:00Z."""
COLUMNS = ["time_ms", "operator", "role", "action", "target", "outcome", "details",
           "prev_hash", "hash"]


def fill(log, n=6, start=T0):
    actions = ["login", "acknowledge", "shelve", "select", "operate", "approve", "logout"]
    return [log.append(start + i * 1000, "somchai", "operator", actions[i % len(actions)],
                       f"alarm.{i}", "ok", {"i": i, "note": "ทดสอบ"}) for i in range(n)]


@pytest.fixture
def path(tmp_path):
    return tmp_path / AUDIT_FILENAME


def tamper(path, sql, params=()):
    """What an attacker with the file does: drop the guards, then edit."""
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER IF EXISTS AuditLogNoUpdate")
    db.execute("DROP TRIGGER IF EXISTS AuditLogNoDelete")
    db.execute(sql, params)
    db.commit()
    db.close()


def test_append_chains_the_entries(path):
    with AuditLog.open(path) as log:
        entries = fill(log)
        assert entries[0].prev_hash == ZERO_HASH
        for previous, entry in itertools.pairwise(entries):
            assert entry.prev_hash == previous.hash and entry.seq == previous.seq + 1
        assert tuple(log.verify()) == (True, None, "ok")
        assert log.verify().entries == 6 and log.head() == (6, entries[-1].hash)
        assert list(log.entries()) == entries
        assert entries[2].details_obj() == {"i": 2, "note": "ทดสอบ"}


def test_the_hash_covers_the_canonical_encoding(path):
    with AuditLog.open(path) as log:
        entry = log.append(T0, "somchai", "operator", "login", "", "ok", {"b": 1, "a": [2]})
    assert entry.details == '{"a":[2],"b":1}'
    assert entry.hash == entry_hash(1, T0, "somchai", "operator", "login", "", "ok",
                                    '{"a":[2],"b":1}', "", ZERO_HASH)


def test_entries_survive_reopening(path):
    with AuditLog.open(path) as log:
        fill(log, 3)
    with AuditLog.open(path) as log:
        fill(log, 2, start=T0 + 10_000)
        assert log.verify().ok and len(log) == 5


def test_the_table_refuses_updates_and_deletes(path):
    with AuditLog.open(path) as log:
        fill(log, 2)
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE AuditLog SET outcome = 'refused' WHERE seq = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM AuditLog WHERE seq = 1")


def _changed(value):
    if isinstance(value, int):
        return value + 1
    return value[:-1] + ("1" if value[-1:] != "1" else "2") if value else "x"


@pytest.mark.parametrize("column", COLUMNS)
def test_a_tampered_column_is_caught_and_the_entry_named(path, column):
    with AuditLog.open(path) as log:
        fill(log)
    db = sqlite3.connect(path)
    (value,) = db.execute(f"SELECT {column} FROM AuditLog WHERE seq = 3").fetchone()
    db.close()
    new = json.dumps({"i": 2, "note": "edited"}) if column == "details" else _changed(value)
    tamper(path, f"UPDATE AuditLog SET {column} = ? WHERE seq = 3", (new,))
    with AuditLog.open(path) as log:
        ok, broken, reason = log.verify()
    assert (ok, broken) == (False, 3), reason


def test_a_tampered_seq_is_caught(path):
    with AuditLog.open(path) as log:
        fill(log)
    tamper(path, "UPDATE AuditLog SET seq = 100 WHERE seq = 3")
    with AuditLog.open(path) as log:
        ok, broken, reason = log.verify()
    assert (ok, broken) == (False, 3) and "missing" in reason


def test_a_deleted_middle_entry_is_caught(path):
    with AuditLog.open(path) as log:
        fill(log)
    tamper(path, "DELETE FROM AuditLog WHERE seq = 4")
    with AuditLog.open(path) as log:
        ok, broken, reason = log.verify()
    assert (ok, broken) == (False, 4) and "missing" in reason


def test_a_deleted_first_or_last_entry_is_caught(path):
    with AuditLog.open(path) as log:
        fill(log)
    tamper(path, "DELETE FROM AuditLog WHERE seq = 6")
    with AuditLog.open(path) as log:
        assert tuple(log.verify())[:2] == (False, 6)
    tamper(path, "DELETE FROM AuditLog WHERE seq = 1")
    with AuditLog.open(path) as log:
        assert tuple(log.verify())[:2] == (False, 1)


def test_invalid_entries_are_refused(path):
    with AuditLog.open(path) as log:
        with pytest.raises(InvalidAuditEntry):
            log.append(T0, "", "operator", "login")
        with pytest.raises(InvalidAuditEntry):
            log.append(T0, "somchai", "operator", "login", details={"x": object()})
        assert len(log) == 0


def test_export_jsonl_round_trip(path):
    with AuditLog.open(path) as log:
        entries = fill(log)
        out = io.StringIO()
        assert log.export(out, since_ms=T0 + 2000, fmt="jsonl") == 4
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["seq"] for r in records] == [3, 4, 5, 6]
    assert records[0]["time"] == "2025-11-25T16:00:02.000Z"
    assert records == [e.to_record() for e in entries[2:]]
    assert verify_records(records) == (True, None, "ok")
    records[1]["outcome"] = "refused"
    assert verify_records(records)[:2] == (False, 4)


def test_export_csv_round_trip(path):
    with AuditLog.open(path) as log:
        entries = fill(log)
        out = io.StringIO()
        assert log.export(out, fmt="csv") == 6
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [int(r["seq"]) for r in rows] == [1, 2, 3, 4, 5, 6]
    for row, entry in zip(rows, entries, strict=True):
        assert row["details"] == entry.details and row["hash"] == entry.hash
        assert row["time"] == iso_utc(entry.time_ms) and int(row["time_ms"]) == entry.time_ms
    assert verify_records(rows) == (True, None, "ok")


def test_prune_keeps_the_chain_verifiable(path):
    day = 86_400_000
    with AuditLog.open(path, retention_ms=30 * day) as log:
        fill(log, 4, start=T0)
        fill(log, 3, start=T0 + 40 * day)
        assert log.prune(T0 + 20 * day) is None  # nothing older than 30 days yet
        checkpoint = log.prune(T0 + 45 * day)
        assert checkpoint is not None and checkpoint.action == "prune"
        assert checkpoint.details_obj()["pruned_through_seq"] == 4
        assert [e.seq for e in log.entries()] == [5, 6, 7, 8]
        assert tuple(log.verify()) == (True, None, "ok")
        log.append(T0 + 46 * day, "somchai", "operator", "logout")
        assert log.verify().ok
    tamper(path, "DELETE FROM AuditLog WHERE seq = 5")
    with AuditLog.open(path) as log:
        assert tuple(log.verify())[:2] == (False, 5)


def test_default_retention_is_at_least_seven_years():
    assert DEFAULT_RETENTION_MS >= 7 * 366 * 86_400_000
