"""The node trusts no client: probes of a real devnet's endpoint as an attacker on the same
machine would make them (issue 16's "Done when").

* a process of another Unix user, with an empty environment and only Python's standard
  library, cannot read the cookie and is refused on every method;
* a process with the cookie but without a valid operator signature is refused on every
  state-changing method, and every refusal is in the audit trail, naming the rule;
* a signed request is taken once; an operator cannot approve their own selection;
* a 20 MB request is refused at once and the chain keeps finalizing."""

from __future__ import annotations

import asyncio
import json
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.client import NodeClient
from node_core.api.endorsing import endorse_order
from node_core.api.signed_requests import REQUEST_WINDOW_MS, RequestSigner
from node_core.api.wire import MAX_REQUEST_BYTES, ClientError
from node_core.devnet.layout import DevnetLayout
from node_core.devnet.run import gridsim_process
from node_core.ledger.roster import Role
from node_core.node.process import NodeProcess
from tests.helpers.chain import signer_from_seed
from tests.helpers.devnet import apply_load, running, status, wait_until
from tests.helpers.logs import expect_logged
from tests.helpers.people import person, signer_for
from tests.helpers.processes import resident_kib

pytestmark = pytest.mark.slow

NOBODY = 65534
SIGNED_SAMPLES: dict[str, dict[str, Any]] = {
    "attest_grid": {"snapshot": {"timestamp": 1, "frequency_mhz": 47_123,
                                 "regions": [["EGAT", 0, 0], ["MEA", 0, 0], ["PEA", 0, 0]]}},
    "gov_propose": {"action": "signal", "title": "ยกเลิกเพดานราคา"},
    "gov_vote": {"id": 1, "choice": "yes"},
    "alarms_ack": {"ids": ["frequency"]},
    "alarms_shelve": {"id": "frequency", "duration_s": 28_800, "reason": "quiet"},
    "alarms_unshelve": {"id": "frequency"},
    "operator_login": {"client": "cli"},
    "operator_logout": {"client": "cli"},
    "emergency_select": {"kind": "trading_halt", "region": "ALL"},
    "emergency_operate": {"id": 1, "endorsement": "00" * 64},
    "emergency_approve": {"id": 1, "endorsement": "00" * 64},
    "emergency_cancel": {"id": 1},
    "roster_change": {"action": "add", "name": "mallory", "role": "supervisor",
                      "requested_ms": 0, "endorsement": "00" * 64,
                      "public_key": "04" + "11" * 64},
}
"""Well-formed parameters for every method that changes something (a new one must be added
here: the test checks the list against the registry)."""
SIGNED = {name for name, method in m.NODE_METHODS.items() if method.roles}
ROLE_HOLDERS = {Role.OPERATOR: "operator1", Role.SUPERVISOR: "supervisor1",
                Role.AUDITOR: "auditor1", Role.SECURITY_ADMIN: "secadm1",
                Role.GRID_FEED: "gridfeed"}

ATTACKER = r'''
import json, socket, sys

def answer(port, first_line, second_line=None):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        f = s.makefile("rwb")
        f.write(first_line)
        if second_line:
            f.write(second_line)
        f.flush()
        lines = f.read().splitlines()
    return [json.loads(l)["error"]["type"] if "error" in json.loads(l) else l.decode()
            for l in lines]

def request(method):
    return (json.dumps({"id": 1, "method": method, "params": {}}) + "\n").encode()

found = {}
guess = (json.dumps({"cookie": "0" * 64}) + "\n").encode()
for name, port, cookie_path, methods in json.loads(sys.argv[1]):
    try:
        open(cookie_path).read()
        cookie = "read"
    except OSError as error:
        cookie = type(error).__name__
    found[name] = {"cookie": cookie,
                   "no cookie": {m: answer(port, request(m)) for m in methods},
                   "guessed cookie": {m: answer(port, guess, request(m)) for m in methods}}
print(json.dumps(found))
'''


@pytest.fixture
def attacker_script() -> Iterator[Path]:
    """The attacker's script where another user can read it."""
    directory = Path(tempfile.mkdtemp(prefix="attacker-"))
    directory.chmod(0o755)
    script = directory / "probe.py"
    script.write_text(ATTACKER)
    script.chmod(0o644)
    yield script
    shutil.rmtree(directory)


def test_the_samples_cover_every_state_changing_method() -> None:
    assert set(SIGNED_SAMPLES) == SIGNED


