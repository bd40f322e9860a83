"""Alarm engine throughput under a flood (a few seconds).

Every substation of the simulator swings across its ±5 % / ±10 % voltage limits, frequency
swings across ±0.2 / ±0.5 Hz, peers drop and return, and an operator acknowledges every
unacknowledged alarm each simulated second. The sink's events are replayed at the end to
prove none was lost.

Prints one JSON line:
  events_per_s   alarm events processed per wall-clock second (target >= 1,000 per *minute*)
  alarms         alarm points in the engine
  events         events produced
  lost           events missing from the replay check (must be 0)
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence

from node_core.control_room.alarms import (
    AlarmEngine,
    AlarmEvent,
    AlarmInputs,
    AlarmThresholds,
    ConditionFilter,
    replay,
)
from node_core.grid.substations import SUBSTATIONS

T0 = 1_764_086_400_000


class _Collect:
    def __init__(self) -> None:
        self.events: list[AlarmEvent] = []

    def on_alarm_event(self, event: AlarmEvent) -> None:
        self.events.append(event)


def _inputs(rng: random.Random, step: int) -> AlarmInputs:
    voltages = {s.substation_id: (s.nominal_kv * rng.uniform(0.86, 1.14), s.nominal_kv,
                                  s.region) for s in SUBSTATIONS}
    return AlarmInputs(frequency_hz=50 + rng.uniform(-0.7, 0.7), voltages=voltages,
                       consensus_health=rng.uniform(0.7, 1.0),
                       peers={"MEA": rng.random() > 0.3, "PEA": rng.random() > 0.3},
                       hsm_present=rng.random() > 0.1, last_final_ms=T0 + step * 1000 - 3000,
                       block_interval_ms=1000, authority="EGAT")


def run(steps: int, seed: int) -> dict[str, float | int]:
    rng = random.Random(seed)
    sink = _Collect()
    quick = ConditionFilter(0.02, 0, 0)
    engine = AlarmEngine(AlarmThresholds(frequency=quick, voltage=ConditionFilter(0.5, 0, 0),
                                         consensus=quick, peer=ConditionFilter(),
                                         hsm=ConditionFilter()), sink=sink)
    inputs = [_inputs(rng, i) for i in range(steps)]
    started = time.perf_counter()
    for i, observed in enumerate(inputs):
        now = T0 + i * 1000
        engine.evaluate(observed, now)
        unacked = [a.alarm_id for a in engine.alarms() if a.state == "unack_active"]
        engine.acknowledge_all(unacked[: len(unacked) // 2], "somchai", now)
    elapsed = time.perf_counter() - started
    final = {a.alarm_id: a.state for a in engine.alarms(include_normal=True)}
    replayed = replay(sink.events)
    lost = sum(1 for k, v in final.items() if replayed.get(k, "normal") != v)
    return {"events_per_s": round(len(sink.events) / elapsed), "alarms": len(final),
            "events": len(sink.events), "lost": lost + engine.last_seq - len(sink.events),
            "seconds": round(elapsed, 3)}


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf alarms")
    parser.add_argument("--steps", type=int, default=2000, help="simulated seconds")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.steps, args.seed)))
    return 0
