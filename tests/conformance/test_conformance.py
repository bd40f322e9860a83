"""The independent verifier (``verifier/``, written from ``docs/protocol.md``) checks a real
devnet chain that carries every transaction kind — a load shed operated by one person and
approved by another, a roster change a security administrator asked for — agrees with the
node's own ``chain verify``, and refuses a tampered chain naming the rule. A block that
colluding authorities sealed around a broken two-person or roster rule is refused by the
verifier and by the node, each naming the same rule — among them a second load shed carrying
the approval the chain already used."""

import ast
import asyncio
import shutil
import sqlite3
import sys
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import pytest

from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.endorsing import endorse_order
from node_core.devnet.layout import AUTHORITIES, DevnetLayout, prepare_devnet, prosumer_signer
from node_core.ledger.emergency_rules import SamePersonApproval
from node_core.ledger.endorsements import (
    ENDORSEMENT_VALIDITY_MS,
    NO_ENDORSEMENT,
    BadEndorsement,
    endorse,
)
from node_core.ledger.roster import LastSecurityAdmin, NotOnRoster, Role, RosterAction
from node_core.ledger.roster_rules import roster_after
from node_core.ledger.state import State
from node_core.ledger.taken_endorsements import EndorsementReused
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
    Payload,
    RosterChange,
    Transaction,
    Transfer,
    emergency_digest,
    encode_transaction,
    roster_change_digest,
)
from node_core.ledger.transactions import sign_transaction as sign
from node_core.ledger.transition import apply_block
from node_core.node.chain_verify import verify_chain
from node_core.node.store import STORE_FILENAME, BlockStore
from tests.conformance import verifier
from tests.helpers.chain import forge, signer_from_seed
from tests.helpers.cli import run_cli
from tests.helpers.devnet import apply_load, free_base_port, running, wait_until
from tests.helpers.people import authority_key, person, signer_for

pytestmark = pytest.mark.slow
THAI_TITLE = ("ปรับเพดานราคาพลังงานช่วงพีคเพื่อความมั่นคงของระบบไฟฟ้า " * 3)[:85]
NEWCOMER = signer_from_seed(4242)
"""The member secadm1 adds to EGAT's roster (a key of their own, made elsewhere)."""
OUTSIDER = signer_from_seed(9999)
"""A key on no roster."""


@pytest.fixture(scope="module")
def devnet_chain(devnet_template, tmp_path_factory) -> DevnetLayout:
    """One devnet for the module: transfers, a proposal passed by two votes, a halt, a
    resume and a load shed through the emergency desk, a roster change, then trades under
    load; returns its layout, the nodes stopped."""
    directory = tmp_path_factory.mktemp("conformance") / "devnet"
    shutil.copytree(devnet_template, directory)
    layout = prepare_devnet(DevnetLayout(directory, base_port=free_base_port()))
    asyncio.run(_scenario(layout))
    return layout


def stores(layout: DevnetLayout) -> list[Path]:
    return [layout.node_dir(name) / STORE_FILENAME for name in AUTHORITIES]


async def _scenario(layout: DevnetLayout) -> None:
    with ExitStack() as tokens:
        people = {name: tokens.enter_context(person(layout, name))
                  for name in ("operator1", "supervisor1")}
        async with running(layout) as (_, clients):
            egat, mea, _ = clients
            await _transfers(clients)
            await _governance(egat, mea, people)
            await _emergency(egat, people, r.SelectRequest("trading_halt", "PEA",
                                                           reason="ทดสอบความสอดคล้อง"))
            await _emergency(egat, people, r.SelectRequest("trading_resume", "PEA"))
            await _emergency(egat, people, r.SelectRequest("load_shed", "MEA", stage=2, mw=250,
                                                           reason="ความถี่ต่ำ"))
            await _roster_change(layout, egat)
            report = await apply_load(layout, clients, rate=60, seconds=6)
            assert report.finalized > 100
            await wait_until(lambda: _settled(clients), 30, "one tip and empty mempools")


async def _transfers(clients) -> None:
    signers = [prosumer_signer(i) for i in range(6)]
    for i, sender in enumerate(signers):
        client = clients[i % 3]
        nonce = (await client.call("account", address=sender.address))["nonce"]
        tx = Transaction("gridtokenx-devnet", nonce, sender.public_key,
                         Transfer(signers[(i + 1) % 6].address, 1_000 + i))
        answer = await client.call("submit", transactions=[encode_transaction(sign(tx, sender))
                                                           .hex()])
        assert answer["accepted"] == 1, answer


async def _governance(egat, mea, people) -> None:
    """operator1 proposes at EGAT; supervisor1 votes yes at EGAT and at MEA."""
    await egat.request(m.GOV_PROPOSE, r.ProposalRequest("signal", THAI_TITLE, voting_period=200),
                       signer=await signer_for(egat, people["operator1"]))
    await wait_until(lambda: _proposal(egat, "open"), 20, "the proposal to be final")
    for client in (egat, mea):
        await client.request(m.GOV_VOTE, r.VoteRequest(1, "yes"),
                             signer=await signer_for(client, people["supervisor1"]))
    await wait_until(lambda: _proposal(egat, "executed"), 20, "the proposal to pass")


