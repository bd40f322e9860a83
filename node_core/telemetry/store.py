"""The telemetry store protocol every backend (Bigtable, SQLite, buffered) implements.

Ranges are half-open, ``[start_ms, end_ms)``, in UTC milliseconds. Reads return two float64
numpy arrays: timestamps in seconds since the epoch (what pyqtgraph wants as x) and values.
With ``max_points`` the store decimates: per time bucket it returns the minimum and maximum
(at most ``max_points`` points in all), so peaks survive on a chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from node_core.ledger.exceptions import GridTokenXError
from node_core.telemetry.series import FloatArray, Series, TelemetrySample


class TelemetryUnavailable(GridTokenXError):
    """The backing store cannot be reached (network down, emulator stopped, timeout)."""


class TelemetryStore(Protocol):
    """Async time-series storage for grid and node telemetry."""

    async def write(self, samples: Sequence[TelemetrySample]) -> None:
        """Store samples; rewriting a (series, timestamp) replaces its value."""
        ...

    async def read_range(
        self, series: Series, start_ms: int, end_ms: int, max_points: int | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Samples of ``series`` in ``[start_ms, end_ms)``, decimated if ``max_points``."""
        ...

    async def close(self) -> None:
        """Release connections; the store is unusable afterwards."""
        ...
