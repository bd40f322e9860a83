"""Plain helpers of the emergency panel: the selection dicts of ``emergency_status`` (see
``node_core.control_room.room.selection_view``) turned into words. No Qt widgets; ``tr`` is the
caller's (so the strings are translated in the panel's context).

A selection dict: id, kind, region, stage, mw, duration_s, reason, operator, approver,
critical, step (selected, awaiting approval, approved, submitted, final, rejected, cancelled,
expired), selected_ms, consequence, tx_hash, height, outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

KINDS: Final = ("trading_halt", "trading_resume", "load_shed", "demand_response")
CRITICAL_KINDS: Final = frozenset({"trading_halt", "load_shed"})
"""Need a supervisor's approval (two-person rule); mirrors node_core, which decides."""
REGIONS: Final = ("EGAT", "MEA", "PEA")
ALL_REGIONS: Final = "ALL"
MAX_SHED_STAGE: Final = 5
SELECTION_TIMEOUT_S: Final = 30
"""The node expires a selection 30 s after it was made (it decides; this only counts down)."""

SELECTED, AWAITING, APPROVED, SUBMITTED, FINAL = (
    "selected", "awaiting approval", "approved", "submitted", "final")
REJECTED, CANCELLED, EXPIRED = "rejected", "cancelled", "expired"
ENDED: Final = frozenset({FINAL, REJECTED, CANCELLED, EXPIRED})
CANCELLABLE: Final = frozenset({SELECTED, AWAITING})

Tr = Callable[[str], str]


def regions_for(kind: str) -> tuple[str, ...]:
    """Regions an action may target: ALL only for a trading halt or resume."""
    return ((ALL_REGIONS, *REGIONS) if kind in ("trading_halt", "trading_resume")
            else REGIONS)


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


def seconds_left(selected_ms: int, now_ms: int) -> float:
    """Seconds before a selection made at ``selected_ms`` expires (≤ 0: expired)."""
    return (selected_ms + SELECTION_TIMEOUT_S * 1000 - now_ms) / 1000.0
