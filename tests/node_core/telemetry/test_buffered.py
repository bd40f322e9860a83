"""BufferedTelemetryStore: buffers while Bigtable is down, back-fills in order, loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from node_core.telemetry import (
    BigtableEmulator,
    BigtableTarget,
    BigtableTelemetryStore,
    BufferedTelemetryStore,
    Retention,
    SqliteTelemetryStore,
    TelemetrySample,
    emulator_available,
    voltage_series,
)
from tests.helpers.logs import expect_logged

START_MS = 1_716_285_600_000
SERIES = voltage_series("EGAT", "EGAT-BSI-500")


def bigtable(emulator: BigtableEmulator) -> BigtableTarget:
    """The emulator's default instance, keeping 2024's samples from garbage collection."""
    return BigtableTarget("gridtokenx", "gridtokenx-timeseries", emulator.host_port,
                          Retention(36_600, 36_600))


def ramp(first_s: int, count: int) -> list[TelemetrySample]:
    seconds = range(first_s, first_s + count)
    return [TelemetrySample(SERIES, START_MS + s * 1000, 500.0 + s) for s in seconds]


async def closed_store(path: Path) -> SqliteTelemetryStore:
    """A real store that refuses every call (its database is closed): an unreachable store."""
    store = SqliteTelemetryStore(path)
    await store.close()
    return store


async def wait_for(condition: object, timeout_s: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


@pytest.mark.slow
def test_backfill_after_emulator_outage(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    if not emulator_available():
        pytest.skip("cbtemulator is not installed")
    emulator = BigtableEmulator()
    emulator.start()

    async def scenario() -> None:
        backing = await BigtableTelemetryStore.open(bigtable(emulator), timeout_s=2.0)
        store = BufferedTelemetryStore(backing, tmp_path / "buffer.sqlite", retry_s=0.2)
        try:
            await store.write(ramp(0, 60))
            assert await store.flush(10)
            assert store.state.label == "connected"
            emulator.stop()
            for chunk in range(5):  # writes while down return at once and are kept
                await asyncio.wait_for(store.write(ramp(60 + chunk * 20, 20)), 0.5)
            await wait_for(lambda: store.state.status == "unreachable")
            assert store.state.buffered == 100
            assert store.state.label == "unreachable (100 buffered)"
            emulator.start()  # same port; the in-memory emulator starts empty
            assert await store.flush(30)
            assert store.state.label == "connected"
            ts, values = await store.read_range(SERIES, START_MS, START_MS + 160_000)
            assert values.tolist() == [500.0 + s for s in range(60, 160)]
            assert ts.tolist() == [(START_MS + s * 1000) / 1000 for s in range(60, 160)]
        finally:
            await store.close()

    try:
        asyncio.run(scenario())
    finally:
        emulator.stop()
    expect_logged(caplog, "telemetry store unreachable, buffering locally")


@pytest.mark.slow
def test_close_is_bounded_when_the_emulator_died_and_loses_nothing(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Killed mid-run, the emulator leaves the Bigtable client waiting past its own deadline;
    closing still ends in time, and the unsent samples wait in the buffer file."""
    if not emulator_available():
        pytest.skip("cbtemulator is not installed")
    emulator = BigtableEmulator()
    emulator.start()
    buffer = tmp_path / "buffer.sqlite"

    async def scenario() -> float:
        backing = await BigtableTelemetryStore.open(bigtable(emulator), timeout_s=10.0)
        store = BufferedTelemetryStore(backing, buffer, retry_s=0.2)
        await store.write(ramp(0, 60))
        assert await store.flush(10)
        assert emulator.pid is not None
        os.kill(emulator.pid, signal.SIGKILL)
        for chunk in range(3):
            await store.write(ramp(60 + chunk * 20, 20))
            await asyncio.sleep(1.0)
        started = time.monotonic()
        await store.close(timeout_s=2.0)
        return time.monotonic() - started

    try:
        assert asyncio.run(scenario()) < 5.0
    finally:
        emulator.stop()
    with contextlib.closing(sqlite3.connect(buffer)) as db:
        assert db.execute("SELECT COUNT(*) FROM pending").fetchone()[0] == 60
    expect_logged(caplog, maybe=("telemetry store unreachable, buffering locally",
                                 "telemetry store did not"))


def test_buffer_survives_a_restart_and_drains_in_order(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async def first_run() -> None:
        store = BufferedTelemetryStore(await closed_store(tmp_path / "down.sqlite"),
                                       tmp_path / "buf.sqlite", retry_s=0.05)
        await store.write(ramp(0, 30))
        await wait_for(lambda: store.state.status == "unreachable")
        await store.close()

    async def second_run() -> None:
        target = SqliteTelemetryStore(tmp_path / "up.sqlite")
        store = BufferedTelemetryStore(target, tmp_path / "buf.sqlite", batch_size=7)
        assert store.state.buffered == 30
        await store.write(ramp(30, 5))
        assert await store.flush(10)
        _, values = await store.read_range(SERIES, START_MS, START_MS + 60_000)
        assert values.tolist() == [500.0 + s for s in range(35)]
        with contextlib.suppress(sqlite3.ProgrammingError):
            await store.close()  # closing the already-closed backing store

    asyncio.run(first_run())
    asyncio.run(second_run())
    expect_logged(caplog, "telemetry store unreachable, buffering locally")


def test_bounded_buffer_drops_oldest(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        store = BufferedTelemetryStore(await closed_store(tmp_path / "x.sqlite"),
                                       tmp_path / "b.sqlite", max_buffered=50, retry_s=0.05)
        await store.write(ramp(0, 80))
        assert store.state.buffered == 50 and store.state.dropped == 30
        with contextlib.suppress(sqlite3.ProgrammingError):
            await store.close()

    asyncio.run(scenario())
    expect_logged(caplog, "telemetry buffer full: dropped 30 oldest samples",
                  maybe=("telemetry store unreachable",))


def test_rows_of_an_older_version_are_dropped_and_counted(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A buffer left by a version whose series names had no scope drains what it can."""
    with contextlib.closing(sqlite3.connect(tmp_path / "buf.sqlite")) as db, db:
        db.execute("CREATE TABLE pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                   "series TEXT NOT NULL, ts_ms INTEGER NOT NULL, value REAL NOT NULL)")
        db.execute("INSERT INTO pending (series, ts_ms, value) VALUES "
                   "('GridMetrics/voltage/EGAT-BSI-500', ?, 1.0)", (START_MS,))

    async def scenario() -> None:
        store = BufferedTelemetryStore(SqliteTelemetryStore(tmp_path / "up.sqlite"),
                                       tmp_path / "buf.sqlite")
        await store.write(ramp(0, 3))
        assert await store.flush(10)
        assert store.state.dropped == 1
        _, values = await store.read_range(SERIES, START_MS, START_MS + 60_000)
        assert values.tolist() == [500.0, 501.0, 502.0]
        await store.close()

    asyncio.run(scenario())
    expect_logged(caplog, "telemetry buffer: sample dropped")
