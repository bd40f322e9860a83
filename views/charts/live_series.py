"""One plotted telemetry series: live ring buffer, its peak envelope and scroll-back history.

Pure numpy (no Qt): the widget asks it what to draw for a view range and pixel width, and
which stretch of history is missing left of what the live buffer holds.
"""

from __future__ import annotations

import math

import numpy as np

from views.charts.decimation import PeakEnvelope
from views.charts.ring_buffer import DEFAULT_CAPACITY, SampleRing

_EMPTY = np.empty(0, dtype=np.float64)


class LiveSeries:
    """Samples of one series and the incremental decimation that keeps it cheap to draw."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.ring = SampleRing(capacity)
        """Live samples, newest last."""
        self.history_t = _EMPTY
        """Times of the scroll-back data last shown (already decimated by its source)."""
        self.history_v = _EMPTY
        self._envelope: PeakEnvelope | None = None
        self._fed_until = -math.inf
        """Newest time the envelope has seen every stored sample up to."""
        self._clip_end = math.inf
        """Samples after this time are not folded in (the view is paused left of them)."""
        self._requested: tuple[float, float] | None = None

    def ingest(self, t: np.ndarray, v: np.ndarray) -> int:
        """Store a block of live samples; returns how many were stored."""
        t, v = self.ring.extend(t, v)
        if self._envelope is None or len(t) == 0:
            return len(t)
        if t[-1] > self._clip_end:
            keep = int(np.searchsorted(t, self._clip_end, side="right"))
            self._envelope.extend(t[:keep], v[:keep])
            self._fed_until = max(self._fed_until, self._clip_end)
        else:
            self._envelope.extend(t, v)
            self._fed_until = float(t[-1])
        return len(t)

    def drawable(self, x0: float, x1: float, pixels: int, following: bool):
        """x, y of the live trace for the view ``[x0, x1]`` that is ``pixels`` wide."""
        width = (x1 - x0) / max(1, pixels)
        if not width > 0:
            return _EMPTY, _EMPTY
        self._clip_end = math.inf if following else x1 + 2 * width
        if not self._envelope_fits(x0, x1, width):
            self._rebuild(x0, width, pixels)
        return self._envelope.envelope(x0, x1)

    def drop_envelope(self) -> None:
        """Stop maintaining the decimation (the series is hidden); it is rebuilt on demand."""
        self._envelope = None

    def set_history(self, t: np.ndarray, v: np.ndarray) -> None:
        """Replace the scroll-back data (time order, float64)."""
        t = np.asarray(t, np.float64)
        order = np.argsort(t, kind="stable")
        self.history_t = t[order]
        self.history_v = np.asarray(v, np.float64)[order]

    def history_between(self, x0: float, x1: float) -> tuple[np.ndarray, np.ndarray]:
        """The history samples with ``x0 <= t <= x1``."""
        lo = int(np.searchsorted(self.history_t, x0, side="left"))
        hi = int(np.searchsorted(self.history_t, x1, side="right"))
        return self.history_t[lo:hi], self.history_v[lo:hi]

    def value_at(self, t: float) -> tuple[float, float] | None:
        """The sample nearest to ``t``: live if ``t`` is within the live buffer, else history."""
        earliest = self.ring.earliest_time
        if earliest is not None and t >= earliest:
            return self.ring.nearest(t)
        if len(self.history_t):
            return _nearest(self.history_t, self.history_v, t)
        return self.ring.nearest(t)

    def missing_history(self, x0: float, x1: float,
                        tolerance: float = 0.0) -> tuple[float, float] | None:
        """The part of ``[x0, x1]`` before the live buffer not yet shown or asked for.

        Returns None when nothing is missing (within ``tolerance`` seconds at either end, so a
        slowly moving live window does not ask again every frame); a returned range counts as
        asked for.
        """
        live_start = self.ring.earliest_time
        end = x1 if live_start is None else min(x1, live_start)
        if x0 >= end:
            return None
        for have in (self._history_span(), self._requested):
            if have is not None and have[0] <= x0 + tolerance and end <= have[1] + tolerance:
                return None
        self._requested = (x0, end)
        return self._requested

    def _history_span(self) -> tuple[float, float] | None:
        if len(self.history_t) == 0:
            return None
        return float(self.history_t[0]), float(self.history_t[-1])

    def _envelope_fits(self, x0: float, x1: float, width: float) -> bool:
        """Whether the envelope has this bucket width and has seen every sample in view."""
        env = self._envelope
        if env is None or not math.isclose(env.bucket_width, width, rel_tol=1e-6):
            return False
        earliest, latest = self.ring.earliest_time, self.ring.latest_time
        if earliest is None:
            return True
        need_start, need_end = max(x0 - width, earliest), min(x1 + width, latest)
        if need_end < need_start:
            return True
        covered = env.covered
        if covered is None:
            return False
        return covered[0] <= need_start + 1e-9 * abs(need_start) and self._fed_until >= need_end

    def _rebuild(self, x0: float, width: float, pixels: int) -> None:
        """Build the envelope afresh from the live buffer (zoom, resize, scroll, un-pause)."""
        self._envelope = PeakEnvelope(width, capacity=pixels + pixels // 2 + 4)
        t, v = self.ring.window(x0 - 2 * width, self._clip_end)
        self._envelope.extend(t, v)
        latest = self.ring.latest_time
        self._fed_until = -math.inf if latest is None else min(latest, self._clip_end)


def _nearest(times: np.ndarray, values: np.ndarray, t: float) -> tuple[float, float]:
    """The (time, value) in sorted, non-empty ``times`` closest to ``t``."""
    i = int(np.searchsorted(times, t))
    candidates = [j for j in (i - 1, i) if 0 <= j < len(times)]
    best = min(candidates, key=lambda j: abs(times[j] - t))
    return float(times[best]), float(values[best])
