"""Consensus rules of roster changes (the transaction kind ``ROSTER_CHANGE``); the roster itself
and its roles are :mod:`node_core.ledger.roster`."""

from __future__ import annotations

from node_core.ledger.endorsements import check_endorsed_time, check_endorsement
from node_core.ledger.keys import public_key_address
from node_core.ledger.roster import (
    LastSecurityAdmin,
    Role,
    Roster,
    RosterAction,
    RosterMember,
    RosterNameTaken,
    UnknownRosterMember,
    check_member_name,
    members_of,
    require_member,
    sorted_roster,
)
from node_core.ledger.taken_endorsements import TakenEndorsements, check_not_taken
from node_core.ledger.transactions import RosterChange, Transaction, roster_change_digest
from node_core.ledger.types import PublicKey


def check_roster_change(chain_id: str, sender_key: bytes, roster: Roster,
                        taken: TakenEndorsements, tx: Transaction, block_ms: int | None) -> None:
    """The rules of a roster change (module docstring) against ``roster`` and the ``taken``
    endorsements, for a transaction whose sender (an authority, checked by the caller) holds
    ``sender_key``. An authority whose roster has no security administrator yet may add its
    first one on its own key's endorsement (a new authority starts with an empty roster)."""
    change = tx.payload
    assert isinstance(change, RosterChange)
    where = f"tx {tx.hash[:16]}"
    digest = roster_change_digest(chain_id, tx.sender, change)
    own = members_of(roster, tx.sender)
    bootstrap = (change.action == RosterAction.ADD and change.role == Role.SECURITY_ADMIN
                 and not any(m.role == Role.SECURITY_ADMIN for m in own)
                 and bytes(change.requested_by.public_key) == bytes(sender_key))
    if not bootstrap:
        require_member(roster, tx.sender, change.requested_by.public_key,
                       (Role.SECURITY_ADMIN,), f"{where}: roster change requested")
    check_endorsement(change.requested_by, digest, f"{where}: roster change request")
    if block_ms is not None:
        check_endorsed_time(change.requested_ms, block_ms, where)
    check_not_taken(taken, digest, where)
    if change.action == RosterAction.ADD:
        _check_addition(own, change, where)
    else:
        _check_removal(own, change, where)


def _check_addition(own: list[RosterMember], change: RosterChange, where: str) -> None:
    check_member_name(change.name, f"{where}: added")
    address = public_key_address(change.public_key)
    if any(m.name == change.name or m.address == address for m in own):
        raise RosterNameTaken(f"{where}: the roster already has {change.name!r} or that key")


def _check_removal(own: list[RosterMember], change: RosterChange, where: str) -> None:
    member = next((m for m in own if m.name == change.name), None)
    if member is None or member.role != change.role:
        raise UnknownRosterMember(f"{where}: no {change.role.text} {change.name!r} on the "
                                  "roster")
    admins = [m for m in own if m.role == Role.SECURITY_ADMIN]
    if member.role == Role.SECURITY_ADMIN and len(admins) == 1:
        raise LastSecurityAdmin(f"{where}: {change.name} is the last security administrator")


def roster_after(roster: Roster, tx: Transaction) -> Roster:
    """The roster after an already-checked roster change of ``tx.sender``."""
    change = tx.payload
    assert isinstance(change, RosterChange)
    if change.action == RosterAction.REMOVE:
        return tuple(m for m in roster
                     if not (m.authority == tx.sender and m.name == change.name))
    added = RosterMember(tx.sender, change.name, change.role, PublicKey(change.public_key))
    return sorted_roster((*roster, added))
