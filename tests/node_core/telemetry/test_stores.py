"""Every TelemetryStore (SQLite, Bigtable on a real emulator) honours the same protocol."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import numpy as np
import pytest

from node_core.grid import GridSimulator
from node_core.telemetry import (
    SYSTEM_FREQUENCY,
    BigtableEmulator,
    BigtableTelemetryStore,
    SqliteTelemetryStore,
    TelemetrySample,
    TelemetryStore,
    node_metric_series,
    power_flow_series,
    samples_of,
    voltage_series,
)
from tests.helpers.bigtable import bigtable_emulator, fresh_instance_id  # noqa: F401

START_MS = 1_716_285_600_000  # 2024-05-21 10:00 UTC (17:00 Bangkok)
StoreFactory = Callable[[], Awaitable[TelemetryStore]]


@pytest.fixture(params=["sqlite", "bigtable"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """An async factory for a fresh, empty store of each kind."""
    if request.param == "sqlite":
        async def sqlite() -> TelemetryStore:
            return SqliteTelemetryStore(tmp_path / "telemetry.sqlite")
        return sqlite
    emulator: BigtableEmulator = request.getfixturevalue("bigtable_emulator")

    async def bigtable() -> TelemetryStore:
        return await BigtableTelemetryStore.open(
            instance=fresh_instance_id(), emulator_host=emulator.host_port
        )
    return bigtable


def grid_samples(seconds: int, seed: int = 1) -> list[TelemetrySample]:
    sim = GridSimulator(seed, START_MS)
    out: list[TelemetrySample] = []
    for i in range(seconds):
        out += samples_of(sim.step(START_MS + i * 1000))
    return out


def expected(samples: list[TelemetrySample], series: object, start: int, end: int) -> list[float]:
    return [s.value for s in samples if s.series == series and start <= s.timestamp_ms < end]


def test_exact_sub_range_per_substation(open_store: StoreFactory) -> None:
    samples = grid_samples(300)

    async def scenario() -> None:
        store = await open_store()
        try:
            await store.write(samples)
            lo, hi = START_MS + 61_000, START_MS + 185_000
            for series in (voltage_series("EGAT-SRT-500"), power_flow_series("MEA-CDL-69"),
                           SYSTEM_FREQUENCY):
                ts, values = await store.read_range(series, lo, hi)
                assert ts.dtype == np.float64 and values.dtype == np.float64
                assert ts.tolist() == [t / 1000 for t in range(lo, hi, 1000)]
                assert values.tolist() == expected(samples, series, lo, hi)
        finally:
            await store.close()

    asyncio.run(scenario())


def test_decimated_read_keeps_extremes(open_store: StoreFactory) -> None:
    samples = grid_samples(1800)
    series = power_flow_series("EGAT-BSI-500")

    async def scenario() -> None:
        store = await open_store()
        try:
            await store.write(samples)
            end = START_MS + 1_800_000
            ts, values = await store.read_range(series, START_MS, end, max_points=200)
            truth = expected(samples, series, START_MS, end)
            assert 0 < len(ts) <= 200
            assert np.all(np.diff(ts) > 0)
            assert values.max() == max(truth) and values.min() == min(truth)
            coarse_ts, coarse = await store.read_range(series, START_MS, end, max_points=20)
            assert 0 < len(coarse_ts) <= 20  # minute-wide buckets: Bigtable reads the rollup
            assert coarse.max() == max(truth) and coarse.min() == min(truth)
            assert set(coarse.tolist()) <= set(truth)
        finally:
            await store.close()

    asyncio.run(scenario())


def test_rewrite_replaces_and_empty_range_is_empty(open_store: StoreFactory) -> None:
    series = node_metric_series("consensus", "round")

    async def scenario() -> None:
        store = await open_store()
        try:
            await store.write([TelemetrySample(series, START_MS, 1.0)])
            await store.write([TelemetrySample(series, START_MS, 2.0)])
            ts, values = await store.read_range(series, START_MS, START_MS + 1)
            assert values.tolist() == [2.0]
            ts, values = await store.read_range(series, START_MS + 1, START_MS + 10_000)
            assert ts.size == 0 and values.size == 0
        finally:
            await store.close()

    asyncio.run(scenario())
