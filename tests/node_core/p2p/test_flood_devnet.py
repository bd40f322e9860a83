"""Issue 16 against real node processes: 200 connections held open on one authority's peer
port (reopened as soon as the node closes one) do not keep a restarted authority from
linking to it, the chain keeps finalizing, and the flooded node's memory stays flat."""

from __future__ import annotations

import asyncio

import pytest

from node_core.devnet.layout import DevnetLayout
from node_core.ledger.genesis import load_genesis
from node_core.node.process import NodeProcess
from tests.helpers.devnet import apply_load, heights, running, status, wait_until
from tests.helpers.processes import resident_kib
from tests.node_core.p2p.flood import flooding

pytestmark = pytest.mark.slow

LINK_DEADLINE_S = 5.0
RSS_GROWTH_BOUND_KIB = 32 * 1024


def dial_order(layout: DevnetLayout) -> list[str]:
    """Authority names by address: each dials the ones after it, so the last only accepts
    and the middle one dials it as soon as it starts."""
    authorities = load_genesis(layout.genesis).authorities
    return [a.name for a in sorted(authorities, key=lambda a: str(a.address))]


async def linked(first: NodeProcess, second: NodeProcess) -> bool:
    connected = [{p["name"] for p in (await status(node))["peers"] if p["connected"]}
                 for node in (first, second)]
    return second.name in connected[0] and first.name in connected[1]


@pytest.mark.parametrize("mode", ["idle", "slowloris"])
def test_a_restarted_authority_links_to_a_flooded_one_and_the_chain_goes_on(
        devnet: DevnetLayout, mode: str) -> None:
    async def scenario() -> None:
        *_, restarted_name, flooded_name = dial_order(devnet)
        async with running(devnet) as (nodes, clients):
            by_name = {node.name: node for node in nodes}
            flooded, restarted = by_name[flooded_name], by_name[restarted_name]
            await wait_until(lambda: linked(restarted, flooded), 20, "the devnet to link")
            memory_before = resident_kib(flooded.pid)
            flood = ("--connections", "200", "--mode", mode)
            async with flooding("127.0.0.1", devnet.p2p_port(flooded_name), *flood):
                restarted.kill()
                restarted.start()
                await restarted.wait_ready()
                await wait_until(lambda: linked(restarted, flooded), LINK_DEADLINE_S,
                                 f"{restarted_name} to link to the flooded {flooded_name}")
                start = min(await heights(nodes))
                steady = [c for n, c in zip(nodes, clients, strict=True) if n is not restarted]
                report = await apply_load(devnet, steady, rate=50, seconds=4)
                await wait_until(lambda: _finalized_past(nodes, start + 3), 30,
                                 "three more final blocks on every node")
                memory_growth = resident_kib(flooded.pid) - memory_before
        assert report.finalized == report.accepted > 100
        assert memory_growth < RSS_GROWTH_BOUND_KIB
    asyncio.run(scenario())


async def _finalized_past(nodes: list[NodeProcess], height: int) -> bool:
    return min(await heights(nodes)) >= height
