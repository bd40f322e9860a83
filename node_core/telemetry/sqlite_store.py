"""Embedded telemetry store on SQLite (WAL): the devnet's, when no Bigtable is configured
(``node_core.telemetry.target``). Several processes share the file (the grid simulator writes,
the console reads); SQLite's locking serialises them.

One table ``samples(series, ts_ms, value)`` with primary key ``(series, ts_ms)`` WITHOUT
ROWID, so one series' time range is one contiguous B-tree scan. Decimation runs in SQL:
``GROUP BY`` bucket with SQLite's bare-column rule returns the timestamp of each bucket's
minimum and maximum. Calls run on a worker thread so the event loop never waits on disk.
There are no rollups here: ``prune`` applies the raw retention to gauges and the rollup
retention to TradingMetrics (already one value a minute).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from node_core.telemetry.layout import Retention, cutoff_ms
from node_core.telemetry.series import FloatArray, Series, TelemetrySample, bucket_width_ms

_SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    series TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (series, ts_ms)
) WITHOUT ROWID
"""

_EXTREME_SQL = """
SELECT ts_ms, {fn}(value) FROM samples
WHERE series = ? AND ts_ms >= ? AND ts_ms < ?
GROUP BY (ts_ms - ?) / ?
"""


def open_wal(path: Path) -> sqlite3.Connection:
    """Open (creating) a SQLite file in WAL mode with synchronous=NORMAL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


class SqliteTelemetryStore:
    """``TelemetryStore`` in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self._db = open_wal(path)
        self._db.execute(_SCHEMA)
        self._lock = asyncio.Lock()

    async def write(self, samples: Sequence[TelemetrySample]) -> None:
        """Insert or replace samples in one transaction."""
        rows = [(s.series.name, s.timestamp_ms, s.value) for s in samples]
        async with self._lock:
            await asyncio.to_thread(self._insert, rows)

    def _insert(self, rows: list[tuple[str, int, float]]) -> None:
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO samples VALUES (?, ?, ?)", rows)

    async def read_range(
        self, series: Series, start_ms: int, end_ms: int, max_points: int | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Exact samples, or per-bucket min and max when ``max_points`` is given."""
        async with self._lock:
            if max_points is None:
                rows = await asyncio.to_thread(self._select, series, start_ms, end_ms)
            else:
                width = bucket_width_ms(start_ms, end_ms, max_points)
                rows = await asyncio.to_thread(self._extremes, series, start_ms, end_ms, width)
        return _arrays(rows)

    def _select(self, series: Series, start_ms: int, end_ms: int) -> list[tuple[int, float]]:
        cursor = self._db.execute(
            "SELECT ts_ms, value FROM samples WHERE series = ? AND ts_ms >= ? AND ts_ms < ?"
            " ORDER BY ts_ms",
            (series.name, start_ms, end_ms),
        )
        return cursor.fetchall()

    def _extremes(
        self, series: Series, start_ms: int, end_ms: int, width_ms: int
    ) -> list[tuple[int, float]]:
        args = (series.name, start_ms, end_ms, start_ms, width_ms)
        points: set[tuple[int, float]] = set()
        for fn in ("MIN", "MAX"):
            points.update(self._db.execute(_EXTREME_SQL.format(fn=fn), args).fetchall())
        return sorted(points)

    async def prune(self, retention: Retention, now_ms: int) -> int:
        """Delete samples older than ``retention``; how many were deleted."""
        raw, minute = cutoff_ms(now_ms, retention.raw_days), cutoff_ms(now_ms,
                                                                        retention.rollup_days)
        async with self._lock:
            return await asyncio.to_thread(self._delete_before, raw, minute)

    def _delete_before(self, raw_ms: int, minute_ms: int) -> int:
        with self._db:
            self._db.execute("BEGIN")
            return int(self._db.execute(
                "DELETE FROM samples WHERE ts_ms < CASE WHEN series LIKE 'TradingMetrics/%' "
                "THEN ? ELSE ? END", (minute_ms, raw_ms)).rowcount)

    async def close(self) -> None:
        """Close the database."""
        async with self._lock:
            self._db.close()


def _arrays(rows: list[tuple[int, float]]) -> tuple[FloatArray, FloatArray]:
    if not rows:
        return np.empty(0), np.empty(0)
    data = np.asarray(rows, dtype=np.float64)
    return data[:, 0] / 1000.0, np.ascontiguousarray(data[:, 1])