async def _emergency(client, people, selection: r.SelectRequest) -> None:
    """operator1 selects and operates; supervisor1 approves a critical action."""
    operator = await signer_for(client, people["operator1"])
    selected = await client.request(m.EMERGENCY_SELECT, selection, signer=operator)
    request = r.EndorsedSelectionRequest(selected["id"], endorse_order(operator, selected))
    await client.request(m.EMERGENCY_OPERATE, request, signer=operator)
    if selected["critical"]:
        supervisor = await signer_for(client, people["supervisor1"])
        request = r.EndorsedSelectionRequest(selected["id"], endorse_order(supervisor, selected))
        await client.request(m.EMERGENCY_APPROVE, request, signer=supervisor)
    await wait_until(lambda: _final(client, selected["id"]), 20, f"{selection.kind} final")


async def _roster_change(layout: DevnetLayout, egat) -> None:
    """secadm1, at a shell, adds a supervisor to EGAT's roster."""
    added = await asyncio.to_thread(
        run_cli, "roster", "add", "somchai.k", "supervisor", "--public-key",
        bytes(NEWCOMER.public_key).hex(), "--config", str(layout.config("EGAT")),
        "--operator", "secadm1")
    assert added.returncode == 0, added.stderr

    async def on_roster() -> bool:
        return any(member["name"] == "somchai.k"
                   for member in await egat.request(m.ROSTER, r.NoParams()))
    await wait_until(on_roster, 20, "the roster change to be final")


async def _final(client, selection_id: int) -> bool:
    return any(s["id"] == selection_id and s["step"] == "final"
               for s in await client.call("emergency_status"))


async def _proposal(client, status: str) -> bool:
    return any(p["id"] == 1 and p["status"] == status for p in await client.call("gov_list"))


async def _settled(clients) -> bool:
    views = [await c.call("status") for c in clients]
    return len({(v["height"], v["tip"]) for v in views}) == 1 and not any(
        v["mempool"] for v in views)


def test_the_verifier_accepts_each_nodes_chain_as_the_node_does(devnet_chain):
    results = [verifier.verify(str(path)) for path in stores(devnet_chain)]
    assert {(r.height, r.tip) for r in results} == {(results[0].height, results[0].tip)}
    assert results[0].kinds == {1, 2, 16, 17, 32, 48}
    halt, resume, shed = (EmergencyKind.TRADING_HALT, EmergencyKind.TRADING_RESUME,
                          EmergencyKind.LOAD_SHED)
    assert [order[1:] for order in results[0].orders] == [
        (halt, "operator1", "supervisor1"), (resume, "operator1", None),
        (shed, "operator1", "supervisor1")]
    with BlockStore.open_existing(stores(devnet_chain)[0]) as store:
        node = verify_chain(store)
        transactions = sum(len(b.transactions) for b in store.blocks())
    assert (node.height, node.tip) == (results[0].height, results[0].tip)
    assert results[0].transactions == transactions


TAMPERING = [
    ("UPDATE Accounts SET balance = balance + 1 WHERE address = "
     "(SELECT MIN(address) FROM Accounts)", "Accounts: §14 rows and last_updated"),
    ("UPDATE Blocks SET authority_signatures = CAST(substr(authority_signatures, 1, 40) || "
     "CASE substr(authority_signatures, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END || "
     "substr(authority_signatures, 42) AS BLOB) WHERE height = 2",
     "block 2: §9.13 BadAuthoritySignature"),
    ("UPDATE Blocks SET transactions_data = (SELECT transactions_data FROM Blocks WHERE "
     "height = 1) WHERE height = (SELECT MAX(height) FROM Blocks WHERE length("
     "transactions_data) > 4)", "§9.8 MerkleRootMismatch"),
    ("UPDATE StateParts SET data = x'00000000' WHERE name = 'roster'", "StateParts: §14 rows"),
    ("UPDATE StateParts SET data = x'0000000000000009' WHERE name = 'next_proposal_id'",
     "StateParts: §14 rows"),
]


@pytest.mark.parametrize(("sql", "failure"), TAMPERING)
def test_the_verifier_refuses_a_tampered_chain_naming_the_rule(devnet_chain, tmp_path, sql,
                                                                failure):
    copy = tmp_path / STORE_FILENAME
    shutil.copy(stores(devnet_chain)[0], copy)
    db = sqlite3.connect(copy)
    db.execute(sql)
    db.commit()
    db.close()
    with pytest.raises(verifier.Invalid, match=failure.replace("(", r"\(")):
        verifier.verify(str(copy))


# --- blocks colluding authorities could seal ----------------------------------------------


