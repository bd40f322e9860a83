"""Every error the alarm engine raises, under one root (:class:`AlarmError`).

Each operator action or configuration check raises exactly one of these; the message names
the alarm and the rule. ``AlarmError`` is a :class:`~node_core.ledger.exceptions.GridTokenXError`,
so
callers that catch the node's root catch these too.
"""

from __future__ import annotations

from node_core.ledger.exceptions import GridTokenXError


class AlarmError(GridTokenXError):
    """Root of every error raised by :mod:`node_core.control_room.alarms`."""


class UnknownAlarm(AlarmError, KeyError):
    """No alarm point with this id exists (yet)."""


class IllegalTransition(AlarmError):
    """The ISA-18.2 transition table has no such move from the alarm's state.

    Raised for an operator action the state does not allow (acknowledging a normal alarm,
    shelving an out-of-service one, unshelving one that is not shelved...). Nothing changes.
    """


class MissingOperator(AlarmError, ValueError):
    """An operator action without an operator name."""


class MissingReason(AlarmError, ValueError):
    """Shelving or removing from service needs a reason (ISA-18.2 requires it on record)."""


class InvalidShelveDuration(AlarmError, ValueError):
    """A shelve duration not in ``1 .. AlarmThresholds.max_shelve_ms``."""


class AlarmIdConflict(AlarmError, ValueError):
    """An external alarm would reuse the id of a rule alarm (or the other way round)."""


class InvalidThresholds(AlarmError, ValueError):
    """An :class:`~node_core.control_room.alarms.thresholds.AlarmThresholds` value is out of
    range."""


class EventHistoryTruncated(AlarmError):
    """The engine's bounded event history no longer holds the events asked for.

    A consumer that polls :meth:`AlarmEngine.events` fell too far behind; it must take a
    full snapshot (:meth:`AlarmEngine.alarms`) and continue from ``AlarmEngine.last_seq``.
    """


class EventLogGap(AlarmError):
    """Replay found a missing sequence number or an event whose old state is not the state
    the log so far gives the alarm: an event was lost or reordered."""
