"""Alarms, governance votes and the audit trail on a devnet, from the command line:

* ``alarms shelve`` / ``alarms unshelve`` by an operator;
* after the devnet restarts, ``alarms history`` still shows the first session's events;
* the frequency limit is the chain's: 50.15 Hz is normal under the genesis limit (±0.2 Hz)
  and alarms once a ``parameter_change`` to 100 mHz, voted with ``gov vote --operator``,
  executes — without restarting a node;
* an operator login and logout, an unknown operator's login and an auditor's proposal and
  vote refused;
* ``audit export`` shows the login, proposals, votes, unshelve and logout; ``audit verify``
  passes.
"""

import asyncio
import json
import time
from pathlib import Path

import pytest

from app.cli import main
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.methods import parse_request
from node_core.api.wire import ClientError
from node_core.devnet.layout import DEVNET_PEOPLE, DevnetLayout, person_pin
from tests.helpers.chain import signer_from_seed
from tests.helpers.cli import run_cli
from tests.helpers.devnet import running, wait_until
from tests.helpers.people import person, signer_for

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


cli = run_cli
MALLORY = signer_from_seed(6666)
"""A key on no roster."""


def ok(*args: str) -> str:
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def attest(clients, hz: float) -> None:  # type: ignore[no-untyped-def]
    snapshot = {"timestamp": int(time.time() * 1000), "frequency_mhz": round(hz * 1000),
                "regions": []}
    with person(DevnetLayout(Path(clients[0].address.cookie_file).parents[1]),
                "gridfeed") as feed:
        for client in clients:
            await client.request(m.ATTEST_GRID, parse_request(m.ATTEST_GRID, {
                "snapshot": snapshot, "voltages": {}}), signer=await signer_for(client, feed))


async def state_of(client, alarm_id: str) -> str | None:  # type: ignore[no-untyped-def]
    alarms = (await client.call("alarms_list"))["alarms"]
    return next((a["state"] for a in alarms if a["alarm_id"] == alarm_id), None)


