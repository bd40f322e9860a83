"""Governance on a running devnet: a fourth authority joins by vote, then leaves."""

import asyncio
import json

import pytest

from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.client import NodeClient
from node_core.devnet.layout import DevnetLayout, prepare_devnet
from node_core.devnet.run import devnet_processes
from tests.helpers.devnet import apply_load, free_base_port, status, wait_until
from tests.helpers.people import signed_in

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("softhsm_token")]  # prepare_devnet
NAMES = ("EGAT", "MEA", "PEA", "RATCH")


async def _executed(client: NodeClient, proposal_id: int) -> bool:
    return (await client.call("gov_show", id=proposal_id))["status"] == "executed"


async def _caught_up(nodes) -> bool:
    tips = {((await status(n))["height"], (await status(n))["tip"]) for n in nodes}
    return len(tips) == 1


def test_a_fourth_authority_joins_by_vote_and_leaves_again(tmp_path):
    layout = prepare_devnet(DevnetLayout(tmp_path / "devnet", base_port=free_base_port(),
                                         authorities=NAMES), block_interval_ms=500, founding=3)
    ratch = json.loads((layout.data_dir / "keys.json").read_text())["RATCH"]

    async def scenario():
        nodes = devnet_processes(layout)
        founders, newcomer = nodes[:3], nodes[3]
        clients = []
        try:
            for node in founders:
                node.start()
            await asyncio.gather(*(n.wait_ready() for n in founders))
            clients = [await n.connect() for n in founders]
            egat, mea, pea = clients
            await propose(layout, egat, "operator1", r.ProposalRequest(
                "add_authority", "RATCH joins", voting_period=200, authority_name="RATCH",
                authority_public_key=ratch["public_key"], authority_address=ratch["address"]))
            await wait_until(lambda: _has_proposal(egat, 1), 20, "the proposal to be final")
            await vote(layout, egat, "supervisor1", 1)
            await vote(layout, mea, "supervisor1", 1)
            await wait_until(lambda: _executed(egat, 1), 20, "the proposal to execute")
            assert (await egat.call("status"))["quorum"] == 3

            newcomer.start()
            await newcomer.wait_ready()
            await wait_until(lambda: _caught_up(nodes), 30, "RATCH to catch up")
            await apply_load(layout, clients, rate=40, seconds=5)
            await wait_until(lambda: _caught_up(nodes), 30, "all four at one tip")
            final = await egat.call("status")
            assert final["authorities"] == 4 and final["quorum"] == 3
            recent = await egat.call("blocks", start=final["height"] - 3, end=final["height"])
            assert all(b["signatures"] >= 3 for b in recent)
            ratch_view = await status(newcomer)
            assert sum(p["connected"] for p in ratch_view["peers"]) == 3

            await propose(layout, pea, "supervisor1", r.ProposalRequest(
                "remove_authority", "RATCH leaves", voting_period=200,
                authority_address=ratch["address"]))
            await wait_until(lambda: _has_proposal(egat, 2), 20, "the removal proposal")
            for client in clients:
                await vote(layout, client, "operator1", 2)
            await wait_until(lambda: _executed(egat, 2), 20, "the removal to execute")
            await newcomer.stop()
            after = await egat.call("status")
            assert after["authorities"] == 3 and after["quorum"] == 2
            await apply_load(layout, clients, rate=40, seconds=3)
            assert (await egat.call("status"))["height"] > after["height"]
            shown = await egat.call("gov_show", id=1)
            assert {v["name"] for v in shown["votes"]} == {"EGAT", "MEA"}
            assert all(v["signature_valid"] for v in shown["votes"])

            # A restarted authority loads the governed state its tip commits to.
            await clients.pop().close()
            await nodes[2].stop()
            nodes[2].start()
            await nodes[2].wait_ready()
            await wait_until(lambda: _caught_up(nodes[:3]), 30, "PEA back at the tip")
            restarted = await status(nodes[2])
            assert restarted["authorities"] == 3 and restarted["quorum"] == 2
            assert (await status(nodes[2]))["height"] >= after["height"]
        finally:
            for client in clients:
                await client.close()
            await asyncio.gather(*(n.stop() for n in nodes))

    asyncio.run(scenario())


async def propose(layout: DevnetLayout, client: NodeClient, name: str,
                  proposal: r.ProposalRequest) -> None:
    async with signed_in(layout, client, name) as signer:
        await client.request(m.GOV_PROPOSE, proposal, signer=signer)


async def vote(layout: DevnetLayout, client: NodeClient, name: str, proposal_id: int) -> None:
    async with signed_in(layout, client, name) as signer:
        await client.request(m.GOV_VOTE, r.VoteRequest(proposal_id, "yes"), signer=signer)


async def _has_proposal(client: NodeClient, proposal_id: int) -> bool:
    return any(p["id"] == proposal_id for p in await client.call("gov_list"))
