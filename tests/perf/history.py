"""History benchmark: 24 h × 50 substations at 1 Hz in the Bigtable emulator, then a display read.

``python -m tests.perf history [--hours H] [--substations N]`` prints one JSON line:
samples written, write_s, first_display_ms (24 h decimated to ~2,000 points per substation
for all substations, served from the per-minute rollup), full_fetch_ms (every raw sample of
all substations), and detail_one_ms (every raw sample of one substation).

Voltages come from a vectorised rendition of the simulator's voltage model (nominal kV, a
daily load sag, noise) so generation does not dominate the write time being measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Sequence

import numpy as np

from node_core.grid import SUBSTATIONS
from node_core.telemetry import (
    BigtableEmulator,
    BigtableTarget,
    BigtableTelemetryStore,
    Retention,
    TelemetrySample,
    voltage_series,
)

START_MS = 1_716_224_400_000  # 2024-05-21 00:00 Bangkok
DISPLAY_POINTS = 2_000
KEEP_ALL = Retention(raw_days=36_600, rollup_days=36_600)
"""The history lies in 2024: keep it from the garbage collection of the default retention."""


def hour_of_samples(hour: int, substations: int, rng: np.random.Generator) -> list[TelemetrySample]:
    """One hour of 1 Hz voltage samples for the first ``substations`` substations."""
    seconds = np.arange(3600)
    ts = START_MS + (hour * 3600 + seconds) * 1000
    sag = 0.02 * np.sin(np.pi * ((hour + seconds / 3600) % 24) / 24)
    out: list[TelemetrySample] = []
    for substation in SUBSTATIONS[:substations]:
        series = voltage_series("EGAT", substation.substation_id)
        kv = substation.nominal_kv * (1.01 - sag + 0.002 * rng.standard_normal(3600))
        out += [TelemetrySample(series, int(t), float(v)) for t, v in zip(ts, kv, strict=True)]
    return out


async def write_history(store: BigtableTelemetryStore, hours: int, substations: int) -> int:
    rng = np.random.default_rng(1)
    written = 0
    for hour in range(hours):
        samples = hour_of_samples(hour, substations, rng)
        await store.write(samples)
        written += len(samples)
    return written


async def read_all(store: BigtableTelemetryStore, hours: int, substations: int,
                   max_points: int | None) -> int:
    end_ms = START_MS + hours * 3_600_000
    reads = [
        store.read_range(voltage_series("EGAT", s.substation_id), START_MS, end_ms, max_points)
        for s in SUBSTATIONS[:substations]
    ]
    return sum(len(ts) for ts, _ in await asyncio.gather(*reads))


async def measure(host: str, hours: int, substations: int) -> dict[str, float | int]:
    target = BigtableTarget("gridtokenx", "history", host, KEEP_ALL)
    store = await BigtableTelemetryStore.open(target, timeout_s=120.0)
    try:
        began = time.perf_counter()
        samples = await write_history(store, hours, substations)
        write_s = time.perf_counter() - began
        timings: dict[str, float | int] = {"samples": samples, "write_s": round(write_s, 1)}
        for name, points, count in (("first_display_ms", DISPLAY_POINTS, substations),
                                    ("full_fetch_ms", None, substations),
                                    ("detail_one_ms", None, 1)):
            began = time.perf_counter()
            got = await read_all(store, hours, count, points)
            timings[name] = round((time.perf_counter() - began) * 1000)
            timings[name.replace("_ms", "_points")] = got
        return timings
    finally:
        await store.close()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf history")
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--substations", type=int, default=50)
    args = parser.parse_args(argv)
    with BigtableEmulator() as emulator:
        result = asyncio.run(measure(emulator.host_port, args.hours, args.substations))
    print(json.dumps(result))
    return 0
