"""The embedded store: SQLite in WAL mode, one file per node.

Tables ``Blocks`` and ``Accounts`` carry the seed design's columns; every consensus value is
an integer (``timestamp`` and ``last_updated`` in ms since epoch UTC, ``total_energy`` in Wh,
balances in satang, energy credits in Wh). Added columns: ``state_root``, ``proposer``,
``round`` and ``grid_snapshot``. The rest of the state — authorities, chain parameters,
governance proposals, halted regions — is kept in ``StateParts`` as the canonical parts of
:func:`node_core.ledger.state.governed_parts`, so a restarted node has exactly the state its tip's
``state_root`` commits to. ``authority_signatures`` and ``transactions_data`` hold the
canonical encodings of :mod:`node_core.ledger.blocks`, so a block is rebuilt exactly from its row
and
any edited column changes a hash that verification recomputes.

Crash safety: :meth:`BlockStore.commit_block` writes the block, its transaction index and the
accounts and state parts it changed in one SQLite transaction with ``synchronous=FULL``: a
process killed at any instant leaves the store at the previous or the new block. On open the
store checks its tip (header hash, link to the parent, and state root against the Accounts
and StateParts tables).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from node_core.consensus.messages import ConsensusMessage, read_message, write_message
from node_core.ledger.blocks import (
    Block,
    BlockHeader,
    decode_signatures,
    decode_transactions,
    encode_signatures,
    encode_transactions,
)
from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.exceptions import DecodeError, GenesisMismatch, StoreCorrupted, StoreError
from node_core.ledger.genesis import Genesis, genesis_from_json, genesis_hash, genesis_to_json
from node_core.ledger.grid_state import decode_grid_snapshot, encode_grid_snapshot
from node_core.ledger.state import (
    Account,
    State,
    governed_parts,
    initial_state,
    state_root,
    with_governed_parts,
)
from node_core.ledger.transactions import EnergyTrade, Transfer
from node_core.ledger.types import Address, Hash32

SCHEMA_VERSION: Final = 1
STORE_FILENAME: Final = "chain.sqlite3"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS Meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS Blocks (
    height INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    previous_hash TEXT NOT NULL,
    merkle_root TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    total_energy INTEGER NOT NULL,
    grid_state_hash TEXT NOT NULL,
    authority_signatures BLOB NOT NULL,
    transactions_data BLOB NOT NULL,
    state_root TEXT NOT NULL,
    proposer TEXT NOT NULL,
    round INTEGER NOT NULL,
    grid_snapshot BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS Accounts (
    address TEXT PRIMARY KEY,
    balance INTEGER NOT NULL,
    energy_credits INTEGER NOT NULL,
    nonce INTEGER NOT NULL,
    last_updated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS Evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    height INTEGER NOT NULL,
    round INTEGER NOT NULL,
    authority TEXT NOT NULL,
    kind INTEGER NOT NULL,
    first_message BLOB NOT NULL,
    second_message BLOB NOT NULL,
    detected_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS StateParts (
    name TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS TransactionIndex (
    hash TEXT PRIMARY KEY,
    height INTEGER NOT NULL,
    position INTEGER NOT NULL
);
"""

_BLOCK_COLUMNS: Final = (
    "height, hash, previous_hash, merkle_root, timestamp, total_energy, grid_state_hash, "
    "authority_signatures, transactions_data, state_root, proposer, round, grid_snapshot"
)


def touched_addresses(block: Block) -> set[Address]:
    """Accounts a block's transactions can change."""
    touched: set[Address] = set()
    for tx in block.transactions:
        touched.add(tx.sender)
        payload = tx.payload
        if isinstance(payload, Transfer):
            touched.add(payload.recipient)
        elif isinstance(payload, EnergyTrade):
            touched.add(payload.seller)
    return touched


def block_from_row(row: Sequence[Any]) -> tuple[Block, Hash32]:
    """Rebuild a block from its Blocks row; return it with the row's stored hash.

    Raises StoreCorrupted when a column does not decode.
    """
    (height, stored_hash, previous_hash, merkle_root, timestamp, total_energy, grid_hash,
     signatures, transactions, state_root_, proposer, round_, snapshot) = row
    try:
        header = BlockHeader(
            height=int(height), previous_hash=Hash32(str(previous_hash)),
            timestamp=int(timestamp), proposer=Address(str(proposer)), round=int(round_),
            merkle_root=Hash32(str(merkle_root)), state_root=Hash32(str(state_root_)),
            total_energy=int(total_energy), grid_state_hash=Hash32(str(grid_hash)),
        )
        block = Block(header, decode_grid_snapshot(bytes(snapshot)),
                      decode_transactions(bytes(transactions)),
                      decode_signatures(bytes(signatures)))
    except (DecodeError, ValueError, TypeError) as error:
        raise StoreCorrupted(f"block {height}: stored columns do not decode: {error}") from None
    return block, Hash32(str(stored_hash))


