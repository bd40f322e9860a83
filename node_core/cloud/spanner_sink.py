"""Optional copy of the finalized chain in Cloud Spanner, with the design's DDL.

``spanner_schema()`` is the design's ``Blocks`` and ``Accounts`` tables, corrected where the
seed text does not parse (``ARRAY<BYTES>`` needs a length: ``ARRAY<BYTES(MAX)>``), plus the
columns we add to ``Blocks``: ``state_root`` and ``proposer``, and a unique index on ``hash``.

Column values (the node's consensus values stay integers; Spanner gets the design's types):

* ``timestamp`` / ``last_updated`` — TIMESTAMP from the block's ms since the Unix epoch (UTC);
  an account's ``last_updated`` is the timestamp of the block that last changed it;
* ``total_energy`` — FLOAT64 **kWh** = the header's Wh / 1000; ``energy_credits`` — FLOAT64
  kWh = the account's Wh / 1000 (exact for any Wh below 2**53, i.e. always in practice);
* ``authority_signatures`` — one element per commit seal: 20-byte authority address followed
  by the 64-byte ``r || s`` signature (84 bytes);
* ``transactions_data`` — ``node_core.ledger.blocks.encode_transactions`` (canonical encoding);
* ``balance`` — satang (INT64), ``nonce`` INT64.

``BlockSink.write_block`` writes a block and the accounts it touched (``touched_addresses``)
in one read-write transaction, idempotently: a block already stored with the same hash is a
no-op; a *different* block at a stored height raises ``ConflictingBlock`` (the node raises it
as an alarm: the sink holds another chain, or the node does). An account row is never moved
back in time (a row whose ``last_updated`` is newer than the block is left alone).

The Spanner client is synchronous: ``BlockSink.write`` runs it in a worker thread
(``asyncio.to_thread``) with a bounded number of attempts on UNAVAILABLE / DEADLINE_EXCEEDED
(the client itself retries ABORTED transactions, and retries creating a session for up to
30 s, so one attempt against an unreachable Spanner takes that long — in the worker thread).
``BlockSink.offer`` never waits: blocks go to a bounded queue drained in order by a background
task; when the queue is full the block is dropped and counted, and ``status()`` says which
height was lost.

Python client quirk: BYTES values are written base64-encoded and read back base64-encoded
(``_b64`` / ``_unb64`` below).

IAM: ``roles/spanner.databaseUser`` to write; creating the schema needs
``roles/spanner.databaseAdmin`` (the design's authority-node-sa has it).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Final

from google.api_core import exceptions as api_errors
from google.auth.credentials import AnonymousCredentials
from google.cloud import spanner

from node_core.backoff import Backoff
from node_core.cloud.emulators import SPANNER_EMULATOR_HOST
from node_core.ledger.blocks import AuthoritySignature, Block, encode_transactions
from node_core.ledger.encoding import Writer
from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.state import Account, State
from node_core.ledger.types import Address, Hash32
from node_core.node.store import touched_addresses

_log = logging.getLogger(__name__)

EMULATOR_CONFIG: Final = "emulator-config"
BLOCK_COLUMNS: Final = (
    "height", "hash", "previous_hash", "merkle_root", "timestamp", "total_energy",
    "grid_state_hash", "authority_signatures", "transactions_data", "state_root", "proposer",
)
ACCOUNT_COLUMNS: Final = ("address", "balance", "energy_credits", "nonce", "last_updated")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_RETRYABLE: Final = (api_errors.ServiceUnavailable, api_errors.DeadlineExceeded,
                     api_errors.RetryError)
"""Spanner unreachable or too slow; ``RetryError`` is the client's own retries giving up
(creating a session against an unreachable endpoint retries for 30 s)."""


class SpannerSinkError(GridTokenXError):
    """The Spanner block sink could not store a block."""


class ConflictingBlock(SpannerSinkError):
    """Spanner already holds a different block at this height: raise it as an alarm."""

    def __init__(self, height: int, stored_hash: str, offered_hash: str) -> None:
        super().__init__(f"Spanner holds block {stored_hash} at height {height}; "
                         f"refusing {offered_hash}")
        self.height = height
        self.stored_hash = stored_hash
        self.offered_hash = offered_hash


def spanner_schema() -> list[str]:
    """The DDL statements of the sink's database (one statement each, no semicolons)."""
    return [
        "CREATE TABLE Blocks (\n"
        "  height INT64 NOT NULL,\n"
        "  `hash` STRING(64) NOT NULL,\n"
        "  previous_hash STRING(64) NOT NULL,\n"
        "  merkle_root STRING(64) NOT NULL,\n"
        "  timestamp TIMESTAMP NOT NULL,\n"
        "  total_energy FLOAT64 NOT NULL,\n"
        "  grid_state_hash STRING(64) NOT NULL,\n"
        "  authority_signatures ARRAY<BYTES(MAX)> NOT NULL,\n"
        "  transactions_data BYTES(MAX) NOT NULL,\n"
        "  state_root STRING(64) NOT NULL,\n"
        "  proposer STRING(42) NOT NULL\n"
        ") PRIMARY KEY (height)",
        "CREATE UNIQUE INDEX BlocksByHash ON Blocks (`hash`)",
        "CREATE TABLE Accounts (\n"
        "  address STRING(42) NOT NULL,\n"
        "  balance INT64 NOT NULL,\n"
        "  energy_credits FLOAT64 NOT NULL,\n"
        "  nonce INT64 NOT NULL,\n"
        "  last_updated TIMESTAMP NOT NULL\n"
        ") PRIMARY KEY (address)",
    ]


