"""AlarmEngine: ISA-18.2 alarm points driven by rule observations, timers and operators.

Pure and deterministic: no I/O, no clock; every call takes ``now_ms`` (UTC ms). Each call
returns the :class:`AlarmEvent` list it produced, in order, and hands each event to the sink;
the engine also keeps a bounded history (:meth:`AlarmEngine.events`). Events carry ``seq``
1, 2, 3... so a consumer detects a lost one; :func:`node_core.control_room.alarms.replay.replay`
rebuilds
every alarm's state from the events alone.

One alarm point goes through the states of :mod:`node_core.control_room.alarms.states`:

* the process moves it (*alarm* / *clear*) once its raw condition (margin and deadband) has
  held for the on-delay / off-delay. Delays are checked on :meth:`AlarmEngine.evaluate` and
  :meth:`AlarmEngine.tick`; call ``tick`` at least every 250 ms (``next_due_ms`` says when
  something is due) so a change is stamped with a time no later than that;
* operators acknowledge, shelve (reason, duration), unshelve, remove from and return to
  service; an action the table does not allow raises :class:`IllegalTransition` and changes
  nothing;
* a shelving expires on the first ``tick``/``evaluate`` at or after its end;
* the design suppresses a lower level of a group (frequency high) while a higher level
  (frequency critical) that is in service is active.

Leaving shelved / suppressed / out-of-service goes to the current process state: suppressed
if still suppressed, else unacknowledged-active if the condition is active, else normal.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Protocol

from node_core.control_room.alarms.errors import (
    AlarmIdConflict,
    EventHistoryTruncated,
    InvalidShelveDuration,
    MissingOperator,
    MissingReason,
    UnknownAlarm,
)
from node_core.control_room.alarms.records import (
    SYSTEM,
    Alarm,
    AlarmArea,
    AlarmEvent,
    AlarmInputs,
    OutOfService,
    Priority,
    Shelf,
)
from node_core.control_room.alarms.rules import PointSpec, condition, external_spec, observe
from node_core.control_room.alarms.states import ACKNOWLEDGED, AlarmState, Trigger, check_transition
from node_core.control_room.alarms.thresholds import AlarmThresholds

DEFAULT_HISTORY: Final = 100_000
"""Events kept for :meth:`AlarmEngine.events` (about 100 minutes of a 1,000/min flood)."""

S = AlarmState


class AlarmEventSink(Protocol):
    """Receives every event as it happens (the app installs one that emits a Qt signal)."""

    def on_alarm_event(self, event: AlarmEvent) -> None: ...


class NullSink:
    """The default sink: ignores events."""

    def on_alarm_event(self, event: AlarmEvent) -> None:
        return None


@dataclass(slots=True)
class _Point:
    """The engine's mutable record of one alarm point."""

    spec: PointSpec
    since_ms: int
    state: AlarmState = S.NORMAL
    raw: bool = False
    """Condition after the deadband, before the delays."""
    active: bool = False
    """Condition after the delays: the process state."""
    pending_since: int | None = None
    """When ``raw`` last started to differ from ``active``."""
    value: float | None = None
    message: str = ""
    active_since_ms: int | None = None
    shelf: Shelf | None = None
    out_of_service: OutOfService | None = None
    lower: list[_Point] = field(default_factory=list)
    """Lower levels of the same group (suppressed while this one is active)."""
    higher: list[_Point] = field(default_factory=list)

    def snapshot(self) -> Alarm:
        return Alarm(self.spec.alarm_id, self.spec.kind, self.spec.priority, self.spec.area,
                     self.state, self.active, self.value, self.message, self.since_ms,
                     self.active_since_ms, self.shelf, self.out_of_service)


