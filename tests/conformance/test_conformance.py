"""The independent verifier (``verifier.py``, written from ``docs/protocol.md``) checks a real
devnet chain that carries every transaction kind, agrees with the node's own ``chain
verify``, and refuses a tampered chain naming the rule."""

import ast
import asyncio
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from node_core.devnet.layout import DevnetLayout, prepare_devnet, prosumer_signer
from node_core.ledger.transactions import Transaction, Transfer, encode_transaction
from node_core.ledger.transactions import sign_transaction as sign
from node_core.node.chain_verify import verify_chain
from node_core.node.store import STORE_FILENAME, BlockStore
from tests.conformance import verifier
from tests.helpers.devnet import apply_load, free_base_port, running, wait_until

pytestmark = pytest.mark.slow
AUTHORITIES = ("EGAT", "MEA", "PEA")
THAI_TITLE = ("ปรับเพดานราคาพลังงานช่วงพีคเพื่อความมั่นคงของระบบไฟฟ้า " * 3)[:85]


@pytest.fixture(scope="module")
def devnet_chain(devnet_template, tmp_path_factory):
    """One devnet for the module: transfers, a proposal passed by two votes, a halt and a
    resume, then trades under load; returns the stopped nodes' data directories."""
    directory = tmp_path_factory.mktemp("conformance") / "devnet"
    shutil.copytree(devnet_template, directory)
    layout = prepare_devnet(DevnetLayout(directory, base_port=free_base_port()))
    asyncio.run(_scenario(layout))
    return [layout.node_dir(name) for name in AUTHORITIES]


async def _scenario(layout: DevnetLayout) -> None:
    async with running(layout) as (_, clients):
        egat, mea, _ = clients
        await _transfers(clients)
        await egat.call("gov_propose", operator="operator1", action="signal", title=THAI_TITLE,
                        voting_period=200)
        await wait_until(lambda: _proposal(egat, "open"), 20, "the proposal to be final")
        await egat.call("gov_vote", id=1, choice="yes", operator="supervisor1")
        await mea.call("gov_vote", id=1, choice="yes", operator="supervisor1")
        await wait_until(lambda: _proposal(egat, "executed"), 20, "the proposal to pass")
        await _emergency(egat, "trading_halt", "PEA", approve=True)
        await _emergency(egat, "trading_resume", "PEA", approve=False)
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


async def _emergency(client, kind: str, region: str, *, approve: bool) -> None:
    selected = await client.call("emergency_select", kind=kind, region=region,
                                 reason="ทดสอบความสอดคล้อง", operator="operator1")
    await client.call("emergency_operate", id=selected["id"], operator="operator1")
    if approve:
        await client.call("emergency_approve", id=selected["id"], operator="supervisor1")
    await wait_until(lambda: _final(client, selected["id"]), 20, f"{kind} to be final")


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
    results = [verifier.verify(str(d / STORE_FILENAME)) for d in devnet_chain]
    assert {(r.height, r.tip) for r in results} == {(results[0].height, results[0].tip)}
    assert results[0].kinds == {1, 2, 16, 17, 32}
    with BlockStore.open_existing(devnet_chain[0] / STORE_FILENAME) as store:
        node = verify_chain(store)
    assert (node.height, node.tip) == (results[0].height, results[0].tip)
    assert results[0].transactions == sum(len(b.transactions) for b in node_blocks(devnet_chain))


def node_blocks(directories):
    with BlockStore.open_existing(directories[0] / STORE_FILENAME) as store:
        return list(store.blocks())


TAMPERING = [
    ("UPDATE Accounts SET balance = balance + 1 WHERE address = "
     "(SELECT MIN(address) FROM Accounts)", "Accounts: §14 rows and last_updated"),
    ("UPDATE Blocks SET authority_signatures = CAST(substr(authority_signatures, 1, 40) || "
     "CASE substr(authority_signatures, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END || "
     "substr(authority_signatures, 42) AS BLOB) WHERE height = 2", "block 2: §9.13 seal"),
    ("UPDATE Blocks SET transactions_data = (SELECT transactions_data FROM Blocks WHERE "
     "height = 1) WHERE height = (SELECT MAX(height) FROM Blocks WHERE length("
     "transactions_data) > 4)", "§9.8 merkle_root"),
    ("UPDATE StateParts SET data = x'0000000000000009' WHERE name = 'next_proposal_id'",
     "StateParts: §14 rows"),
]


@pytest.mark.parametrize(("sql", "failure"), TAMPERING)
def test_the_verifier_refuses_a_tampered_chain_naming_the_rule(devnet_chain, tmp_path, sql,
                                                                failure):
    copy = tmp_path / STORE_FILENAME
    shutil.copy(devnet_chain[0] / STORE_FILENAME, copy)
    db = sqlite3.connect(copy)
    db.execute(sql)
    db.commit()
    db.close()
    with pytest.raises(verifier.Invalid, match=failure.replace("(", r"\(")):
        verifier.verify(str(copy))


def test_the_verifier_imports_nothing_but_the_standard_library_and_cryptography():
    tree = ast.parse(Path(verifier.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    roots = {name.split(".")[0] for name in imported}
    assert roots - set(sys.stdlib_module_names) == {"cryptography"}
