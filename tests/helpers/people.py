"""The devnet's people signing in a test: each one's key on their own SoftHSM2 token, held
open by an operator agent (:mod:`node_core.signers.agent`: a child process, since SoftHSM2
reads its token directory once per process and the test process may already have loaded it
for other tokens; the PIN goes down the agent's pipe, never into its arguments).
``person(layout, "operator1")`` is a real ``Signer`` — real token, real PIN, real signatures —
for signed requests and endorsements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.cli.node_access import bound_signer
from app.cli.operator_agent import agent_command
from node_core.api.client import NodeClient
from node_core.api.signed_requests import RequestSigner
from node_core.devnet.layout import DevnetLayout, person_pin
from node_core.ledger.keys import Signer
from node_core.signers.agent import AgentSigner
from node_core.signers.softhsm import find_softhsm_module


@contextmanager
def person(layout: DevnetLayout, name: str) -> Iterator[AgentSigner]:
    """``name``'s own token, logged in with their devnet PIN, for the ``with`` block."""
    with AgentSigner.start(agent_command(find_softhsm_module(), layout.softhsm_conf)) as agent:
        agent.log_in(name, person_pin(name))
        yield agent


async def signer_for(client: NodeClient, key: Signer) -> RequestSigner:
    """``key`` bound to the node ``client`` talks to (its chain and authority)."""
    return await bound_signer(client, key)
