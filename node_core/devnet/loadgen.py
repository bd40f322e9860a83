"""Load generator: signed energy-trade settlements between simulated prosumers, at a rate.

Each prosumer always submits to the same node (so its nonces arrive in order) and has at
most one transaction per batch; a rejected transaction's nonce is reused. Finality latency is
measured as a user sees it: from submission to the final block that carries the transaction,
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
from node_core.ledger.transactions import (
    EnergyTrade,
    Transaction,
    encode_transaction,
    sign_transaction,
)
from node_core.ledger.types import REGIONS
from node_core.signers.file import FileSigner

BATCH_S = 0.05
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
        self.report = LoadReport()

    async def run(self, stop: asyncio.Event) -> LoadReport:
        self._nonces = [await self._nonce(i) for i in range(len(self._prosumers))]
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
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
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
        tx = Transaction(self._chain_id, self._nonces[buyer], signer.public_key, payload)
        return sign_transaction(tx, signer)

    async def _submit_batch(self, first: int, count: int) -> None:
        per_client: dict[int, list[tuple[int, Transaction]]] = {}
        for offset in range(count):
            buyer = (first + offset) % len(self._prosumers)
            tx = self._trade(buyer)
            self._nonces[buyer] += 1
            per_client.setdefault(buyer % len(self._clients), []).append((buyer, tx))
        await asyncio.gather(*(self._send(self._clients[c], batch)
                               for c, batch in per_client.items()))

    async def _send(self, client: NodeClient, batch: list[tuple[int, Transaction]]) -> None:
        now = time.monotonic()
        for _, tx in batch:
            self._submitted_at[tx.hash] = now
        try:
            answer = await client.submit([encode_transaction(tx) for _, tx in batch])
        except ClientError as error:
            answer = {"accepted": 0,
                      "results": [{"ok": False, "error": str(error)}] * len(batch)}
            await _reconnect_if_lost(client, error)
        self.report.submitted += len(batch)
        stale = []
        for (buyer, tx), result in zip(batch, answer["results"], strict=True):
            if result["ok"]:
                self.report.accepted += 1
                continue
            rule = result.get("error", "").split(":")[0]
            self.report.rejected[rule] += 1
            self._submitted_at.pop(tx.hash, None)
            if rule == "NonceMismatch":
                stale.append(buyer)
            else:
                self._nonces[buyer] = min(self._nonces[buyer], tx.nonce)
        for buyer in stale:
            with contextlib.suppress(ClientError):
                self._nonces[buyer] = await self._nonce(buyer)

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
