"""Every TelemetryStore (SQLite, Bigtable on a real emulator) honours the same protocol, and
Bigtable's cells are a pure function of the facts written (idempotent writers)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import numpy as np
import pytest

from node_core.grid import GridSimulator
from node_core.telemetry import (
    BigtableEmulator,
    BigtableTarget,
    BigtableTelemetryStore,
    Retention,
    SqliteTelemetryStore,
    TelemetrySample,
    TelemetryStore,
    node_metric_series,
    power_flow_series,
    samples_of,
    system_frequency,
    trading_series,
    voltage_series,
)
from node_core.telemetry.bigtable_clients import emulator_environment
from tests.helpers.bigtable import bigtable_emulator, fresh_instance_id  # noqa: F401

START_MS = 1_716_285_600_000  # 2024-05-21 10:00 UTC (17:00 Bangkok)
KEEP_ALL = Retention(raw_days=36_600, rollup_days=36_600)
"""The samples lie in 2024: keep them from the default retention's garbage collection."""
FREQUENCY = system_frequency("EGAT")
StoreFactory = Callable[[], Awaitable[TelemetryStore]]


def target(emulator: BigtableEmulator, instance: str | None = None) -> BigtableTarget:
    return BigtableTarget("gridtokenx", instance or fresh_instance_id(), emulator.host_port,
                          KEEP_ALL)


@pytest.fixture(params=["sqlite", "bigtable"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """An async factory for a fresh, empty store of each kind."""
    if request.param == "sqlite":
        async def sqlite() -> TelemetryStore:
            return SqliteTelemetryStore(tmp_path / "telemetry.sqlite")
        return sqlite
    emulator: BigtableEmulator = request.getfixturevalue("bigtable_emulator")

    async def bigtable() -> TelemetryStore:
        return await BigtableTelemetryStore.open(target(emulator))
    return bigtable


def grid_samples(seconds: int, seed: int = 1) -> list[TelemetrySample]:
    sim = GridSimulator(seed, START_MS)
    out: list[TelemetrySample] = []
    for i in range(seconds):
        out += samples_of(sim.step(START_MS + i * 1000), "EGAT")
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
            for series in (voltage_series("EGAT", "EGAT-SRT-500"),
                           power_flow_series("EGAT", "MEA-CDL-69"), FREQUENCY):
                ts, values = await store.read_range(series, lo, hi)
                assert ts.dtype == np.float64 and values.dtype == np.float64
                assert ts.tolist() == [t / 1000 for t in range(lo, hi, 1000)]
                assert values.tolist() == expected(samples, series, lo, hi)
            ts, _ = await store.read_range(system_frequency("MEA"), lo, hi)
            assert ts.size == 0  # another authority's feed is another series
        finally:
            await store.close()

    asyncio.run(scenario())


def test_decimated_read_keeps_extremes(open_store: StoreFactory) -> None:
    samples = grid_samples(1800)
    series = power_flow_series("EGAT", "EGAT-BSI-500")

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
    series = node_metric_series("PEA", "round")

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


def test_trading_minutes_read_back_per_region(open_store: StoreFactory) -> None:
    price = trading_series("PEA", "price", "vwap_satang_per_kwh")
    trades = trading_series("PEA", "volume", "trades")
    minutes = [START_MS + i * 60_000 for i in range(3)]

    async def scenario() -> None:
        store = await open_store()
        try:
            await store.write([TelemetrySample(price, t, 400.5 + i) for i, t in enumerate(minutes)]
                              + [TelemetrySample(trades, t, 7.0) for t in minutes])
            ts, values = await store.read_range(price, START_MS, START_MS + 180_000)
            assert ts.tolist() == [t / 1000 for t in minutes]
            assert values.tolist() == [400.5, 401.5, 402.5]
            _, counts = await store.read_range(trades, START_MS + 60_000, START_MS + 120_000)
            assert counts.tolist() == [7.0]
        finally:
            await store.close()

    asyncio.run(scenario())


async def every_cell(emulator: BigtableEmulator, instance: str) -> dict[tuple, tuple]:
    """(table, row, family, qualifier) → (timestamp, value) of every cell of an instance."""
    from google.cloud.bigtable.data import BigtableDataClientAsync, ReadRowsQuery

    with emulator_environment(emulator.host_port):
        client = BigtableDataClientAsync(project="gridtokenx")
    cells = {}
    try:
        for table in ("GridMetrics", "NodeMetrics", "TradingMetrics"):
            for row in await client.get_table(instance, table).read_rows(ReadRowsQuery()):
                for cell in row.cells:
                    cells[(table, row.row_key, cell.family, cell.qualifier)] = (
                        cell.timestamp_micros, cell.value)
    finally:
        await client.close()
    return cells


def test_restarted_and_repeated_writers_leave_the_same_cells(bigtable_emulator) -> None:  # noqa: F811
    """One writer writing 2 minutes once, and a writer restarted mid-minute that writes some
    samples twice (a back-fill after a crash), store identical cells — rollups included."""
    kept = {FREQUENCY, voltage_series("EGAT", "EGAT-SRT-500")}
    samples = [s for s in grid_samples(120) if s.series in kept]  # 2 a second, 2 minutes
    trades = [TelemetrySample(trading_series("MEA", "volume", "energy_wh"), START_MS, 12_000.0)]
    once, twice = fresh_instance_id(), fresh_instance_id()

    async def scenario() -> None:
        single = await BigtableTelemetryStore.open(target(bigtable_emulator, once))
        await single.write(samples + trades)
        await single.close()
        first = await BigtableTelemetryStore.open(target(bigtable_emulator, twice))
        await first.write(samples[:100] + trades)
        await first.close()
        restarted = await BigtableTelemetryStore.open(target(bigtable_emulator, twice))
        await restarted.write(samples[60:] + trades)
        await restarted.close()
        assert await every_cell(bigtable_emulator, once) == await every_cell(
            bigtable_emulator, twice)

    asyncio.run(scenario())
