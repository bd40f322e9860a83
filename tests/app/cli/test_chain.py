"""``main.py chain verify``: OK on a good chain; any edit an outsider makes to the store with
the ``sqlite3`` tool — a block column, a derived row, the schema, the genesis, the evidence —
fails with the block or the table and row, and the rule."""

import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from node_core.consensus.messages import ConsensusMessage, MessageKind, sign_message
from node_core.ledger.transactions import EmergencyAction, EmergencyKind
from node_core.node.store import STORE_FILENAME, BlockStore
from tests.helpers.chain import make_chain
from tests.node_core.ledger.test_governance import propose, vote

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Transfers and trades, a proposal passed by two votes, a halt, and one equivocation."""
    directory = tmp_path_factory.mktemp("chain")
    chain = make_chain()
    with BlockStore.open(directory / STORE_FILENAME, chain.genesis) as store:
        def extend(txs):
            store.commit_block(chain.extend(txs), chain.state)

        for i in range(5):
            extend([chain.transfer(i % 4, (i + 1) % 4, 10 + i),
                    chain.trade((i + 2) % 4, (i + 3) % 4, 1000 + i)])
        extend([propose(chain)])
        extend([vote(chain, 0, 1), vote(chain, 1, 1)])
        extend([chain.emergency(EmergencyAction(EmergencyKind.TRADING_HALT, "MEA"))])
        twins = [sign_message(ConsensusMessage(MessageKind.PREPARE, 9, 0, block.hash),
                              chain.authorities[0], chain.state.genesis_hash)
                 for block in chain.blocks[:2]]
        store.record_evidence(*twins, detected_at=1_764_000_100_000)
    return directory


@pytest.fixture
def data_dir(template, tmp_path):
    shutil.copy(template / STORE_FILENAME, tmp_path / STORE_FILENAME)
    return tmp_path


def sqlite(data_dir: Path, sql: str) -> subprocess.CompletedProcess[str]:
    """Run ``sql`` with Debian's sqlite3 tool, as an outsider editing the file would."""
    return subprocess.run(["sqlite3", str(data_dir / STORE_FILENAME), sql],
                          capture_output=True, text=True, timeout=30)


def edit(data_dir: Path, sql: str) -> None:
    result = sqlite(data_dir, sql)
    assert result.returncode == 0, result.stderr


