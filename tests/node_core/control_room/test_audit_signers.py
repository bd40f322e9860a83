"""An audit trail rewritten by someone with the file — every hash recomputed, the head too —
is still caught: a recorded request keeps its operator's signature, and ``audit verify``
checks against the chain's roster who held the signing key."""

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from node_core.control_room.audit import AUDIT_FILENAME, COLUMNS, canonical_json, entry_hash
from tests.helpers.chain import make_chain
from tests.helpers.cli import run_cli
from tests.helpers.node import NodeHarness


@pytest.fixture
def trail(tmp_path: Path) -> Iterator[Path]:
    """A node's data directory whose trail holds operator1's signed login."""
    harness = NodeHarness(tmp_path, make_chain())
    harness.call("operator_login", by="operator1", client="cli")
    harness.close()
    yield tmp_path / "egat"


def rewrite(data_dir: Path, column: str, value: str) -> None:
    """Set ``column`` of every entry with a request, then recompute the chain and the head,
    as an attacker with the file and the documented hash rule would."""
    db = sqlite3.connect(data_dir / AUDIT_FILENAME)
    db.execute("DROP TRIGGER IF EXISTS AuditLogNoUpdate")
    db.execute(f"UPDATE AuditLog SET {column} = ? WHERE request != ''", (value,))
    previous = "0" * 64
    names = ["seq", *COLUMNS]
    for row in db.execute(f"SELECT {', '.join(names)} FROM AuditLog ORDER BY seq").fetchall():
        entry = dict(zip(names, row, strict=True))
        digest = entry_hash(entry["seq"], entry["time_ms"], entry["operator"], entry["role"],
                            entry["action"], entry["target"], entry["outcome"],
                            entry["details"], entry["request"], previous)
        db.execute("UPDATE AuditLog SET prev_hash = ?, hash = ? WHERE seq = ?",
                   (previous, digest, entry["seq"]))
        previous = digest
    db.execute("UPDATE Meta SET value = ? WHERE key = 'head_hash'", (previous,))
    db.commit()
    db.close()


def verify(data_dir: Path) -> tuple[int, str]:
    result = run_cli("audit", "verify", "--data-dir", str(data_dir))
    return result.returncode, (result.stdout + result.stderr).strip()


def test_an_untouched_trail_verifies_with_its_signers(trail: Path) -> None:
    code, said = verify(trail)
    assert code == 0 and said.endswith("signers checked against the chain's roster"), said


def test_a_request_put_in_another_operators_name_is_caught(trail: Path) -> None:
    rewrite(trail, "operator", "operator2")
    code, said = verify(trail)
    assert code == 1
    assert "'operator2' was never on the roster with the key that signed the request" in said


def test_a_request_recorded_as_another_action_is_caught(trail: Path) -> None:
    rewrite(trail, "action", "approve")
    code, said = verify(trail)
    assert code == 1 and "the entry's action 'approve' is not what the signed request" in said


def test_changed_parameters_fail_the_operators_signature(trail: Path) -> None:
    db = sqlite3.connect(trail / AUDIT_FILENAME)
    request = json.loads(db.execute("SELECT request FROM AuditLog WHERE request != ''")
                         .fetchone()[0])
    db.close()
    rewrite(trail, "request", canonical_json({**request, "params": {"client": "console"}}))
    code, said = verify(trail)
    assert code == 1 and "the operator's signature does not verify" in said


def test_an_operators_entry_without_their_request_is_caught(trail: Path) -> None:
    rewrite(trail, "request", "")
    code, said = verify(trail)
    assert code == 1 and "an entry of 'operator1' without the request they signed" in said


def test_without_the_chain_only_the_signatures_are_checked(trail: Path, tmp_path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(trail / AUDIT_FILENAME, alone / AUDIT_FILENAME)
    rewrite(alone, "operator", "operator2")
    code, said = verify(alone)
    assert code == 0 and "roster" not in said
