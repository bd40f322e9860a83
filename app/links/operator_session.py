"""Who is at the console: a person logged in with their own token, as the node's roster knows
them.

:func:`log_in` starts an operator agent (:mod:`node_core.signers.agent`: the token held open
in a child process of its own, the PIN sent down its pipe into ``C_Login``), then asks the
node whose key that is (``roster``): the identity is the roster member holding the key, with
its role — never a typed name. A key that is not on this authority's roster is refused
(:class:`KeyNotOnRoster`) and its agent closed. The :class:`OperatorSession` keeps the agent
for as long as the person is logged in; its :attr:`~OperatorSession.signer` signs their
requests (``NodeClient.request(..., signer=)``) and endorsements, in worker threads.

:class:`TokenSource` says where the people's tokens are and which of them a login offers:
on the devnet the tokens of :data:`~node_core.devnet.layout.DEVNET_PEOPLE` present in its
SoftHSM2 (machine subjects such as the grid feed left out), each with its documented PIN
prefilled; on a configured network every token the PKCS#11 module shows except the
authority's block-signing token, which the node unlocks and no person ever logs in to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.cli.operator_agent import agent_command
from app.links.node_link import NodeLink
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.signed_requests import RequestSigner
from node_core.devnet.layout import DEVNET_PEOPLE, person_pin
from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.roster import Role
from node_core.ledger.types import Address
from node_core.signers.agent import AgentSigner

DEVNET_PERSONS = tuple(name for name, role in DEVNET_PEOPLE if role != Role.GRID_FEED)
"""The devnet's people who log in at a console (the grid feed is a machine)."""


class KeyNotOnRoster(GridTokenXError):
    """The token's key is not on this authority's roster."""


@dataclass(frozen=True, slots=True)
class TokenSource:
    """Where the people's tokens are, and which of them a login offers."""

    authority: str
    module: str
    """The PKCS#11 library."""
    softhsm_conf: Path | None = None
    """SoftHSM2's configuration (the devnet's token directory); None for a hardware token."""
    people: tuple[str, ...] = ()
    """Devnet: its persons (offered when present, with their documented PINs); empty: every
    token the module shows."""
    excluded: tuple[str, ...] = ()
    """Tokens never offered: the authority's block-signing token."""

    @property
    def devnet(self) -> bool:
        return bool(self.people)

    def agent_command(self) -> list[str]:
        return agent_command(self.module, self.softhsm_conf)

    def offered(self, present: Sequence[str]) -> list[str]:
        """The tokens to offer among those ``present``."""
        if self.people:
            return [name for name in self.people if name in present]
        return [label for label in present if label not in self.excluded]

    def documented_pin(self, token_label: str) -> str:
        """A devnet person's documented PIN (README); empty anywhere else."""
        return person_pin(token_label) if token_label in self.people else ""


async def present_tokens(source: TokenSource) -> list[str]:
    """The tokens ``source`` offers, as an agent of its PKCS#11 module lists them."""
    def listed() -> list[str]:
        with AgentSigner.start(source.agent_command()) as agent:
            return agent.tokens()
    return source.offered(await asyncio.to_thread(listed))


@dataclass(frozen=True, slots=True)
class OperatorSession:
    """One person logged in at this console (see the module docstring)."""

    name: str
    """Their roster name."""
    role: Role
    token_label: str
    signer: RequestSigner
    """Their key (their agent), bound to the chain and authority of the node."""
    agent: AgentSigner

    @property
    def address(self) -> Address:
        return self.agent.address

    def may(self, method: m.Method[Any, Any]) -> bool:
        """Whether their role may call ``method`` (the node decides; the console follows)."""
        return self.role in method.roles

    def close(self) -> None:
        """Log the token out (the agent ends). Blocking: call it from a worker thread."""
        self.agent.close()


async def log_in(node: NodeLink, source: TokenSource, token_label: str,
                 pin: str) -> OperatorSession:
    """``C_Login`` on ``token_label`` with ``pin`` in a new agent, and the roster member its
    key is; the agent is closed again if any of it fails."""
    agent = await asyncio.to_thread(AgentSigner.start, source.agent_command())
    try:
        # A closure, not arguments: an executor may log what it runs (qasync does, at DEBUG).
        await asyncio.to_thread(lambda: agent.log_in(token_label, pin))
        return await _identified(node, agent, token_label)
    except BaseException:
        await asyncio.to_thread(agent.close)
        raise


async def _identified(node: NodeLink, agent: AgentSigner, token_label: str) -> OperatorSession:
    status = await node.request(m.STATUS, r.NoParams())
    key = bytes(agent.public_key).hex()
    member = next((member for member in await node.request(m.ROSTER, r.NoParams())
                   if member["public_key"] == key), None)
    if member is None:
        raise KeyNotOnRoster(f"the key on token '{token_label}' ({agent.address}) is not on "
                             f"{status['authority']}'s roster; its security administrator "
                             "enrols it (main.py roster add)")
    signer = RequestSigner(agent, status["chain_id"], Address(status["address"]))
    return OperatorSession(member["name"], Role.of(member["role"]), token_label, signer, agent)
