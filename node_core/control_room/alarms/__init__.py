"""ISA-18.2 alarm management for the authority node: rules, alarm states, events.

Pure (no I/O, no Qt, no clock): the node process feeds :class:`AlarmEngine` with
:class:`AlarmInputs` and UTC ms times, and forwards the :class:`AlarmEvent` records it returns
to the console and the audit trail.

* :mod:`~node_core.control_room.alarms.thresholds` — limits, deadbands, delays
(:class:`AlarmThresholds`)
* :mod:`~node_core.control_room.alarms.rules` — inputs → observations of alarm points
* :mod:`~node_core.control_room.alarms.states` — the seven states and the transition table
* :mod:`~node_core.control_room.alarms.engine` — :class:`AlarmEngine`
* :mod:`~node_core.control_room.alarms.replay` — rebuild states from events (no-loss check)
* :mod:`~node_core.control_room.alarms.tuning` — chain limits + ``[alarms]`` filters → thresholds
"""

from node_core.control_room.alarms.engine import AlarmEngine, AlarmEventSink, NullSink
from node_core.control_room.alarms.errors import (
    AlarmError,
    AlarmIdConflict,
    EventHistoryTruncated,
    EventLogGap,
    IllegalTransition,
    InvalidShelveDuration,
    InvalidThresholds,
    MissingOperator,
    MissingReason,
    UnknownAlarm,
)
from node_core.control_room.alarms.records import (
    PRIORITY_RANK,
    SYSTEM,
    Alarm,
    AlarmArea,
    AlarmEvent,
    AlarmInputs,
    OutOfService,
    Priority,
    Shelf,
)
from node_core.control_room.alarms.replay import replay
from node_core.control_room.alarms.states import (
    LEGAL_MOVES,
    TRANSITIONS,
    AlarmState,
    Trigger,
    check_transition,
)
from node_core.control_room.alarms.thresholds import AlarmThresholds, ConditionFilter
from node_core.control_room.alarms.tuning import AlarmTuning, thresholds_for

__all__ = [
    "LEGAL_MOVES",
    "PRIORITY_RANK",
    "SYSTEM",
    "TRANSITIONS",
    "Alarm",
    "AlarmArea",
    "AlarmEngine",
    "AlarmError",
    "AlarmEvent",
    "AlarmEventSink",
    "AlarmIdConflict",
    "AlarmInputs",
    "AlarmState",
    "AlarmThresholds",
    "AlarmTuning",
    "ConditionFilter",
    "EventHistoryTruncated",
    "EventLogGap",
    "IllegalTransition",
    "InvalidShelveDuration",
    "InvalidThresholds",
    "MissingOperator",
    "MissingReason",
    "NullSink",
    "OutOfService",
    "Priority",
    "Shelf",
    "Trigger",
    "UnknownAlarm",
    "check_transition",
    "replay",
    "thresholds_for",
]