def verify(data_dir: Path, capsys) -> str:
    assert main(["chain", "verify", "--data-dir", str(data_dir)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("FAIL ") and error.count("\n") == 1, error
    return error.strip()


def test_verify_prints_ok_with_height_and_tip(data_dir):
    result = subprocess.run([sys.executable, "main.py", "chain", "verify", "--data-dir",
                             str(data_dir)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with BlockStore.open_existing(data_dir / STORE_FILENAME) as store:
        tip = store.block_at(8).hash
    assert result.stdout.strip() == f"OK height 8 tip {tip}"


def _tamper(value):
    if isinstance(value, bytes):
        middle = len(value) // 2
        return value[:middle] + bytes([value[middle] ^ 0x01]) + value[middle + 1:]
    if isinstance(value, int):
        return value + 1
    flipped = "1" if value[-1] != "1" else "2"
    return value[:-1] + flipped


BLOCK_COLUMNS = ["hash", "previous_hash", "merkle_root", "timestamp", "total_energy",
                 "grid_state_hash", "authority_signatures", "transactions_data", "state_root",
                 "proposer", "round", "grid_snapshot"]


@pytest.mark.parametrize("column", BLOCK_COLUMNS)
def test_an_edited_block_column_is_caught(data_dir, column, capsys):
    db = sqlite3.connect(data_dir / STORE_FILENAME)
    (value,) = db.execute(f"SELECT {column} FROM Blocks WHERE height = 3").fetchone()
    db.execute(f"UPDATE Blocks SET {column} = ? WHERE height = 3", (_tamper(value),))
    db.commit()
    db.close()
    assert "block 3" in verify(data_dir, capsys)


def test_a_real_in_an_integer_column_is_refused_by_the_table(data_dir, capsys):
    """The issue's 501600.5 in Blocks.total_energy: a STRICT table refuses it outright."""
    refused = sqlite(data_dir, "UPDATE Blocks SET total_energy = 501600.5 WHERE height = 3")
    assert "cannot store REAL value in INTEGER column Blocks.total_energy" in refused.stderr
    edit(data_dir, "UPDATE Blocks SET total_energy = 501600 WHERE height = 3")
    assert verify(data_dir, capsys).startswith("FAIL BlockHashMismatch: block 3:")


def test_blob_concatenation_is_refused_by_the_table(data_dir):
    """``blob || blob`` is TEXT in SQLite: it once turned a column into TEXT silently."""
    refused = sqlite(data_dir, "UPDATE Blocks SET grid_snapshot = grid_snapshot || x'00'")
    assert "cannot store TEXT value in BLOB column Blocks.grid_snapshot" in refused.stderr


def test_every_table_is_strict_and_the_schema_version_is_in_user_version(data_dir):
    db = sqlite3.connect(data_dir / STORE_FILENAME)
    tables = {name: strict for _, name, kind, _, _, strict in db.execute("PRAGMA table_list")
              if kind == "table" and not name.startswith("sqlite_")}
    assert tables == dict.fromkeys(["Accounts", "Blocks", "Evidence", "Meta", "StateParts",
                                    "TransactionIndex"], 1)
    assert db.execute("PRAGMA user_version").fetchone() == (3,)
    assert db.execute("SELECT key FROM Meta ORDER BY key").fetchall() == [
        ("genesis",), ("genesis_hash",)]


TX_OF_BLOCK_3 = "(SELECT hash FROM TransactionIndex WHERE height = 3 AND position = 1)"
ACCOUNT = "(SELECT MIN(address) FROM Accounts)"

EDITS = [
    # (what an outsider does, what verify says)
    (f"UPDATE TransactionIndex SET height = 4 WHERE hash = {TX_OF_BLOCK_3}",
     r"StoredValueMismatch: TransactionIndex row [0-9a-f]{64}: height 4 position 1, the chain "
     r"has it in block 3 position 1"),
    (f"UPDATE TransactionIndex SET position = 0 WHERE hash = {TX_OF_BLOCK_3}",
     r"StoredValueMismatch: TransactionIndex row [0-9a-f]{64}: height 3 position 0, the chain "
     r"has it in block 3 position 1"),
    (f"DELETE FROM TransactionIndex WHERE hash = {TX_OF_BLOCK_3}",
     r"MissingRow: TransactionIndex: no row for transaction [0-9a-f]{64} \(block 3 position 1"),
    ("INSERT INTO TransactionIndex VALUES ('" + "ab" * 32 + "', 8, 1)",
     r"UnexpectedRow: TransactionIndex row (ab)+: height 8 position 1 names no transaction"),
    (f"UPDATE Accounts SET last_updated = last_updated + 1 WHERE address = {ACCOUNT}",
     r"StoredValueMismatch: Accounts row 0x[0-9a-f]{40} column last_updated: stored integer "
     r"\d+, the chain gives integer \d+"),
    (f"UPDATE Accounts SET balance = balance + 1 WHERE address = {ACCOUNT}",
     r"StoredValueMismatch: Accounts row 0x[0-9a-f]{40} column balance"),
    (f"UPDATE Accounts SET nonce = 0 WHERE address = {ACCOUNT}",
     r"StoredValueMismatch: Accounts row 0x[0-9a-f]{40} column nonce"),
    (f"DELETE FROM Accounts WHERE address = {ACCOUNT}",
     r"MissingRow: Accounts: no row 0x[0-9a-f]{40}; the chain derives one"),
    ("INSERT INTO Accounts VALUES ('0x" + "cd" * 20 + "', 1, 0, 0, 0)",
     r"UnexpectedRow: Accounts row 0x(cd)+: the chain derives no such row"),
    ("UPDATE StateParts SET data = x'00000000' WHERE name = 'halted_regions'",
     r"StoredValueMismatch: StateParts row halted_regions column data: stored blob of 4 bytes"),
    ("DELETE FROM StateParts WHERE name = 'proposal/1'",
     r"MissingRow: StateParts: no row proposal/1"),
    ("INSERT INTO Meta VALUES ('pruned_below', '3')",
     r"UnexpectedRow: Meta row pruned_below: the chain derives no such row"),
    ("UPDATE Meta SET value = replace(value, '1000000', '1000001') WHERE key = 'genesis'",
     r"StoredValueMismatch: Meta row genesis_hash is not the hash of Meta row genesis"),
    ("UPDATE Meta SET value = value || ' ' WHERE key = 'genesis'",
     r"StoredValueMismatch: Meta row genesis column value: stored text"),
    ("CREATE TRIGGER keep_balance AFTER UPDATE ON Accounts BEGIN SELECT 1; END",
     r"SchemaAltered: schema: trigger keep_balance is not one this code creates"),
    ("CREATE INDEX by_height ON TransactionIndex (height)",
     r"SchemaAltered: schema: index by_height is not one this code creates"),
    ("UPDATE Evidence SET height = 8",
     r"StoredValueMismatch: Evidence row 1 column height: stored integer 8, the chain gives "
     r"integer 9"),
    ("UPDATE Evidence SET second_message = first_message",
     r"InvalidEvidence: Evidence row 1: the two messages do not conflict"),
    ("UPDATE Evidence SET first_message = CAST(substr(first_message, 1, 99) || CASE "
     "substr(first_message, 100, 1) WHEN x'00' THEN x'01' ELSE x'00' END || "
     "substr(first_message, 101) AS BLOB)",
     r"InvalidEvidence: Evidence row 1: a message's signature does not verify"),
    ("DELETE FROM Blocks WHERE height = 8",
     r"UnexpectedRow: TransactionIndex row [0-9a-f]{64}: height 8 position 0 names no "
     r"transaction of the chain"),
    ("UPDATE Blocks SET height = 30 WHERE height = 3",
     r"WrongHeight: block 4: height must be 3"),
    ("PRAGMA user_version = 1",
     r"UnknownSchemaVersion: the store .* has schema version 1, this node reads version 3 "
     r"only: it was made by an older version of the node. For a devnet delete its data "
     r"directory"),
]


@pytest.mark.parametrize(("sql", "failure"), EDITS, ids=[e[1].split(":")[0] + "-" + str(i)
                                                         for i, e in enumerate(EDITS)])
def test_an_outsiders_edit_is_caught_with_row_and_rule(data_dir, sql, failure, capsys):
    edit(data_dir, sql)
    assert re.match("FAIL " + failure, verify(data_dir, capsys))


def test_missing_store_is_a_clear_error(tmp_path, capsys):
    assert main(["chain", "verify", "--data-dir", str(tmp_path / "nowhere")]) == 1
    assert "no store at" in capsys.readouterr().err
