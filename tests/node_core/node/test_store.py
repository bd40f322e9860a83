"""The embedded SQLite store: commit, reopen, tip check, atomicity, crash safety."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from node_core.ledger.exceptions import GenesisMismatch, StoreCorrupted, UnknownSchemaVersion
from node_core.node.chain_verify import verify_chain
from node_core.node.store import STORE_FILENAME, WAL_SIZE_LIMIT_BYTES, BlockStore
from tests.helpers.chain import make_chain

ROOT = Path(__file__).resolve().parents[3]


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
    with pytest.raises(StoreCorrupted, match="tip block 3: the Accounts and StateParts tables"):
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
        child = subprocess.Popen([sys.executable, "-m", "tests.node_core.node.crash_child",
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


def test_a_reopened_store_keeps_governance_and_halts(tmp_path):
    """A node restarting after a parameter change, an authority added and a halt must load
    exactly the state its tip's state_root commits to."""
    from node_core.ledger.transactions import EmergencyAction, EmergencyKind, ProposalAction
    from tests.node_core.ledger.test_governance import add_newcomer, propose, vote

    chain = make_chain()
    path = tmp_path / STORE_FILENAME
    with BlockStore.open(path, chain.genesis) as store:
        def extend(txs):
            store.commit_block(chain.extend(txs), chain.state)

        extend([propose(chain, action=ProposalAction.PARAMETER_CHANGE,
                        parameter="frequency_high_mhz", value=100)])
        extend([vote(chain, 0, 1), vote(chain, 1, 1)])
        extend([add_newcomer(chain)])
        extend([vote(chain, 0, 2), vote(chain, 2, 2)])
        extend([chain.emergency(EmergencyAction(EmergencyKind.TRADING_HALT, "MEA"))])
    assert chain.state.parameters.frequency_high_mhz == 100
    assert len(chain.state.authorities) == 4 and chain.state.trading_halted("MEA")
    with BlockStore.open(path, chain.genesis) as store:
        assert store.load_state() == chain.state
        assert verify_chain(store).height == chain.state.height


def test_an_edited_state_part_is_caught(tmp_path):
    from node_core.ledger.transactions import ProposalAction
    from tests.node_core.ledger.test_governance import propose

    chain = make_chain()
    path = tmp_path / STORE_FILENAME
    with BlockStore.open(path, chain.genesis) as store:
        store.commit_block(chain.extend([propose(chain, action=ProposalAction.SIGNAL)]),
                           chain.state)
    db = sqlite3.connect(path)
    (data,) = db.execute("SELECT data FROM StateParts WHERE name='proposal/1'").fetchone()
    db.execute("UPDATE StateParts SET data=? WHERE name='proposal/1'",
               (data.replace(b"SIGNAL", b"signal") if b"SIGNAL" in data else data[:-1] + b"x",))
    db.commit()
    db.close()
    with pytest.raises(StoreCorrupted, match=r"StateParts|state_root"):
        BlockStore.open(path, chain.genesis)


def test_a_store_of_another_schema_version_is_refused_with_what_to_do(tmp_path):
    """A store made before STRICT tables (user_version 0, a Meta schema_version row)."""
    path = tmp_path / STORE_FILENAME
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE Meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO Meta VALUES ('schema_version', '1')")
    db.commit()
    db.close()
    with pytest.raises(UnknownSchemaVersion, match=r"has schema version 0, this node reads "
                       r"version 3 only: it was made by an older version of the node\. For a "
                       r"devnet delete its data directory"):
        BlockStore.open(path, make_chain().genesis)


def test_a_store_made_before_the_taken_endorsements_is_refused(tmp_path):
    """Version 2 held no taken endorsements: its chain's state roots are not this code's."""
    path = tmp_path / STORE_FILENAME
    genesis = make_chain().genesis
    BlockStore.open(path, genesis).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 2")
    db.close()
    with pytest.raises(UnknownSchemaVersion, match="has schema version 2, this node reads "
                       "version 3 only"):
        BlockStore.open(path, genesis)


def test_the_wal_shrinks_to_its_limit_once_a_long_reader_ends(tmp_path):
    """A reader holding a snapshot keeps SQLite from recycling the write-ahead log, so it
    grows; once the reader ends, two block commits bring it back to WAL_SIZE_LIMIT_BYTES."""
    chain = make_chain(prosumer_count=40)
    path = tmp_path / STORE_FILENAME
    wal = tmp_path / f"{STORE_FILENAME}-wal"
    with BlockStore.open(path, chain.genesis) as store:
        def extend(blocks):
            for _ in range(blocks):
                txs = [chain.transfer(i, (i + 1) % 40, 1) for i in range(40)]
                store.commit_block(chain.extend(txs), chain.state)

        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM Blocks").fetchone()
        extend(100)
        grown = wal.stat().st_size
        reader.execute("COMMIT")
        reader.close()
        extend(2)
        assert grown > 3 * WAL_SIZE_LIMIT_BYTES
        assert wal.stat().st_size <= WAL_SIZE_LIMIT_BYTES
        assert verify_chain(store).height == 102
