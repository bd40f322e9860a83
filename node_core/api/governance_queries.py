"""The client endpoint's governance methods: list and show proposals as plain data, and
propose or vote — signed by this node's authority key, like every authority action.

A proposal or a vote is signed by the operator who makes it, an ``operator`` or ``supervisor``
on this authority's roster (the endpoint checks it: :mod:`node_core.api.operator_auth`), and
every one — taken or refused, with what was proposed or the proposal and choice, the outcome
and the signed request — goes to the audit trail (:mod:`node_core.control_room.room`)."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.methods import BadRequest, Handler, bind, bind_signed
from node_core.api.operator_auth import Caller
from node_core.api.wire import ClientError
from node_core.ledger.governance import ProposalRecord
from node_core.ledger.keys import verify_signature
from node_core.ledger.transactions import (
    GovernanceProposal,
    GovernanceVote,
    ProposalAction,
    Transaction,
    VoteChoice,
)
from node_core.ledger.types import Address

if TYPE_CHECKING:
    from node_core.api.node_context import AuthorityActions

class GovernanceQueries:
    def __init__(self, node: AuthorityActions) -> None:
        self._node = node

    def handlers(self) -> list[tuple[str, Handler]]:
        return [bind(m.GOV_LIST, self._list), bind(m.GOV_SHOW, self._show),
                bind_signed(m.GOV_PROPOSE, self._propose), bind_signed(m.GOV_VOTE, self._vote)]

    async def _list(self, request: r.NoParams) -> list[ans.ProposalView]:
        proposals = self._node.state.proposals
        return [self.proposal_view(proposals[i]) for i in sorted(proposals, reverse=True)]

    async def _show(self, request: r.ProposalIdRequest) -> ans.ProposalView:
        record = self._node.state.proposals.get(request.id)
        if record is None:
            raise ClientError("UnknownProposal", f"no proposal {request.id}")
        return self.proposal_view(record, verify=True)

    async def _propose(self, request: r.ProposalRequest, caller: Caller) -> ans.Submitted:
        action = _member(ProposalAction, request.action, "action")
        try:
            key = bytes.fromhex(request.authority_public_key)
        except ValueError:
            raise BadRequest("authority_public_key is not hex") from None
        proposal = GovernanceProposal(
            title=request.title, description=request.description, action=action,
            voting_period=request.voting_period, authority_name=request.authority_name,
            authority_public_key=key, authority_address=Address(request.authority_address),
            parameter=request.parameter, value=request.value)
        details: dict[str, Any] = {"action": action.name.lower(), "title": proposal.title,
                                   "voting_period": proposal.voting_period}
        if action in (ProposalAction.ADD_AUTHORITY, ProposalAction.REMOVE_AUTHORITY):
            details["authority"] = proposal.authority_name or proposal.authority_address
        if action is ProposalAction.PARAMETER_CHANGE:
            details.update(parameter=proposal.parameter, value=proposal.value)
        return self._node.control.audited(
            caller, f"proposal '{proposal.title}'",
            lambda _now: submitted(self._node.submit_as_authority(proposal)), details=details,
            outcome=lambda result: f"submitted {result['tx_hash']}")

    async def _vote(self, request: r.VoteRequest, caller: Caller) -> ans.Submitted:
        proposal_id = request.id
        choice = _member(VoteChoice, request.choice, "choice")
        vote = GovernanceVote(proposal_id, choice)
        return self._node.control.audited(
            caller, f"proposal {proposal_id}",
            lambda _now: submitted(self._node.submit_as_authority(vote)),
            details={"proposal": proposal_id, "choice": choice.name.lower()},
            outcome=lambda result: f"submitted {result['tx_hash']}")

    # --- views ------------------------------------------------------------------------------

    def proposal_view(self, record: ProposalRecord, *, verify: bool = False) -> ans.ProposalView:
        state = self._node.state
        names: dict[str, str] = {a.address: a.name for a in state.authorities}
        p = record.proposal
        tally = record.tally()
        return {
            "id": record.proposal_id, "title": p.title, "description": p.description,
            "action": p.action.name.lower(), "proposer": record.proposer,
            "proposer_name": names.get(record.proposer), "created_height": record.created_height,
            "deadline_height": record.deadline_height, "status": record.status.name.lower(),
            "closed_height": record.closed_height or None, "reason": record.reason,
            "electorate": [{"address": a, "name": names.get(a)} for a in record.electorate],
            "quorum": record.quorum,
            "tally": {c.name.lower(): n for c, n in tally.items()},
            "votes": [self._vote_view(voter, choice, tx_hash, names, verify)
                      for voter, choice, tx_hash in record.votes],
            "details": {"authority_name": p.authority_name,
                        "authority_address": p.authority_address or None,
                        "authority_public_key": p.authority_public_key.hex() or None,
                        "parameter": p.parameter or None, "value": p.value},
            "height_now": state.height,
            "block_interval_ms": state.parameters.block_interval_ms,
        }

    def _vote_view(self, voter: Address, choice: VoteChoice, tx_hash: str,
                   names: dict[str, str], verify: bool) -> ans.VoteView:
        view = ans.VoteView(authority=voter, name=names.get(voter),
                            choice=choice.name.lower(), tx_hash=tx_hash)
        if verify:
            view["height"], view["signature_valid"] = self._vote_signature(tx_hash)
        return view

    def _vote_signature(self, tx_hash: str) -> tuple[int | None, bool | None]:
        """The vote transaction's final block, and whether its signature checks out."""
        store = self._node.store
        location = store.transaction_location(tx_hash)
        block = store.block_at(location[0]) if location else None
        if block is None or location is None:
            return None, None
        tx = block.transactions[location[1]]
        valid = tx.hash == tx_hash and verify_signature(tx.sender_public_key, tx.digest,
                                                        tx.signature)
        return location[0], valid


E = TypeVar("E", bound=Enum)


def _member(enum: type[E], text: str, field: str) -> E:
    """The member of ``enum`` named ``text`` (any case); BadRequest names the choices."""
    member = enum.__members__.get(text.upper())
    if member is None:
        choices = ", ".join(name.lower() for name in enum.__members__)
        raise BadRequest(f"{field} must be one of {choices}, not {text!r}")
    return member


def submitted(tx: Transaction) -> ans.Submitted:
    """The answer of a method whose transaction the node signed and submitted."""
    return {"tx_hash": tx.hash, "nonce": tx.nonce}
