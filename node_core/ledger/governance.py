"""Governance: proposals and votes of the authorities, their tally and their execution.

Rules (checked in :func:`check_governance`, applied in :func:`apply_governance`):

* Only a current authority may propose; the proposal records the **electorate** — the
  authority set at its creation height — and its deadline ``created + voting_period``.
* Each authority of the electorate votes yes / no / abstain; a later, different vote replaces
  its earlier one; repeating the same vote is refused (:class:`DuplicateVote`). A vote after
  the deadline or on a closed proposal raises :class:`VotingClosed`, a vote
  by an address outside the electorate :class:`NotAnAuthority`.
* **Passing rule**: yes votes >= ceil(2n/3) of the electorate (2 of 3, 3 of 4) — the same
  quorum as finality. Abstentions count as not-yes. There are no ties: a proposal passes
  exactly when its yes votes reach the quorum, and is **rejected** as soon as so many
  authorities voted no or abstained that the quorum is out of reach.
* A proposal passes with its deciding vote and **executes at once** (its ``closed_height`` is
  that block's): the rest of the block's transactions see the new authority set or parameter
  (a later proposal, emergency action or trade of the same block is checked against it), and
  the next block's header checks (proposer, commit signatures, quorum, transaction count) use
  it as their parent state's. A proposal that can no
  longer be applied when it passes (the authority was added meanwhile, removing would leave no
  authority) is closed as rejected with the reason.
* At the end of each block, open proposals whose deadline has passed close as **expired**.

Proposals and votes are part of the state and of ``state_root`` (leaves ``"G" || record``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum

from node_core.ledger.blocks import finality_quorum
from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.exceptions import DecodeError, InvalidTransaction
from node_core.ledger.fields import PROPOSAL_OUTCOME
from node_core.ledger.genesis import AuthorityInfo, ChainParameters
from node_core.ledger.transactions import (
    GovernanceProposal,
    GovernanceVote,
    ProposalAction,
    Transaction,
    VoteChoice,
    read_governance_proposal,
    write_governance_proposal,
)
from node_core.ledger.types import Address, Hash32, PublicKey


class NotAnAuthority(InvalidTransaction):
    """The sender may not propose or vote (not an authority / not in the electorate)."""


class UnknownProposal(InvalidTransaction):
    """No proposal has that id."""


class VotingClosed(InvalidTransaction):
    """The proposal's deadline has passed or it is already decided."""


class DuplicateVote(InvalidTransaction):
    """The voter already cast this very vote (a changed vote is allowed and replaces it)."""


class ProposalStatus(IntEnum):
    OPEN = 1
    EXECUTED = 2
    REJECTED = 3
    EXPIRED = 4


@dataclass(frozen=True, slots=True)
class ProposalRecord:
    """A proposal as the state keeps it."""

    proposal_id: int
    proposer: Address
    created_height: int
    deadline_height: int
    proposal: GovernanceProposal
    electorate: tuple[Address, ...]
    votes: tuple[tuple[Address, VoteChoice, Hash32], ...] = ()
    """(voter, choice, hash of the vote transaction), sorted by voter; one entry per voter."""
    status: ProposalStatus = ProposalStatus.OPEN
    closed_height: int = 0
    reason: str = ""

    def tally(self) -> dict[VoteChoice, int]:
        counts = dict.fromkeys(VoteChoice, 0)
        for _, choice, _ in self.votes:
            counts[choice] += 1
        return counts

    @property
    def quorum(self) -> int:
        return finality_quorum(len(self.electorate))


@dataclass(frozen=True, slots=True)
class GovernanceState:
    """The part of the state governance changes (a working copy during a block)."""

    authorities: tuple[AuthorityInfo, ...]
    parameters: ChainParameters
    proposals: Mapping[int, ProposalRecord]
    next_proposal_id: int