def test_another_users_process_cannot_read_the_cookie_and_is_refused_on_every_method(
        devnet: DevnetLayout, attacker_script: Path) -> None:
    """The node's endpoint and the grid simulator's, probed by ``nobody``."""
    methods = {"node": [*sorted(m.NODE_METHODS), "subscribe"],
               "gridsim": [*sorted(m.GRIDSIM_METHODS), "subscribe"]}

    async def scenario() -> dict[str, Any]:
        gridsim = gridsim_process(devnet)
        async with running(devnet) as (_nodes, clients):
            gridsim.start()
            try:
                await gridsim.wait_ready()
                targets = [(name, address.port, str(address.cookie_file), methods[name])
                           for name, address in (("node", clients[0].address),
                                                 ("gridsim", devnet.gridsim_address))]
                found = await _probe_as_nobody(attacker_script, targets)
            finally:
                await gridsim.stop()
            audit = await clients[0].request(m.AUDIT_TAIL, r.AuditTailRequest(100))
            selections = await clients[0].request(m.EMERGENCY_STATUS, r.NoParams())
            assert selections == [] and audit == []
            return found

    found = asyncio.run(scenario())
    for target, names in methods.items():
        assert found[target]["cookie"] == "PermissionError"
        for attempt in ("no cookie", "guessed cookie"):
            assert found[target][attempt] == {name: ["Unauthenticated"] for name in names}, (
                target, attempt)
    _assert_private(devnet)


