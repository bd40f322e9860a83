"""A store wrapper that keeps writing when the backing store is down, and back-fills later.

Every write lands first in a local SQLite (WAL) buffer on disk, in arrival order (an
autoincrement sequence), and returns at once. A drain task sends the oldest samples to the
backing store in batches and deletes them only after the store accepted them, so the order
is preserved and a crash or restart loses nothing (the next instance drains what is left).
While the store is unreachable the drain task retries every ``retry_s``. The buffer is
bounded: past ``max_buffered`` samples the oldest are dropped and counted in ``state``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from node_core.telemetry.series import FloatArray, InvalidSeries, Series, TelemetrySample
from node_core.telemetry.sqlite_store import open_wal
from node_core.telemetry.store import TelemetryStore

_log = logging.getLogger(__name__)

BufferStatus = Literal["connected", "buffering", "unreachable"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    series TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    value REAL NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class BufferState:
    """What the status bar shows about telemetry storage."""

    status: BufferStatus
    """``connected``: nothing pending; ``buffering``: catching up; ``unreachable``: last
    attempt to reach the store failed."""
    buffered: int
    """Samples waiting in the local buffer."""
    dropped: int
    """Samples dropped since this wrapper started: the buffer was full, or a buffered row
    named no valid series (left by an older version)."""

    @property
    def label(self) -> str:
        """E.g. ``connected``, ``buffering 120 samples``, ``unreachable (120 buffered)``."""
        if self.status == "unreachable":
            return f"unreachable ({self.buffered} buffered)"
        if self.status == "buffering":
            return f"buffering {self.buffered} samples"
        return "connected"


class BufferedTelemetryStore:
    """``TelemetryStore`` that never blocks on, nor loses samples to, an absent backing store."""

    def __init__(self, backing: TelemetryStore, buffer_path: Path, *,
                 max_buffered: int = 2_000_000, batch_size: int = 10_000,
                 retry_s: float = 1.0) -> None:
        self._backing = backing
        self._db = open_wal(buffer_path)
        self._db.execute(_SCHEMA)
        self._buffered: int = self._db.execute("SELECT COUNT(*) FROM pending").fetchone()[0]
        self._max_buffered = max_buffered
        self._batch_size = batch_size
        self._retry_s = retry_s
        self._dropped = 0
        self._reachable = True
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()
        self._drain_task: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def state(self) -> BufferState:
        """Current storage state for the status bar."""
        if not self._reachable:
            status: BufferStatus = "unreachable"
        else:
            status = "buffering" if self._buffered else "connected"
        return BufferState(status, self._buffered, self._dropped)

    def start(self) -> None:
        """Start draining (also done by the first write); drains leftovers from a restart."""
        if self._drain_task is None:
            self._drain_task = asyncio.get_running_loop().create_task(self._drain())
        self._wake.set()

    async def write(self, samples: Sequence[TelemetrySample]) -> None:
        """Append samples to the local buffer and return; the drain task sends them on."""
        self.enqueue(samples)

    def enqueue(self, samples: Sequence[TelemetrySample]) -> None:
        """``write`` for code that cannot await (one local SQLite insert, then return)."""
        rows = [(s.series.name, s.timestamp_ms, s.value) for s in samples]
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO pending (series, ts_ms, value) VALUES (?, ?, ?)",
                                 rows)
        self._buffered += len(rows)
        self._enforce_bound()
        self._drained.clear()
        self.start()

    def _enforce_bound(self) -> None:
        excess = self._buffered - self._max_buffered
        if excess <= 0:
            return
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "DELETE FROM pending WHERE seq IN (SELECT seq FROM pending ORDER BY seq LIMIT ?)",
                (excess,),
            )
        self._buffered -= excess
        self._dropped += excess
        _log.warning("telemetry buffer full: dropped %d oldest samples", excess)

    async def flush(self, timeout_s: float | None = None) -> bool:
        """Wait until the buffer is empty; False if ``timeout_s`` passed first."""
        self.start()
        if not self._buffered:
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained.wait(), timeout_s)
        return self._buffered == 0

    async def _drain(self) -> None:
        while not self._closing:
            batch = self._oldest()
            if not batch:
                self._drained.set()
                await self._wake.wait()
                self._wake.clear()
                continue
            accepted = await self._send(batch)
            if self._closing:  # the Bigtable client may swallow the cancellation (close)
                return
            if accepted:
                self._forget_through(batch[-1][0])
            else:
                await asyncio.sleep(self._retry_s)

    def _oldest(self) -> list[tuple[int, str, int, float]]:
        rows: list[tuple[int, str, int, float]] = self._db.execute(
            "SELECT seq, series, ts_ms, value FROM pending ORDER BY seq LIMIT ?",
            (self._batch_size,),
        ).fetchall()
        return rows

    async def _send(self, batch: list[tuple[int, str, int, float]]) -> bool:
        samples = self._samples(batch)
        try:
            await self._backing.write(samples)
        except Exception as exc:  # whatever the backend raises, keep the samples and retry
            if self._reachable:
                _log.warning("telemetry store unreachable, buffering locally: %s", exc)
            self._reachable = False
            return False
        if not self._reachable:
            _log.info("telemetry store reachable again; back-filling %d samples", self._buffered)
        self._reachable = True
        return True

    def _samples(self, batch: list[tuple[int, str, int, float]]) -> list[TelemetrySample]:
        """The batch's samples; rows naming no valid series (a buffer left by an older
        version) are dropped with a warning and counted."""
        samples = []
        for _, name, ts, value in batch:
            try:
                samples.append(TelemetrySample(Series.parse(name), ts, value))
            except InvalidSeries as error:
                self._dropped += 1
                _log.warning("telemetry buffer: sample dropped: %s", error)
        return samples

    def _forget_through(self, seq: int) -> None:
        with self._db:
            self._db.execute("BEGIN")
            deleted = self._db.execute("DELETE FROM pending WHERE seq <= ?", (seq,)).rowcount
        self._buffered = max(0, self._buffered - deleted)

    async def read_range(
        self, series: Series, start_ms: int, end_ms: int, max_points: int | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Read from the backing store (samples still buffered are not included)."""
        return await self._backing.read_range(series, start_ms, end_ms, max_points)

    async def close(self, timeout_s: float = 5.0) -> None:
        """Stop draining (what is left stays on disk for next time) and close both stores.

        A backing store that does not stop within ``timeout_s`` is abandoned with a warning:
        the Bigtable client, once its server has died, can ignore both its own deadline and
        the cancellation (seen with the emulator killed mid-write). Nothing is lost by that:
        samples leave the buffer only after the store accepted them."""
        self._closing = True
        if self._drain_task is not None:
            self._drain_task.cancel()
            done, _ = await asyncio.wait({self._drain_task}, timeout=timeout_s)
            if not done:
                _log.warning("telemetry store did not stop within %.0f s; closing without it "
                             "(%d samples stay buffered for next time)", timeout_s,
                             self._buffered)
        self._db.close()
        try:
            await asyncio.wait_for(self._backing.close(), timeout_s)
        except TimeoutError:
            _log.warning("telemetry store did not close within %.0f s; abandoned", timeout_s)
