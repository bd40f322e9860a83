"""``main.py chain verify``: OK on a good chain; any edited stored column is caught."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from node_core.node.store import STORE_FILENAME, BlockStore
from tests.helpers.chain import make_chain

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def data_dir(tmp_path):
    chain = make_chain()
    with BlockStore.open(tmp_path / STORE_FILENAME, chain.genesis) as store:
        for i in range(5):
            block = chain.extend([chain.transfer(i % 4, (i + 1) % 4, 10 + i),
                                  chain.trade((i + 2) % 4, (i + 3) % 4, 1000 + i)])
            store.commit_block(block, chain.state)
    return tmp_path


def test_verify_prints_ok_with_height_and_tip(data_dir):
    result = subprocess.run([sys.executable, "main.py", "chain", "verify", "--data-dir",
                             str(data_dir)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with BlockStore.open_existing(data_dir / STORE_FILENAME) as store:
        tip = store.block_at(5).hash
    assert result.stdout.strip() == f"OK height 5 tip {tip}"


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
    assert main(["chain", "verify", "--data-dir", str(data_dir)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("FAIL ") and "block 3" in error


def test_a_removed_block_is_caught(data_dir, capsys):
    db = sqlite3.connect(data_dir / STORE_FILENAME)
    db.execute("UPDATE Blocks SET height = 30 WHERE height = 3")
    db.commit()
    assert main(["chain", "verify", "--data-dir", str(data_dir)]) == 1
    assert "WrongHeight: block 4: height must be 3" in capsys.readouterr().err


@pytest.mark.parametrize("column", ["balance", "energy_credits", "nonce"])
def test_an_edited_account_is_caught(data_dir, column, capsys):
    db = sqlite3.connect(data_dir / STORE_FILENAME)
    db.execute(f"UPDATE Accounts SET {column} = {column} + 1 "
               "WHERE address = (SELECT MIN(address) FROM Accounts)")
    db.commit()
    assert main(["chain", "verify", "--data-dir", str(data_dir)]) == 1
    assert "StoreCorrupted: Accounts row 0x" in capsys.readouterr().err


def test_missing_store_is_a_clear_error(tmp_path, capsys):
    assert main(["chain", "verify", "--data-dir", str(tmp_path / "nowhere")]) == 1
    assert "no store at" in capsys.readouterr().err
