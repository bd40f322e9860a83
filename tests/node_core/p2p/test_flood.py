"""Floods of connections that never authenticate, against a real peer port (issue 16). The
flood is a separate process (``flood.py``) that keeps its connections open and reopens each
one the node closes at once, from 127.0.0.1 like every authority here."""

from __future__ import annotations

import asyncio
import gc
import os
import tracemalloc
from collections.abc import Callable

import pytest

from node_core.p2p import NetworkSettings
from tests.helpers.logs import expect_logged
from tests.node_core.p2p.flood import flooding
from tests.node_core.p2p.loopback import (
    AUTHORITIES,
    HOST,
    Inbox,
    assert_no_stray_tasks,
    cluster,
    eventually,
    fully_connected,
    network,
    run,
)

pytestmark = pytest.mark.slow

DEFAULTS = NetworkSettings()
LINK_DEADLINE_S = 5.0
"""Issue 16: a restarted authority links within 5 s whatever the flood."""
EXPOSURE_S = 1.0
"""How long the flood runs against the node before the restarted authority dials it."""
IN_FLIGHT = 4 * DEFAULTS.accept_batch
"""Sockets asyncio may hold beyond the pending handshakes: a few accept batches on their way
to the node (accepted, given a transport, handed over) and evicted ones closing."""
MEMORY_BOUND = 32 * 1024 * 1024
"""What a flood may cost the node's Python heap at its peak, whatever it sends."""
FLOOD_PROBLEMS = ("evicted an unfinished handshake", "refused")
"""What the flooded node warns about (once a minute per source), as timing has it."""


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


async def highest(sample: Callable[[], int], seconds: float) -> int:
    """The highest value ``sample()`` takes over ``seconds`` (sampled every 10 ms)."""
    deadline = asyncio.get_running_loop().time() + seconds
    most = sample()
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
        most = max(most, sample())
    return most


@pytest.mark.parametrize("mode", ["idle", "slowloris", "stuffed"])
def test_a_flooded_authority_still_links_a_restarted_one_within_5_s(
        mode: str, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        defaults = {2: {"config": DEFAULTS}}  # PEA, which only accepts, has the default limits
        async with cluster(overrides=defaults) as (nets, inboxes, ports):
            await eventually(lambda: fully_connected(nets))
            async with flooding(HOST, ports[2], "--connections", "200", "--mode", mode):
                await nets[1].stop()  # MEA, which dials PEA, restarts while PEA is flooded
                await asyncio.sleep(EXPOSURE_S)
                nets[1] = network(1, ports, inboxes[1])
                await nets[1].start()
                await eventually(lambda: nets[2].address in nets[1].connected()
                                 and nets[1].address in nets[2].connected(), LINK_DEADLINE_S)
                await eventually(lambda: fully_connected(nets))
                assert nets[1].broadcast(b"back online") == 2
                await eventually(lambda: b"back online" in inboxes[2].payloads())
            assert nets[2].stats()[AUTHORITIES[0].address].connections == 1  # EGAT's link held
    run(scenario(), timeout_s=60)
    expect_logged(caplog, maybe=FLOOD_PROBLEMS)


@pytest.mark.parametrize("mode, counters", [
    ("idle", ()),  # on Linux the kernel keeps them until they send something
    ("slowloris", ("evicted",)),
    ("stuffed", ("evicted",)),
    ("oversized", ("evicted", "oversized")),
])
def test_a_flood_of_1000_connections_costs_bounded_descriptors_and_memory(
        mode: str, counters: tuple[str, ...], caplog: pytest.LogCaptureFixture) -> None:
    """The node holds at most its pending handshakes and the accept batches in flight, and
    a flood's bytes are dropped, not kept: 1000 connections that reconnect as fast as they
    can (sending up to 64 KiB each time) cost a bounded number of sockets and bytes."""
    async def scenario() -> None:
        node = network(2, [0, 0, 0], Inbox(), peers=[], config=DEFAULTS)
        await node.start()
        descriptors = open_descriptors()
        tracemalloc.start()
        try:
            baseline = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            flood = ("--connections", "1000", "--mode", mode)
            async with flooding(HOST, node.listen_address[1], *flood) as counts:
                most = await highest(open_descriptors, seconds=2.0)
            await eventually(lambda: open_descriptors() <= descriptors)
            gc.collect()  # closed connections' reference cycles
            current, peak = tracemalloc.get_traced_memory()
            refused = sum(getattr(node.stats()[f"ip:{HOST}"], name) for name in counters)
        finally:
            tracemalloc.stop()
            await node.stop()
        assert_no_stray_tasks()
        assert refused > 0 or not counters
        assert most - descriptors <= DEFAULTS.max_pending_handshakes + IN_FLIGHT
        assert peak - baseline < MEMORY_BOUND
        assert current - baseline < 1024 * 1024  # nothing of the flood is left behind
        assert counts["opened"] >= 1000
    run(scenario(), timeout_s=60)
    expect_logged(caplog, maybe=FLOOD_PROBLEMS)
