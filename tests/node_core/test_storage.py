"""The embedded SQLite store: commit, reopen, tip check, atomicity, crash safety."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from node_core.exceptions import GenesisMismatch, StoreCorrupted
from node_core.storage import STORE_FILENAME, BlockStore
from node_core.verification import verify_chain
from tests.helpers.chain import make_chain

ROOT = Path(__file__).resolve().parents[2]


def build(store_path, blocks=5):
    chain = make_chain()
    with BlockStore.open(store_path, chain.genesis) as store:
        for i in range(blocks):
            block = chain.extend([chain.transfer(i % 4, (i + 1) % 4, 10 + i),
                                  chain.trade((i + 2) % 4, (i + 3) % 4, 1000 + i)])
            store.commit_block(block, chain.state)
    return chain


def test_blocks_and_accounts_survive_reopen(tmp_path):
    chain = build(tmp_path / STORE_FILENAME)
    with BlockStore.open(tmp_path / STORE_FILENAME, chain.genesis) as store:
        assert store.height() == 5
        assert store.block_at(5) == chain.blocks[-1]
        assert store.block_by_hash(chain.blocks[2].hash) == chain.blocks[2]
        assert store.load_state() == chain.state
        tx = chain.blocks[3].transactions[1]
        assert store.transaction_location(tx.hash) == (4, 1)


def test_accounts_table_has_the_seed_columns(tmp_path):
    build(tmp_path / STORE_FILENAME, blocks=1)
    db = sqlite3.connect(tmp_path / STORE_FILENAME)
    columns = [row[1] for row in db.execute("PRAGMA table_info(Accounts)")]
    assert columns == ["address", "balance", "energy_credits", "nonce", "last_updated"]
    block_columns = {row[1] for row in db.execute("PRAGMA table_info(Blocks)")}
    assert {"height", "hash", "previous_hash", "merkle_root", "timestamp", "total_energy",
            "grid_state_hash", "authority_signatures", "transactions_data", "state_root",
            "proposer"} <= block_columns
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_another_chains_store_is_refused(tmp_path):
    build(tmp_path / STORE_FILENAME, blocks=1)
    other = make_chain(prosumer_count=2)
    with pytest.raises(GenesisMismatch):
        BlockStore.open(tmp_path / STORE_FILENAME, other.genesis)


def test_open_checks_the_tip(tmp_path):
    chain = build(tmp_path / STORE_FILENAME, blocks=3)
    db = sqlite3.connect(tmp_path / STORE_FILENAME)
    db.execute("UPDATE Accounts SET balance = balance + 1 "
               "WHERE address = (SELECT MIN(address) FROM Accounts)")
    db.commit()
    with pytest.raises(StoreCorrupted, match="tip block 3: Accounts table"):
        BlockStore.open(tmp_path / STORE_FILENAME, chain.genesis)


def test_a_failed_commit_changes_nothing(tmp_path):
    chain = build(tmp_path / STORE_FILENAME, blocks=2)
    with BlockStore.open(tmp_path / STORE_FILENAME, chain.genesis) as store:
        before = store.stored_accounts()
        with pytest.raises(sqlite3.IntegrityError):
            store.commit_block(chain.blocks[-1], chain.state)   # height 2 again
        assert store.stored_accounts() == before and store.height() == 2


def test_crash_at_random_instants_leaves_a_valid_chain(tmp_path):
    """SIGKILL a committing process 20 times; the store always opens and verifies."""
    rng = random.Random(20261125)
    chain = make_chain(prosumer_count=6)
    heights = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(20):
        child = subprocess.Popen([sys.executable, "-m", "tests.node_core.crash_child",
                                  str(tmp_path)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                 text=True)
        assert child.stdout.readline().startswith("ready")
        try:
            child.wait(timeout=rng.uniform(0.02, 0.4))
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
        child.wait()
        with BlockStore.open(tmp_path / STORE_FILENAME, chain.genesis) as store:
            result = verify_chain(store)
            heights.append(result.height)
    assert heights == sorted(heights) and heights[-1] > 20


def test_verification_replays_what_apply_produced(tmp_path):
    chain = build(tmp_path / STORE_FILENAME, blocks=4)
    with BlockStore.open(tmp_path / STORE_FILENAME, chain.genesis) as store:
        result = verify_chain(store)
    assert (result.height, result.tip) == (4, chain.state.tip_hash)
    assert result.state == chain.state
