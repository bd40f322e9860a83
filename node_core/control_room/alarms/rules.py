"""The alarm rules: pure functions from :class:`AlarmInputs` to observations.

Each observation names an alarm point (:class:`PointSpec`) and a signed *margin*: how far the
value is beyond its limit, in the limit's unit (> 0 means the limit is exceeded). Yes/no
conditions use ±1. :func:`condition` turns a margin into the raw condition with the
deadband; the engine applies the on/off delays.

Multi-level sources form a *group* (``frequency``, ``voltage.<substation>``): while a higher
level is active, the lower levels of its group are suppressed by design, so one disturbance
shows as one alarm (ISA-18.2 designed suppression).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from node_core.control_room.alarms.records import AlarmArea, AlarmInputs, Priority
from node_core.control_room.alarms.thresholds import NO_FILTER, AlarmThresholds, ConditionFilter

FREQUENCY_REGION: Final = "EGAT"
"""System frequency belongs to the transmission system operator."""
BAD: Final = 1.0
GOOD: Final = -1.0


@dataclass(frozen=True, slots=True)
class PointSpec:
    """What an alarm point is: identity, priority, area and chattering filter."""

    alarm_id: str
    kind: str
    priority: Priority
    area: AlarmArea
    group: str
    """Points of one source; a higher ``level`` suppresses lower ones while active."""
    level: int
    filter: ConditionFilter


@dataclass(frozen=True, slots=True)
class Observation:
    """One rule's reading of one point."""

    spec: PointSpec
    margin: float
    """> 0: beyond the limit."""
    value: float | None
    message: str


def condition(margin: float, deadband: float, was_active: bool) -> bool:
    """Raw condition: activates when ``margin > 0``; an active one clears only once
    ``margin < -deadband`` (the value is back inside limit − deadband)."""
    return margin > 0 or (was_active and margin >= -deadband)


def external_spec(alarm_id: str, priority: Priority, area: AlarmArea) -> PointSpec:
    """An alarm raised from outside the rules (e.g. a grid-alerts feed): no filter, its own
    group."""
    return PointSpec(alarm_id, "external", priority, area, alarm_id, 0, NO_FILTER)


def observe(inputs: AlarmInputs, t: AlarmThresholds, now_ms: int) -> Iterator[Observation]:
    """Every observation the inputs allow, in a fixed order."""
    yield from frequency(inputs, t)
    yield from voltages(inputs, t)
    yield from consensus(inputs, t)
    yield from peers(inputs, t)
    yield from hsm(inputs, t)
    yield from finality(inputs, t, now_ms)


def frequency(inputs: AlarmInputs, t: AlarmThresholds) -> Iterator[Observation]:
    if inputs.frequency_hz is None:
        return
    deviation = inputs.frequency_hz - t.nominal_frequency_hz
    area = AlarmArea(FREQUENCY_REGION)
    levels = ((1, Priority.HIGH, t.frequency_high_hz),
              (2, Priority.CRITICAL, t.frequency_critical_hz))
    for level, priority, limit in levels:
        spec = PointSpec(f"frequency.{priority}", "frequency", priority, area, "frequency",
                         level, t.frequency)
        message = (f"System frequency {inputs.frequency_hz:.3f} Hz, {deviation:+.3f} Hz "
                   f"from {t.nominal_frequency_hz:g} Hz (limit ±{limit:g} Hz)")
        yield Observation(spec, abs(deviation) - limit, inputs.frequency_hz, message)


def voltages(inputs: AlarmInputs, t: AlarmThresholds) -> Iterator[Observation]:
    levels = ((1, Priority.MEDIUM, t.voltage_medium_pct),
              (2, Priority.CRITICAL, t.voltage_critical_pct))
    for substation, (kv, nominal_kv, region) in inputs.voltages.items():
        off_pct = (kv / nominal_kv - 1.0) * 100.0
        area, group = AlarmArea(region, substation), f"voltage.{substation}"
        for level, priority, limit in levels:
            spec = PointSpec(f"{group}.{priority}", "voltage", priority, area, group, level,
                             t.voltage)
            message = (f"{substation} voltage {kv:.1f} kV, {off_pct:+.1f} % of nominal "
                       f"{nominal_kv:g} kV (limit ±{limit:g} %)")
            yield Observation(spec, abs(off_pct) - limit, kv, message)


def consensus(inputs: AlarmInputs, t: AlarmThresholds) -> Iterator[Observation]:
    health = inputs.consensus_health
    if health is None:
        return
    spec = PointSpec("consensus.health", "consensus", Priority.HIGH,
                     AlarmArea(inputs.authority), "consensus.health", 0, t.consensus)
    message = (f"Consensus failure: health {health:.2f} "
               f"(minimum {t.consensus_health_min:g})" if health < t.consensus_health_min
               else f"Consensus health {health:.2f}")
    yield Observation(spec, t.consensus_health_min - health, health, message)


def peers(inputs: AlarmInputs, t: AlarmThresholds) -> Iterator[Observation]:
    for name, connected in inputs.peers.items():
        spec = PointSpec(f"peer.{name}", "peer", Priority.HIGH, AlarmArea(name),
                         f"peer.{name}", 0, t.peer)
        message = (f"Peer authority {name} reachable" if connected
                   else f"Peer authority {name} unreachable")
        yield Observation(spec, GOOD if connected else BAD, None, message)


def hsm(inputs: AlarmInputs, t: AlarmThresholds) -> Iterator[Observation]:
    if inputs.hsm_present is None:
        return
    spec = PointSpec("hsm.token", "hsm", Priority.CRITICAL, AlarmArea(inputs.authority),
                     "hsm.token", 0, t.hsm)
    message = "HSM token present" if inputs.hsm_present else "HSM signing token missing"
    yield Observation(spec, GOOD if inputs.hsm_present else BAD, None, message)


def finality(inputs: AlarmInputs, t: AlarmThresholds, now_ms: int) -> Iterator[Observation]:
    if inputs.last_final_ms is None or not inputs.block_interval_ms:
        return
    intervals = (now_ms - inputs.last_final_ms) / inputs.block_interval_ms
    spec = PointSpec("finality.stalled", "finality", Priority.HIGH,
                     AlarmArea(inputs.authority), "finality.stalled", 0, t.finality)
    message = (f"No final block for {intervals:.1f} block intervals "
               f"(limit {t.finality_stall_intervals:g})")
    yield Observation(spec, intervals - t.finality_stall_intervals, intervals, message)
