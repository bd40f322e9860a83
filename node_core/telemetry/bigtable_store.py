"""Telemetry on Cloud Bigtable (or its emulator) with the async data client.

The rows and cells are :mod:`node_core.telemetry.layout`'s; this module does the I/O. A
writer prepares the tables (``bigtable_admin.ensure_tables``) before its first write and again
after a failed one (an emulator restarted empty forgets its tables); a reader never changes
the instance, so ``roles/bigtable.reader`` is enough to chart.

Writing a gauge sample writes its raw cell and rewrites its minute's rollup from the minute's
samples (:class:`~node_core.telemetry.rollup.MinuteSamples`), which the store seeds from the
stored raw row the first time it touches a minute: the rollup stays a function of the raw
cells even across a restart mid-minute or a back-fill. TradingMetrics samples are one cell
each in their region's minute row.

Why raw rows and a per-minute rollup (measured with ``python -m tests.perf history`` on the
emulator, 2 cores): 24 h of 50 substations raw (4.3 M cells) takes tens of seconds to read,
while a 24 h chart needs ~2,000 points per series. ``read_range`` reads the rollup whenever its
buckets are at least a minute wide — each minute's ``min`` and ``max`` rows, the pair drawn at
the middle of its minute (a bucket spans a minute or more, so the instant within it does not
show) — and raw rows otherwise, so a display shows the rollup first and then refines the
zoomed window from raw rows.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, Final

import numpy as np

from node_core.telemetry.bigtable_clients import admin_clients, emulator_environment
from node_core.telemetry.layout import (
    MINUTE_MS,
    ROLLUP_SUFFIX,
    column_type,
    decode,
    encode,
    hour_ms,
    minute_ms,
    raw_qualifier,
    raw_row_key,
    rollup_qualifier,
    rollup_row_key,
    trading_row_key,
)
from node_core.telemetry.rollup import MinuteSamples
from node_core.telemetry.series import (
    TABLE_FAMILIES,
    FloatArray,
    Series,
    TelemetrySample,
    bucket_width_ms,
    decimate_min_max,
)
from node_core.telemetry.store import TelemetryUnavailable
from node_core.telemetry.target import BigtableTarget

_MAX_MUTATIONS_PER_CALL: Final = 50_000
_PARALLEL_CALLS: Final = 4
_KEEP_MINUTES: Final = 10
_SEED_KEYS_PER_CALL: Final = 1_000

MinuteKey = tuple[Series, int]
"""A gauge series and the first millisecond of one of its minutes."""


class BigtableTelemetryStore:
    """``TelemetryStore`` on Bigtable. Create with ``await BigtableTelemetryStore.open(...)``."""

    def __init__(self, data_client: Any, admin_client: Any, target: BigtableTarget,
                 timeout_s: float) -> None:
        self._data = data_client
        self._admin = admin_client
        self.target = target
        self._timeout_s = timeout_s
        self._tables = {t: data_client.get_table(target.instance, t) for t in TABLE_FAMILIES}
        self._minutes: dict[MinuteKey, MinuteSamples] = {}
        self._prepared = False

    @classmethod
    async def open(cls, target: BigtableTarget, timeout_s: float = 10.0
                   ) -> BigtableTelemetryStore:
        """Create the clients on the running loop (no call yet: a Bigtable that is down now
        is retried by the writes). ``TelemetryUnavailable`` if they cannot be made, e.g.
        without credentials."""
        from google.cloud.bigtable.data import BigtableDataClientAsync

        try:
            admin, _ = admin_clients(target)
            with emulator_environment(target.emulator_host):
                data = BigtableDataClientAsync(project=target.project)
        except Exception as exc:
            raise TelemetryUnavailable(f"no Bigtable client for {target.describe()}: "
                                       f"{exc}") from exc
        return cls(data, admin, target, timeout_s)

    async def ensure_tables(self) -> None:
        """Create the design's tables and families that are missing; set their GC rules."""
        from node_core.telemetry.bigtable_admin import ensure_tables

        try:
            await asyncio.to_thread(ensure_tables, self._admin, self.target.instance_path,
                                    self.target.retention, self._timeout_s)
        except Exception as exc:  # any admin failure means the store is not usable now
            raise TelemetryUnavailable(f"cannot prepare Bigtable tables: {exc}") from exc
        self._prepared = True

    # --- write --------------------------------------------------------------------------

    async def write(self, samples: Sequence[TelemetrySample]) -> None:
        """Write samples (raw cells and rollups, or trading cells), 4 calls in flight."""
        if not samples:
            return
        try:
            await self._write(samples)
        except Exception:
            self._prepared = False  # e.g. an emulator restarted without its tables
            self._minutes.clear()  # and without the raw cells the rollups were made of
            try:
                await self._write(samples)
            except Exception as exc:
                raise TelemetryUnavailable(f"Bigtable write failed: {exc}") from exc

    async def _write(self, samples: Sequence[TelemetrySample]) -> None:
        if not self._prepared:
            await self.ensure_tables()
        gauges = [s for s in samples if s.series.table != "TradingMetrics"]
        await self._seed(gauges)
        by_table: dict[str, list[Any]] = {}
        for table, entry in [*self._gauge_entries(gauges), *_trading_entries(samples)]:
            by_table.setdefault(table, []).append(entry)
        await self._send(by_table)
        self._forget_old_minutes(max(s.timestamp_ms for s in samples))

    async def _seed(self, gauges: Sequence[TelemetrySample]) -> None:
        """Load the stored raw samples of every minute touched for the first time."""
        fresh: dict[bytes, MinuteKey] = {}
        for sample in gauges:
            key = (sample.series, _minute_start(sample.timestamp_ms))
            if key not in self._minutes:
                fresh[raw_row_key(*key)] = key
        seeded = {key: MinuteSamples() for key in fresh.values()}
        by_table: dict[str, list[bytes]] = {}
        for row_key, (series, _) in fresh.items():
            by_table.setdefault(series.table, []).append(row_key)
        for table, keys in by_table.items():
            for start in range(0, len(keys), _SEED_KEYS_PER_CALL):
                chunk = keys[start:start + _SEED_KEYS_PER_CALL]
                for row in await self._read_rows(table, row_keys=chunk):
                    _add_stored(seeded[fresh[row.row_key]], row)
        self._minutes.update(seeded)

    def _gauge_entries(self, gauges: Sequence[TelemetrySample]) -> Iterator[tuple[str, Any]]:
        from google.cloud.bigtable.data import Mutation, RowMutationEntry, SetCell

        raw: dict[MinuteKey, list[Mutation]] = {}
        for s in gauges:
            key = (s.series, _minute_start(s.timestamp_ms))
            self._minutes[key].add(s.timestamp_ms, s.value)
            raw.setdefault(key, []).append(SetCell(
                s.series.family, raw_qualifier(s.timestamp_ms), encode(s.value, "float64"),
                s.timestamp_ms * 1000))
        rollups: dict[tuple[str, bytes], list[Mutation]] = {}
        for (series, start), cells in raw.items():
            yield series.table, RowMutationEntry(raw_row_key(series, start), cells)
            family = series.family + ROLLUP_SUFFIX
            for stat, value in self._minutes[(series, start)].rollup(start).items():
                rollups.setdefault((series.table, rollup_row_key(series, stat, start)), []).append(
                    SetCell(family, rollup_qualifier(start), encode(value, "float64"),
                            start * 1000))
        for (table, row_key), cells in rollups.items():
            yield table, RowMutationEntry(row_key, cells)

    def _forget_old_minutes(self, newest_ms: int) -> None:
        oldest = _minute_start(newest_ms) - _KEEP_MINUTES * MINUTE_MS
        for stale in [key for key in self._minutes if key[1] < oldest]:
            del self._minutes[stale]

    async def _send(self, by_table: dict[str, list[Any]]) -> None:
        gate = asyncio.Semaphore(_PARALLEL_CALLS)

        async def send(table_id: str, chunk: list[Any]) -> None:
            async with gate:
                await self._tables[table_id].bulk_mutate_rows(
                    chunk, operation_timeout=self._timeout_s,
                    attempt_timeout=self._timeout_s,
                )

        await asyncio.gather(*(
            send(table_id, chunk)
            for table_id, entries in by_table.items()
            for chunk in _chunks(entries)
        ))

    # --- read ---------------------------------------------------------------------------

    async def read_range(
        self, series: Series, start_ms: int, end_ms: int, max_points: int | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Raw samples, or per-bucket min/max (from the minute rollup if buckets ≥ 1 min)."""
        try:
            width = None if max_points is None else bucket_width_ms(start_ms, end_ms, max_points)
            if series.table == "TradingMetrics":
                ts, values = await self._read_trading(series, start_ms, end_ms)
            elif width is not None and width >= MINUTE_MS:
                ts, values = await self._read_rollup_extremes(series, start_ms, end_ms)
            else:
                ts, values = await self._read_raw_ms(series, start_ms, end_ms)
        except Exception as exc:
            raise TelemetryUnavailable(f"Bigtable read failed: {exc}") from exc
        if width is None:
            return ts.astype(np.float64) / 1000.0, values
        return decimate_min_max(ts, values, start_ms, width)

    async def _read_rows(self, table: str, **query: Any) -> list[Any]:
        from google.cloud.bigtable.data import ReadRowsQuery
        from google.cloud.bigtable.data.row_filters import CellsColumnLimitFilter

        query.setdefault("row_filter", CellsColumnLimitFilter(1))
        rows: list[Any] = await self._tables[table].read_rows(
            ReadRowsQuery(**query), operation_timeout=self._timeout_s,
            attempt_timeout=self._timeout_s)
        return rows

    async def _scan(self, table: str, first: bytes, last: bytes, row_filter: Any = None
                    ) -> list[Any]:
        from google.cloud.bigtable.data import RowRange

        query: dict[str, Any] = {"row_ranges": RowRange(first, last, end_is_inclusive=True)}
        if row_filter is not None:
            query["row_filter"] = row_filter
        return await self._read_rows(table, **query)

    async def _read_raw_ms(
        self, series: Series, start_ms: int, end_ms: int
    ) -> tuple[np.ndarray, FloatArray]:
        last = max(start_ms, end_ms - 1)
        rows = await self._scan(series.table, raw_row_key(series, start_ms),
                                raw_row_key(series, last))
        stamps: list[int] = []
        chunks: list[bytes] = []
        for row in rows:
            start = minute_ms(row.row_key)
            for cell in row.cells:
                stamps.append(start + int(cell.qualifier))
                chunks.append(cell.value)
        return _sorted_in_range(stamps, chunks, start_ms, end_ms)

    async def _read_rollup_extremes(
        self, series: Series, start_ms: int, end_ms: int
    ) -> tuple[np.ndarray, FloatArray]:
        last = max(start_ms, end_ms - 1)
        lows, highs = await asyncio.gather(*(
            self._scan(series.table, rollup_row_key(series, stat, start_ms),
                       rollup_row_key(series, stat, last)) for stat in ("min", "max")))
        stamps: list[int] = []
        chunks: list[bytes] = []
        for row in (*lows, *highs):
            middle = hour_ms(row.row_key) + MINUTE_MS // 2
            for cell in row.cells:
                stamps.append(middle + int(cell.qualifier) * MINUTE_MS)
                chunks.append(cell.value)
        return _sorted_in_range(stamps, chunks, start_ms, end_ms)

    async def _read_trading(self, series: Series, start_ms: int, end_ms: int
                            ) -> tuple[np.ndarray, FloatArray]:
        from google.cloud.bigtable.data.row_filters import (
            CellsColumnLimitFilter,
            ColumnQualifierRegexFilter,
            FamilyNameRegexFilter,
            RowFilterChain,
        )

        column = RowFilterChain([FamilyNameRegexFilter(f"^{series.family}$"),
                                 ColumnQualifierRegexFilter(f"^{series.key}$".encode()),
                                 CellsColumnLimitFilter(1)])
        rows = await self._scan(series.table, trading_row_key(series.scope, start_ms),
                                trading_row_key(series.scope, max(start_ms, end_ms - 1)),
                                column)
        kind = column_type(series.family, series.key)
        points = [(minute_ms(row.row_key), decode(cell.value, kind))
                  for row in rows for cell in row.cells]
        return _points_in_range(points, start_ms, end_ms)

    async def close(self) -> None:
        """Close the data client (the sync admin channel closes with the process)."""
        with contextlib.suppress(Exception):
            await self._data.close()


def _minute_start(timestamp_ms: int) -> int:
    return timestamp_ms - timestamp_ms % MINUTE_MS


def _add_stored(minute: MinuteSamples, row: Any) -> None:
    """The cells of a stored raw row into ``minute``."""
    start = minute_ms(row.row_key)
    for cell in row.cells:
        minute.add(start + int(cell.qualifier), decode(cell.value, "float64"))


def _trading_entries(samples: Sequence[TelemetrySample]) -> Iterator[tuple[str, Any]]:
    from google.cloud.bigtable.data import RowMutationEntry, SetCell

    rows: dict[bytes, list[Any]] = {}
    for s in samples:
        if s.series.table != "TradingMetrics":
            continue
        start = _minute_start(s.timestamp_ms)
        rows.setdefault(trading_row_key(s.series.scope, start), []).append(SetCell(
            s.series.family, s.series.key,
            encode(s.value, column_type(s.series.family, s.series.key)), start * 1000))
    for row_key, cells in rows.items():
        yield "TradingMetrics", RowMutationEntry(row_key, cells)


def _chunks(entries: list[Any]) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    size = 0
    for entry in entries:
        if chunk and size + len(entry.mutations) > _MAX_MUTATIONS_PER_CALL:
            yield chunk
            chunk, size = [], 0
        chunk.append(entry)
        size += len(entry.mutations)
    if chunk:
        yield chunk


def _sorted_in_range(stamps: list[int], chunks: list[bytes], start_ms: int, end_ms: int
                     ) -> tuple[np.ndarray, FloatArray]:
    """float64 cells at their times, in time order (a stable sort: a minute's min before its
    max), within ``[start_ms, end_ms)``."""
    ts = np.asarray(stamps, dtype=np.int64)
    values = np.frombuffer(b"".join(chunks), dtype=">f8").astype(np.float64)
    order = np.argsort(ts, kind="stable")
    return _in_range(ts[order], values[order], start_ms, end_ms)


def _points_in_range(points: list[tuple[int, float]], start_ms: int, end_ms: int
                     ) -> tuple[np.ndarray, FloatArray]:
    points.sort()
    ts = np.asarray([t for t, _ in points], dtype=np.int64)
    return _in_range(ts, np.asarray([v for _, v in points], dtype=np.float64), start_ms, end_ms)


def _in_range(
    ts: np.ndarray, values: FloatArray, start_ms: int, end_ms: int
) -> tuple[np.ndarray, FloatArray]:
    keep = (ts >= start_ms) & (ts < end_ms)
    return ts[keep], values[keep]
