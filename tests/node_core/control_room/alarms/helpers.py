"""A small driver for alarm-engine tests: frequency points, a clock, recipes of steps."""

from __future__ import annotations

from node_core.control_room.alarms import (
    AlarmEngine,
    AlarmEvent,
    AlarmInputs,
    AlarmThresholds,
    ConditionFilter,
)

T0 = 1_764_086_400_000
"""2025-11-25 16:00:00 UTC."""
HIGH, CRITICAL = "frequency.high", "frequency.critical"
SHELVE_MS = 60_000
INSTANT = AlarmThresholds(frequency=ConditionFilter(0.02, 0, 0))
"""Frequency alarms with the default deadband and no delays."""


class Sink:
    def __init__(self) -> None:
        self.events: list[AlarmEvent] = []

    def on_alarm_event(self, event: AlarmEvent) -> None:
        self.events.append(event)


class Driver:
    """Runs step strings against an engine, one second apart."""

    def __init__(self, thresholds: AlarmThresholds = INSTANT) -> None:
        self.sink = Sink()
        self.engine = AlarmEngine(thresholds, sink=self.sink)
        self.now = T0
        self.last: list[AlarmEvent] = []

    def run(self, *steps: str, alarm_id: str = HIGH) -> list[AlarmEvent]:
        for step in steps:
            self.now += 1000
            self.last = self.step(step, alarm_id)
        return self.last

    def step(self, step: str, alarm_id: str) -> list[AlarmEvent]:
        e = self.engine
        if step.startswith("f"):
            return e.evaluate(AlarmInputs(frequency_hz=float(step[1:])), self.now)
        actions = {
            "ack": lambda: e.acknowledge(alarm_id, "somchai", self.now),
            "shelve": lambda: e.shelve(alarm_id, "somchai", "sensor work", SHELVE_MS, self.now),
            "unshelve": lambda: e.unshelve(alarm_id, "somchai", self.now),
            "oos": lambda: e.set_out_of_service(alarm_id, "somchai", "maintenance", self.now),
            "rts": lambda: e.return_to_service(alarm_id, "somchai", self.now),
            "expire": lambda: e.tick(self.now + SHELVE_MS),
        }
        return actions[step]()

    def state(self, alarm_id: str = HIGH) -> str:
        return str(self.engine.alarm(alarm_id).state)
