"""The incident record: one time-ordered account of a past window for post-incident review.

Pure (no Qt, no I/O, no clock). It merges four sources onto one time axis (UTC ms):

* grid telemetry — the system frequency, ``(time_ms, hz)`` samples (a telemetry store's
  ``read_range`` gives seconds and values; :func:`frequency_samples` converts);
* alarm events — :class:`~node_core.control_room.alarms.AlarmEvent` or its ``to_dict()`` wire form;
* operator actions — audit trail records (``AuditEntry.to_record()``, the ``audit_tail``
  wire form);
* chain events — finalized blocks (``blocks``/``block`` wire form, or :class:`Block` through
  :func:`block_view`), the emergency-action and governance transactions in them, and
  governance proposals that were executed (``gov_list`` wire form).

Ties are broken by source (telemetry-derived grid events, alarms, operator actions, chain),
then by the source's own order (alarm ``seq``, audit ``seq``, block height), so a replay is
deterministic. Titles and details are data (English, like alarm messages), not UI strings;
the view translates the *kind* names.

:class:`ReplayCursor` is the replay arithmetic: a position in ``[start_ms, end_ms]`` moved by
wall-clock time × speed (1×–60×), and which events it has passed.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from node_core.control_room.alarms import AlarmEvent
from node_core.ledger.blocks import Block

MIN_SPEED: Final = 1.0
MAX_SPEED: Final = 60.0
SPEEDS: Final = (1, 2, 5, 10, 30, 60)
"""Replay speeds offered to the operator."""


class EventKind(StrEnum):
    GRID = "grid"
    """A grid event seen in telemetry or the simulator's log (e.g. a generator trip)."""
    ALARM = "alarm"
    OPERATOR = "operator"
    BLOCK = "block"
    EMERGENCY = "emergency"
    GOVERNANCE = "governance"


_SOURCE_ORDER: Final = {EventKind.GRID: 0, EventKind.ALARM: 1, EventKind.OPERATOR: 2,
                        EventKind.EMERGENCY: 3, EventKind.GOVERNANCE: 3, EventKind.BLOCK: 4}
CHAIN_KINDS: Final = frozenset({EventKind.BLOCK, EventKind.EMERGENCY, EventKind.GOVERNANCE})


@dataclass(frozen=True, slots=True)
class IncidentEvent:
    """One thing that happened at one instant."""

    time_ms: int
    """UTC ms since the epoch."""
    kind: EventKind
    title: str
    """Short English description (data, like alarm messages)."""
    detail: str = ""
    priority: str = "info"
    """``critical``/``high``/``medium``/``low`` for alarms and emergencies, else ``info``."""
    order: int = 0
    """The source's own order (alarm seq, audit seq, block height) for ties."""

    def sort_key(self) -> tuple[int, int, int]:
        return (self.time_ms, _SOURCE_ORDER[self.kind], self.order)


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """Everything in ``[start_ms, end_ms]``, events in time order."""

    start_ms: int
    end_ms: int
    frequency: tuple[tuple[int, float], ...] = ()
    """System frequency samples ``(time_ms, Hz)``, time-ordered."""
    events: tuple[IncidentEvent, ...] = ()
    _times: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.end_ms < self.start_ms:
            raise ValueError(f"incident window ends ({self.end_ms}) before it starts "
                             f"({self.start_ms})")
        object.__setattr__(self, "_times", tuple(e.time_ms for e in self.events))

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def of_kind(self, *kinds: EventKind) -> list[IncidentEvent]:
        return [e for e in self.events if e.kind in kinds]

    def passed(self, position_ms: int) -> int:
        """How many events happen at or before ``position_ms``."""
        return bisect.bisect_right(self._times, position_ms)

    def events_until(self, position_ms: int) -> list[IncidentEvent]:
        return list(self.events[:self.passed(position_ms)])

    def frequency_until(self, position_ms: int) -> list[tuple[int, float]]:
        times = [t for t, _ in self.frequency]
        return list(self.frequency[:bisect.bisect_right(times, position_ms)])

    def frequency_extremes(self) -> tuple[float, float] | None:
        """(min, max) Hz in the window, None without samples."""
        if not self.frequency:
            return None
        values = [v for _, v in self.frequency]
        return min(values), max(values)

    def summary(self) -> dict[str, Any]:
        """Counts per kind and the frequency extremes (for the report's first page)."""
        counts = {k.value: 0 for k in EventKind}
        for event in self.events:
            counts[event.kind.value] += 1
        extremes = self.frequency_extremes()
        return {"start_ms": self.start_ms, "end_ms": self.end_ms, "counts": counts,
                "frequency_min_hz": extremes[0] if extremes else None,
                "frequency_max_hz": extremes[1] if extremes else None,
                "frequency_samples": len(self.frequency)}


