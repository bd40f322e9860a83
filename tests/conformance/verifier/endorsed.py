"""§12 emergency actions and roster changes: endorsements checked against the issuing
authority's roster and the taken endorsements (§12.1, §8.4), the two-person rule (§12.2), the
roster rules (§12.3)."""

from __future__ import annotations

from tests.conformance.verifier.encoding import (
    Endorsement,
    endorsement_digest,
    require,
    verifies,
)
from tests.conformance.verifier.state import ROLES, Member, State, blank
from tests.conformance.verifier.transactions import Tx

OPERATOR, SUPERVISOR, SECURITY_ADMIN = (ROLES[r] for r in ("operator", "supervisor",
                                                           "security_admin"))
CRITICAL = (1, 3)
"""TRADING_HALT and LOAD_SHED (§4.5)."""
VALIDITY_MS = 600000


def member(state: State, authority: str, endorsement: Endorsement, roles: set[int],
           where: str, rule: str) -> Member:
    """§12.1: the member of ``authority``'s roster holding the endorsement's key, with one of
    ``roles``."""
    found = next((m for m in state.roster
                  if m.authority == authority and m.key == endorsement[0]), None)
    require(found is not None and found.role in roles, where, f"{rule} NotOnRoster")
    assert found is not None
    return found


def signed(endorsement: Endorsement, digest: bytes, where: str, rule: str) -> None:
    require(verifies(endorsement[0], digest, endorsement[1]), where,
            f"{rule} BadEndorsement: does not verify")


def fresh(asked_ms: int, block_ms: int, where: str, rule: str) -> None:
    require(asked_ms <= block_ms and block_ms - asked_ms <= VALIDITY_MS, where,
            f"{rule} BadEndorsement: not fresh")


def unused(state: State, digest: bytes, asked_ms: int, where: str, rule: str) -> None:
    """§12.1 and §8.4: the digest is not taken; then it is (a rule broken after this one
    ends the replay)."""
    require(digest not in state.taken, where, f"{rule} EndorsementReused")
    state.taken[digest] = asked_ms


def forget_stale(state: State, block_ms: int) -> None:
    """§9 end of block, §8.4: drop what no later block could carry fresh."""
    state.taken = {d: t for d, t in state.taken.items() if block_ms - t <= VALIDITY_MS}


def sender_is_authority(state: State, tx: Tx, where: str, rule: str) -> None:
    require(any(a == tx.sender for _, a, _ in state.authorities), where,
            f"{rule} NotAnAuthority")


def emergency(state: State, tx: Tx, block_ms: int, where: str) -> tuple[str, str | None]:
    """§12.2, in its order, then the effect on the halted regions; who operated it and who
    approved it (None: not critical), by their roster names."""
    b = tx.body
    sender_is_authority(state, tx, where, "§12.2.1")
    digest = endorsement_digest(b"GTX/emergency", state.chain_id, tx.sender, b["order"])
    operator = member(state, tx.sender, b["operated_by"], {OPERATOR, SUPERVISOR}, where,
                      "§12.2.2 operator:")
    signed(b["operated_by"], digest, where, "§12.2.3 operation:")
    fresh(b["selected_ms"], block_ms, where, "§12.2.4")
    unused(state, digest, b["selected_ms"], where, "§12.2.5")
    approver = None
    if b["kind"] in CRITICAL:
        approver = member(state, tx.sender, b["approved_by"], {SUPERVISOR}, where,
                          "§12.2.6 approver:")
        require(approver.name != operator.name and approver.key != operator.key, where,
                "§12.2.7 SamePersonApproval")
        signed(b["approved_by"], digest, where, "§12.2.8 approval:")
    if b["kind"] == 1:
        state.halted.add(b["region"])
    elif b["kind"] == 2:
        state.halted = set() if b["region"] == "ALL" else state.halted - {b["region"]}
    return operator.name, approver.name if approver else None


def roster_change(state: State, tx: Tx, block_ms: int, where: str) -> None:
    """§12.3, in its order, then the change of the sender's roster."""
    b = tx.body
    sender_is_authority(state, tx, where, "§12.3.1")
    own = [m for m in state.roster if m.authority == tx.sender]
    requester = b["requested_by"]
    bootstrap = (b["action"] == 1 and b["role"] == SECURITY_ADMIN and requester[0] == tx.key
                 and not any(m.role == SECURITY_ADMIN for m in own))
    if not bootstrap:
        member(state, tx.sender, requester, {SECURITY_ADMIN}, where, "§12.3.2 requester:")
    digest = endorsement_digest(b"GTX/roster", state.chain_id, tx.sender, b["body"])
    signed(requester, digest, where, "§12.3.3 request:")
    fresh(b["requested_ms"], block_ms, where, "§12.3.4")
    unused(state, digest, b["requested_ms"], where, "§12.3.5")
    if b["action"] == 1:
        require(not blank(b["name"]), where, "§12.3.6 BlankMemberName")
        require(not any(m.name == b["name"] or m.key == b["key"] for m in own), where,
                "§12.3.7 RosterNameTaken")
        state.set_roster([*state.roster, Member(tx.sender, b["name"], b["role"], b["key"])])
        return
    removed = next((m for m in own if m.name == b["name"]), None)
    require(removed is not None and removed.role == b["role"], where,
            "§12.3.8 UnknownRosterMember")
    admins = [m for m in own if m.role == SECURITY_ADMIN]
    require(b["role"] != SECURITY_ADMIN or len(admins) > 1, where, "§12.3.9 LastSecurityAdmin")
    state.roster = [m for m in state.roster if m != removed]
