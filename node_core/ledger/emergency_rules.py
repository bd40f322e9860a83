"""Consensus rules of emergency actions (the transaction kind ``EMERGENCY_ACTION``).

* Only an authority may sign one (its HSM key, after the select-before-operate flow of
  :mod:`node_core.control_room.desk`); the two-person rule of critical actions is recorded on chain
  (``operator`` and a different ``approver``, checked in ``check_emergency_fields``).
* ``TRADING_HALT`` adds the region (or ``"ALL"``) to the halted set in the state;
  ``TRADING_RESUME`` removes it (resuming ``"ALL"`` clears every halt; resuming one region
  while ``"ALL"`` is halted leaves trading halted there). While a region is halted, block
  validation rejects energy-trade settlements in it (``TradingHalted``).
* ``LOAD_SHED`` and ``DEMAND_RESPONSE`` change no ledger state: the final transaction is the
  signed, ordered, audited order that the grid side executes.
"""

from __future__ import annotations

from collections.abc import Sequence

from node_core.ledger.genesis import AuthorityInfo
from node_core.ledger.governance import NotAnAuthority
from node_core.ledger.transactions import ALL_REGIONS, EmergencyAction, EmergencyKind, Transaction


def check_emergency_sender(authorities: Sequence[AuthorityInfo], tx: Transaction) -> None:
    if not any(a.address == tx.sender for a in authorities):
        raise NotAnAuthority(f"tx {tx.hash[:16]}: emergency actions are signed by an "
                             f"authority; {tx.sender} is not one")


def halted_after(halted: frozenset[str], action: EmergencyAction) -> frozenset[str]:
    if action.kind == EmergencyKind.TRADING_HALT:
        return halted | {action.region}
    if action.kind == EmergencyKind.TRADING_RESUME:
        return frozenset() if action.region == ALL_REGIONS else halted - {action.region}
    return halted