# --- clients -----------------------------------------------------------------------------------


def spanner_client(project: str, emulator_host: str | None = None) -> spanner.Client:
    """A Spanner client: the emulator at ``emulator_host`` or ``$SPANNER_EMULATOR_HOST`` (plain
    gRPC, no credentials, no built-in metrics export), else Application Default Credentials."""
    emulator_host = emulator_host or os.environ.get(SPANNER_EMULATOR_HOST) or None
    if emulator_host is None:
        return spanner.Client(project=project)
    return spanner.Client(project=project,
                          credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                          client_options={"api_endpoint": emulator_host},
                          disable_builtin_metrics=True)


def create_instance_and_database(client: spanner.Client, instance_id: str, database_id: str,
                                 *, config: str = EMULATOR_CONFIG,
                                 timeout_s: float = 60.0) -> Any:
    """Create the instance (if missing) and the database with ``spanner_schema()``; return the
    database. Meant for the emulator and new projects (needs ``spanner.admin`` rights)."""
    instance = client.instance(  # type: ignore[no-untyped-call]
        instance_id, configuration_name=f"projects/{client.project}/instanceConfigs/{config}",
        node_count=1, display_name=instance_id)
    with contextlib.suppress(api_errors.AlreadyExists):
        instance.create().result(timeout_s)
    database = instance.database(database_id, ddl_statements=spanner_schema())
    database.create().result(timeout_s)
    return database


# --- rows --------------------------------------------------------------------------------------


def spanner_time(ms: int) -> datetime:
    """ms since the Unix epoch (UTC) → an aware datetime, exactly."""
    return _EPOCH + timedelta(milliseconds=ms)


def kwh(wh: int) -> float:
    """Wh (the node's integer unit) → kWh as the design's FLOAT64 columns hold it."""
    return wh / 1000


def seal_bytes(seal: AuthoritySignature) -> bytes:
    """One ``authority_signatures`` element: 20-byte address || 64-byte signature."""
    return bytes(Writer().address(seal.authority).raw(seal.signature, 64))


def block_row(block: Block) -> tuple[Any, ...]:
    """The ``Blocks`` row of a block, in ``BLOCK_COLUMNS`` order (BYTES base64-encoded)."""
    h = block.header
    return (
        h.height, h.hash, h.previous_hash, h.merkle_root, spanner_time(h.timestamp),
        kwh(h.total_energy), h.grid_state_hash,
        [_b64(seal_bytes(s)) for s in block.authority_signatures],
        _b64(encode_transactions(block.transactions)), h.state_root, h.proposer,
    )


def account_row(account: Account, updated_ms: int) -> tuple[Any, ...]:
    """The ``Accounts`` row of an account, in ``ACCOUNT_COLUMNS`` order."""
    return (account.address, account.balance, kwh(account.energy_credits), account.nonce,
            spanner_time(updated_ms))


def _key_set(keys: list[list[Any]]) -> Any:
    """A ``KeySet`` of primary keys (the library's constructor is untyped)."""
    return spanner.KeySet(keys=keys)  # type: ignore[no-untyped-call]


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data)


