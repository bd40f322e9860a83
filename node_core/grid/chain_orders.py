"""The running grid simulator follows the chain: final emergency orders act on the grid.

``follow_chain_orders(nodes, simulator, ledger)`` keeps one connection to an authority
node's client endpoint (:mod:`node_core.api.endpoint`; the first of ``nodes`` that answers, the
next one when it goes away) and reads every final block once, in height order:

1. ``subscribe`` — the node pushes a ``block`` event (summary) for each final block;
2. on connecting, and whenever a pushed block skips heights (a reconnect, or a slow
   subscriber's dropped events), the missing heights are read with ``blocks`` (summaries,
   1,000 a call);
3. a block that carries transactions is read in full with ``block``; its ``load_shed`` and
   ``demand_response`` emergency actions (the ``emergency``, ``region``, ``stage``, ``mw``,
   ``duration_s`` fields of the transaction view) become grid events scheduled at the
   block's timestamp: the load shed disconnects its MW of the region's load for good, the
   demand response removes its MW for ``duration_s`` and restores it; the swing-equation
   model then moves the frequency. Each applied order is logged (INFO, ``final order
   applied: ...``) and listed in the simulator's ``status`` (``orders``).

Which orders are applied, exactly once, is :class:`~node_core.grid.orders.OrderLedger`'s
rule: orders in blocks stamped since the simulator started and still in effect; each height
and each transaction once. On the first connection the follower finds the first block
stamped at or after the start by reading summaries backwards from the tip.

Shutdown never waits on a node: the follower is cancelled and given one second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Final

from node_core.api.client import NodeAddress, NodeClient
from node_core.api.methods import BLOCK, BLOCKS, STATUS
from node_core.api.requests import BlockRequest, BlocksRequest, NoParams
from node_core.api.wire import ClientError
from node_core.clock import now_ms
from node_core.grid.orders import OrderLedger, first_height_since
from node_core.grid.simulator import GridSimulator

log = logging.getLogger(__name__)

RETRY_S: Final = 1.0
"""Pause before connecting again after a node went away or none answered."""
PAGE: Final = 1000
"""Block summaries per ``blocks`` call (the endpoint's limit)."""
CALL_TIMEOUT_S: Final = 10.0


@contextlib.asynccontextmanager
async def follow_chain_orders(nodes: Sequence[NodeAddress], simulator: GridSimulator,
                              ledger: OrderLedger) -> AsyncIterator[OrderLedger]:
    """Apply final emergency orders to ``simulator`` while the context is open."""
    follower = ChainOrderFollower(nodes, simulator, ledger)
    task = asyncio.create_task(follower.run(), name="chain-orders")
    try:
        yield ledger
    finally:
        follower.stop.set()
        task.cancel()
        await asyncio.wait({task}, timeout=1.0)


class ChainOrderFollower:
    """Reads final blocks from one node at a time and schedules their grid orders."""

    def __init__(self, nodes: Sequence[NodeAddress], simulator: GridSimulator,
                 ledger: OrderLedger) -> None:
        self._nodes = list(nodes)
        self._simulator = simulator
        self._ledger = ledger
        self._unreachable_logged = False
        self.stop = asyncio.Event()

    async def run(self) -> None:
        """Until stopped: connect to the next node, follow it, and retry when it goes."""
        attempt = 0
        while not self.stop.is_set() and self._nodes:
            endpoint = self._nodes[attempt % len(self._nodes)]
            attempt += 1
            client = await self._connect(endpoint)
            if client is not None:
                await self._follow_guarded(client, endpoint)
            if attempt % len(self._nodes) == 0 or client is not None:
                await _pause(self.stop, RETRY_S)

    async def _connect(self, endpoint: NodeAddress) -> NodeClient | None:
        try:
            client = await NodeClient.connect(endpoint, timeout_s=1.0)
        except ClientError as error:
            if not self._unreachable_logged:
                log.warning("cannot follow final orders on %s: %s", endpoint, error.type)
                self._unreachable_logged = True
            return None
        self._unreachable_logged = False
        return client

    async def _follow_guarded(self, client: NodeClient, endpoint: NodeAddress) -> None:
        try:
            await self._follow(client, endpoint)
        except ClientError as error:
            log.warning("stopped following final orders on %s: %s", endpoint, error)
        except (KeyError, ValueError, TypeError) as error:
            log.error("unexpected block data from %s: %r", endpoint, error)
        finally:
            await client.close()

    async def _follow(self, client: NodeClient, endpoint: NodeAddress) -> None:
        caught_up = False
        async for event in client.subscribe():
            if not caught_up:
                tip = (await client.request(STATUS, NoParams(), CALL_TIMEOUT_S))["height"]
                await self._catch_up(client, tip)
                log.info("following final orders on %s from height %s", endpoint,
                         self._ledger.next_height)
                caught_up = True
            if event.get("event") == "block":
                await self._on_block(client, event["data"])
        log.warning("node %s closed the connection", endpoint)

    async def _on_block(self, client: NodeClient, summary: Mapping[str, Any]) -> None:
        height = int(summary["height"])
        if self._ledger.next_height is not None and height > self._ledger.next_height:
            await self._catch_up(client, height - 1)
        if self._ledger.wants(height):
            await self._read(client, summary)

    async def _catch_up(self, client: NodeClient, tip: int) -> None:
        ledger = self._ledger
        if ledger.next_height is None:
            ledger.skip_to(await self._first_height_since_start(client, tip))
        while ledger.next_height is not None and ledger.next_height <= tip:
            end = min(tip, ledger.next_height + PAGE - 1)
            page = await client.request(BLOCKS, BlocksRequest(ledger.next_height, end),
                                        CALL_TIMEOUT_S)
            if not page:
                return
            for summary in page:
                await self._read(client, summary)

    async def _first_height_since_start(self, client: NodeClient, tip: int) -> int:
        end = tip
        while end >= 1:
            start = max(1, end - PAGE + 1)
            page = await client.request(BLOCKS, BlocksRequest(start, end), CALL_TIMEOUT_S)
            first = first_height_since(page, self._ledger.start_ms)
            if first is None:
                return end + 1
            if first > start:
                return first
            end = start - 1
        return 1

    async def _read(self, client: NodeClient, summary: Mapping[str, Any]) -> None:
        block: Mapping[str, Any] | None = summary
        if summary.get("tx_count") and int(summary["timestamp"]) >= self._ledger.start_ms:
            detail = await client.request(BLOCK, BlockRequest(height=int(summary["height"])),
                                          CALL_TIMEOUT_S)
            block = detail
        if block is None:
            raise ClientError("MissingBlock", f"no block {summary['height']} on the node")
        for order in self._ledger.admit(block, now_ms()):
            self._simulator.schedule(order.event)
            log.info("final order applied: %s", order.describe())


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