# ----- sources -> events ------------------------------------------------------------------


def frequency_samples(t_s: Iterable[float], hz: Iterable[float]) -> list[tuple[int, float]]:
    """A store's ``read_range`` arrays (seconds, Hz) as ``(time_ms, Hz)`` pairs."""
    return [(round(float(t) * 1000), float(v)) for t, v in zip(t_s, hz, strict=True)]


def alarm_event(event: AlarmEvent | Mapping[str, Any]) -> IncidentEvent:
    """An alarm state change."""
    d = event.to_dict() if isinstance(event, AlarmEvent) else event
    who = d.get("operator") or "system"
    value = d.get("value")
    detail = f"{d.get('old_state')} → {d.get('new_state')} ({d.get('trigger')}, {who})"
    if value is not None:
        detail += f"; value {value}"
    return IncidentEvent(int(d["time_ms"]), EventKind.ALARM,
                         f"{d['alarm_id']}: {d.get('message', '')}".rstrip(": "), detail,
                         str(d.get("priority", "info")), int(d.get("seq", 0)))


def operator_action(record: Mapping[str, Any]) -> IncidentEvent:
    """An audit trail record (``AuditEntry.to_record()``)."""
    details = record.get("details") or {}
    extra = ""
    if isinstance(details, Mapping) and details:
        extra = "; " + ", ".join(f"{k}={v}" for k, v in sorted(details.items())
                                 if v not in (None, ""))
    refused = str(record.get("outcome", "")).startswith("refused")
    return IncidentEvent(
        int(record["time_ms"]), EventKind.OPERATOR,
        f"{record['operator']} ({record.get('role', '?')}): {record['action']} "
        f"{record.get('target', '')}".rstrip(),
        f"outcome {record.get('outcome', '')}{extra}".rstrip("; "),
        "high" if refused else "info", int(record.get("seq", 0)))


def block_view(block: Block) -> dict[str, Any]:
    """The fields of a block the incident record uses, in the ``block`` wire form."""
    return {"height": block.height, "hash": block.hash, "timestamp": block.header.timestamp,
            "tx_count": len(block.transactions),
            "transactions": [{"hash": tx.hash, "kind": tx.kind.name.lower(),
                              **_emergency_fields(tx.payload)} for tx in block.transactions]}


def _emergency_fields(payload: object) -> dict[str, Any]:
    kind = getattr(payload, "kind", None)
    if kind is None or not hasattr(payload, "region"):
        return {}
    return {"emergency": str(getattr(kind, "name", kind)).lower(),
            "region": getattr(payload, "region", ""), "stage": getattr(payload, "stage", 0),
            "mw": getattr(payload, "mw", 0), "operator": getattr(payload, "operator", "")}


def chain_events(blocks: Iterable[Mapping[str, Any]],
                 proposals: Iterable[Mapping[str, Any]] = ()) -> list[IncidentEvent]:
    """Blocks, their emergency and governance transactions, and executed proposals.

    A block without ``transactions`` (the ``blocks`` summary form) still gives its block
    event; its transactions are known only from the ``block`` detail form.
    """
    out: list[IncidentEvent] = []
    time_of: dict[int, int] = {}
    for b in blocks:
        height, ts = int(b["height"]), int(b["timestamp"])
        time_of[height] = ts
        txs = list(b.get("transactions") or ())
        out.append(IncidentEvent(ts, EventKind.BLOCK, f"block {height} final",
                                 f"{b.get('tx_count', len(txs))} tx, {str(b['hash'])[:16]}…",
                                 "info", height))
        for tx in txs:
            kind = str(tx.get("kind", ""))
            if kind == "emergency_action":
                what = str(tx.get("emergency", "emergency action")).replace("_", " ")
                where = f" {tx['region']}" if tx.get("region") else ""
                stage = f" stage {tx['stage']}" if tx.get("stage") else ""
                mw = f" {tx['mw']} MW" if tx.get("mw") else ""
                out.append(IncidentEvent(ts, EventKind.EMERGENCY,
                                         f"{what}{where}{stage}{mw} on chain",
                                         f"block {height}, tx {str(tx['hash'])[:16]}…",
                                         "critical", height))
            elif kind.startswith("governance_"):
                out.append(IncidentEvent(ts, EventKind.GOVERNANCE,
                                         kind.replace("governance_", "governance ") + " on chain",
                                         f"block {height}, tx {str(tx['hash'])[:16]}…",
                                         "info", height))
    for p in proposals:
        closed = p.get("closed_height")
        if p.get("status") == "executed" and closed is not None and int(closed) in time_of:
            out.append(IncidentEvent(time_of[int(closed)], EventKind.GOVERNANCE,
                                     f"proposal {p['id']} executed: {p.get('title', '')}",
                                     f"{p.get('action', '')}, block {closed}", "info",
                                     int(closed)))
    return out


