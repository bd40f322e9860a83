"""The roster methods: read this authority's roster, and change it at the request of its
security administrator (signed by the node's authority key, endorsed by theirs, checked by
every authority: :mod:`node_core.ledger.roster_rules`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.governance_queries import submitted
from node_core.api.methods import BadRequest, Handler, bind, bind_signed
from node_core.api.operator_auth import Caller
from node_core.ledger.endorsements import Endorsement
from node_core.ledger.keys import SIGNATURE_SIZE
from node_core.ledger.roster import Role, RosterAction, members_of
from node_core.ledger.transactions import RosterChange

if TYPE_CHECKING:
    from node_core.api.node_context import AuthorityActions


class RosterRequests:
    """The handlers of ``roster`` and ``roster_change``."""

    def __init__(self, node: AuthorityActions) -> None:
        self._node = node

    def handlers(self) -> list[tuple[str, Handler]]:
        return [bind(m.ROSTER, self._roster), bind_signed(m.ROSTER_CHANGE, self._change)]

    async def _roster(self, request: r.NoParams) -> list[ans.RosterMemberView]:
        node = self._node
        return [{"name": member.name, "role": member.role.text, "address": member.address,
                 "public_key": bytes(member.public_key).hex()}
                for member in members_of(node.state.roster, node.signer.address)]

    async def _change(self, request: r.RosterChangeRequest, caller: Caller) -> ans.Submitted:
        change = roster_change_of(request, caller)
        return self._node.control.audited(
            caller, f"{change.action.name.lower()} {change.name}",
            lambda _now: submitted(self._node.submit_as_authority(change)),
            details={"role": change.role.text, "public_key": request.public_key},
            outcome=lambda result: f"submitted {result['tx_hash']}")


def roster_change_of(request: r.RosterChangeRequest, caller: Caller) -> RosterChange:
    """The change a request asks for, endorsed by the calling security administrator."""
    try:
        action = RosterAction[request.action.upper()]
        role = Role.of(request.role)
        key, signature = bytes.fromhex(request.public_key), bytes.fromhex(request.endorsement)
    except (KeyError, ValueError) as error:
        raise BadRequest(f"roster_change: {error}") from None
    if len(signature) != SIGNATURE_SIZE:
        raise BadRequest(f"an endorsement is a {SIGNATURE_SIZE}-byte signature")
    return RosterChange(action, request.name, role, key, request.requested_ms,
                        Endorsement(caller.public_key, signature))