def test_unshelve_history_chain_limits_votes_and_audit(devnet, capsys) -> None:
    egat, mea = str(devnet.config("EGAT")), str(devnet.config("MEA"))

    async def first_session() -> None:
        async with running(devnet) as (_, clients):
            node = clients[0]
            with person(devnet, "supervisor1") as supervisor:
                assert await node.request(
                    m.OPERATOR_LOGIN, r.SessionRequest("cli-drill"),
                    signer=await signer_for(node, supervisor)) == {
                        "operator": "supervisor1", "role": "supervisor"}
            with pytest.raises(ClientError) as refused:
                await node.request(m.OPERATOR_LOGIN, r.SessionRequest("cli-drill"),
                                   signer=await signer_for(node, MALLORY))
            assert refused.value.type == "UnknownOperatorKey"
            await attest(clients, 50.3)
            await wait_until(lambda: _state_is(node, "frequency.high", "unack_active"), 10,
                             "the alarm at the genesis limit")
            await asyncio.to_thread(ok, "alarms", "shelve", "frequency.high", "--reason",
                                    "governor test", "--minutes", "5", "--operator",
                                    "operator1", "--config", egat)
            assert await state_of(node, "frequency.high") == "shelved"
            unshelved = json.loads(await asyncio.to_thread(
                ok, "alarms", "unshelve", "frequency.high", "--operator", "operator1",
                "--config", egat, "--json"))
            assert [(e["old_state"], e["new_state"]) for e in unshelved["events"]] == [
                ("shelved", "unack_active")]

    async def second_session() -> str:
        """After a restart: the history is still there; the limit follows a vote."""
        async with running(devnet) as (_, clients):
            node = clients[0]
            history = await asyncio.to_thread(ok, "alarms", "history", "--config", egat)
            await attest(clients, 50.15)
            await asyncio.sleep(2.5)  # two evaluations and the 1 s on-delay
            assert await state_of(node, "frequency.high") is None  # inside ±0.2 Hz

            await asyncio.to_thread(
                ok, "gov", "propose", "parameter_change", "--title", "Tighter frequency alarm",
                "--parameter", "frequency_high_mhz", "--value", "100", "--voting-period", "60",
                "--operator", "supervisor1", "--config", egat)
            await wait_until(lambda: _proposal_is(node, "open"), 20, "the proposal listed")
            idea = await asyncio.to_thread(cli, "gov", "propose", "signal", "--title", "Idea",
                                           "--operator", "auditor1", "--config", egat)
            assert idea.returncode == 2 and "RoleRefused" in idea.stderr
            auditor = await asyncio.to_thread(cli, "gov", "vote", "1", "yes", "--operator",
                                              "auditor1", "--config", egat)
            assert auditor.returncode == 2 and "RoleRefused" in auditor.stderr
            for config, operator in ((egat, "supervisor1"), (mea, "operator2")):
                await asyncio.to_thread(ok, "gov", "vote", "1", "yes", "--operator", operator,
                                        "--config", config)
            await wait_until(lambda: _proposal_is(node, "executed"), 20, "execution")
            await wait_until(lambda: _state_is(node, "frequency.high", "unack_active"), 10,
                             "the alarm at the voted limit, without a restart")
            with person(devnet, "supervisor1") as supervisor:
                await node.request(m.OPERATOR_LOGOUT, r.SessionRequest("cli-drill"),
                                   signer=await signer_for(node, supervisor))
            return history

    asyncio.run(first_session())
    history = asyncio.run(second_session())
    assert "frequency.high: normal → unack_active (alarm)" in history
    assert "frequency.high: unack_active → shelved (shelve by operator1)" in history
    assert "frequency.high: shelved → unack_active (unshelve by operator1)" in history

    capsys.readouterr()
    assert main(["audit", "export", "--data-dir", str(devnet.node_dir("EGAT"))]) == 0
    entries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    seen = [(e["operator"], e["role"], e["action"], e["target"], e["outcome"].split(" ")[0])
            for e in entries]
    assert seen == [
        ("supervisor1", "supervisor", "login", "cli-drill", "ok"),
        (f"unverified {MALLORY.address}", "unknown", "login", "", "refused:"),
        ("operator1", "operator", "shelve", "frequency.high", "ok"),
        ("operator1", "operator", "unshelve", "frequency.high", "ok"),
        ("supervisor1", "supervisor", "propose", "proposal 'Tighter frequency alarm'",
         "submitted"),
        ("auditor1", "auditor", "propose", "", "refused:"),  # by the roster, before anything
        ("auditor1", "auditor", "vote", "", "refused:"),
        ("supervisor1", "supervisor", "vote", "proposal 1", "submitted"),
        ("supervisor1", "supervisor", "logout", "cli-drill", "ok")]
    assert entries[4]["details"] == {"action": "parameter_change",
                                     "title": "Tighter frequency alarm", "voting_period": 60,
                                     "parameter": "frequency_high_mhz", "value": 100}
    assert entries[7]["details"] == {"proposal": 1, "choice": "yes"}
    pins = [person_pin(name) for name, _role in DEVNET_PEOPLE]
    assert not any(pin in json.dumps(entries) for pin in pins)  # PINs never reach the node
    assert main(["audit", "verify", "--data-dir", str(devnet.node_dir("EGAT"))]) == 0
    assert "OK 9 entries" in capsys.readouterr().out
    assert main(["audit", "export", "--data-dir", str(devnet.node_dir("MEA"))]) == 0
    mea_votes = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["operator"], e["action"], e["details"]) for e in mea_votes] == [
        ("operator2", "vote", {"proposal": 1, "choice": "yes"})]


async def _proposal_is(client, status: str) -> bool:  # type: ignore[no-untyped-def]
    proposals = await client.call("gov_list")
    return bool(proposals) and proposals[0]["status"] == status


async def _state_is(client, alarm_id: str, state: str) -> bool:  # type: ignore[no-untyped-def]
    return await state_of(client, alarm_id) == state