class BlockStore:
    """The node's blocks and current accounts in one SQLite file."""

    def __init__(self, connection: sqlite3.Connection, genesis: Genesis) -> None:
        self._db = connection
        self.genesis = genesis
        self.genesis_hash = genesis_hash(genesis)
        self._parts: dict[str, bytes] | None = None
        """The StateParts rows as last written (read on first use)."""

    @classmethod
    def open(cls, path: Path, genesis: Genesis, *, check_tip: bool = True) -> BlockStore:
        """Open (creating if needed) the store at ``path`` for ``genesis``'s chain."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open store {path}: {error}") from None
        store = cls(db, genesis)
        store._bind_genesis()
        if check_tip:
            store.check_tip()
        return store

    @classmethod
    def open_existing(cls, path: Path, *, check_tip: bool = True) -> BlockStore:
        """Open a store whose genesis is read from the store itself."""
        if not Path(path).exists():
            raise StoreError(f"no store at {path}: check the data directory given (a node "
                             "creates its store when it first starts)")
        db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            row = db.execute("SELECT value FROM Meta WHERE key='genesis'").fetchone()
        except sqlite3.Error as error:
            raise StoreError(f"{path} is not a node store: {error}") from None
        finally:
            db.close()
        if row is None:
            raise StoreError(f"{path} holds no genesis")
        return cls.open(path, genesis_from_json(json.loads(row[0])), check_tip=check_tip)

    def _bind_genesis(self) -> None:
        row = self._db.execute("SELECT value FROM Meta WHERE key='genesis_hash'").fetchone()
        if row is None:
            with self._transaction():
                self._db.executemany("INSERT INTO Meta (key, value) VALUES (?, ?)", [
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("genesis_hash", self.genesis_hash),
                    ("genesis", json.dumps(genesis_to_json(self.genesis))),
                ])
                self._write_accounts(initial_state(self.genesis), None, 0)
        elif row[0] != self.genesis_hash:
            raise GenesisMismatch(
                f"the store at this data directory belongs to chain {row[0][:16]}…, but the "
                f"configured genesis is {self.genesis_hash[:16]}… (a devnet made by an older "
                "version, or the wrong genesis file): use the matching genesis, or for a "
                "devnet delete its data directory to start a new chain")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> BlockStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ----------------------------------------------------------------------------

    def height(self) -> int:
        row = self._db.execute("SELECT MAX(height) FROM Blocks").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def block_at(self, height: int) -> Block | None:
        row = self._db.execute(f"SELECT {_BLOCK_COLUMNS} FROM Blocks WHERE height=?",
                               (height,)).fetchone()
        return None if row is None else block_from_row(row)[0]

    def block_by_hash(self, block_hash: str) -> Block | None:
        row = self._db.execute(f"SELECT {_BLOCK_COLUMNS} FROM Blocks WHERE hash=?",
                               (block_hash,)).fetchone()
        return None if row is None else block_from_row(row)[0]

    def rows(self, start: int = 1, end: int | None = None) -> Iterator[tuple[Block, Hash32]]:
        """Blocks with their stored hashes, by height, ``start..end`` inclusive."""
        last = self.height() if end is None else end
        cursor = self._db.execute(
            f"SELECT {_BLOCK_COLUMNS} FROM Blocks WHERE height BETWEEN ? AND ? ORDER BY height",
            (start, last))
        for row in cursor:
            yield block_from_row(row)

    def blocks(self, start: int = 1, end: int | None = None) -> Iterator[Block]:
        for block, _ in self.rows(start, end):
            yield block

    def finality_record(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(height, round, number of authority signatures) without decoding bodies."""
        rows = self._db.execute(
            "SELECT height, round, substr(authority_signatures, 1, 4) FROM Blocks "
            "WHERE height BETWEEN ? AND ? ORDER BY height", (start, end))
        return [(int(h), int(r), int.from_bytes(n, "big")) for h, r, n in rows]

    def transaction_location(self, tx_hash: str) -> tuple[int, int] | None:
        """(height, position) of a finalized transaction, or None."""
        row = self._db.execute("SELECT height, position FROM TransactionIndex WHERE hash=?",
                               (tx_hash,)).fetchone()
        return None if row is None else (int(row[0]), int(row[1]))

    def stored_accounts(self) -> dict[Address, Account]:
        rows = self._db.execute("SELECT address, balance, energy_credits, nonce FROM Accounts")
        return {Address(a): Account(Address(a), int(b), int(e), int(n)) for a, b, e, n in rows}

    def stored_parts(self) -> dict[str, bytes]:
        """The StateParts rows (see :func:`node_core.ledger.state.governed_parts`)."""
        if self._parts is None:
            rows = self._db.execute("SELECT name, data FROM StateParts")
            self._parts = {str(name): bytes(data) for name, data in rows}
        return dict(self._parts)

    def load_state(self) -> State:
        """The state at the stored tip: accounts from the Accounts table, authorities,
        parameters, proposals and halts from StateParts."""
        state = initial_state(self.genesis)
        tip = self.block_at(self.height()) if self.height() else None
        if tip is None:
            return state
        try:
            state = with_governed_parts(state, self.stored_parts())
        except DecodeError as error:
            raise StoreCorrupted(f"StateParts do not decode: {error}") from None
        return replace(state, height=tip.height, tip_hash=tip.hash,
                       tip_timestamp=tip.header.timestamp,
                       accounts=MappingProxyType(self.stored_accounts()))

    def check_tip(self) -> None:
        """Raise StoreCorrupted unless the tip row hashes right, links to its parent and its
        state_root matches the Accounts table."""
        height = self.height()
        if height == 0:
            return
        rows = list(self.rows(max(1, height - 1), height))
        block, stored_hash = rows[-1]
        if block.hash != stored_hash:
            raise StoreCorrupted(f"tip block {height}: stored hash is not the header's hash")
        parent_hash = rows[0][1] if len(rows) == 2 else self.genesis_hash
        if block.header.previous_hash != parent_hash:
            raise StoreCorrupted(f"tip block {height}: does not link to block {height - 1}")
        if state_root(self.load_state()) != block.header.state_root:
            raise StoreCorrupted(f"tip block {height}: the Accounts and StateParts tables do "
                                 "not match its state_root")

    # --- writing ----------------------------------------------------------------------------

    def commit_block(self, block: Block, state_after: State) -> None:
        """Store a final block and the accounts it changed, atomically."""
        h = block.header
        with self._transaction():
            self._db.execute(f"INSERT INTO Blocks ({_BLOCK_COLUMNS}) VALUES "
                             "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
                h.height, h.hash, h.previous_hash, h.merkle_root, h.timestamp, h.total_energy,
                h.grid_state_hash, encode_signatures(block.authority_signatures),
                encode_transactions(block.transactions), h.state_root, h.proposer, h.round,
                encode_grid_snapshot(block.grid_snapshot)))
            self._db.executemany(
                "INSERT OR IGNORE INTO TransactionIndex (hash, height, position) VALUES (?, ?, ?)",
                [(tx.hash, h.height, i) for i, tx in enumerate(block.transactions)])
            self._write_accounts(state_after, touched_addresses(block), h.timestamp)
            parts = self._write_parts(state_after)
        self._parts = parts

    def record_evidence(self, first: ConsensusMessage, second: ConsensusMessage,
                        detected_at: int) -> None:
        """Keep both signed messages of an equivocation (for the console and governance)."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO Evidence (height, round, authority, kind, first_message, "
                "second_message, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (first.height, first.round, first.sender, int(first.kind),
                 _message_bytes(first), _message_bytes(second), detected_at))

    def evidence(self) -> list[tuple[ConsensusMessage, ConsensusMessage, int]]:
        rows = self._db.execute(
            "SELECT first_message, second_message, detected_at FROM Evidence ORDER BY id")
        return [(_message_from(a), _message_from(b), int(t)) for a, b, t in rows]

    def _write_accounts(self, state: State, addresses: set[Address] | None, when: int) -> None:
        chosen = state.accounts.keys() if addresses is None else addresses
        self._db.executemany(
            "INSERT OR REPLACE INTO Accounts (address, balance, energy_credits, nonce, "
            "last_updated) VALUES (?, ?, ?, ?, ?)",
            [(a, state.account(a).balance, state.account(a).energy_credits,
              state.account(a).nonce, when) for a in sorted(chosen)])

    def _write_parts(self, state: State) -> dict[str, bytes]:
        """Write the state parts that differ from the stored ones; return them all."""
        stored, parts = self.stored_parts(), governed_parts(state)
        self._db.executemany("INSERT OR REPLACE INTO StateParts (name, data) VALUES (?, ?)",
                             [(n, d) for n, d in parts.items() if stored.get(n) != d])
        self._db.executemany("DELETE FROM StateParts WHERE name=?",
                             [(n,) for n in stored if n not in parts])
        return parts

    def _transaction(self) -> WriteTransaction:
        return WriteTransaction(self._db)


def _message_bytes(message: ConsensusMessage) -> bytes:
    writer = Writer()
    write_message(writer, message)
    return bytes(writer)


def _message_from(data: bytes) -> ConsensusMessage:
    reader = Reader(data)
    message = read_message(reader)
    reader.finish()
    return message


class WriteTransaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any exception, on a connection in
    autocommit mode (``isolation_level=None``); shared by the embedded stores."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
