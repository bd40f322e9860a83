"""Rebuild alarm states from the event log alone, checking that nothing is missing.

A consumer (the console, an archive, a test) that holds every event can call :func:`replay`
to get each alarm's state; a lost, duplicated or reordered event breaks the ``seq`` run or
an event's ``old_state`` and raises :class:`EventLogGap`; a move the transition table does
not allow raises :class:`IllegalTransition`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from node_core.control_room.alarms.errors import EventLogGap
from node_core.control_room.alarms.records import AlarmEvent
from node_core.control_room.alarms.states import AlarmState, check_transition


def replay(events: Iterable[AlarmEvent], start: Mapping[str, AlarmState] | None = None,
           after_seq: int = 0) -> dict[str, AlarmState]:
    """Each alarm's state after ``events`` (which must follow ``after_seq`` without gaps),
    starting from ``start`` (alarms not in it start normal)."""
    states = dict(start or {})
    expected = after_seq + 1
    for event in events:
        if event.seq != expected:
            raise EventLogGap(f"expected event {expected}, got {event.seq}")
        current = states.get(event.alarm_id, AlarmState.NORMAL)
        if event.old_state is not current:
            raise EventLogGap(f"event {event.seq}: alarm {event.alarm_id} was {current}, "
                              f"event says {event.old_state}")
        check_transition(event.alarm_id, event.old_state, event.trigger, event.new_state)
        states[event.alarm_id] = event.new_state
        expected += 1
    return states
