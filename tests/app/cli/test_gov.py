"""``main.py status``, ``tx send`` and ``gov ...`` against a running devnet."""

import asyncio
import json
from pathlib import Path

import pytest

from tests.helpers.cli import run_cli
from tests.helpers.devnet import running, wait_until

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow
THAI_TITLE = ("ข้อเสนอปรับเพดานราคาพลังงานไฟฟ้าสำหรับการซื้อขายระหว่างผู้ผลิตและผู้บริโภค"
              "ในภูมิภาคนะ")
"""85 characters, 255 bytes in UTF-8: the title once accepted by the node and refused by its
peers' decoder."""


cli = run_cli


def test_status_tx_and_governance_from_the_command_line(devnet):
    egat, mea = str(devnet.config("EGAT")), str(devnet.config("MEA"))

    async def scenario():
        async with running(devnet) as (_, clients):
            status = json.loads((await asyncio.to_thread(cli, "status", "--json",
                                                         "--config", egat)).stdout)
            assert {"height", "tip", "round", "proposer", "peers", "mempool"} <= set(status)
            sent = await asyncio.to_thread(
                cli, "tx", "send", "trade", "--config", egat, "--prosumer", "3",
                "--to", "0x" + "ab" * 20, "--energy-wh", "1000", "--price", "400", "--json")
            assert json.loads(sent.stdout)["ok"] is False  # the seller has no energy credits
            assert "InsufficientEnergyCredits" in sent.stdout

            proposed = await asyncio.to_thread(
                cli, "gov", "propose", "signal", "--title", "Adopt the 2027 tariff",
                "--voting-period", "50", "--config", egat, "--operator", "operator1")
            assert proposed.returncode == 0, proposed.stderr
            await wait_until(lambda: _listed(clients[0]), 20, "the proposal to be final")
            for config in (egat, mea):
                voted = await asyncio.to_thread(cli, "gov", "vote", "1", "yes", "--config",
                                                config, "--operator", "supervisor1")
                assert voted.returncode == 0, voted.stderr
            await wait_until(lambda: _status_is(clients[0], "executed"), 20, "execution")
            shown = json.loads((await asyncio.to_thread(cli, "gov", "show", "1", "--json",
                                                        "--config", egat)).stdout)
            assert shown["tally"]["yes"] == 2 and shown["status"] == "executed"
            late = await asyncio.to_thread(cli, "gov", "vote", "1", "no", "--config", egat,
                                           "--operator", "operator1")
            assert late.returncode == 2 and "VotingClosed" in late.stderr
            unknown = await asyncio.to_thread(cli, "gov", "vote", "9", "no", "--config", egat,
                                              "--operator", "operator1")
            assert unknown.returncode == 2 and "UnknownProposal" in unknown.stderr
            listing = await asyncio.to_thread(cli, "gov", "list", "--config", egat)
            assert "#1 [executed] signal" in listing.stdout

            thai = await asyncio.to_thread(
                cli, "gov", "propose", "signal", "--title", THAI_TITLE, "--config", egat,
                "--operator", "operator1")
            assert thai.returncode == 0, thai.stderr
            await wait_until(lambda: _title_of(clients[1], 2, THAI_TITLE), 20,
                             "the Thai title to be final at MEA")
            too_long = await asyncio.to_thread(
                cli, "gov", "propose", "signal", "--title", "ก" * 121, "--config", egat,
                "--operator", "operator1")
            assert too_long.returncode == 2
            assert ("FieldTooLong: proposal title is 363 bytes in UTF-8; the limit is 360 "
                    "bytes") in too_long.stderr
            health = [(await c.call("status"))["consensus_health"] for c in clients]
            assert min(health) >= 0.95, health

    asyncio.run(scenario())


async def _title_of(client, proposal_id: int, title: str) -> bool:
    proposals = await client.call("gov_list")
    return any(p["id"] == proposal_id and p["title"] == title for p in proposals)


async def _listed(client) -> bool:
    return bool(await client.call("gov_list"))


async def _status_is(client, status: str) -> bool:
    return (await client.call("gov_show", id=1))["status"] == status
