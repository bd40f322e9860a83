"""Plain helpers of the emergency panel: the selection dicts of ``emergency_status`` (see
``node_core.control_room.room.selection_view``) turned into words. No Qt widgets; ``tr`` is the
caller's (so the strings are translated in the panel's context).

The kinds, regions, stages and steps are node_core's own (the ledger's
:class:`~node_core.ledger.transactions.EmergencyKind` and the desk's
:class:`~node_core.control_room.desk.Step`); the deadline of a selection comes in the node's
answer (``expires_ms``): nothing here is a copy of a rule the node decides.

A selection dict: id, kind, region, stage, mw, duration_s, reason, operator, approver,
critical, step, selected_ms, expires_ms, consequence, tx_hash, height, outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from node_core.control_room.desk import Step
from node_core.ledger.transactions import (
    ALL_REGIONS,
    HALT_KINDS,
    MAX_SHED_STAGE,
    EmergencyKind,
)
from node_core.ledger.types import REGIONS

__all__ = ["ALL_REGIONS", "MAX_SHED_STAGE", "REGIONS"]

KINDS: Final = tuple(kind.name.lower() for kind in EmergencyKind)
SELECTED, AWAITING, APPROVED, SUBMITTED, FINAL = (
    Step.SELECTED.value, Step.AWAITING_APPROVAL.value, Step.APPROVED.value,
    Step.SUBMITTED.value, Step.FINAL.value)
REJECTED, CANCELLED, EXPIRED = Step.REJECTED.value, Step.CANCELLED.value, Step.EXPIRED.value
ENDED: Final = frozenset({FINAL, REJECTED, CANCELLED, EXPIRED})
CANCELLABLE: Final = frozenset({SELECTED, AWAITING})

Tr = Callable[[str], str]


def regions_for(kind: str) -> tuple[str, ...]:
    """Regions an action may target: ALL only for a trading halt or resume."""
    halting = kind in {k.name.lower() for k in HALT_KINDS}
    return (ALL_REGIONS, *REGIONS) if halting else REGIONS


def kind_text(kind: str, tr: Tr) -> str:
    return {"trading_halt": tr("Trading halt"), "trading_resume": tr("Trading resume"),
            "load_shed": tr("Load shedding"),
            "demand_response": tr("Demand response")}.get(kind, kind)


def step_text(step: str, tr: Tr) -> str:
    return {SELECTED: tr("selected"), AWAITING: tr("awaiting approval"),
            APPROVED: tr("approved"), SUBMITTED: tr("submitted"), FINAL: tr("final"),
            REJECTED: tr("rejected"), CANCELLED: tr("cancelled"),
            EXPIRED: tr("expired")}.get(step, step)


def detail_text(s: dict[str, Any], tr: Tr) -> str:
    """Stage / MW / duration, as they matter for the kind."""
    kind = s.get("kind")
    if kind == "load_shed":
        return tr("stage {stage} · {mw} MW").format(stage=s.get("stage"), mw=s.get("mw"))
    if kind == "demand_response":
        return tr("{mw} MW · {s} s").format(mw=s.get("mw"), s=s.get("duration_s"))
    return ""


def life_text(s: dict[str, Any], tr: Tr) -> str:
    """The action's life so far: selected → approved → submitted → final in block N."""
    step = str(s.get("step", ""))
    approved = bool(s.get("approver"))
    parts = [tr("selected")]
    if step == AWAITING:
        parts.append(tr("awaiting approval by a supervisor"))
    if approved:
        parts.append(tr("approved by {who}").format(who=s["approver"]))
    if step in (SUBMITTED, FINAL) or (step == REJECTED and s.get("tx_hash")):
        parts.append(tr("submitted"))
    if step == FINAL:
        parts.append(tr("final in block {n}").format(n=s.get("height")))
    elif step == REJECTED:
        parts.append(tr("rejected: {reason}").format(reason=s.get("outcome") or "—"))
    elif step == CANCELLED:
        parts.append(tr("cancelled ({detail})").format(detail=s.get("outcome") or "—"))
    elif step == EXPIRED:
        parts.append(tr("expired"))
    return " → ".join(parts)


def seconds_left(selection: dict[str, Any], now_ms: int) -> float:
    """Seconds before the node expires ``selection`` (its ``expires_ms``; ≤ 0: expired)."""
    return (int(selection["expires_ms"]) - now_ms) / 1000.0
