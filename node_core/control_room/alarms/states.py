"""ISA-18.2 alarm states and the one table of legal transitions.

Every state change of an alarm point is a (old state, trigger) → new state move listed in
:data:`TRANSITIONS`; :func:`check_transition` is the only gate, and the engine calls it before
every change. A few triggers have more than one possible new state: the move that releases an
alarm from shelving, suppression or out-of-service goes to the alarm's *current process
state*: suppressed-by-design while a higher level of its group is active, else
unacknowledged-active if the condition is active, else normal.

::

    state                 trigger              new state
    normal                alarm                unack_active
    normal                shelve               shelved
    normal                suppress             suppressed_by_design
    normal                remove_from_service  out_of_service
    unack_active          acknowledge          ack_active
    unack_active          clear                rtn_unack
    unack_active          shelve / suppress / remove_from_service  (as above)
    ack_active            clear                normal
    ack_active            shelve / suppress / remove_from_service
    rtn_unack             acknowledge          normal
    rtn_unack             alarm                unack_active
    rtn_unack             shelve / suppress / remove_from_service
    shelved               unshelve             normal | unack_active | suppressed_by_design
    shelved               shelve_expired       normal | unack_active | suppressed_by_design
    shelved               remove_from_service  out_of_service
    suppressed_by_design  unsuppress           normal | unack_active
    suppressed_by_design  remove_from_service  out_of_service
    out_of_service        return_to_service    normal | unack_active | suppressed_by_design
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from node_core.control_room.alarms.errors import IllegalTransition


class AlarmState(StrEnum):
    """The seven ISA-18.2 alarm states."""

    NORMAL = "normal"
    UNACK_ACTIVE = "unack_active"
    ACK_ACTIVE = "ack_active"
    RTN_UNACK = "rtn_unack"
    """Returned to normal, not yet acknowledged."""
    SHELVED = "shelved"
    SUPPRESSED_BY_DESIGN = "suppressed_by_design"
    OUT_OF_SERVICE = "out_of_service"


class Trigger(StrEnum):
    """What moved an alarm: the process, an operator, a timer or the design."""

    ALARM = "alarm"
    """The condition became active (after deadband and on-delay)."""
    CLEAR = "clear"
    """The condition returned to normal (after deadband and off-delay)."""
    ACKNOWLEDGE = "acknowledge"
    SHELVE = "shelve"
    UNSHELVE = "unshelve"
    SHELVE_EXPIRED = "shelve_expired"
    SUPPRESS = "suppress"
    """A higher-priority level of the same source became active (e.g. frequency critical
    suppresses frequency high)."""
    UNSUPPRESS = "unsuppress"
    REMOVE_FROM_SERVICE = "remove_from_service"
    RETURN_TO_SERVICE = "return_to_service"


S = AlarmState
_IN_SERVICE_UNSHELVED: Final = (S.NORMAL, S.UNACK_ACTIVE, S.ACK_ACTIVE, S.RTN_UNACK)
_RELEASED: Final = frozenset({S.NORMAL, S.UNACK_ACTIVE, S.SUPPRESSED_BY_DESIGN})


def _table() -> dict[tuple[AlarmState, Trigger], frozenset[AlarmState]]:
    table = {
        (S.NORMAL, Trigger.ALARM): frozenset({S.UNACK_ACTIVE}),
        (S.UNACK_ACTIVE, Trigger.ACKNOWLEDGE): frozenset({S.ACK_ACTIVE}),
        (S.UNACK_ACTIVE, Trigger.CLEAR): frozenset({S.RTN_UNACK}),
        (S.ACK_ACTIVE, Trigger.CLEAR): frozenset({S.NORMAL}),
        (S.RTN_UNACK, Trigger.ACKNOWLEDGE): frozenset({S.NORMAL}),
        (S.RTN_UNACK, Trigger.ALARM): frozenset({S.UNACK_ACTIVE}),
        (S.SHELVED, Trigger.UNSHELVE): _RELEASED,
        (S.SHELVED, Trigger.SHELVE_EXPIRED): _RELEASED,
        (S.SUPPRESSED_BY_DESIGN, Trigger.UNSUPPRESS): frozenset({S.NORMAL, S.UNACK_ACTIVE}),
        (S.OUT_OF_SERVICE, Trigger.RETURN_TO_SERVICE): _RELEASED,
    }
    for state in _IN_SERVICE_UNSHELVED:
        table[state, Trigger.SHELVE] = frozenset({S.SHELVED})
        table[state, Trigger.SUPPRESS] = frozenset({S.SUPPRESSED_BY_DESIGN})
    for state in (*_IN_SERVICE_UNSHELVED, S.SHELVED, S.SUPPRESSED_BY_DESIGN):
        table[state, Trigger.REMOVE_FROM_SERVICE] = frozenset({S.OUT_OF_SERVICE})
    return table


TRANSITIONS: Final[Mapping[tuple[AlarmState, Trigger], frozenset[AlarmState]]] = (
    MappingProxyType(_table()))
"""(old state, trigger) → the new states allowed. Anything not listed is illegal."""

LEGAL_MOVES: Final = frozenset(
    (old, new) for (old, _), targets in TRANSITIONS.items() for new in targets)
"""(old state, new state) pairs that some trigger allows."""

ACKNOWLEDGED: Final[Mapping[AlarmState, AlarmState]] = MappingProxyType({
    S.UNACK_ACTIVE: S.ACK_ACTIVE, S.RTN_UNACK: S.NORMAL})
"""Where acknowledging leads from the two unacknowledged states."""


def check_transition(alarm_id: str, old: AlarmState, trigger: Trigger,
                     new: AlarmState | None) -> AlarmState:
    """``new`` if the table allows ``old --trigger--> new``; else :class:`IllegalTransition`.

    ``new=None`` asks whether the trigger is allowed at all from ``old`` and always raises
    (callers pass None when they found no target for the trigger).
    """
    allowed = TRANSITIONS.get((old, trigger), frozenset())
    if new is None or new not in allowed:
        target = f" to {new}" if new is not None else ""
        raise IllegalTransition(f"alarm {alarm_id}: cannot {trigger} in state {old}{target}")
    return new


def is_unacknowledged(state: AlarmState) -> bool:
    """True for the two states an operator must still acknowledge."""
    return state in ACKNOWLEDGED