def grid_event(time_ms: int, title: str, detail: str = "",
               priority: str = "high") -> IncidentEvent:
    """A grid event (e.g. the simulator's ``generator_trip``) known from elsewhere."""
    return IncidentEvent(int(time_ms), EventKind.GRID, title, detail, priority)


def build_incident(start_ms: int, end_ms: int, *,
                   frequency: Sequence[tuple[int, float]] = (),
                   alarms: Iterable[AlarmEvent | Mapping[str, Any]] = (),
                   actions: Iterable[Mapping[str, Any]] = (),
                   blocks: Iterable[Mapping[str, Any]] = (),
                   proposals: Iterable[Mapping[str, Any]] = (),
                   extra: Iterable[IncidentEvent] = ()) -> IncidentRecord:
    """Merge the sources, keep what lies in ``[start_ms, end_ms]``, order by time."""
    events = [alarm_event(a) for a in alarms]
    events += [operator_action(a) for a in actions]
    events += chain_events(blocks, proposals)
    events += list(extra)
    inside = sorted((e for e in events if start_ms <= e.time_ms <= end_ms),
                    key=IncidentEvent.sort_key)
    samples = tuple(sorted((int(t), float(v)) for t, v in frequency if start_ms <= t <= end_ms))
    return IncidentRecord(start_ms, end_ms, samples, tuple(inside))


# ----- replay ------------------------------------------------------------------------------


def clamp_speed(speed: float) -> float:
    return min(MAX_SPEED, max(MIN_SPEED, float(speed)))


@dataclass(slots=True)
class ReplayCursor:
    """Where a replay is: a position in the window, moved by wall time × speed."""

    start_ms: int
    end_ms: int
    speed: float = 1.0
    position_ms: int = 0
    playing: bool = False

    def __post_init__(self) -> None:
        if self.end_ms < self.start_ms:
            raise ValueError("replay window ends before it starts")
        self.speed = clamp_speed(self.speed)
        self.position_ms = min(self.end_ms, max(self.start_ms, self.position_ms or self.start_ms))

    @classmethod
    def over(cls, record: IncidentRecord, speed: float = 1.0) -> ReplayCursor:
        return cls(record.start_ms, record.end_ms, speed, record.start_ms)

    @property
    def at_end(self) -> bool:
        return self.position_ms >= self.end_ms

    @property
    def fraction(self) -> float:
        span = self.end_ms - self.start_ms
        return 1.0 if span == 0 else (self.position_ms - self.start_ms) / span

    def set_speed(self, speed: float) -> None:
        self.speed = clamp_speed(speed)

    def seek(self, position_ms: int) -> None:
        self.position_ms = min(self.end_ms, max(self.start_ms, int(position_ms)))

    def seek_fraction(self, fraction: float) -> None:
        self.seek(self.start_ms + round((self.end_ms - self.start_ms) * fraction))

    def play(self) -> None:
        if self.at_end:
            self.position_ms = self.start_ms
        self.playing = True

    def pause(self) -> None:
        self.playing = False

    def advance(self, wall_elapsed_ms: float) -> int:
        """Move on by ``wall_elapsed_ms`` × speed while playing; stop at the end.

        Returns the new position."""
        if self.playing and wall_elapsed_ms > 0:
            self.seek(self.position_ms + round(wall_elapsed_ms * self.speed))
            if self.at_end:
                self.playing = False
        return self.position_ms

    def remaining_wall_ms(self) -> float:
        """Wall time until the end at the current speed."""
        return (self.end_ms - self.position_ms) / self.speed