def check_governance(gov: GovernanceState, tx: Transaction, height: int) -> None:
    """Raise the rule a governance transaction breaks against ``gov`` at ``height``."""
    payload = tx.payload
    if isinstance(payload, GovernanceProposal):
        if not any(a.address == tx.sender for a in gov.authorities):
            raise NotAnAuthority(f"tx {tx.hash[:16]}: {tx.sender} is not an authority")
        return
    assert isinstance(payload, GovernanceVote)
    record = gov.proposals.get(payload.proposal_id)
    if record is None:
        raise UnknownProposal(f"tx {tx.hash[:16]}: no proposal {payload.proposal_id}")
    if record.status != ProposalStatus.OPEN or height > record.deadline_height:
        raise VotingClosed(f"tx {tx.hash[:16]}: proposal {payload.proposal_id} closed "
                           f"(deadline {record.deadline_height}, status "
                           f"{record.status.name.lower()})")
    if tx.sender not in record.electorate:
        raise NotAnAuthority(f"tx {tx.hash[:16]}: {tx.sender} may not vote on proposal "
                             f"{payload.proposal_id}")
    if any((voter, choice) == (tx.sender, payload.choice) for voter, choice, _ in record.votes):
        raise DuplicateVote(f"tx {tx.hash[:16]}: {tx.sender} already voted "
                            f"{payload.choice.name.lower()} on proposal {payload.proposal_id}")


def apply_governance(gov: GovernanceState, tx: Transaction, height: int) -> GovernanceState:
    """The governance state after an already-checked proposal or vote."""
    payload = tx.payload
    proposals = dict(gov.proposals)
    if isinstance(payload, GovernanceProposal):
        proposals[gov.next_proposal_id] = ProposalRecord(
            gov.next_proposal_id, tx.sender, height, height + payload.voting_period, payload,
            tuple(a.address for a in gov.authorities))
        return replace(gov, proposals=proposals, next_proposal_id=gov.next_proposal_id + 1)
    assert isinstance(payload, GovernanceVote)
    record = proposals[payload.proposal_id]
    votes = {voter: (choice, tx_hash) for voter, choice, tx_hash in record.votes}
    votes[tx.sender] = (payload.choice, tx.hash)
    proposals[record.proposal_id] = replace(
        record, votes=tuple((v, c, h) for v, (c, h) in sorted(votes.items())))
    return _decide(replace(gov, proposals=proposals), record.proposal_id, height)


def _decide(gov: GovernanceState, proposal_id: int, height: int) -> GovernanceState:
    record = gov.proposals[proposal_id]
    tally = record.tally()
    if tally[VoteChoice.YES] >= record.quorum:
        return _execute(gov, record, height)
    if len(record.electorate) - tally[VoteChoice.NO] - tally[VoteChoice.ABSTAIN] < record.quorum:
        return _close(gov, record, ProposalStatus.REJECTED, height, "quorum out of reach")
    return gov


def _execute(gov: GovernanceState, record: ProposalRecord, height: int) -> GovernanceState:
    p = record.proposal
    names = {a.name for a in gov.authorities}
    addresses = {a.address for a in gov.authorities}
    if p.action == ProposalAction.ADD_AUTHORITY:
        if p.authority_name in names or p.authority_address in addresses:
            return _close(gov, record, ProposalStatus.REJECTED, height, "already an authority")
        added = AuthorityInfo(p.authority_name, p.authority_address,
                              PublicKey(p.authority_public_key))
        gov = replace(gov, authorities=(*gov.authorities, added))
    elif p.action == ProposalAction.REMOVE_AUTHORITY:
        if p.authority_address not in addresses or len(addresses) == 1:
            return _close(gov, record, ProposalStatus.REJECTED, height,
                          "not an authority, or the last one")
        gov = replace(gov, authorities=tuple(a for a in gov.authorities
                                             if a.address != p.authority_address))
    elif p.action == ProposalAction.PARAMETER_CHANGE:
        gov = replace(gov, parameters=replace(gov.parameters, **{p.parameter: p.value}))
    return _close(gov, record, ProposalStatus.EXECUTED, height, "passed")


