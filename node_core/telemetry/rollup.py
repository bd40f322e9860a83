"""The per-minute rollup of a gauge: a pure function of the minute's raw samples.

A writer keeps the samples of each recent minute of each series by time, seeded from the
stored raw row the first time it touches a minute (:class:`MinuteSamples`). Rewriting an
instant replaces its value, and the statistics are computed in time order, so the rollup
cells depend only on the raw cells stored — never on the order samples arrived, on which
writer wrote them, or on a restart in the middle of the minute.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class MinuteSamples:
    """One series' samples in one minute: timestamp (UTC ms) → value."""

    values: dict[int, float] = field(default_factory=dict)

    def add(self, timestamp_ms: int, value: float) -> None:
        """Store a sample; a second one at the same instant replaces the first."""
        self.values[timestamp_ms] = value

    def rollup(self) -> dict[str, float]:
        """The statistics of :data:`~node_core.telemetry.layout.ROLLUP_COLUMNS` (the extremes'
        times are the first instant each extreme was reached)."""
        times = sorted(self.values)
        ordered = [self.values[t] for t in times]
        low, high = min(ordered), max(ordered)
        return {
            "min": low, "max": high, "mean": sum(ordered) / len(ordered),
            "count": float(len(ordered)), "first_ms": float(times[0]),
            "last_ms": float(times[-1]), "min_ms": float(times[ordered.index(low)]),
            "max_ms": float(times[ordered.index(high)]),
        }
