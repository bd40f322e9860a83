"""Where the running grid simulator's samples go besides the telemetry store.

* ``live_endpoint`` — a client endpoint (JSON lines, :mod:`node_core.client_api`) pushing a
  ``grid_sample`` event per sample to subscribers (the console's charts), answering
  ``status`` and ``schedule_event`` (``{"event": "generator_trip@+5:1000"}``: seconds from now).
* ``grid_attestation`` — sends each sample's integer grid snapshot to the authority nodes
  (``attest_grid``), which their proposers commit to in ``grid_state_hash``; optionally drives
  the devnet prosumers' energy trades at a rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from node_core.client_api import ClientEndpoint, ClientError, NodeClient
from node_core.devnet import prosumer_signer
from node_core.grid.events import parse_event
from node_core.grid.live import sample_view
from node_core.grid.simulator import GridSample, GridSimulator, snapshot_of
from node_core.loadgen import LoadGenerator

log = logging.getLogger(__name__)
Sink = Callable[[GridSample], Awaitable[None]]
DEVNET_PROSUMERS = 200


@contextlib.asynccontextmanager
async def live_endpoint(address: tuple[str, int],
                        simulator: GridSimulator) -> AsyncIterator[Sink]:
    latest: dict[str, Any] = {}

    async def status(params: dict[str, Any]) -> dict[str, Any]:
        return {"latest": latest.get("sample"), "lines_out": sorted(simulator.lines_out)}

    async def schedule(params: dict[str, Any]) -> dict[str, Any]:
        events = parse_event(str(params["event"]), time.time_ns() // 1_000_000)
        for event in events:
            simulator.schedule(event)
        return {"scheduled": [type(e).__name__ for e in events]}

    endpoint = ClientEndpoint(*address, {"status": status, "schedule_event": schedule})
    await endpoint.start()

    async def publish(sample: GridSample) -> None:
        latest["sample"] = sample_view(sample)
        endpoint.publish("grid_sample", latest["sample"])

    try:
        yield publish
    finally:
        await endpoint.stop()


@contextlib.asynccontextmanager
async def grid_attestation(nodes: list[tuple[str, int]],
                           trades_per_s: float) -> AsyncIterator[Sink]:
    clients: dict[tuple[str, int], NodeClient] = {}
    trading: asyncio.Task[Any] | None = None
    stop = asyncio.Event()

    async def attest(sample: GridSample) -> None:
        nonlocal trading
        snapshot = snapshot_of(sample)
        data = {"timestamp": snapshot.timestamp, "frequency_mhz": snapshot.frequency_mhz,
                "regions": [[r.region, r.load_kw, r.generation_kw] for r in snapshot.regions]}
        voltages = {s["id"]: [s["voltage_kv"], s["nominal_kv"], s["region"]]
                    for s in sample_view(sample)["substations"]}
        for endpoint in nodes:
            client = await _client(clients, endpoint)
            if client is None:
                continue
            try:
                await client.call("attest_grid", snapshot=data, voltages=voltages)
            except ClientError as error:
                log.debug("attestation to %s failed: %s", endpoint, error)
                await clients.pop(endpoint).close()
        if trading is None and trades_per_s > 0 and len(clients) == len(nodes):
            trading = asyncio.create_task(_trade(list(clients.values()), trades_per_s, stop))

    try:
        yield attest
    finally:
        stop.set()
        if trading is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(trading, 5)
        for client in clients.values():
            await client.close()


async def _client(clients: dict[tuple[str, int], NodeClient],
                  endpoint: tuple[str, int]) -> NodeClient | None:
    if endpoint not in clients:
        with contextlib.suppress(ClientError):
            clients[endpoint] = await NodeClient.connect(*endpoint, timeout_s=0.5)
    return clients.get(endpoint)


async def _trade(clients: list[NodeClient], rate: float, stop: asyncio.Event) -> None:
    status = await clients[0].call("status")
    prosumers = [prosumer_signer(i) for i in range(DEVNET_PROSUMERS)]
    report = await LoadGenerator(clients, prosumers, status["chain_id"], rate).run(stop)
    log.info("prosumer trading: %d submitted, %d final", report.submitted, report.finalized)
