"""Alarm limits, deadbands and delays: one frozen configuration record.

The defaults below are the console's documented settings. On a node the limits come from the
chain's governance parameters and the filters from the node configuration
(:mod:`node_core.control_room.alarms.tuning`); a parameter change hands a new
:class:`AlarmThresholds` to
:meth:`AlarmEngine.set_thresholds`.

=========================  ==========  =========================================================
limit                      default     alarm
=========================  ==========  =========================================================
frequency_high_hz          0.2 Hz      ``frequency.high``: |f − 50 Hz| > 0.2 Hz, priority high
frequency_critical_hz      0.5 Hz      ``frequency.critical``: > 0.5 Hz, critical (the design's
                                       grid emergency ``grid.frequency_deviation > 0.5``)
voltage_medium_pct         5 %         ``voltage.<id>.medium``: outside ±5 % of nominal, medium
voltage_critical_pct       10 %        ``voltage.<id>.critical``: outside ±10 %, critical
consensus_health_min       0.8         ``consensus.health``: below 0.8, high (consensus failure)
(peer disconnected)        —           ``peer.<name>``: an authority unreachable, high
(HSM token absent)         —           ``hsm.token``: the signing token missing, critical
finality_stall_intervals   5           ``finality.stalled``: no final block for > 5 intervals,
                                       high
=========================  ==========  =========================================================

Why voltage ±5 % is *medium*: ±5 % is the normal operating band of the Thai grid code and
the operator has minutes to act (tap changers, reactive dispatch) on a local problem, while a
frequency excursion is system-wide; ISA-18.2 asks that few alarms be high, so a flood of
substation voltages does not bury the frequency and consensus alarms. ±10 % (the emergency
band) is critical.

Filters against chattering (ISA-18.2 §10), per condition kind: a *deadband* (an active
condition clears only once the value is back inside limit − deadband) and an *on-delay* /
*off-delay* (the condition must hold that long before the alarm activates / clears).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Final

from node_core.control_room.alarms.errors import InvalidThresholds

HOUR_MS: Final = 3_600_000


@dataclass(frozen=True, slots=True)
class ConditionFilter:
    """Deadband and delays of one kind of condition."""

    deadband: float = 0.0
    """In the unit of the limit (Hz, percentage points, health, block intervals)."""
    on_delay_ms: int = 0
    """The condition must hold this long before the alarm activates."""
    off_delay_ms: int = 0
    """The condition must stay cleared this long before the alarm returns to normal."""

    def check(self, name: str) -> None:
        if self.deadband < 0 or self.on_delay_ms < 0 or self.off_delay_ms < 0:
            raise InvalidThresholds(f"{name}: deadband and delays must not be negative")


NO_FILTER: Final = ConditionFilter()


@dataclass(frozen=True, slots=True)
class AlarmThresholds:
    """Every limit and filter the rules use (see the module table for the defaults)."""

    nominal_frequency_hz: float = 50.0
    """Thailand's nominal system frequency."""
    frequency_high_hz: float = 0.2
    """|f − nominal| above this is the high frequency alarm."""
    frequency_critical_hz: float = 0.5
    """|f − nominal| above this is the critical frequency alarm (grid emergency)."""
    frequency: ConditionFilter = field(default_factory=lambda: ConditionFilter(0.02, 1000, 5000))
    """0.02 Hz deadband; 1 s on-delay (two 1 Hz samples), 5 s off-delay."""
    voltage_medium_pct: float = 5.0
    """Voltage outside ± this % of nominal is the medium voltage alarm."""
    voltage_critical_pct: float = 10.0
    """Voltage outside ± this % of nominal is the critical voltage alarm."""
    voltage: ConditionFilter = field(default_factory=lambda: ConditionFilter(0.5, 2000, 5000))
    """0.5 percentage-point deadband; 2 s on-delay, 5 s off-delay."""
    consensus_health_min: float = 0.8
    """Consensus health (share of expected commit signatures) below this is a failure."""
    consensus: ConditionFilter = field(default_factory=lambda: ConditionFilter(0.02, 3000, 5000))
    """0.02 deadband; 3 s on-delay, 5 s off-delay."""
    peer: ConditionFilter = field(default_factory=lambda: ConditionFilter(0.0, 5000, 2000))
    """A peer must be unreachable 5 s (a quick reconnect does not alarm); 2 s to clear."""
    hsm: ConditionFilter = field(default_factory=lambda: ConditionFilter(0.0, 0, 2000))
    """A missing token alarms at once; it must be back 2 s to clear."""
    finality_stall_intervals: float = 5.0
    """No newly final block for more than this many block intervals is a stall."""
    finality: ConditionFilter = NO_FILTER
    """The limit already waits 5 intervals; a final block clears at once."""
    max_shelve_ms: int = 8 * HOUR_MS
    """Longest shelving an operator may ask for (one shift)."""

    def __post_init__(self) -> None:
        if not 0 < self.frequency_high_hz < self.frequency_critical_hz:
            raise InvalidThresholds("need 0 < frequency_high_hz < frequency_critical_hz")
        if not 0 < self.voltage_medium_pct < self.voltage_critical_pct:
            raise InvalidThresholds("need 0 < voltage_medium_pct < voltage_critical_pct")
        if not 0 <= self.consensus_health_min <= 1:
            raise InvalidThresholds("consensus_health_min must be in [0, 1] (0: never alarm)")
        if self.finality_stall_intervals <= 0 or self.max_shelve_ms <= 0:
            raise InvalidThresholds("finality_stall_intervals and max_shelve_ms must be > 0")
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, ConditionFilter):
                value.check(item.name)
