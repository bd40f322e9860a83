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

    def rollup(self, minute_start_ms: int) -> dict[str, float]:
        """The statistics of :data:`~node_core.telemetry.layout.ROLLUP_STATS`; times in
        seconds after ``minute_start_ms`` (an extreme's: the first instant it was reached)."""
        times = sorted(self.values)
        ordered = [self.values[t] for t in times]
        low, high = min(ordered), max(ordered)

        def at(index: int) -> float:
            return (times[index] - minute_start_ms) / 1000

        return {
            "min": low, "max": high, "mean": sum(ordered) / len(ordered),
            "count": float(len(ordered)), "first_at": at(0), "last_at": at(-1),
            "min_at": at(ordered.index(low)), "max_at": at(ordered.index(high)),
        }
