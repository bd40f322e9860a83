"""The devnet's people signing in a test: each one's key on their own SoftHSM2 token, held
open by an operator agent (:mod:`node_core.signers.agent`: a child process, since SoftHSM2
reads its token directory once per process and the test process may already have loaded it
for other tokens; the PIN goes down the agent's pipe, never into its arguments).
``person(layout, "operator1")`` is a real ``Signer`` — real token, real PIN, real signatures —
for signed requests and endorsements; ``authority_key(layout, "EGAT")`` is an authority's key
on the devnet's token, for blocks a test forges as colluding authorities could."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager

from app.cli.node_access import bound_signer
from app.cli.operator_agent import agent_command
from node_core.api import methods as m
from node_core.api.answers import SelectionView
from node_core.api.client import NodeClient
from node_core.api.endorsing import endorse_order
from node_core.api.requests import EndorsedSelectionRequest, SelectRequest
from node_core.api.signed_requests import RequestSigner
from node_core.devnet.layout import DEVNET_PIN, DEVNET_TOKEN, DevnetLayout, person_pin
from node_core.ledger.keys import Signer
from node_core.signers.agent import AgentSigner
from node_core.signers.softhsm import find_softhsm_module


def person(layout: DevnetLayout, name: str) -> AbstractContextManager[AgentSigner]:
    """``name``'s own token and key (both labelled with their name), with their PIN."""
    return token_key(layout, name, name, person_pin(name))


def authority_key(layout: DevnetLayout, authority: str) -> AbstractContextManager[AgentSigner]:
    """``authority``'s block-signing key on the devnet's authority token."""
    return token_key(layout, DEVNET_TOKEN, authority, DEVNET_PIN)


@contextmanager
def token_key(layout: DevnetLayout, token: str, label: str, pin: str) -> Iterator[AgentSigner]:
    """Key ``label`` on token ``token`` of the devnet's SoftHSM2, logged in for the block."""
    with AgentSigner.start(agent_command(find_softhsm_module(), layout.softhsm_conf)) as agent:
        agent.log_in(token, pin, label)
        yield agent


@asynccontextmanager
async def signed_in(layout: DevnetLayout, client: NodeClient,
                    name: str) -> AsyncIterator[RequestSigner]:
    """``name``'s token open and bound to the node ``client`` talks to."""
    with person(layout, name) as key:
        yield await signer_for(client, key)


async def signer_for(client: NodeClient, key: Signer) -> RequestSigner:
    """``key`` bound to the node ``client`` talks to (its chain and authority)."""
    return await bound_signer(client, key)


async def two_person_order(layout: DevnetLayout, client: NodeClient, action: SelectRequest, *,
                           operator: str = "operator1",
                           supervisor: str = "supervisor1") -> SelectionView:
    """Select-before-operate on ``client``'s desk as the console does it: ``operator`` selects
    and operates (endorsing the order), ``supervisor`` approves with their own token. Returns
    the selection as the node answers the approval (a non-critical action needs none)."""
    with person(layout, operator) as operating, person(layout, supervisor) as approving:
        by_operator = await signer_for(client, operating)
        selected = await client.request(m.EMERGENCY_SELECT, action, signer=by_operator)
        operated = await client.request(m.EMERGENCY_OPERATE, EndorsedSelectionRequest(
            selected["id"], endorse_order(by_operator, selected)), signer=by_operator)
        if operated["step"] != "awaiting approval":
            return operated
        by_supervisor = await signer_for(client, approving)
        return await client.request(m.EMERGENCY_APPROVE, EndorsedSelectionRequest(
            selected["id"], endorse_order(by_supervisor, selected)), signer=by_supervisor)
