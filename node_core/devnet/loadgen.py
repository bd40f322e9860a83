"""Load generator: signed energy-trade settlements between simulated prosumers, at a rate.

Each prosumer always submits to the same node over the same connection (so its nonces arrive
in order) and has at most one transaction per batch; a rejected transaction's nonce is
reused. Batches go out every :data:`BATCH_S` whatever the answers to earlier ones (an open
loop: the offered rate is the rate, not what the nodes let through), over the binary
submission path and :data:`LANES` connections per node, as a bulk client would (a node
answers the requests of one connection one at a time), with at most :data:`MAX_IN_FLIGHT`
batches unanswered per connection; transactions a full mempool refused are submitted again
after the ``retry_after_ms`` it gave. Finality latency is measured as a user
sees it: from the first submission to the final block that carries the transaction,
announced on the node's event stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from node_core.api.client import NodeClient
from node_core.api.methods import ACCOUNT
from node_core.api.requests import AccountRequest
from node_core.api.wire import ClientError
from node_core.ledger.exceptions import MempoolFull
from node_core.ledger.transactions import EnergyTrade, Transaction, sign_transaction
from node_core.ledger.types import REGIONS
from node_core.signers.file import FileSigner

BATCH_S = 0.05
LANES = 4
"""Connections per node."""
MAX_IN_FLIGHT = 5
"""Batches sent over one connection and not answered yet (a quarter of a second of load)
before the generator waits for it."""
RECONNECT_S = 0.5
NODE_RESTART_S = 30.0
"""How long a node that went away is waited for before the load gives up on it."""


@dataclass
class LoadReport:
    submitted: int = 0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    finalized: int = 0
    """Our transactions seen in final blocks."""
    chain_transactions: int = 0
    """All transactions in final blocks announced while the load ran."""
    latencies_ms: list[int] = field(default_factory=list)
    load_seconds: float = 0.0
    """How long transactions were being submitted."""
    retried: int = 0
    """Submissions again of transactions a full mempool refused ("retry after")."""


class LoadGenerator:
    """Submit ``rate`` trades per second across ``clients`` until stopped."""

    def __init__(self, clients: list[NodeClient], prosumers: list[FileSigner], chain_id: str,
                 rate: float, *, seed: int = 7) -> None:
        self._clients = clients
        self._prosumers = prosumers
        self._chain_id = chain_id
        self._rate = rate
        self._rng = random.Random(seed)
        self._nonces: list[int] = []
        self._submitted_at: dict[str, float] = {}
        self._lanes: list[NodeClient] = []
        """``LANES`` connections per node: node i's are ``i, i + nodes, i + 2 * nodes ...``
        (the first of each node's is the client given)."""
        self._in_flight: dict[int, set[asyncio.Task[None]]] = {}
        self.report = LoadReport()

    async def run(self, stop: asyncio.Event) -> LoadReport:
        self._nonces = [await self._nonce(i) for i in range(len(self._prosumers))]
        self._lanes = [*self._clients, *[await NodeClient.connect(client.address)
                                         for _ in range(LANES - 1) for client in self._clients]]
        self._in_flight = {lane: set() for lane in range(len(self._lanes))}
        watcher = asyncio.create_task(self._watch_finality())
        owed, cursor, began = 0.0, 0, time.monotonic()
        try:
            while not stop.is_set():
                started = time.monotonic()
                owed += self._rate * BATCH_S
                count = min(int(owed), len(self._prosumers))
                owed -= count
                await self._submit_batch(cursor, count)
                cursor = (cursor + count) % len(self._prosumers)
                await _sleep_until(stop, started + BATCH_S)
            self.report.load_seconds = time.monotonic() - began
            await _sleep_until(stop, time.monotonic() + 3.0, wait_for_set=False)
        finally:
            sending = [t for tasks in self._in_flight.values() for t in tasks]
            for task in [*sending, watcher]:
                task.cancel()
            await asyncio.gather(*sending, watcher, return_exceptions=True)
            for extra in self._lanes[len(self._clients):]:
                await extra.close()
        return self.report

    async def _nonce(self, index: int) -> int:
        """The prosumer's next nonce from its node; a node restarting meanwhile is waited
        for (reconnected) up to :data:`NODE_RESTART_S`."""
        client = self._clients[index % len(self._clients)]
        request = AccountRequest(self._prosumers[index].address)
        deadline = time.monotonic() + NODE_RESTART_S
        while True:
            try:
                return (await client.request(ACCOUNT, request))["nonce"]
            except ClientError as error:
                if time.monotonic() > deadline:
                    raise
                await _reconnect_if_lost(client, error)
                await asyncio.sleep(RECONNECT_S)

    def _trade(self, buyer: int) -> Transaction:
        seller = (buyer + 1 + self._rng.randrange(len(self._prosumers) - 1)) % len(self._prosumers)
        signer = self._prosumers[buyer]
        payload = EnergyTrade(self._prosumers[seller].address, signer.address,
                              energy_wh=self._rng.randrange(100, 5000, 100),
                              price_per_kwh=self._rng.randrange(350, 550),
                              region=self._rng.choice(REGIONS))
        return sign_transaction(
            Transaction(self._chain_id, self._nonces[buyer], signer.public_key, payload), signer)

    async def _submit_batch(self, first: int, count: int) -> None:
        per_lane: dict[int, list[tuple[int, Transaction]]] = {}
        for offset in range(count):
            buyer = (first + offset) % len(self._prosumers)
            tx = self._trade(buyer)
            self._nonces[buyer] += 1
            per_lane.setdefault(self._lane_of(buyer), []).append((buyer, tx))
        now = time.monotonic()
        for lane, batch in per_lane.items():
            for _, tx in batch:
                self._submitted_at[tx.hash] = now
            self.report.submitted += len(batch)
            await self._send_soon(lane, batch)

    def _lane_of(self, buyer: int) -> int:
        """The connection a prosumer submits over: always one of its node's."""
        return buyer % len(self._lanes)

    async def _send_soon(self, index: int, batch: list[tuple[int, Transaction]],
                         delay_s: float = 0.0) -> None:
        """Send ``batch`` over connection ``index`` in the background (after ``delay_s``),
        once fewer than :data:`MAX_IN_FLIGHT` batches wait for its answer."""
        in_flight = self._in_flight[index]
        while len(in_flight) >= MAX_IN_FLIGHT:
            await asyncio.wait(set(in_flight), return_when=asyncio.FIRST_COMPLETED)
        task = asyncio.create_task(self._send(index, batch, delay_s))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)

    async def _send(self, index: int, batch: list[tuple[int, Transaction]],
                    delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        client = self._lanes[index]
        try:
            answer = await client.submit_binary([tx.encoded for _, tx in batch])
        except ClientError as error:
            self._refused(batch, {i: str(error) for i in range(len(batch))})
            await _reconnect_if_lost(client, error)
            return
        errors = {r["index"]: r["error"] for r in answer["refused"]}
        retry = [batch[i] for i, e in errors.items() if e.startswith(MempoolFull.__name__)]
        self.report.accepted += len(batch) - len(errors)
        self._refused(batch, {i: e for i, e in errors.items()
                              if not e.startswith(MempoolFull.__name__)})
        if retry:
            self.report.retried += len(retry)
            await self._send_soon(index, retry, (answer["retry_after_ms"] or 0) / 1000)

    def _refused(self, batch: list[tuple[int, Transaction]], errors: dict[int, str]) -> None:
        """Count refusals by rule; reuse their nonces (or ask the node for a stale one)."""
        for i, error in errors.items():
            buyer, tx = batch[i]
            rule = error.split(":")[0]
            self.report.rejected[rule] += 1
            self._submitted_at.pop(tx.hash, None)
            if rule == "NonceMismatch":
                self._spawn_nonce_refresh(buyer)
            else:
                self._nonces[buyer] = min(self._nonces[buyer], tx.nonce)

    def _spawn_nonce_refresh(self, buyer: int) -> None:
        async def refresh() -> None:
            with contextlib.suppress(ClientError):
                self._nonces[buyer] = await self._nonce(buyer)
        task = asyncio.create_task(refresh())
        self._in_flight[self._lane_of(buyer)].add(task)
        task.add_done_callback(self._in_flight[self._lane_of(buyer)].discard)

    async def _watch_finality(self) -> None:
        """Final blocks as the first node announces them; resubscribes when that node
        restarts."""
        client = self._clients[0]
        while True:
            with contextlib.suppress(ClientError):
                async for event in client.subscribe():
                    self._on_event(event)
            await asyncio.sleep(RECONNECT_S)
            with contextlib.suppress(ClientError):
                await client.reconnect()

    def _on_event(self, event: dict[str, Any]) -> None:
        if event.get("event") == "block":
            now = time.monotonic()
            hashes = event["data"]["tx_hashes"]
            self.report.chain_transactions += len(hashes)
            for tx_hash in hashes:
                submitted = self._submitted_at.pop(tx_hash, None)
                if submitted is not None:
                    self.report.finalized += 1
                    self.report.latencies_ms.append(round((now - submitted) * 1000))


async def _reconnect_if_lost(client: NodeClient, error: ClientError) -> None:
    """A node that restarted is connected to again (its trades are then submitted anew)."""
    if error.type in ("Disconnected", "Unreachable"):
        with contextlib.suppress(ClientError):
            await client.reconnect(timeout_s=RECONNECT_S)


async def _sleep_until(stop: asyncio.Event, deadline: float, *, wait_for_set: bool = True) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return
    if not wait_for_set:
        await asyncio.sleep(remaining)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), remaining)