def _unb64(data: bytes) -> bytes:
    return base64.b64decode(data)


@dataclass(frozen=True, slots=True)
class StoredBlock:
    """A ``Blocks`` row as read back (BYTES decoded)."""

    height: int
    hash: Hash32
    previous_hash: Hash32
    merkle_root: Hash32
    timestamp: datetime
    total_energy_kwh: float
    grid_state_hash: Hash32
    authority_signatures: tuple[bytes, ...]
    transactions_data: bytes
    state_root: Hash32
    proposer: Address


@dataclass(frozen=True, slots=True)
class StoredAccount:
    """An ``Accounts`` row as read back."""

    address: Address
    balance: int
    energy_credits_kwh: float
    nonce: int
    last_updated: datetime


def read_block(database: Any, height: int) -> StoredBlock | None:
    """The stored block at ``height``, or None."""
    with database.snapshot() as snapshot:
        rows = list(snapshot.read("Blocks", BLOCK_COLUMNS, _key_set([[height]])))
    if not rows:
        return None
    (height_, hash_, previous, merkle, stamp, energy, grid, seals, txs, root, proposer) = rows[0]
    return StoredBlock(int(height_), hash_, previous, merkle, stamp, float(energy), grid,
                       tuple(_unb64(s) for s in seals), _unb64(txs), root, proposer)


def read_account(database: Any, address: str) -> StoredAccount | None:
    """The stored account row of ``address``, or None."""
    with database.snapshot() as snapshot:
        rows = list(snapshot.read("Accounts", ACCOUNT_COLUMNS, _key_set([[address]])))
    if not rows:
        return None
    address_, balance, credits_, nonce, updated = rows[0]
    return StoredAccount(address_, int(balance), float(credits_), int(nonce), updated)


# --- the sink ----------------------------------------------------------------------------------


class WriteOutcome(Enum):
    """What ``write_block`` did."""

    WRITTEN = "written"
    ALREADY_STORED = "already stored"


@dataclass(frozen=True, slots=True)
class SinkRetry:
    """Attempts per block when Spanner is unavailable."""

    attempts: int = 3
    backoff: Backoff = Backoff(0.5, 4.0, jitter=False)
    transaction_timeout_s: float = 30.0

    def backoff_s(self, failed_attempts: int) -> float:
        """The wait after ``failed_attempts`` consecutive failures (1, 2, ...)."""
        return self.backoff.delay_s(failed_attempts)


@dataclass(frozen=True, slots=True)
class SinkStatus:
    """What the console shows about the Spanner sink."""

    written: int
    already_stored: int
    dropped: int
    """Blocks not written: queue full, or Spanner unavailable after the retries."""
    queued: int
    last_height: int | None
    """Height of the last block written (or found already stored)."""
    last_error: str | None


ConflictHandler = Callable[[ConflictingBlock], None]


