"""Where the running grid simulator's samples go besides the telemetry store.

* ``live_endpoint`` — a client endpoint (JSON lines, :mod:`node_core.api.endpoint`) pushing a
  ``grid_sample`` event per sample to subscribers (the console's charts), answering
  ``status`` and ``schedule_event`` (``{"event": "generator_trip@+5:1000"}``: seconds from now).
* ``grid_attestation`` — sends each sample's integer grid snapshot to the authority nodes
  (``attest_grid``), which their proposers commit to in ``grid_state_hash``; optionally drives
  the devnet prosumers' energy trades at a rate.

The prosumer trades go over the attesting connections: whenever the set of connected nodes
changes (one goes away, or comes back) the trading task is cancelled and started again over
the nodes connected now; with none connected there is no trading. On shutdown it is
cancelled too (its report is logged), never waited for, so a simulator whose nodes are gone
still stops at once. (The input side, final emergency orders from the chain, is
:mod:`node_core.grid.chain_orders`.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from node_core.api.answers import GridSampleView, GridsimStatus, ScheduledEvents
from node_core.api.client import NodeAddress, NodeClient
from node_core.api.endpoint import ClientEndpoint
from node_core.api.methods import (
    ATTEST_GRID,
    GRID_SAMPLE_EVENT,
    GRIDSIM_METHODS,
    GRIDSIM_STATUS,
    SCHEDULE_EVENT,
    STATUS,
    bind,
)
from node_core.api.requests import (
    AttestGridRequest,
    GridSnapshotData,
    NoParams,
    ScheduleEventRequest,
)
from node_core.api.signed_requests import RequestSigner
from node_core.api.wire import ClientError
from node_core.clock import now_ms
from node_core.devnet.layout import prosumer_signer
from node_core.devnet.loadgen import LoadGenerator
from node_core.grid.events import parse_event
from node_core.grid.live import sample_view
from node_core.grid.orders import OrderLedger
from node_core.grid.simulator import GridSample, GridSimulator, snapshot_of
from node_core.ledger.keys import Signer
from node_core.ledger.types import Address

log = logging.getLogger(__name__)
Sink = Callable[[GridSample], Awaitable[None]]
DEVNET_PROSUMERS = 200
ATTEST_TIMEOUT_S = 5.0
"""A node that does not take a snapshot in this long is dropped (and reconnected)."""


@contextlib.asynccontextmanager
async def live_endpoint(address: NodeAddress, simulator: GridSimulator,
                        ledger: OrderLedger | None = None) -> AsyncIterator[Sink]:
    """The live endpoint at ``address``, its cookie written to ``address.cookie_file``."""
    latest: list[GridSampleView] = []

    async def status(request: NoParams) -> GridsimStatus:
        orders = [o.view() for o in ledger.applied] if ledger is not None else []
        return {"latest": latest[-1] if latest else None,
                "lines_out": sorted(simulator.lines_out), "orders": orders}

    async def schedule(request: ScheduleEventRequest) -> ScheduledEvents:
        events = parse_event(request.event, now_ms())
        for event in events:
            simulator.schedule(event)
        return {"scheduled": [type(e).__name__ for e in events]}

    endpoint = ClientEndpoint(address.host, address.port, GRIDSIM_METHODS,
                              [bind(GRIDSIM_STATUS, status), bind(SCHEDULE_EVENT, schedule)],
                              cookie_file=address.cookie_file)
    await endpoint.start()

    async def publish(sample: GridSample) -> None:
        latest[:] = [sample_view(sample)]
        endpoint.publish(GRID_SAMPLE_EVENT.name, latest[0])

    try:
        yield publish
    finally:
        await endpoint.stop()


@contextlib.asynccontextmanager
async def grid_attestation(nodes: list[NodeAddress], feed: Signer,
                           trades_per_s: float) -> AsyncIterator[Sink]:
    """Attest each sample to ``nodes``, each request signed by the grid ``feed``'s own key
    (a ``grid_feed`` on each authority's roster)."""
    clients: dict[NodeAddress, _FeedClient] = {}
    trading = ProsumerTrading(trades_per_s)

    async def attest(sample: GridSample) -> None:
        snapshot = snapshot_of(sample)
        request = AttestGridRequest(
            GridSnapshotData(snapshot.timestamp, snapshot.frequency_mhz,
                             [(r.region, r.load_kw, r.generation_kw) for r in snapshot.regions]),
            {s["id"]: (s["voltage_kv"], s["nominal_kv"], s["region"])
             for s in sample_view(sample)["substations"]})
        for address in nodes:
            connected = await _connected(clients, address, feed)
            if connected is None:
                continue
            try:
                await connected.client.request(ATTEST_GRID, request, ATTEST_TIMEOUT_S,
                                               signer=connected.signer)
            except ClientError as error:
                log.log(logging.WARNING if error.type not in ("Disconnected", "Timeout")
                        else logging.DEBUG, "attestation to %s failed: %s", address, error)
                await clients.pop(address).client.close()
        trading.follow([clients[a].client for a in nodes if a in clients])

    try:
        yield attest
    finally:
        await trading.close()
        for connected in clients.values():
            await connected.client.close()


@dataclass(frozen=True, slots=True)
class _FeedClient:
    client: NodeClient
    signer: RequestSigner
    """The feed's key, bound to this node's chain and authority."""


class ProsumerTrading:
    """The devnet prosumers' trades at a rate, over the connected nodes (see the module
    docstring)."""

    def __init__(self, trades_per_s: float) -> None:
        self._rate = trades_per_s
        self._task: asyncio.Task[None] | None = None
        self._clients: list[NodeClient] = []

    def follow(self, clients: list[NodeClient]) -> None:
        """Trade over ``clients`` (the nodes connected now); restart if they changed."""
        if clients == self._clients and self._task is not None and not self._task.done():
            return
        if self._task is not None:
            self._task.cancel()
        self._clients, self._task = list(clients), None
        if clients and self._rate > 0:
            self._task = asyncio.create_task(_trade(self._clients, self._rate), name="trading")

    async def close(self) -> None:
        """Cancel the trades and give them a moment to log their report."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)


async def _connected(clients: dict[NodeAddress, _FeedClient], address: NodeAddress,
                     feed: Signer) -> _FeedClient | None:
    if address not in clients:
        with contextlib.suppress(ClientError):
            client = await NodeClient.connect(address, timeout_s=0.5)
            try:
                status = await client.request(STATUS, NoParams(), ATTEST_TIMEOUT_S)
            except ClientError:
                await client.close()
                raise
            signer = RequestSigner(feed, status["chain_id"], Address(status["address"]))
            clients[address] = _FeedClient(client, signer)
    return clients.get(address)


async def _trade(clients: list[NodeClient], rate: float) -> None:
    try:
        status = await clients[0].request(STATUS, NoParams(), 5.0)
    except ClientError as error:
        log.info("prosumer trading not started: %s", error)
        return
    prosumers = [prosumer_signer(i) for i in range(DEVNET_PROSUMERS)]
    generator = LoadGenerator(clients, prosumers, status["chain_id"], rate)
    try:
        await generator.run(asyncio.Event())
    except ClientError as error:
        log.info("prosumer trading stopped: %s", error)
    finally:
        report = generator.report
        log.info("prosumer trading: %d submitted, %d final", report.submitted,
                 report.finalized)
