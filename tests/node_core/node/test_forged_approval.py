"""The two-person rule holds on the chain, not only at the desk: a load shed "approved" by a
key that is not on the issuing authority's roster, sealed by two authority keys (colluding
authorities, or stolen keys), is refused by the honest authorities of a real devnet with the
rule's name, and ``chain verify`` names the same rule."""

import asyncio
import os
from dataclasses import replace

import pytest

from node_core.devnet.layout import DevnetLayout
from node_core.ledger.endorsements import endorse
from node_core.ledger.genesis import load_genesis
from node_core.ledger.roster import NotOnRoster
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
    Transaction,
    emergency_digest,
    sign_transaction,
)
from node_core.node.process import NodeProcess
from node_core.node.store import STORE_FILENAME, BlockStore
from tests.helpers.chain import forge, signer_from_seed
from tests.helpers.cli import run_cli
from tests.helpers.devnet import apply_load, running, status, wait_until
from tests.helpers.people import authority_key, person

pytestmark = pytest.mark.slow
RULE = NotOnRoster.__name__


def test_a_load_shed_approved_off_the_roster_is_refused_by_the_honest_authorities(
        devnet: DevnetLayout) -> None:
    asyncio.run(_drill(devnet))


async def _drill(devnet: DevnetLayout) -> None:
    async with running(devnet) as (nodes, clients):
        await apply_load(devnet, clients, rate=20, seconds=2)
        await wait_until(lambda: _all_past(nodes, 3), 30, "a few final blocks")
    rogue = max(devnet.authorities, key=lambda name: _stored_height(devnet, name))
    forged_height = _forge(devnet, rogue)

    result = run_cli("chain", "verify", "--data-dir", str(devnet.node_dir(rogue)))
    assert result.returncode == 1
    assert f"FAIL {RULE}: block {forged_height}" in result.stderr, result.stderr

    async with running(devnet) as (nodes, clients):
        names = devnet.authorities
        honest = [n for n, name in zip(nodes, names, strict=True) if name != rogue]
        await wait_until(lambda: _refused_by_all(honest), 30,
                         f"the honest authorities to refuse block {forged_height}")
        before = max([(await status(n))["height"] for n in honest])
        await apply_load(devnet, [c for c, name in zip(clients, names, strict=True)
                                  if name != rogue], rate=20, seconds=2)
        await wait_until(lambda: _all_past(honest, before + 1), 30,
                         "the honest authorities to keep finalizing")
    for name in devnet.authorities:
        if name != rogue:
            assert run_cli("chain", "verify", "--data-dir",
                           str(devnet.node_dir(name))).returncode == 0


def _forge(devnet: DevnetLayout, rogue: str) -> int:
    """Write into ``rogue``'s store, while it is down, a sealed block carrying a load shed
    operated by operator1 and approved by a key of nobody on the roster."""
    genesis = load_genesis(devnet.genesis)
    sealers = [a.name for a in genesis.authorities][:2]
    with BlockStore.open_existing(devnet.node_dir(rogue) / STORE_FILENAME) as store, \
            person(devnet, "operator1") as operator, \
            authority_key(devnet, "EGAT") as egat, authority_key(devnet, sealers[1]) as second:
        state = store.load_state()
        action = EmergencyAction(EmergencyKind.LOAD_SHED, "MEA", stage=1, mw=800,
                                 reason="forged approval", selected_ms=state.tip_timestamp)
        digest = emergency_digest(state.chain_id, egat.address, action)
        mallory = signer_from_seed(int.from_bytes(os.urandom(8), "big"))
        endorsed = replace(action, operated_by=endorse(operator, digest),
                           approved_by=endorse(mallory, digest))
        tx = sign_transaction(Transaction(state.chain_id, state.account(egat.address).nonce,
                                          egat.public_key, endorsed), egat)
        block, after = forge(state, [tx], [egat, second], timestamp=state.tip_timestamp + 500)
        store.commit_block(block, after)
    return block.height


def _stored_height(devnet: DevnetLayout, name: str) -> int:
    with BlockStore.open_existing(devnet.node_dir(name) / STORE_FILENAME) as store:
        return store.height()


async def _all_past(nodes: list[NodeProcess], height: int) -> bool:
    return all([(await status(n))["height"] >= height for n in nodes])


async def _refused_by_all(nodes: list[NodeProcess]) -> bool:
    return all([(await status(n))["rejected"].get(RULE, 0) > 0 for n in nodes])