class BlockSink:
    """Writes finalized blocks and their changed accounts to one Spanner database."""

    def __init__(self, database: Any, *, retry: SinkRetry = SinkRetry(),
                 queue_size: int = 256, on_conflict: ConflictHandler | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._database = database
        self._retry = retry
        self._queue: asyncio.Queue[tuple[Block, State]] = asyncio.Queue(queue_size)
        self._on_conflict = on_conflict
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._written = self._already = self._dropped = 0
        self._last_height: int | None = None
        self._last_error: str | None = None

    # --- synchronous core (worker thread) -------------------------------------------------------

    def write_block(self, block: Block, state_after: State) -> WriteOutcome:
        """One read-write transaction: the block and its touched accounts, or nothing.

        Blocks the calling thread for network round trips; raises ``ConflictingBlock``.
        """
        accounts = [state_after.account(a) for a in sorted(touched_addresses(block))]
        try:
            outcome: WriteOutcome = self._database.run_in_transaction(
                _write_in_transaction, block, accounts,
                timeout_secs=self._retry.transaction_timeout_s)
        except Exception:
            _clear_stuck_transaction_flag(self._database)
            raise
        return outcome

    # --- async API (event loop) -----------------------------------------------------------------

    async def write(self, block: Block, state_after: State) -> WriteOutcome:
        """``write_block`` in a worker thread, retried on UNAVAILABLE / DEADLINE_EXCEEDED.

        Raises ``ConflictingBlock``, or ``SpannerSinkError`` when Spanner stays unavailable.
        """
        for attempt in range(1, self._retry.attempts + 1):
            try:
                outcome = await asyncio.to_thread(self.write_block, block, state_after)
            except _RETRYABLE as error:
                self._last_error = f"{type(error).__name__}: {error}"
                if attempt == self._retry.attempts:
                    raise SpannerSinkError(
                        f"block {block.height} not written: {self._last_error}") from error
                await self._sleep(self._retry.backoff_s(attempt))
            else:
                self._note(block.height, outcome)
                return outcome
        raise AssertionError("unreachable: attempts must be at least 1")

    def offer(self, block: Block, state_after: State) -> bool:
        """Queue a finalized block for the background writer; never waits. False (and counted)
        if the queue is full."""
        try:
            self._queue.put_nowait((block, state_after))
        except asyncio.QueueFull:
            self._dropped += 1
            self._last_error = f"queue full: block {block.height} not written"
            _log.warning("Spanner sink: %s", self._last_error)
            return False
        return True

    def start(self) -> None:
        """Start the background writer on the running loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._drain(), name="spanner-block-sink")

    async def aclose(self) -> None:
        """Stop the background writer (queued blocks are not written)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def join(self) -> None:
        """Wait until every queued block has been handled (tests, orderly shutdown)."""
        await self._queue.join()

    def status(self) -> SinkStatus:
        """A snapshot of the counters."""
        return SinkStatus(self._written, self._already, self._dropped, self._queue.qsize(),
                          self._last_height, self._last_error)

    async def _drain(self) -> None:
        while True:
            block, state_after = await self._queue.get()
            try:
                await self._write_queued(block, state_after)
            finally:
                self._queue.task_done()

    async def _write_queued(self, block: Block, state_after: State) -> None:
        try:
            await self.write(block, state_after)
        except ConflictingBlock as conflict:
            self._last_error = str(conflict)
            _log.error("Spanner sink: %s", conflict)
            if self._on_conflict is not None:
                self._on_conflict(conflict)
        except SpannerSinkError as error:
            self._dropped += 1
            _log.warning("Spanner sink: %s", error)
        except Exception as error:  # e.g. permission denied: count it, keep the node going
            self._dropped += 1
            self._last_error = f"block {block.height} not written: {error!r}"
            _log.warning("Spanner sink: %s", self._last_error)

    def _note(self, height: int, outcome: WriteOutcome) -> None:
        if outcome is WriteOutcome.WRITTEN:
            self._written += 1
        else:
            self._already += 1
        self._last_height = height
        self._last_error = None


def _write_in_transaction(transaction: Any, block: Block,
                          accounts: Sequence[Account]) -> WriteOutcome:
    """The transaction body (re-run by the client if Spanner aborts it)."""
    stored = list(transaction.read("Blocks", ("hash",), _key_set([[block.height]])))
    if stored:
        if stored[0][0] == block.hash:
            return WriteOutcome.ALREADY_STORED
        raise ConflictingBlock(block.height, stored[0][0], block.hash)
    transaction.insert("Blocks", BLOCK_COLUMNS, [block_row(block)])
    fresh = _not_newer_than(transaction, accounts, spanner_time(block.header.timestamp))
    if fresh:
        transaction.insert_or_update("Accounts", ACCOUNT_COLUMNS,
                                     [account_row(a, block.header.timestamp) for a in fresh])
    return WriteOutcome.WRITTEN


def _not_newer_than(transaction: Any, accounts: Sequence[Account],
                    moment: datetime) -> list[Account]:
    """The accounts whose stored row (if any) is not newer than ``moment``."""
    if not accounts:
        return []
    keys = _key_set([[a.address] for a in accounts])
    newer = {address for address, updated in
             transaction.read("Accounts", ("address", "last_updated"), keys)
             if updated > moment}
    return [a for a in accounts if a.address not in newer]


def _clear_stuck_transaction_flag(database: Any) -> None:
    """Work around googleapis/google-cloud-python#18375: when ``run_in_transaction`` cannot
    get a session (Spanner unreachable, database missing) it leaves its thread-local
    "transaction running" flag set, and every later call *on that thread* — worker threads
    are reused — fails with "Spanner does not support nested transactions". The sink never
    nests transactions, so clearing the flag after a failure is safe."""
    local = getattr(database, "_local", None)
    if local is not None and getattr(local, "transaction_running", False):
        local.transaction_running = False