async def _probe_as_nobody(script: Path, targets: list[Any]) -> dict[str, Any]:
    """Run the attacker's script as user ``nobody``, with an empty environment and only
    Python's standard library."""
    probe = await asyncio.create_subprocess_exec(
        "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
        "/usr/bin/python3", "-I", "-S", str(script), json.dumps(targets),
        env={}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await asyncio.wait_for(probe.communicate(), 120)
    assert probe.returncode == 0, err.decode()
    result: dict[str, Any] = json.loads(out)
    return result


def _assert_private(devnet: DevnetLayout) -> None:
    """Every file the devnet and its nodes wrote is its user's alone (0600 / 0700)."""
    exposed = []
    for path in [devnet.data_dir, *devnet.data_dir.rglob("*")]:
        mode = path.lstat().st_mode
        if not stat.S_ISLNK(mode) and mode & (stat.S_IRWXG | stat.S_IRWXO):
            exposed.append(f"{path.relative_to(devnet.data_dir)} {stat.filemode(mode)}")
    assert not exposed


def test_with_the_cookie_but_no_valid_operator_signature_every_write_is_refused_and_audited(
        devnet: DevnetLayout, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        async with running(devnet) as (_nodes, clients):
            egat, mea = clients[0], clients[1]
            expected = await _refuse_every_write(devnet, egat, mea)
            audit = await egat.request(m.AUDIT_TAIL, r.AuditTailRequest(len(expected)))
            recorded = [(a["action"], a["operator"].split(" ")[0], a["outcome"].split(":")[1])
                        for a in audit]
            assert recorded == expected
            assert await egat.request(m.EMERGENCY_STATUS, r.NoParams()) == []
            assert await egat.request(m.GOV_LIST, r.NoParams()) == []

    asyncio.run(scenario())
    expect_logged(caplog, maybe=("refused",))


async def _refuse_every_write(devnet: DevnetLayout, egat: NodeClient,
                              mea: NodeClient) -> list[tuple[str, str, str]]:
    """Each state-changing method, sent to EGAT: unsigned, signed by a key off the roster,
    signed over other parameters, signed for MEA, signed long ago, and signed by a member
    whose role does not allow it. Returns the audit entries expected, oldest first."""
    mallory = signer_from_seed(4242)
    chain_id = (await egat.request(m.STATUS, r.NoParams()))["chain_id"]
    for_egat = RequestSigner(mallory, chain_id, (await _address(egat)))
    expected = []
    with person(devnet, "operator1") as op1:
        operator = await signer_for(egat, op1)
        for_mea = await signer_for(mea, op1)
        for name in sorted(SIGNED):
            method, params = m.NODE_METHODS[name], SIGNED_SAMPLES[name]
            other = {**params, "id": 7} if "id" in params else {**params, "client": "x"} \
                if "client" in params else {**params, "region": "MEA"}
            attempts = [
                (None, "unsigned", "Unsigned"),
                (for_egat.auth(name, params, _now()).to_json(), "unverified", "UnknownOperatorKey"),
                (operator.auth(name, other, _now()).to_json(), "unverified",
                 "BadRequestSignature"),
                (for_mea.auth(name, params, _now()).to_json(), "unverified",
                 "BadRequestSignature"),
                (operator.auth(name, params, _now() - 2 * REQUEST_WINDOW_MS).to_json(),
                 "unverified", "StaleRequest"),
            ]
            for auth, who, rule in attempts:
                with pytest.raises(ClientError) as refused:
                    await egat.send_raw(name, params, auth)
                assert refused.value.type == rule, (name, rule, str(refused.value))
                expected.append((method.audit_action, who, f" {rule}"))
            expected += await _wrong_role(devnet, egat, method, params)
    return expected


async def _wrong_role(devnet: DevnetLayout, egat: NodeClient, method: m.Method[Any, Any],
                      params: dict[str, Any]) -> list[tuple[str, str, str]]:
    outsiders = [holder for role, holder in ROLE_HOLDERS.items() if role not in method.roles]
    if not outsiders:
        return []
    with person(devnet, outsiders[0]) as key:
        signer = await signer_for(egat, key)
        with pytest.raises(ClientError, match="RoleRefused"):
            await egat.send_raw(method.name, params,
                                signer.auth(method.name, params, _now()).to_json())
    return [(method.audit_action, outsiders[0], " RoleRefused")]


async def _address(client: NodeClient) -> Any:
    return (await client.request(m.STATUS, r.NoParams()))["address"]


def _now() -> int:
    return time.time_ns() // 1_000_000


def test_a_signed_request_is_taken_once_and_nobody_approves_their_own_selection(
        devnet: DevnetLayout, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        async with running(devnet) as (_nodes, clients):
            egat = clients[0]
            with person(devnet, "operator1") as op1, person(devnet, "supervisor1") as sup1, \
                    person(devnet, "supervisor2") as sup2:
                operator = await signer_for(egat, op1)
                halt = {"kind": "trading_halt", "region": "ALL", "reason": "ทดสอบ"}
                auth = operator.auth("emergency_select", halt, _now()).to_json()
                selected = await egat.send_raw("emergency_select", halt, auth)
                with pytest.raises(ClientError, match="ReplayedRequest"):
                    await egat.send_raw("emergency_select", halt, auth)
                assert len(await egat.request(m.EMERGENCY_STATUS, r.NoParams())) == 1
                await _operated(egat, operator, selected)
                with pytest.raises(ClientError, match="RoleRefused"):
                    await _approve(egat, operator, selected)

                supervisor = await signer_for(egat, sup1)
                own = await egat.request(m.EMERGENCY_SELECT, r.SelectRequest(
                    "load_shed", "MEA", stage=1, mw=300), signer=supervisor)
                await _operated(egat, supervisor, own)
                with pytest.raises(ClientError, match="SamePersonApproval"):
                    await _approve(egat, supervisor, own)
                approved = await _approve(egat, await signer_for(egat, sup2), own)
                assert approved["step"] == "submitted" and approved["approver"] == "supervisor2"

    asyncio.run(scenario())
    expect_logged(caplog, maybe=("refused",))


async def _operated(client: NodeClient, signer: RequestSigner, selection: Any) -> Any:
    return await client.request(m.EMERGENCY_OPERATE, r.EndorsedSelectionRequest(
        selection["id"], endorse_order(signer, selection)), signer=signer)


async def _approve(client: NodeClient, signer: RequestSigner, selection: Any) -> Any:
    return await client.request(m.EMERGENCY_APPROVE, r.EndorsedSelectionRequest(
        selection["id"], endorse_order(signer, selection)), signer=signer)


def test_a_20_mb_request_is_refused_at_once_and_the_chain_keeps_finalizing(
        devnet: DevnetLayout) -> None:
    async def scenario() -> None:
        async with running(devnet) as (nodes, clients):
            egat = nodes[0]
            before = (await status(egat))["height"]
            rss_before = resident_kib(egat.pid)
            started = time.monotonic()
            answers = await asyncio.gather(*(_send_huge(clients[0].address, 20 << 20)
                                             for _ in range(16)))
            refused_in = time.monotonic() - started
            assert set(answers) <= {"RequestTooLarge", "reset"} and "RequestTooLarge" in answers
            assert refused_in < 5.0
            assert resident_kib(egat.pid) - rss_before < 64 * 1024  # 16 × 1 MiB buffers at most
            await apply_load(devnet, clients, rate=20, seconds=2)
            await wait_until(lambda: _past(nodes, before + 2), 20, "blocks after the flood")
            with pytest.raises(ClientError, match="RequestTooLarge"):
                await clients[0].call("submit", transactions=["00" * MAX_REQUEST_BYTES])

    asyncio.run(scenario())


async def _send_huge(address: Any, size: int) -> str:
    """Open a connection with the cookie and send one ``size``-byte request line."""
    reader, writer = await asyncio.open_connection(address.host, address.port)
    cookie = address.cookie_file.read_text().strip()
    writer.write((json.dumps({"cookie": cookie}) + "\n").encode())
    await reader.readline()
    head = b'{"id":1,"method":"submit","params":{"transactions":["'
    chunk = b"0" * (1 << 20)
    try:
        writer.write(head)
        for _ in range(size // len(chunk)):
            writer.write(chunk)
            await writer.drain()
        answer = await reader.readline()
    except ConnectionError:
        return "reset"  # the node closed while we were still sending: refused all the same
    finally:
        writer.close()
    return json.loads(answer)["error"]["type"] if answer else "closed"


async def _past(nodes: list[NodeProcess], height: int) -> bool:
    return all([(await status(n))["height"] >= height for n in nodes])

