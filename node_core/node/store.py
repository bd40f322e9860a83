"""The embedded store: SQLite in WAL mode, one file per node (``docs/protocol.md`` §
"The store" describes it as a reader sees it).

Every table is ``STRICT`` (a value of the wrong type is refused by SQLite, never converted
behind the reader's back) and the schema version is ``PRAGMA user_version``
(:data:`SCHEMA_VERSION`); a store of another version is refused with what to do. ``Blocks`` and
``Accounts`` carry the seed design's columns; every consensus value is an integer
(``timestamp`` and ``last_updated`` in ms since epoch UTC, ``total_energy`` in Wh, balances in
satang, energy credits in Wh). Added columns: ``state_root``, ``proposer``, ``round`` and
``grid_snapshot``. The rest of the state — authorities, chain parameters, governance proposals,
halted regions, the roster, the taken endorsements — is kept in ``StateParts`` as the canonical
parts of :func:`node_core.ledger.state.governed_parts`, so a restarted node has exactly the
state its tip's ``state_root`` commits to. ``authority_signatures``, ``transactions_data`` and
``grid_snapshot`` hold the canonical encodings of :mod:`node_core.ledger.blocks`, so a block is
rebuilt exactly from its row. Each row is made by one function here (:func:`block_row`,
:func:`index_rows`, :func:`account_row`, :func:`meta_rows`), which chain verification compares
the stored rows with (:mod:`node_core.node.chain_verify`).

Crash safety: :meth:`BlockStore.commit_block` writes the block, its transaction index and the
accounts and state parts it changed in one SQLite transaction with ``synchronous=FULL``: a
process killed at any instant leaves the store at the previous or the new block. On open the
store checks its tip (header hash, link to the parent, and state root against the Accounts
and StateParts tables). The write-ahead log is bounded by :data:`WAL_SIZE_LIMIT_BYTES` once
no reader holds an old snapshot (a reader that stays open lets it grow meanwhile).
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
from node_core.ledger.exceptions import (
    DecodeError,
    GenesisMismatch,
    InvalidBlock,
    StoreCorrupted,
    StoredValueMismatch,
    StoreError,
    UnknownSchemaVersion,
)
from node_core.ledger.genesis import Genesis, genesis_from_json, genesis_hash, genesis_to_json
from node_core.ledger.governance import authorities_before
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
from node_core.ledger.transition import validate_signatures
from node_core.ledger.types import Address, Hash32

SCHEMA_VERSION: Final = 3
"""``PRAGMA user_version`` of the stores this code writes and reads (2: STRICT tables, no
Meta ``schema_version`` row; 3: the state holds the taken endorsements, a ``StateParts`` row
and state-root leaves a version 2 chain does not have). A store of any other version is
refused, never migrated."""
STORE_FILENAME: Final = "chain.sqlite3"
WAL_SIZE_LIMIT_BYTES: Final = 4 * 1024 * 1024
"""``PRAGMA journal_size_limit``: after a checkpoint that resets the write-ahead log, SQLite
truncates the WAL file to this size, so a WAL that grew behind a long reader shrinks again
once the reader has ended."""

_SCHEMA: Final = """
CREATE TABLE Meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT, WITHOUT ROWID;
CREATE TABLE Blocks (
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
) STRICT;
CREATE TABLE Accounts (
    address TEXT PRIMARY KEY,
    balance INTEGER NOT NULL,
    energy_credits INTEGER NOT NULL,
    nonce INTEGER NOT NULL,
    last_updated INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE Evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    height INTEGER NOT NULL,
    round INTEGER NOT NULL,
    authority TEXT NOT NULL,
    kind INTEGER NOT NULL,
    first_message BLOB NOT NULL,
    second_message BLOB NOT NULL,
    detected_at INTEGER NOT NULL
) STRICT;
CREATE TABLE StateParts (
    name TEXT PRIMARY KEY,
    data BLOB NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE TransactionIndex (
    hash TEXT PRIMARY KEY,
    height INTEGER NOT NULL,
    position INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
"""

BLOCK_COLUMNS: Final = ("height", "hash", "previous_hash", "merkle_root", "timestamp",
                        "total_energy", "grid_state_hash", "authority_signatures",
                        "transactions_data", "state_root", "proposer", "round", "grid_snapshot")
"""The Blocks table's columns in their declared order (the order of :func:`block_row`)."""
_BLOCK_COLUMNS: Final = ", ".join(BLOCK_COLUMNS)


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


def block_row(block: Block) -> tuple[int | str | bytes, ...]:
    """The Blocks row of ``block``, in the order of ``_BLOCK_COLUMNS``."""
    h = block.header
    return (h.height, h.hash, h.previous_hash, h.merkle_root, h.timestamp, h.total_energy,
            h.grid_state_hash, encode_signatures(block.authority_signatures),
            encode_transactions(block.transactions), h.state_root, h.proposer, h.round,
            encode_grid_snapshot(block.grid_snapshot))


def index_rows(block: Block) -> list[tuple[str, int, int]]:
    """The TransactionIndex rows of ``block``: (hash, height, position in the block)."""
    return [(tx.hash, block.height, i) for i, tx in enumerate(block.transactions)]


def account_row(account: Account, last_updated: int) -> tuple[str, int, int, int, int]:
    """An Accounts row. ``last_updated`` is the timestamp (ms, UTC) of the last block whose
    transactions touched the account (:func:`touched_addresses`), or the genesis timestamp
    for an account no block has touched."""
    return (account.address, account.balance, account.energy_credits, account.nonce,
            last_updated)


def meta_rows(genesis: Genesis) -> list[tuple[str, str]]:
    """The Meta rows, by key: the genesis hash and the genesis JSON the store was made for."""
    return [("genesis", json.dumps(genesis_to_json(genesis))),
            ("genesis_hash", genesis_hash(genesis))]


def schema_objects(db: sqlite3.Connection) -> list[tuple[str, str, str, str | None]]:
    """(type, name, table, SQL) of every table, index and trigger in ``db``."""
    return [tuple(row) for row in db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")]


def expected_schema() -> list[tuple[str, str, str, str | None]]:
    """:func:`schema_objects` of a store this code creates."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(_SCHEMA)
        return schema_objects(db)
    finally:
        db.close()


def _create_or_check_schema(db: sqlite3.Connection, path: Path) -> None:
    """Create the tables in an empty file; refuse a store of another schema version."""
    with WriteTransaction(db):
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if not db.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]:
            for statement in _SCHEMA.split(";")[:-1]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        elif version != SCHEMA_VERSION:
            made_by = "an older" if version < SCHEMA_VERSION else "a newer"
            raise UnknownSchemaVersion(
                f"the store {path} has schema version {version}, this node reads version "
                f"{SCHEMA_VERSION} only: it was made by {made_by} version of the node. For a "
                "devnet delete its data directory to start a new chain; for a configured node "
                "move its data directory aside and start it on an empty one (it fetches the "
                "chain from its peers)")


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
            db.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT_BYTES}")
            _create_or_check_schema(db, path)
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
        try:
            genesis = genesis_from_json(json.loads(row[0]))
        except ValueError as error:
            raise StoredValueMismatch(f"Meta row genesis does not read as a genesis: "
                                      f"{error}") from None
        try:
            return cls.open(path, genesis, check_tip=check_tip)
        except GenesisMismatch:
            raise StoredValueMismatch(f"Meta row genesis_hash is not the hash of Meta row "
                                      f"genesis, {genesis_hash(genesis)}") from None

    def _bind_genesis(self) -> None:
        row = self._db.execute("SELECT value FROM Meta WHERE key='genesis_hash'").fetchone()
        if row is None:
            with self._transaction():
                self._db.executemany("INSERT INTO Meta (key, value) VALUES (?, ?)",
                                     meta_rows(self.genesis))
                self._write_accounts(initial_state(self.genesis), None, self.genesis.timestamp)
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

    def table_rows(self, table: str, order: str) -> sqlite3.Cursor:
        """Every row of ``table`` as stored (columns in their declared order), ordered by
        ``order``: what verification compares with the chain."""
        return self._db.execute(f"SELECT * FROM {table} ORDER BY {order}")

    def row_count(self, table: str) -> int:
        return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def schema(self) -> list[tuple[str, str, str, str | None]]:
        """The store's tables, indexes and triggers (see :func:`schema_objects`)."""
        return schema_objects(self._db)

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
        """Raise StoreCorrupted unless the tip row hashes right, links to its parent, is
        sealed by a quorum of the authorities before it (their commit seals verify) and its
        state_root matches the Accounts and StateParts tables: a store edited while the node
        was down is refused at start, not served."""
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
        state = self.load_state()
        if state_root(state) != block.header.state_root:
            raise StoreCorrupted(f"tip block {height}: the Accounts and StateParts tables do "
                                 "not match its state_root")
        sealers = authorities_before(state.authorities, state.proposals, height,
                                     self.genesis.authorities)
        try:
            validate_signatures(replace(state, authorities=sealers), block)
        except InvalidBlock as error:
            raise StoreCorrupted(f"tip block {height}: its seals do not check out: "
                                 f"{type(error).__name__}: {error}") from None

    # --- writing ----------------------------------------------------------------------------

    def commit_block(self, block: Block, state_after: State) -> None:
        """Store a final block and the accounts it changed, atomically."""
        h = block.header
        with self._transaction():
            self._db.execute(f"INSERT INTO Blocks ({_BLOCK_COLUMNS}) VALUES "
                             "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", block_row(block))
            self._db.executemany(
                "INSERT INTO TransactionIndex (hash, height, position) VALUES (?, ?, ?)",
                index_rows(block))
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
            [account_row(state.account(a), when) for a in sorted(chosen)])

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