def _close(gov: GovernanceState, record: ProposalRecord, status: ProposalStatus, height: int,
           reason: str) -> GovernanceState:
    proposals = dict(gov.proposals)
    proposals[record.proposal_id] = replace(record, status=status, closed_height=height,
                                            reason=reason)
    return replace(gov, proposals=proposals)


def expire_proposals(gov: GovernanceState, height: int) -> GovernanceState:
    """Close open proposals whose deadline is before ``height + 1`` (end of block ``height``)."""
    for record in list(gov.proposals.values()):
        if record.status == ProposalStatus.OPEN and record.deadline_height <= height:
            gov = _close(gov, record, ProposalStatus.EXPIRED, height, "deadline passed")
    return gov


def encode_proposal_record(record: ProposalRecord) -> bytes:
    """The canonical encoding of a proposal record (state root leaf body, and the store)."""
    writer = Writer().u8(1).u64(record.proposal_id).address(record.proposer)
    writer.u64(record.created_height).u64(record.deadline_height)
    write_governance_proposal(writer, record.proposal)
    writer.u32(len(record.electorate))
    for address in record.electorate:
        writer.address(address)
    writer.u32(len(record.votes))
    for voter, choice, tx_hash in record.votes:
        writer.address(voter).u8(choice).hash32(tx_hash)
    writer.u8(record.status).u64(record.closed_height).str_(record.reason, PROPOSAL_OUTCOME)
    return bytes(writer)


def decode_proposal_record(data: bytes) -> ProposalRecord:
    """Inverse of :func:`encode_proposal_record`; raises DecodeError."""
    reader = Reader(data)
    reader.version()
    proposal_id, proposer = reader.u64(), Address(reader.address())
    created, deadline = reader.u64(), reader.u64()
    proposal = read_governance_proposal(reader)
    electorate = tuple(Address(reader.address()) for _ in range(reader.count()))
    votes = tuple((Address(reader.address()), _vote_choice(reader.u8()), Hash32(reader.hash32()))
                  for _ in range(reader.count()))
    status = reader.u8()
    if status not in ProposalStatus._value2member_map_:
        raise DecodeError(f"unknown proposal status {status}")
    record = ProposalRecord(proposal_id, proposer, created, deadline, proposal, electorate,
                            votes, ProposalStatus(status), reader.u64(),
                            reader.str_(PROPOSAL_OUTCOME))
    reader.finish()
    return record


def _vote_choice(value: int) -> VoteChoice:
    if value not in VoteChoice._value2member_map_:
        raise DecodeError(f"unknown vote choice {value}")
    return VoteChoice(value)


def proposal_leaf(record: ProposalRecord) -> bytes:
    """``"G" || encoding`` of a proposal record, for the state root."""
    return b"G" + encode_proposal_record(record)


def authorities_before(authorities_after: Sequence[AuthorityInfo],
                       proposals: Mapping[int, ProposalRecord], height: int,
                       genesis_authorities: Sequence[AuthorityInfo]) -> tuple[AuthorityInfo, ...]:
    """The authority set before block ``height`` (what sealed it), from the set after it: an
    authority change executed in that block undone. An authority's key is known from the
    genesis or from the proposal that added it (proposals stay in the state)."""
    known = {a.address: a for a in genesis_authorities}
    known.update({r.proposal.authority_address: AuthorityInfo(
        r.proposal.authority_name, r.proposal.authority_address,
        PublicKey(r.proposal.authority_public_key))
        for r in proposals.values() if r.proposal.action == ProposalAction.ADD_AUTHORITY})
    authorities = list(authorities_after)
    for record in proposals.values():
        if record.status != ProposalStatus.EXECUTED or record.closed_height != height:
            continue
        address = record.proposal.authority_address
        if record.proposal.action == ProposalAction.ADD_AUTHORITY:
            authorities = [a for a in authorities if a.address != address]
        elif record.proposal.action == ProposalAction.REMOVE_AUTHORITY and address in known:
            authorities.append(known[address])
    return tuple(authorities)
