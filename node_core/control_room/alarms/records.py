"""The alarm engine's records: priorities, areas, inputs, alarm snapshots and events.

All frozen and slotted. ``to_dict`` gives the plain-dict shapes the console's views receive
(JSON-ready: strings, ints, floats, None, bools).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from node_core.api.answers import AlarmEventView, AlarmView
from node_core.control_room.alarms.states import AlarmState, Trigger

SYSTEM: Final = "system"
"""The ``operator`` of a change the engine made by itself (process, timer, design)."""


class Priority(StrEnum):
    """ISA-18.2 alarm priority."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


PRIORITY_RANK: Final[Mapping[Priority, int]] = MappingProxyType(
    {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3})
"""0 = most severe, for sorting."""


@dataclass(frozen=True, slots=True)
class AlarmArea:
    """Where an alarm is: the owning authority and, for grid alarms, the substation."""

    region: str
    """``EGAT``, ``MEA`` or ``PEA`` (node-health alarms: this node's or the peer's
    authority; empty when not known)."""
    substation: str | None = None
    """Substation id (``EGAT-BSI-500``) for voltage alarms; None for system-wide ones."""


@dataclass(frozen=True, slots=True)
class AlarmInputs:
    """One evaluation's observations. ``None`` / a missing key means "no new reading": the
    alarm keeps its condition (a dead feed is not a return to normal)."""

    frequency_hz: float | None = None
    """System frequency, Hz."""
    voltages: Mapping[str, tuple[float, float, str]] = field(default_factory=dict)
    """``{substation_id: (kv, nominal_kv, region)}``."""
    consensus_health: float | None = None
    """Share 0..1 of expected commit signatures over the recent blocks."""
    peers: Mapping[str, bool] = field(default_factory=dict)
    """``{authority name: connected}`` for every peer authority."""
    hsm_present: bool | None = None
    """Whether the PKCS#11 signing token is present."""
    last_final_ms: int | None = None
    """UTC ms when the newest block became final."""
    block_interval_ms: int | None = None
    """The chain's block interval, ms."""
    authority: str = ""
    """This node's authority (``EGAT``...): the area of the node-health alarms."""


@dataclass(frozen=True, slots=True)
class Shelf:
    """Why, by whom and until when an alarm is shelved."""

    reason: str
    operator: str
    shelved_ms: int
    """UTC ms when it was shelved."""
    until_ms: int
    """UTC ms when the shelving expires."""


@dataclass(frozen=True, slots=True)
class OutOfService:
    """Why and by whom an alarm was taken out of service."""

    reason: str
    operator: str
    since_ms: int


@dataclass(frozen=True, slots=True)
class Alarm:
    """A snapshot of one alarm point."""

    alarm_id: str
    """Stable id: ``frequency.high``, ``voltage.EGAT-BSI-500.critical``, ``peer.MEA``..."""
    kind: str
    """``frequency``, ``voltage``, ``consensus``, ``peer``, ``hsm``, ``finality``,
    ``external``."""
    priority: Priority
    area: AlarmArea
    state: AlarmState
    active: bool
    """The process condition after deadband and delays (also while shelved etc.)."""
    value: float | None
    """The last observed value (Hz, kV, health, block intervals; None for yes/no ones)."""
    message: str
    """English description of the last observation (data, not a UI string)."""
    since_ms: int
    """UTC ms of the last state change."""
    active_since_ms: int | None
    """UTC ms when the condition last became active; None while it is not active."""
    shelf: Shelf | None
    out_of_service: OutOfService | None

    def to_dict(self) -> AlarmView:
        """The alarm as plain data (:class:`node_core.api.answers.AlarmView`)."""
        shelf, oos = self.shelf, self.out_of_service
        return {
            "alarm_id": self.alarm_id, "kind": self.kind, "priority": str(self.priority),
            "region": self.area.region, "substation": self.area.substation,
            "state": str(self.state), "active": self.active, "value": self.value,
            "message": self.message, "since_ms": self.since_ms,
            "active_since_ms": self.active_since_ms,
            "shelved_by": shelf.operator if shelf else None,
            "shelve_reason": shelf.reason if shelf else None,
            "shelved_until_ms": shelf.until_ms if shelf else None,
            "out_of_service_by": oos.operator if oos else None,
            "out_of_service_reason": oos.reason if oos else None,
        }


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """One state change of one alarm point (the sequence-of-events record)."""

    seq: int
    """1, 2, 3... per engine, without gaps: a gap means an event was lost."""
    time_ms: int
    """UTC ms of the change."""
    alarm_id: str
    kind: str
    priority: Priority
    area: AlarmArea
    old_state: AlarmState
    new_state: AlarmState
    trigger: Trigger
    value: float | None
    """The alarm's value at the change."""
    operator: str
    """Who: an operator name, or :data:`SYSTEM`."""
    message: str
    reason: str | None = None
    """Shelving / out-of-service reason."""
    until_ms: int | None = None
    """Shelving expiry (UTC ms) when ``new_state`` is shelved."""

    def to_dict(self) -> AlarmEventView:
        """The event as plain data (:class:`node_core.api.answers.AlarmEventView`)."""
        return {
            "seq": self.seq, "time_ms": self.time_ms, "alarm_id": self.alarm_id,
            "kind": self.kind, "priority": str(self.priority), "region": self.area.region,
            "substation": self.area.substation, "old_state": str(self.old_state),
            "new_state": str(self.new_state), "trigger": str(self.trigger),
            "value": self.value, "operator": self.operator, "message": self.message,
            "reason": self.reason, "until_ms": self.until_ms,
        }
