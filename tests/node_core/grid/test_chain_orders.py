"""A devnet drill that the simulated grid feels: a generator trips, the control room orders
load shedding (select → operate → approve), and once the order is final the grid simulator
(its own process, following the chain) disconnects that load; frequency recovers.

Everything is asserted on what a peer sees: the grid state attested in final blocks, read
from another authority than the one that operated, plus the simulator's own status."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import pytest

from node_core.api.client import NodeClient
from node_core.api.requests import SelectRequest
from node_core.devnet.layout import DevnetLayout
from node_core.devnet.run import gridsim_process
from node_core.node.process import ChildProcess
from tests.helpers.devnet import running, wait_until
from tests.helpers.people import two_person_order

pytestmark = pytest.mark.slow

TRIP_MW = 2000
SHED_MW = 1000
OPERATOR_REACTION_S = 8.0
"""The drill orders load shedding this long after the trip (past the governors' first
rebound). Left alone, a 2,000 MW trip keeps the frequency below 49.95 Hz for over half a
minute (test_orders.py) and below 49.97 Hz for 45 s at any hour: the order, final a few
seconds later (more on a loaded CI machine), meets a grid that has not recovered by itself."""
NOT_RECOVERED_HZ = 49.97


@dataclass(frozen=True)
class Attested:
    """The grid state a final block commits to."""

    timestamp_ms: int
    frequency_hz: float
    load_mw: dict[str, float]


async def attested_since(client: NodeClient, height: int) -> list[Attested]:
    """Distinct grid snapshots in final blocks from ``height`` to the tip, oldest first."""
    tip = (await client.call("status"))["height"]
    seen: dict[int, Attested] = {}
    for h in range(max(1, height), tip + 1):
        snapshot = (await client.call("block", height=h))["grid_snapshot"]
        seen[snapshot["timestamp"]] = Attested(
            snapshot["timestamp"], snapshot["frequency_mhz"] / 1000,
            {region: load_kw / 1000 for region, load_kw, _ in snapshot["regions"]})
    return [seen[t] for t in sorted(seen) if t > 0]


async def latest_attested(client: NodeClient) -> Attested:
    tip = (await client.call("status"))["height"]
    return (await attested_since(client, tip))[-1]


async def order_load_shedding(devnet: DevnetLayout, client: NodeClient) -> dict[str, Any]:
    """The two-person drill on the operating authority's desk; returns the final selection."""
    selected = await two_person_order(devnet, client, SelectRequest(
        "load_shed", "MEA", stage=1, mw=SHED_MW, reason="generator trip"))
    assert selected["step"] == "submitted", selected

    async def final() -> bool:
        return any(s["id"] == selected["id"] and s["step"] == "final"
                   for s in await client.call("emergency_status"))

    await wait_until(final, 20, "the load-shedding order to become final")
    return next(s for s in await client.call("emergency_status") if s["id"] == selected["id"])


async def gridsim_status(devnet: DevnetLayout) -> dict[str, Any]:
    client = await NodeClient.connect(devnet.gridsim_address)
    try:
        result: dict[str, Any] = await client.call("status")
        return result
    finally:
        await client.close()


def log_of(devnet: DevnetLayout, process: str) -> str:
    return (devnet.data_dir / "logs" / f"{process}.log").read_text(errors="replace")


def test_a_final_load_shedding_order_sheds_simulated_load_and_frequency_recovers(
        devnet: DevnetLayout) -> None:
    asyncio.run(_drill(devnet))


async def _drill(devnet: DevnetLayout) -> None:
    gridsim = gridsim_process(devnet, trades=5.0)
    async with running(devnet) as (nodes, clients):
        gridsim.start()
        try:
            await _shed_after_trip(devnet, gridsim, clients)
            await _reconnect_applies_nothing_twice(devnet, nodes[0], clients[1])
        finally:
            await gridsim.stop()


async def _shed_after_trip(devnet: DevnetLayout, gridsim: ChildProcess,
                           clients: list[NodeClient]) -> None:
    operating, peer = clients[0], clients[1]
    await gridsim.wait_ready()
    started_ms = time.time_ns() // 1_000_000
    await wait_until(lambda: _attested_after(peer, started_ms), 30,
                     "grid snapshots in final blocks")
    start_height = (await peer.call("status"))["height"]
    live = await NodeClient.connect(devnet.gridsim_address)
    try:
        await live.call("schedule_event", event=f"generator_trip@+0:{TRIP_MW}")
    finally:
        await live.close()
    tripped_at = time.monotonic()
    await wait_until(lambda: _frequency_below(peer, 49.7), 20, "the trip's frequency dip")
    await asyncio.sleep(max(0.0, OPERATOR_REACTION_S - (time.monotonic() - tripped_at)))

    order = await order_load_shedding(devnet, operating)
    order_ms = (await peer.call("block", height=order["height"]))["timestamp"]
    await wait_until(lambda: _attested_after(peer, order_ms + 6000), 30, "6 s of grid state")
    states = await attested_since(peer, start_height)

    before = [s for s in states if s.timestamp_ms < order_ms]
    after = [s for s in states if order_ms + 2000 <= s.timestamp_ms <= order_ms + 6000]
    assert min(s.frequency_hz for s in before) < 49.7  # the trip
    assert before[-1].frequency_hz < NOT_RECOVERED_HZ  # not recovered by itself yet
    assert before[-1].load_mw["MEA"] - after[0].load_mw["MEA"] == pytest.approx(SHED_MW,
                                                                                abs=60)
    assert abs(before[-1].load_mw["PEA"] - after[0].load_mw["PEA"]) < 60
    assert max(s.frequency_hz for s in after) >= 49.98  # back at 50 Hz within seconds

    applied = (await gridsim_status(devnet))["orders"]
    assert [(o["tx_hash"], o["kind"], o["region"], o["mw"], o["at_ms"]) for o in applied] == [
        (order["tx_hash"], "load_shed", "MEA", SHED_MW, order_ms)]
    assert (f"final order applied: load shedding stage 1 in MEA: {SHED_MW} MW off "
            f"(block {order['height']}") in log_of(devnet, "gridsim")


async def _reconnect_applies_nothing_twice(devnet: DevnetLayout, followed: ChildProcess,
                                           peer: NodeClient) -> None:
    """The simulator follows the first node; when it dies, it re-reads from another."""
    mea_before = (await latest_attested(peer)).load_mw["MEA"]
    followed.kill()
    peer_port = devnet.client_port("MEA")

    async def following_peer() -> bool:
        return f"following final orders on 127.0.0.1:{peer_port}" in log_of(devnet, "gridsim")

    await wait_until(following_peer, 20, "the simulator to follow another node")
    now_ms = time.time_ns() // 1_000_000
    await wait_until(lambda: _attested_after(peer, now_ms + 2000), 30, "fresh grid state")
    assert len((await gridsim_status(devnet))["orders"]) == 1
    assert (await latest_attested(peer)).load_mw["MEA"] == pytest.approx(mea_before, abs=60)


async def _attested_after(client: NodeClient, timestamp_ms: int) -> bool:
    try:
        return (await latest_attested(client)).timestamp_ms >= timestamp_ms
    except IndexError:
        return False


async def _frequency_below(client: NodeClient, hz: float) -> bool:
    return (await latest_attested(client)).frequency_hz < hz
