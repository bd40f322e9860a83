"""Emergency drill on a devnet through the CLI: select → operate → approve → final; a trade in
the halted region is rejected; resume restores trading; roles and expiry are enforced by the
node; every step is in the audit trail."""

import asyncio
import json
import time
from pathlib import Path

import pytest

from app.cli import main
from node_core.devnet.layout import prosumer_signer
from node_core.ledger.transactions import (
    EnergyTrade,
    Transaction,
    encode_transaction,
    sign_transaction,
)
from tests.helpers.cli import run_cli
from tests.helpers.devnet import running, wait_until

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow
THAI_REASON = ("ความถี่ระบบต่ำกว่าเกณฑ์หลังโรงไฟฟ้าหลุดจากระบบ " * 5)[:150]
"""150 characters, 450 bytes: a reason once accepted by one check and refused by peers."""


cli = run_cli


def step(config: str, *args: str) -> dict:
    result = cli("emergency", *args, "--config", config, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


async def trade_in(client, region: str) -> dict:
    buyer, seller = prosumer_signer(5), prosumer_signer(6)
    account = await client.call("account", address=buyer.address)
    tx = sign_transaction(Transaction("gridtokenx-devnet", account["nonce"], buyer.public_key,
                                      EnergyTrade(seller.address, buyer.address, 1000, 400,
                                                  region)), buyer)
    answer = await client.call("submit", transactions=[encode_transaction(tx).hex()])
    return answer["results"][0]


def test_emergency_halt_drill(devnet, capsys):
    egat = str(devnet.config("EGAT"))

    async def scenario():
        async with running(devnet) as (_, clients):
            stale = await asyncio.to_thread(step, egat, "select", "demand_response",
                                            "--region", "PEA", "--mw", "50", "--duration-s",
                                            "60", "--operator", "operator2")
            stale_at = time.monotonic()
            refused = await asyncio.to_thread(cli, "emergency", "select", "trading_halt",
                                              "--region", "MEA", "--operator", "auditor1",
                                              "--config", egat)
            assert refused.returncode == 2 and "RoleRefused" in refused.stderr

            halt = await asyncio.to_thread(step, egat, "select", "trading_halt", "--region",
                                           "MEA", "--reason", THAI_REASON, "--operator",
                                           "operator1")
            assert "Halts energy trading in region MEA" in halt["consequence"]
            operated = await asyncio.to_thread(step, egat, "operate", str(halt["id"]),
                                               "--operator", "operator1")
            assert operated["step"] == "awaiting approval"
            approved = await asyncio.to_thread(step, egat, "approve", str(halt["id"]),
                                               "--operator", "supervisor1")
            assert approved["step"] == "submitted"
            await wait_until(lambda: _step_is(clients[0], halt["id"], "final"), 20, "final")
            where = await clients[1].call("transaction", hash=approved["tx_hash"])
            block = await clients[1].call("block", height=where["height"])
            carried = block["transactions"][where["position"]]
            assert carried["reason"] == THAI_REASON  # as MEA's final block holds it

            rejected = await trade_in(clients[1], "MEA")
            assert not rejected["ok"] and rejected["error"].startswith("TradingHalted")
            assert (await trade_in(clients[1], "PEA"))["ok"]

            resume = await asyncio.to_thread(step, egat, "select", "trading_resume",
                                             "--region", "MEA", "--operator", "operator1")
            await asyncio.to_thread(step, egat, "operate", str(resume["id"]), "--operator",
                                    "operator1")
            await wait_until(lambda: _step_is(clients[0], resume["id"], "final"), 20, "resume")
            await asyncio.sleep(max(0.0, 31 - (time.monotonic() - stale_at)))
            expired = await asyncio.to_thread(cli, "emergency", "operate", str(stale["id"]),
                                              "--operator", "operator2", "--config", egat)
            assert expired.returncode == 2 and "SelectionExpired" in expired.stderr
            assert (await trade_in(clients[2], "MEA"))["ok"]

    asyncio.run(scenario())
    capsys.readouterr()
    assert main(["audit", "verify", "--data-dir", str(devnet.node_dir("EGAT"))]) == 0
    assert "OK" in capsys.readouterr().out


async def _step_is(client, selection_id: int, step_name: str) -> bool:
    statuses = await client.call("emergency_status")
    return any(s["id"] == selection_id and s["step"] == step_name for s in statuses)
