"""The emergency control desk: select-before-operate and the two-person rule.

Following IEC 61850 select-before-operate (SBO), an emergency action goes through:

1. **select** — an operator selects an action and gets its consequence summary. The
   selection expires ``SELECTION_TIMEOUT_MS`` (30 s) later.
2. **operate** — the same operator deliberately operates it before it expires, and endorses
   the order with their own key (the endorsement goes on the chain).
3. **approve** — critical actions (trading halt, load shedding) also need a *supervisor*,
   another person on their own login and key, to approve and endorse the same order within
   ``APPROVAL_TIMEOUT_MS`` of operate.
4. The node signs the transaction with the authority's HSM key and submits it
   (**submitted**); it becomes **final** in a block, or is **rejected** with the rule broken.

**Cancel** works at any step before submission. Who may call each step is the endpoint
method's roles, checked against the roster before the desk is asked
(:mod:`node_core.api.operator_auth`); the desk checks what only it knows: the step, that the
operator is the one who selected, that the approver is another member, and that each
endorsement signs this order. Every authority checks the endorsements again when the action is
in a block (:mod:`node_core.ledger.emergency_rules`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Final

from node_core.ledger.emergency_rules import SamePersonApproval
from node_core.ledger.endorsements import Endorsement, check_endorsement
from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.transactions import CRITICAL_EMERGENCIES, EmergencyAction, EmergencyKind
from node_core.ledger.types import PublicKey

SELECTION_TIMEOUT_MS: Final = 30_000
APPROVAL_TIMEOUT_MS: Final = 120_000


class EmergencyRefused(GridTokenXError):
    """An emergency request was refused; the subclass names the rule."""


class SelectionExpired(EmergencyRefused):
    """The selection (or the approval window) timed out; select again."""


class WrongStep(EmergencyRefused):
    """The request does not fit the selection's current step (or another operator's)."""


class Step(Enum):
    SELECTED = "selected"
    AWAITING_APPROVAL = "awaiting approval"
    APPROVED = "approved"
    SUBMITTED = "submitted"
    FINAL = "final"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Member:
    """A roster member acting at the desk (from a verified request)."""

    name: str
    public_key: PublicKey


@dataclass(frozen=True, slots=True)
class Selection:
    """One emergency action on its way through the desk."""

    selection_id: int
    action: EmergencyAction
    """With its ``selected_ms`` and, once given, its endorsements."""
    operator: Member
    step: Step = Step.SELECTED
    operated_ms: int = 0
    approver: str = ""
    tx_hash: str = ""
    height: int = 0
    outcome: str = ""

    @property
    def selected_ms(self) -> int:
        return self.action.selected_ms

    @property
    def critical(self) -> bool:
        return self.action.kind in CRITICAL_EMERGENCIES

    def consequence(self) -> str:
        return consequence_of(self.action)

    @property
    def expires_ms(self) -> int | None:
        """When the current step times out (UTC ms); None once nothing can expire."""
        if self.step == Step.SELECTED:
            return self.action.selected_ms + SELECTION_TIMEOUT_MS
        if self.step == Step.AWAITING_APPROVAL:
            return self.operated_ms + APPROVAL_TIMEOUT_MS
        return None


def consequence_of(action: EmergencyAction) -> str:
    """What the action will do, in the words an operator checks before operating."""
    where = "all regions" if action.region == "ALL" else f"region {action.region}"
    if action.kind == EmergencyKind.TRADING_HALT:
        return f"Halts energy trading in {where}: settlements there are rejected until resumed."
    if action.kind == EmergencyKind.TRADING_RESUME:
        return f"Resumes energy trading in {where}."
    if action.kind == EmergencyKind.LOAD_SHED:
        return (f"Orders under-frequency load shedding stage {action.stage} in {where}: "
                f"{action.mw} MW of load disconnected.")
    return (f"Calls demand response in {where}: {action.mw} MW reduction for "
            f"{action.duration_s} s.")


Submit = Callable[[EmergencyAction], str]
"""Signs the final action with the authority key and submits it; returns the tx hash."""
OrderDigest = Callable[[EmergencyAction], bytes]
"""What an endorsement of the action signs (``emergency_digest`` for this chain and
authority)."""


class ControlDesk:
    """The select-before-operate state machine of one authority node."""

    def __init__(self, submit: Submit, order_digest: OrderDigest) -> None:
        self._submit = submit
        self._order_digest = order_digest
        self._ids = itertools.count(1)
        self._selections: dict[int, Selection] = {}
        self._last_selected_ms = -1

    def selections(self, now_ms: int) -> list[Selection]:
        self._expire(now_ms)
        return sorted(self._selections.values(), key=lambda s: -s.selection_id)

    def select(self, operator: Member, action: EmergencyAction, now_ms: int) -> Selection:
        """A new selection, its time strictly after the previous one's: two selections of the
        same action are two orders (an order's endorsement is carried once on the chain)."""
        self._last_selected_ms = max(now_ms, self._last_selected_ms + 1)
        selection = Selection(next(self._ids), replace(action, selected_ms=self._last_selected_ms),
                              operator)
        self._selections[selection.selection_id] = selection
        return selection

    def operate(self, selection_id: int, operator: Member, endorsement: bytes,
                now_ms: int) -> Selection:
        """The selecting operator operates it, endorsing its order."""
        selection = self._live(selection_id, now_ms)
        if selection.step != Step.SELECTED or selection.operator != operator:
            raise WrongStep(f"selection {selection_id} is {selection.step.value} by "
                            f"{selection.operator.name}; only they may operate a selected "
                            "action")
        action = self._endorsed(selection, operator, endorsement, "operated_by")
        operated = replace(selection, action=action, operated_ms=now_ms,
                           step=Step.AWAITING_APPROVAL)
        return self._store(operated if selection.critical else self._submitted(operated))

    def approve(self, selection_id: int, supervisor: Member, endorsement: bytes,
                now_ms: int) -> Selection:
        """Another member (a supervisor: the endpoint checked the role) approves it."""
        selection = self._live(selection_id, now_ms)
        if selection.step != Step.AWAITING_APPROVAL:
            raise WrongStep(f"selection {selection_id} is {selection.step.value}, not "
                            "awaiting approval")
        if (supervisor.name == selection.operator.name
                or bytes(supervisor.public_key) == bytes(selection.operator.public_key)):
            raise SamePersonApproval(f"{supervisor.name} operated selection {selection_id}; "
                                     "the approving supervisor must be another person "
                                     "(two-person rule)")
        action = self._endorsed(selection, supervisor, endorsement, "approved_by")
        approved = replace(selection, action=action, approver=supervisor.name,
                           step=Step.APPROVED)
        return self._store(self._submitted(approved))

    def cancel(self, selection_id: int, member: Member, now_ms: int) -> Selection:
        selection = self._live(selection_id, now_ms)
        if selection.step not in (Step.SELECTED, Step.AWAITING_APPROVAL):
            raise WrongStep(f"selection {selection_id} is already {selection.step.value}")
        return self._store(replace(selection, step=Step.CANCELLED,
                                   outcome=f"cancelled by {member.name}"))

    def _endorsed(self, selection: Selection, member: Member, signature: bytes,
                  field: str) -> EmergencyAction:
        endorsement = Endorsement(member.public_key, signature)
        check_endorsement(endorsement, self._order_digest(selection.action),
                          f"selection {selection.selection_id}: {member.name}")
        if field == "approved_by":
            return replace(selection.action, approved_by=endorsement)
        return replace(selection.action, operated_by=endorsement)

    def record_final(self, tx_hash: str, height: int) -> Selection | None:
        """A submitted action is in a final block."""
        for selection in self._selections.values():
            if selection.tx_hash == tx_hash and selection.step == Step.SUBMITTED:
                return self._store(replace(selection, step=Step.FINAL, height=height,
                                           outcome=f"final in block {height}"))
        return None

    def record_rejected(self, tx_hash: str, reason: str) -> None:
        """A submitted action was dropped by block building (the rule it broke)."""
        for selection in list(self._selections.values()):
            if selection.tx_hash == tx_hash and selection.step == Step.SUBMITTED:
                self._store(replace(selection, step=Step.REJECTED, outcome=reason))

    def _submitted(self, selection: Selection) -> Selection:
        try:
            tx_hash = self._submit(selection.action)
        except GridTokenXError as error:
            return replace(selection, step=Step.REJECTED,
                           outcome=f"{type(error).__name__}: {error}")
        return replace(selection, step=Step.SUBMITTED, tx_hash=tx_hash)

    def _live(self, selection_id: int, now_ms: int) -> Selection:
        self._expire(now_ms)
        selection = self._selections.get(selection_id)
        if selection is None:
            raise WrongStep(f"no selection {selection_id}")
        if selection.step == Step.EXPIRED:
            raise SelectionExpired(f"selection {selection_id} expired; select the action again")
        return selection

    def _expire(self, now_ms: int) -> None:
        for selection in list(self._selections.values()):
            if _expired(selection, now_ms):
                self._store(replace(selection, step=Step.EXPIRED, outcome="timed out"))

    def _store(self, selection: Selection) -> Selection:
        self._selections[selection.selection_id] = selection
        return selection


def _expired(selection: Selection, now_ms: int) -> bool:
    expires = selection.expires_ms
    return expires is not None and now_ms > expires