@pytest.fixture(scope="module")
def keys(devnet_chain):
    """The authorities' keys on the devnet token, people's on their own tokens, an outsider."""
    with ExitStack() as tokens:
        found = {name: tokens.enter_context(authority_key(devnet_chain, name))
                 for name in AUTHORITIES}
        found |= {name: tokens.enter_context(person(devnet_chain, name))
                  for name in ("operator1", "supervisor1", "secadm1")}
        yield found | {"outsider": OUTSIDER}


def _by_egat(state: State, keys, payload: Payload) -> Transaction:
    egat = keys["EGAT"]
    tx = Transaction(state.chain_id, state.account(egat.address).nonce, egat.public_key,
                     payload)
    return sign(tx, egat)


def _load_shed(operator: str, approver: str, *, age_ms: int = 0):
    """A load shed EGAT signs, selected ``age_ms`` before the forged block's time."""
    def build(state: State, keys) -> Transaction:
        order = EmergencyAction(EmergencyKind.LOAD_SHED, "MEA", stage=3, mw=400,
                                reason="forged", selected_ms=state.tip_timestamp + 1000 - age_ms)
        digest = emergency_digest(state.chain_id, keys["EGAT"].address, order)
        return _by_egat(state, keys, replace(order, operated_by=endorse(keys[operator], digest),
                                             approved_by=endorse(keys[approver], digest)))
    return build


def _removal_of_the_last_security_admin(state: State, keys) -> Transaction:
    change = RosterChange(RosterAction.REMOVE, "secadm1", Role.SECURITY_ADMIN, b"",
                          state.tip_timestamp, NO_ENDORSEMENT)
    digest = roster_change_digest(state.chain_id, keys["EGAT"].address, change)
    return _by_egat(state, keys, replace(change, requested_by=endorse(keys["secadm1"], digest)))


def _as_if_valid(tx: Transaction):
    """What the transaction would do to the state if the rules let it through."""
    if isinstance(tx.payload, RosterChange):
        return lambda state: replace(state, roster=roster_after(state.roster, tx))
    return lambda state: state


@pytest.mark.parametrize(("build", "rule"), [
    (_load_shed("operator1", "outsider"), NotOnRoster),
    (_load_shed("supervisor1", "supervisor1"), SamePersonApproval),
    (_load_shed("operator1", "supervisor1", age_ms=ENDORSEMENT_VALIDITY_MS + 1), BadEndorsement),
    (_removal_of_the_last_security_admin, LastSecurityAdmin),
], ids=["approver-not-on-roster", "self-approval", "expired-endorsement", "last-security-admin"])
def test_a_sealed_block_breaking_a_rule_is_refused_by_the_verifier_and_the_node(
        devnet_chain, keys, tmp_path, build, rule):
    _refused_by_the_verifier_and_the_node(devnet_chain, keys, tmp_path, build, rule)


def test_a_sealed_block_using_an_approval_twice_is_refused_by_the_verifier_and_the_node(
        devnet_chain, keys, tmp_path):
    """The scenario's load shed, operated by operator1 and approved by supervisor1, carried
    again, endorsements and all, in a new transaction of EGAT's: one approval, two load
    sheds."""
    with BlockStore.open_existing(stores(devnet_chain)[0]) as store:
        shed = next(tx.payload for block in store.blocks() for tx in block.transactions
                    if isinstance(tx.payload, EmergencyAction)
                    and tx.payload.kind == EmergencyKind.LOAD_SHED)
    _refused_by_the_verifier_and_the_node(
        devnet_chain, keys, tmp_path, lambda state, keys: _by_egat(state, keys, shed),
        EndorsementReused)


def _refused_by_the_verifier_and_the_node(devnet_chain, keys, tmp_path, build, rule) -> None:
    """The transaction ``build`` makes, in a block sealed by every authority's key, is refused
    by what every authority runs, by the verifier and by ``chain verify``, naming ``rule``."""
    path = tmp_path / STORE_FILENAME
    shutil.copy(stores(devnet_chain)[0], path)
    with BlockStore.open_existing(path) as store:
        state = store.load_state()
        tx = build(state, keys)
        block, after = forge(state, [tx], [keys[name] for name in AUTHORITIES],
                             effect=_as_if_valid(tx))
        with pytest.raises(rule):  # what every authority runs on a block it is sent
            apply_block(state, block)
        store.commit_block(block, after)  # as the colluding authorities would keep it
    with pytest.raises(verifier.Invalid, match=rf"block {block.height} .*{rule.__name__}"):
        verifier.verify(str(path))
    checked = run_cli("chain", "verify", "--data-dir", str(tmp_path))
    assert checked.returncode == 1
    assert checked.stderr.startswith(f"FAIL {rule.__name__}: block {block.height}: ")


def test_the_verifier_imports_nothing_but_the_standard_library_and_cryptography():
    package = Path(verifier.__file__).parent
    imported = set()
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names}
        imported |= {node.module for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}
    own = {name for name in imported if name.startswith(verifier.__name__)}
    roots = {name.split(".")[0] for name in imported - own}
    assert roots - set(sys.stdlib_module_names) == {"cryptography"}
