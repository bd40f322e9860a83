"""Re-check a whole stored chain from genesis, exactly: every stored value against the value
the replayed chain derives, in type and in value.

In order, each failure raising one named error whose message names the block or the table
and row:

1. the schema: tables, indexes and triggers exactly as this code creates them
   (``SchemaAltered``; the version itself is checked when the store opens);
2. ``Meta``: the genesis JSON re-serialised from the genesis it holds, and its hash;
3. every block by replay with the ledger's rules (``apply_block``: hash link, proposer,
   merkle root, energy, grid snapshot, commit seals and quorum, every transaction, state
   root), its stored hash, then its ``Blocks`` row column by column against the row the
   replayed block gives, and its ``TransactionIndex`` rows (right height and position, none
   missing, none extra);
4. ``Accounts``: one row per account of the replayed state, with ``last_updated`` the
   timestamp of the last block that touched the account (the genesis timestamp if none did);
5. ``StateParts``: the canonical parts of the replayed state;
6. ``Evidence``: each row two validly signed, conflicting messages of one authority, with the
   columns describing them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from node_core.consensus.messages import ConsensusMessage, message_signature_valid, read_message
from node_core.ledger.blocks import Block
from node_core.ledger.encoding import Reader
from node_core.ledger.exceptions import (
    DecodeError,
    InvalidEvidence,
    MissingRow,
    SchemaAltered,
    StoredValueMismatch,
    UnexpectedRow,
)
from node_core.ledger.state import State, governed_parts, initial_state
from node_core.ledger.transition import apply_block, check_block_hash
from node_core.ledger.types import Address, Hash32, PublicKey
from node_core.node.store import (
    BLOCK_COLUMNS,
    BlockStore,
    account_row,
    block_from_row,
    block_row,
    expected_schema,
    index_rows,
    meta_rows,
    touched_addresses,
)

Progress = Callable[[int, int], None]
"""Called as ``progress(height_done, height_total)``."""
Row = Sequence[Any]

_SQL_TYPES = {int: "integer", float: "real", str: "text", bytes: "blob", type(None): "null"}


@dataclass(frozen=True, slots=True)
class VerifiedChain:
    height: int
    tip: Hash32
    state: State


def verify_chain(store: BlockStore, *, progress: Progress | None = None) -> VerifiedChain:
    """Check everything the store keeps (see the module docstring); raise the first rule
    broken (an InvalidBlock/InvalidTransaction rule of the ledger, or a StoreCorrupted one)."""
    _check_schema(store)
    _compare_keyed("Meta", ("key", "value"), store.table_rows("Meta", "key"),
                   meta_rows(store.genesis))
    replay = _Replay(store)
    total = store.height()
    for row in store.table_rows("Blocks", "height"):
        replay.check(row)
        if progress is not None:
            progress(replay.state.height, total)
    replay.finish()
    state = replay.state
    _compare_keyed("Accounts", ("address", "balance", "energy_credits", "nonce",
                                "last_updated"), store.table_rows("Accounts", "address"),
                   [account_row(state.accounts[a], replay.last_updated[a])
                    for a in sorted(state.accounts)])
    _compare_keyed("StateParts", ("name", "data"), store.table_rows("StateParts", "name"),
                   sorted(governed_parts(state).items()))
    for evidence in store.table_rows("Evidence", "id"):
        _check_evidence(evidence, replay.keys, state.genesis_hash)
    return VerifiedChain(state.height, state.tip_hash, state)


class _Replay:
    """The chain replayed block by block, with what the derived tables need."""

    def __init__(self, store: BlockStore) -> None:
        self.state = initial_state(store.genesis)
        self.last_updated = {a: store.genesis.timestamp for a in self.state.accounts}
        """Per address: the timestamp of the last block that touched it."""
        self.keys = {a.address: a.public_key for a in self.state.authorities}
        """Every authority's key, from genesis on (evidence may predate a removal)."""
        self._index = _IndexCheck(store)

    def check(self, row: Row) -> None:
        block, stored_hash = block_from_row(row)
        check_block_hash(block, stored_hash)
        self.state = apply_block(self.state, block)
        _compare_row(f"Blocks row {block.height}", BLOCK_COLUMNS, row, block_row(block))
        self._index.check(block)
        for address in touched_addresses(block):
            self.last_updated[address] = block.header.timestamp
        self.keys.update({a.address: a.public_key for a in self.state.authorities})

    def finish(self) -> None:
        self._index.finish()