class AlarmEngine:
    """The alarm points of one node and the event log of their state changes."""

    def __init__(self, thresholds: AlarmThresholds | None = None, *,
                 sink: AlarmEventSink | None = None, history: int = DEFAULT_HISTORY) -> None:
        self._thresholds = thresholds or AlarmThresholds()
        self._sink: AlarmEventSink = sink if sink is not None else NullSink()
        self._points: dict[str, _Point] = {}
        self._groups: dict[str, list[_Point]] = {}
        self._pending: set[str] = set()
        self._shelved: set[str] = set()
        self._history: deque[AlarmEvent] = deque(maxlen=history)
        self._seq = 0
        self._out: list[AlarmEvent] = []

    # ----- configuration --------------------------------------------------------------------

    @property
    def thresholds(self) -> AlarmThresholds:
        return self._thresholds

    def set_thresholds(self, thresholds: AlarmThresholds) -> None:
        """Use new limits from the next :meth:`evaluate` on (e.g. after a governance vote)."""
        self._thresholds = thresholds

    # ----- process --------------------------------------------------------------------------

    def evaluate(self, inputs: AlarmInputs, now_ms: int) -> list[AlarmEvent]:
        """Apply one set of observations at ``now_ms``, then run due timers (:meth:`tick`)."""
        for obs in observe(inputs, self._thresholds, now_ms):
            point = self._point(obs.spec, now_ms)
            point.value, point.message = obs.value, obs.message
            self._set_raw(point, condition(obs.margin, obs.spec.filter.deadband, point.raw),
                          now_ms)
        return self.tick(now_ms)

    def tick(self, now_ms: int) -> list[AlarmEvent]:
        """Activate / clear conditions whose delay has passed; expire shelvings."""
        touched = [p for p in (self._points[i] for i in sorted(self._pending))
                   if self._mature(p, now_ms)]
        for point in touched:
            self._settle_with_group(point, now_ms)
        for alarm_id in sorted(self._shelved):
            point = self._points[alarm_id]
            if point.shelf is not None and point.shelf.until_ms <= now_ms:
                self._release(point, Trigger.SHELVE_EXPIRED, now_ms, SYSTEM)
        return self._flush()

    def next_due_ms(self) -> int | None:
        """Earliest time a pending delay or a shelving ends (None: nothing pending)."""
        due = [p.pending_since + self._delay(p) for p in map(self._points.get, self._pending)
               if p is not None and p.pending_since is not None]
        due += [s.until_ms for s in (self._points[i].shelf for i in self._shelved) if s]
        return min(due, default=None)

    def raise_external(self, alarm_id: str, priority: Priority, area: AlarmArea | str,
                       message: str, now_ms: int, value: float | None = None
                       ) -> list[AlarmEvent]:
        """Activate an alarm point fed from outside the rules (no deadband or delay)."""
        area = area if isinstance(area, AlarmArea) else AlarmArea(area)
        spec = external_spec(alarm_id, Priority(priority), area)
        point = self._points.get(alarm_id)
        if point is not None and point.spec.kind != "external":
            raise AlarmIdConflict(f"alarm {alarm_id} is a {point.spec.kind} rule alarm")
        point = self._point(spec, now_ms)
        point.spec, point.value, point.message = spec, value, message
        return self._force(point, True, now_ms)

    def clear_external(self, alarm_id: str, now_ms: int, message: str | None = None
                       ) -> list[AlarmEvent]:
        """The outside source reports the condition gone."""
        point = self._get(alarm_id)
        if point.spec.kind != "external":
            raise AlarmIdConflict(f"alarm {alarm_id} is a {point.spec.kind} rule alarm")
        if message is not None:
            point.message = message
        return self._force(point, False, now_ms)

    # ----- operator actions -----------------------------------------------------------------

    def acknowledge(self, alarm_id: str, operator: str, now_ms: int) -> list[AlarmEvent]:
        """Unacknowledged-active → acknowledged-active; returned-unacknowledged → normal."""
        _need_operator(operator)
        point = self._get(alarm_id)
        target = ACKNOWLEDGED.get(point.state)
        self._move(point, target, Trigger.ACKNOWLEDGE, now_ms, operator)
        return self._flush()

    def acknowledge_all(self, alarm_ids: Iterable[str], operator: str, now_ms: int
                        ) -> list[AlarmEvent]:
        """Acknowledge those of ``alarm_ids`` that are unacknowledged; skip the others.

        Unknown ids raise :class:`UnknownAlarm` before anything changes.
        """
        _need_operator(operator)
        points = [self._get(alarm_id) for alarm_id in alarm_ids]
        for point in points:
            target = ACKNOWLEDGED.get(point.state)
            if target is not None:
                self._move(point, target, Trigger.ACKNOWLEDGE, now_ms, operator)
        return self._flush()

    def shelve(self, alarm_id: str, operator: str, reason: str, duration_ms: int,
               now_ms: int) -> list[AlarmEvent]:
        """Shelve for ``duration_ms`` (1 .. ``max_shelve_ms``) with a reason."""
        _need_operator(operator)
        if not reason.strip():
            raise MissingReason(f"alarm {alarm_id}: shelving needs a reason")
        if not 0 < duration_ms <= self._thresholds.max_shelve_ms:
            raise InvalidShelveDuration(
                f"alarm {alarm_id}: shelve duration {duration_ms} ms not in "
                f"1..{self._thresholds.max_shelve_ms} ms")
        point = self._get(alarm_id)
        shelf = Shelf(reason, operator, now_ms, now_ms + duration_ms)
        self._move(point, S.SHELVED, Trigger.SHELVE, now_ms, operator, reason, shelf.until_ms)
        point.shelf = shelf
        self._shelved.add(alarm_id)
        return self._flush()

    def unshelve(self, alarm_id: str, operator: str, now_ms: int) -> list[AlarmEvent]:
        """End a shelving early; the alarm goes to its current process state."""
        _need_operator(operator)
        self._release(self._get(alarm_id), Trigger.UNSHELVE, now_ms, operator)
        return self._flush()

    def set_out_of_service(self, alarm_id: str, operator: str, reason: str, now_ms: int
                           ) -> list[AlarmEvent]:
        """Take an alarm out of service (maintenance); ends a shelving."""
        _need_operator(operator)
        if not reason.strip():
            raise MissingReason(f"alarm {alarm_id}: out of service needs a reason")
        point = self._get(alarm_id)
        self._move(point, S.OUT_OF_SERVICE, Trigger.REMOVE_FROM_SERVICE, now_ms, operator,
                   reason)
        point.shelf, point.out_of_service = None, OutOfService(reason, operator, now_ms)
        self._shelved.discard(alarm_id)
        self._settle_lower(point, now_ms)
        return self._flush()

    def return_to_service(self, alarm_id: str, operator: str, now_ms: int) -> list[AlarmEvent]:
        """Put an out-of-service alarm back; it goes to its current process state."""
        _need_operator(operator)
        point = self._get(alarm_id)
        self._release(point, Trigger.RETURN_TO_SERVICE, now_ms, operator)
        self._settle_lower(point, now_ms)
        return self._flush()

    # ----- reading --------------------------------------------------------------------------

    def alarm(self, alarm_id: str) -> Alarm:
        return self._get(alarm_id).snapshot()

    def alarms(self, include_normal: bool = False) -> list[Alarm]:
        """Alarm points (by default only those not in the normal state), in creation order."""
        return [p.snapshot() for p in self._points.values()
                if include_normal or p.state is not S.NORMAL]

    @property
    def last_seq(self) -> int:
        """``seq`` of the newest event (0 before the first)."""
        return self._seq

    def events(self, since_seq: int = 0) -> list[AlarmEvent]:
        """Retained events with ``seq > since_seq``; :class:`EventHistoryTruncated` if some
        of them are no longer retained."""
        if self._history and since_seq < self._history[0].seq - 1:
            raise EventHistoryTruncated(
                f"events after {since_seq} asked; oldest kept is {self._history[0].seq}")
        skip = max(0, since_seq - (self._history[0].seq - 1)) if self._history else 0
        return list(self._history)[skip:]

    # ----- internals ------------------------------------------------------------------------

    def _get(self, alarm_id: str) -> _Point:
        try:
            return self._points[alarm_id]
        except KeyError:
            raise UnknownAlarm(f"no alarm {alarm_id!r}") from None

    def _point(self, spec: PointSpec, now_ms: int) -> _Point:
        point = self._points.get(spec.alarm_id)
        if point is None:
            point = self._points[spec.alarm_id] = _Point(spec, now_ms)
            self._join_group(point)
        elif point.spec.kind == "external" and spec.kind != "external":
            raise AlarmIdConflict(f"alarm {spec.alarm_id} is an external alarm")
        else:
            point.spec = spec
        return point

    def _join_group(self, point: _Point) -> None:
        members = self._groups.setdefault(point.spec.group, [])
        for other in members:
            if other.spec.level > point.spec.level:
                point.higher.append(other)
                other.lower.append(point)
            elif other.spec.level < point.spec.level:
                point.lower.append(other)
                other.higher.append(point)
        members.append(point)

    def _delay(self, point: _Point) -> int:
        f = point.spec.filter
        return f.on_delay_ms if point.raw else f.off_delay_ms

    def _set_raw(self, point: _Point, raw: bool, now_ms: int) -> None:
        if raw == point.raw:
            return
        point.raw = raw
        if raw != point.active:
            point.pending_since = now_ms
            self._pending.add(point.spec.alarm_id)
        else:
            point.pending_since = None
            self._pending.discard(point.spec.alarm_id)

    def _mature(self, point: _Point, now_ms: int) -> bool:
        """Let ``raw`` through to ``active`` if it has held for its delay."""
        if point.pending_since is None or now_ms - point.pending_since < self._delay(point):
            return False
        point.active, point.pending_since = point.raw, None
        point.active_since_ms = now_ms if point.active else None
        self._pending.discard(point.spec.alarm_id)
        return True

    def _force(self, point: _Point, active: bool, now_ms: int) -> list[AlarmEvent]:
        point.raw = point.active = active
        point.pending_since = None
        self._pending.discard(point.spec.alarm_id)
        if active and point.active_since_ms is None:
            point.active_since_ms = now_ms
        elif not active:
            point.active_since_ms = None
        self._settle_with_group(point, now_ms)
        return self._flush()

    def _suppressed(self, point: _Point) -> bool:
        return any(h.active and h.state is not S.OUT_OF_SERVICE for h in point.higher)

    def _target(self, point: _Point) -> AlarmState:
        """The state the process and the design call for, ignoring operator holds."""
        if self._suppressed(point):
            return S.SUPPRESSED_BY_DESIGN
        if point.active:
            return S.ACK_ACTIVE if point.state is S.ACK_ACTIVE else S.UNACK_ACTIVE
        return S.RTN_UNACK if point.state in (S.UNACK_ACTIVE, S.RTN_UNACK) else S.NORMAL

    def _settle_with_group(self, point: _Point, now_ms: int) -> None:
        self._settle(point, now_ms)
        self._settle_lower(point, now_ms)

    def _settle_lower(self, point: _Point, now_ms: int) -> None:
        for lower in point.lower:
            self._settle(lower, now_ms)

    def _settle(self, point: _Point, now_ms: int) -> None:
        """Follow the process / design unless an operator holds the alarm."""
        if point.state in (S.SHELVED, S.OUT_OF_SERVICE):
            return
        target = self._target(point)
        if target is point.state:
            return
        if target is S.SUPPRESSED_BY_DESIGN:
            trigger = Trigger.SUPPRESS
        elif point.state is S.SUPPRESSED_BY_DESIGN:
            trigger, target = Trigger.UNSUPPRESS, (S.UNACK_ACTIVE if point.active else S.NORMAL)
        else:
            trigger = Trigger.ALARM if point.active else Trigger.CLEAR
        self._move(point, target, trigger, now_ms, SYSTEM)

    def _release(self, point: _Point, trigger: Trigger, now_ms: int, operator: str) -> None:
        """Leave shelved / out of service for the current process state."""
        if self._suppressed(point):
            target = S.SUPPRESSED_BY_DESIGN
        else:
            target = S.UNACK_ACTIVE if point.active else S.NORMAL
        self._move(point, target, trigger, now_ms, operator)
        point.shelf = point.out_of_service = None
        self._shelved.discard(point.spec.alarm_id)

    def _move(self, point: _Point, new: AlarmState | None, trigger: Trigger, now_ms: int,
              operator: str, reason: str | None = None, until_ms: int | None = None) -> None:
        new = check_transition(point.spec.alarm_id, point.state, trigger, new)
        self._seq += 1
        spec = point.spec
        self._out.append(AlarmEvent(
            self._seq, now_ms, spec.alarm_id, spec.kind, spec.priority, spec.area, point.state,
            new, trigger, point.value, operator, point.message, reason, until_ms))
        point.state, point.since_ms = new, now_ms

    def _flush(self) -> list[AlarmEvent]:
        out, self._out = self._out, []
        self._history.extend(out)
        for event in out:
            self._sink.on_alarm_event(event)
        return out


def _need_operator(operator: str) -> None:
    if not operator.strip():
        raise MissingOperator("an operator action needs the operator's name")
