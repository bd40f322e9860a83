"""Consensus rules of emergency actions (the transaction kind ``EMERGENCY_ACTION``).

* Only an authority may sign one (its HSM key, after the select-before-operate flow of
  :mod:`node_core.control_room.desk`).
* **Who ordered it is on the chain.** The action carries the endorsement of the operator who
  operated it — an ``operator`` or ``supervisor`` on the issuing authority's roster — and, for a
  critical action (trading halt, load shedding), of the ``supervisor`` who approved it, who must
  be another member than the operator (the two-person rule). Both sign the same order
  (:func:`node_core.ledger.transactions.emergency_digest`: the chain, the authority, the action
  and the time it was selected), and the endorsements must be fresh
  (:mod:`node_core.ledger.endorsements`) and the order not carried before
  (:mod:`node_core.ledger.taken_endorsements`: one approval, one load shed). Every authority
  checks this before it prepares or applies a block, so an auditor can prove from the chain
  alone who ordered and who approved each load shed.
* ``TRADING_HALT`` adds the region (or ``"ALL"``) to the halted set in the state;
  ``TRADING_RESUME`` removes it (resuming ``"ALL"`` clears every halt; resuming one region
  while ``"ALL"`` is halted leaves trading halted there). While a region is halted, block
  validation rejects energy-trade settlements in it (``TradingHalted``).
* ``LOAD_SHED`` and ``DEMAND_RESPONSE`` change no ledger state: the final transaction is the
  signed, ordered, audited order that the grid side executes.
"""

from __future__ import annotations

from collections.abc import Sequence

from node_core.ledger.endorsements import check_endorsed_time, check_endorsement
from node_core.ledger.exceptions import InvalidTransaction
from node_core.ledger.genesis import AuthorityInfo
from node_core.ledger.governance import NotAnAuthority
from node_core.ledger.roster import Role, Roster, require_member
from node_core.ledger.taken_endorsements import TakenEndorsements, check_not_taken
from node_core.ledger.transactions import (
    ALL_REGIONS,
    CRITICAL_EMERGENCIES,
    EmergencyAction,
    EmergencyKind,
    Transaction,
    emergency_digest,
)

OPERATING_ROLES = (Role.OPERATOR, Role.SUPERVISOR)
APPROVING_ROLES = (Role.SUPERVISOR,)


class SamePersonApproval(InvalidTransaction):
    """A critical action was approved by the member who operated it (two-person rule)."""


def check_authority_sender(authorities: Sequence[AuthorityInfo], tx: Transaction,
                           what: str) -> None:
    if not any(a.address == tx.sender for a in authorities):
        raise NotAnAuthority(f"tx {tx.hash[:16]}: {what} are signed by an authority; "
                             f"{tx.sender} is not one")


def check_emergency_action(chain_id: str, authorities: Sequence[AuthorityInfo],
                           roster: Roster, taken: TakenEndorsements, tx: Transaction,
                           block_ms: int | None) -> None:
    """The sender is an authority; the operator's (and for a critical action the approving
    supervisor's) endorsement is by the right members of its roster, verifies and is fresh
    (``block_ms`` None: no block yet, freshness is checked when one carries it); the order is
    not ``taken``."""
    action = tx.payload
    assert isinstance(action, EmergencyAction)
    check_authority_sender(authorities, tx, "emergency actions")
    where = f"tx {tx.hash[:16]}"
    digest = emergency_digest(chain_id, tx.sender, action)
    operator = require_member(roster, tx.sender, action.operated_by.public_key,
                              OPERATING_ROLES, f"{where}: operated")
    check_endorsement(action.operated_by, digest, f"{where}: {operator.name}'s operation")
    if block_ms is not None:
        check_endorsed_time(action.selected_ms, block_ms, where)
    check_not_taken(taken, digest, where)
    if action.kind not in CRITICAL_EMERGENCIES:
        return
    approver = require_member(roster, tx.sender, action.approved_by.public_key,
                              APPROVING_ROLES, f"{where}: approved")
    if approver.name == operator.name or approver.address == operator.address:
        raise SamePersonApproval(f"{where}: {operator.name} operated and approved it; a "
                                 "critical action needs a second person's approval")
    check_endorsement(action.approved_by, digest, f"{where}: {approver.name}'s approval")


def halted_after(halted: frozenset[str], action: EmergencyAction) -> frozenset[str]:
    if action.kind == EmergencyKind.TRADING_HALT:
        return halted | {action.region}
    if action.kind == EmergencyKind.TRADING_RESUME:
        return frozenset() if action.region == ALL_REGIONS else halted - {action.region}
    return halted
