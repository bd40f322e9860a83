"""§11 governance: proposals, votes, tally, execution, expiry."""

from __future__ import annotations

from tests.conformance.verifier.encoding import require
from tests.conformance.verifier.state import Proposal, State
from tests.conformance.verifier.transactions import Tx


def propose(state: State, tx: Tx, height: int, where: str) -> None:
    authorities = [a for _, a, _ in state.authorities]
    require(tx.sender in authorities, where, "§11 NotAnAuthority: proposer")
    pid = len(state.proposals) + 1
    state.proposals[pid] = Proposal(pid, tx.sender, height, height + tx.body["period"],
                                    tx.payload, tx.body, authorities)


def vote(state: State, tx: Tx, height: int, where: str) -> None:
    p = state.proposals.get(tx.body["id"])
    require(p is not None, where, "§11 UnknownProposal")
    assert p is not None
    require(p.status == 1 and height <= p.deadline, where, "§11 VotingClosed")
    require(tx.sender in p.electorate, where, "§11 NotAnAuthority: voter not in the electorate")
    require(p.votes.get(tx.sender, (0,))[0] != tx.body["choice"], where, "§11 DuplicateVote")
    p.votes[tx.sender] = (tx.body["choice"], tx.hash)
    tally = [c for c, _ in p.votes.values()]
    n, quorum = len(p.electorate), (2 * len(p.electorate) + 2) // 3
    if tally.count(1) >= quorum:
        execute(state, p, height)
    elif n - tally.count(2) - tally.count(3) < quorum:
        close(p, 3, height, "quorum out of reach")


def execute(state: State, p: Proposal, height: int) -> None:
    b, names = p.body, [n for n, _, _ in state.authorities]
    addresses = [a for _, a, _ in state.authorities]
    if b["action"] == 1:
        if b["name"] in names or b["address"] in addresses:
            return close(p, 3, height, "already an authority")
        state.authorities.append((b["name"], b["address"], b["key"]))
    elif b["action"] == 2:
        if b["address"] not in addresses or len(addresses) == 1:
            return close(p, 3, height, "not an authority, or the last one")
        state.authorities = [a for a in state.authorities if a[1] != b["address"]]
        state.roster = [m for m in state.roster if m.authority != b["address"]]  # §8.3
    elif b["action"] == 3:
        state.parameters[b["parameter"]] = b["value"]
    close(p, 2, height, "passed")


def close(p: Proposal, status: int, height: int, outcome: str) -> None:
    p.status, p.closed, p.outcome = status, height, outcome


def expire(state: State, height: int) -> None:
    """§9: at the end of a block, open proposals past their deadline expire."""
    for p in state.proposals.values():
        if p.status == 1 and p.deadline <= height:
            close(p, 4, height, "deadline passed")