class _IndexCheck:
    """TransactionIndex: each transaction of the chain has its row, at its height and
    position; then no other row is there."""

    def __init__(self, store: BlockStore) -> None:
        self._store = store
        self._count = 0

    def check(self, block: Block) -> None:
        for tx_hash, height, position in index_rows(block):
            where = self._store.transaction_location(tx_hash)
            if where is None:
                raise MissingRow(f"TransactionIndex: no row for transaction {tx_hash} (block "
                                 f"{height} position {position})")
            if where != (height, position):
                raise StoredValueMismatch(
                    f"TransactionIndex row {tx_hash}: height {where[0]} position {where[1]}, "
                    f"the chain has it in block {height} position {position}")
        self._count += len(block.transactions)

    def finish(self) -> None:
        if self._store.row_count("TransactionIndex") == self._count:
            return
        for tx_hash, height, position in self._store.table_rows("TransactionIndex", "height"):
            block = self._store.block_at(height)
            if block is None or block.transactions[position:position + 1] == () or \
                    block.transactions[position].hash != tx_hash:
                raise UnexpectedRow(f"TransactionIndex row {tx_hash}: height {height} position "
                                    f"{position} names no transaction of the chain")


def _check_schema(store: BlockStore) -> None:
    stored, derived = store.schema(), expected_schema()
    for item in sorted(set(stored) ^ set(derived), key=str):
        kind, name = item[0], item[1]
        verb = "is not one this code creates" if item in stored else "is missing or altered"
        raise SchemaAltered(f"schema: {kind} {name} {verb}")


def _compare_keyed(table: str, columns: Sequence[str], stored_rows: Iterator[Row],
                   derived_rows: Sequence[Row]) -> None:
    """Rows keyed by their first column: none missing, none extra, each column the same."""
    stored = {row[0]: row for row in stored_rows}
    derived: Mapping[Any, Row] = {row[0]: row for row in derived_rows}
    for key in sorted(set(stored) | set(derived), key=str):
        if key not in stored:
            raise MissingRow(f"{table}: no row {key}; the chain derives one")
        if key not in derived:
            raise UnexpectedRow(f"{table} row {key}: the chain derives no such row")
        _compare_row(f"{table} row {key}", columns, stored[key], derived[key])


def _compare_row(where: str, columns: Sequence[str], stored: Row, derived: Row) -> None:
    for name, value, expected in zip(columns, stored, derived, strict=True):
        if not _same(value, expected):
            raise StoredValueMismatch(f"{where} column {name}: stored {_shown(value)}, the "
                                      f"chain gives {_shown(expected)}")


def _same_row(stored: Row, derived: Row) -> bool:
    return len(stored) == len(derived) and all(map(_same, stored, derived))


def _same(stored: object, derived: object) -> bool:
    return type(stored) is type(derived) and stored == derived


def _shown(value: object) -> str:
    kind = _SQL_TYPES.get(type(value), type(value).__name__)
    if isinstance(value, bytes):
        return f"{kind} of {len(value)} bytes {value[:8].hex()}…"
    return f"{kind} {value!r}"


def _check_evidence(row: Row, keys: Mapping[Address, PublicKey], genesis_hash: Hash32) -> None:
    row_id, height, round_, authority, kind, first_bytes, second_bytes, _detected_at = row
    where = f"Evidence row {row_id}"
    first, second = _message(where, first_bytes), _message(where, second_bytes)
    if not first.conflicts_with(second):
        raise InvalidEvidence(f"{where}: the two messages do not conflict")
    _compare_row(where, ("height", "round", "authority", "kind"), (height, round_, authority,
                 kind), (first.height, first.round, first.sender, int(first.kind)))
    key = keys.get(first.sender)
    if key is None:
        raise InvalidEvidence(f"{where}: {first.sender} was never an authority")
    for message in (first, second):
        if not message_signature_valid(message, key, genesis_hash):
            raise InvalidEvidence(f"{where}: a message's signature does not verify")


def _message(where: str, data: object) -> ConsensusMessage:
    try:
        reader = Reader(bytes(data) if isinstance(data, bytes) else b"")
        message = read_message(reader)
        reader.finish()
    except DecodeError as error:
        raise InvalidEvidence(f"{where}: a message does not decode: {error}") from None
    return message
