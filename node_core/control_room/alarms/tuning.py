"""Where the alarm limits come from: the chain's governance parameters, plus local tuning.

Two sources, no overlap (see also :mod:`node_core.control_room.room`):

* **Limits — the chain.** The frequency, voltage and consensus-health limits are governance
  parameters (:class:`~node_core.ledger.genesis.ChainParameters`: ``frequency_high_mhz``,
  ``frequency_critical_mhz``, ``voltage_high_permille``, ``voltage_critical_permille``,
  ``consensus_health_min_permille``), so every authority alarms on the same agreed values and
  a ``parameter_change`` proposal moves them at the block where it executes. The node
  configuration cannot override them: a limit in ``[alarms]`` is a configuration error that
  says to propose a parameter change instead.
* **Filters — the node configuration.** Deadbands, on/off delays, the finality stall (in
  block intervals) and the longest shelving are local operating choices, not chain rules: an
  optional ``[alarms]`` section of the node's TOML file (:class:`AlarmTuning`), else the
  built-in defaults of :class:`~node_core.control_room.alarms.thresholds.AlarmThresholds`.

``[alarms]`` example (every key optional)::

    [alarms]
    finality_stall_intervals = 5       # no final block for more than 5 intervals: alarm
    max_shelve_minutes = 480           # longest shelving an operator may ask for
    frequency = {deadband = 0.02, on_delay_ms = 1000, off_delay_ms = 5000}   # Hz
    voltage = {deadband = 0.5, on_delay_ms = 2000, off_delay_ms = 5000}  # % points
    consensus = {deadband = 0.02, on_delay_ms = 3000}                    # health 0..1
    peer = {on_delay_ms = 5000, off_delay_ms = 2000}
    hsm = {off_delay_ms = 2000}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from node_core.control_room.alarms.thresholds import AlarmThresholds, ConditionFilter
from node_core.ledger.genesis import ChainParameters

_DEFAULT: Final = AlarmThresholds()
MINUTE_MS: Final = 60_000
MEASURED: Final = ("frequency", "voltage", "consensus")
"""Condition kinds with a measured value: they take a deadband."""
SWITCHED: Final = ("peer", "hsm")
"""Yes/no conditions: delays only."""
CHAIN_LIMITS: Final = {
    "frequency_high_hz": "frequency_high_mhz", "frequency_critical_hz": "frequency_critical_mhz",
    "voltage_medium_pct": "voltage_high_permille",
    "voltage_critical_pct": "voltage_critical_permille",
    "consensus_health_min": "consensus_health_min_permille",
}
"""Limit (AlarmThresholds field) -> the governance parameter that sets it."""
KEYS: Final = (*MEASURED, *SWITCHED, "finality_stall_intervals", "max_shelve_minutes")
MAX_SHELVE_MINUTES: Final = 7 * 24 * 60
"""A week: beyond that an alarm belongs out of service, not on a shelf."""


@dataclass(frozen=True, slots=True)
class AlarmTuning:
    """The node's local alarm filters (``[alarms]``); defaults as AlarmThresholds."""

    frequency: ConditionFilter = _DEFAULT.frequency
    """Deadband in Hz."""
    voltage: ConditionFilter = _DEFAULT.voltage
    """Deadband in percentage points of nominal voltage."""
    consensus: ConditionFilter = _DEFAULT.consensus
    """Deadband in consensus health (0..1)."""
    peer: ConditionFilter = _DEFAULT.peer
    hsm: ConditionFilter = _DEFAULT.hsm
    finality_stall_intervals: float = _DEFAULT.finality_stall_intervals
    """No final block for more than this many block intervals is a stall."""
    max_shelve_ms: int = _DEFAULT.max_shelve_ms
    """Longest shelving an operator may ask for."""


def chain_limits(parameters: ChainParameters) -> dict[str, float]:
    """The limits the governance parameters set, in the units of AlarmThresholds."""
    return {"frequency_high_hz": parameters.frequency_high_mhz / 1000,
            "frequency_critical_hz": parameters.frequency_critical_mhz / 1000,
            "voltage_medium_pct": parameters.voltage_high_permille / 10,
            "voltage_critical_pct": parameters.voltage_critical_permille / 10,
            "consensus_health_min": parameters.consensus_health_min_permille / 1000}


def thresholds_for(parameters: ChainParameters, tuning: AlarmTuning) -> AlarmThresholds:
    """The thresholds the rules use: chain limits and local filters.

    Raises :class:`~node_core.control_room.alarms.errors.InvalidThresholds` if the chain's limits
    do not
    fit together (e.g. a high frequency limit voted above the critical one)."""
    limits = chain_limits(parameters)
    return AlarmThresholds(
        frequency_high_hz=limits["frequency_high_hz"],
        frequency_critical_hz=limits["frequency_critical_hz"],
        voltage_medium_pct=limits["voltage_medium_pct"],
        voltage_critical_pct=limits["voltage_critical_pct"],
        consensus_health_min=limits["consensus_health_min"],
        frequency=tuning.frequency, voltage=tuning.voltage,
        consensus=tuning.consensus, peer=tuning.peer, hsm=tuning.hsm,
        finality_stall_intervals=tuning.finality_stall_intervals,
        max_shelve_ms=tuning.max_shelve_ms)


# ----- the [alarms] section ---------------------------------------------------------------


def tuning_problems(section: Any) -> list[str]:
    """Every problem of an ``[alarms]`` section, one message each (empty: valid)."""
    if not isinstance(section, Mapping):
        return ["[alarms] must be a table of settings"]
    problems = []
    for key, value in section.items():
        if key in CHAIN_LIMITS:
            problems.append(
                f"[alarms] {key} is set by governance (chain parameter {CHAIN_LIMITS[key]}), "
                "not by the node: propose a parameter_change with `main.py gov propose`")
        elif key in MEASURED or key in SWITCHED:
            problems += _filter_problems(key, value)
        elif key == "finality_stall_intervals":
            if not _number(value) or value <= 0:
                problems.append("[alarms] finality_stall_intervals must be a number > 0")
        elif key == "max_shelve_minutes":
            if not _integer(value) or not 0 < value <= MAX_SHELVE_MINUTES:
                problems.append(f"[alarms] max_shelve_minutes must be a whole number in "
                                f"1..{MAX_SHELVE_MINUTES}")
        else:
            problems.append(f"[alarms] unknown key {key!r} (known: {', '.join(KEYS)})")
    return problems


def _filter_problems(kind: str, value: Any) -> list[str]:
    keys = ("deadband", "on_delay_ms", "off_delay_ms") if kind in MEASURED else (
        "on_delay_ms", "off_delay_ms")
    if not isinstance(value, Mapping):
        return [f"[alarms] {kind} must be a table with {', '.join(keys)}"]
    problems = []
    for key, item in value.items():
        if key not in keys:
            problems.append(f"[alarms] {kind}.{key} unknown (allowed: {', '.join(keys)})")
        elif key == "deadband" and (not _number(item) or item < 0):
            problems.append(f"[alarms] {kind}.deadband must be a number >= 0")
        elif key != "deadband" and (not _integer(item) or item < 0):
            problems.append(f"[alarms] {kind}.{key} must be a whole number of ms >= 0")
    return problems


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def alarm_tuning(section: Mapping[str, Any]) -> AlarmTuning:
    """Build the tuning of a valid ``[alarms]`` section (check :func:`tuning_problems`)."""
    filters = {kind: _filter(getattr(_DEFAULT, kind), section[kind])
               for kind in (*MEASURED, *SWITCHED) if kind in section}
    return AlarmTuning(
        **filters,
        finality_stall_intervals=float(section.get("finality_stall_intervals",
                                                   _DEFAULT.finality_stall_intervals)),
        max_shelve_ms=int(section.get("max_shelve_minutes",
                                      _DEFAULT.max_shelve_ms // MINUTE_MS)) * MINUTE_MS)


def _filter(default: ConditionFilter, values: Mapping[str, Any]) -> ConditionFilter:
    return ConditionFilter(float(values.get("deadband", default.deadband)),
                           int(values.get("on_delay_ms", default.on_delay_ms)),
                           int(values.get("off_delay_ms", default.off_delay_ms)))
