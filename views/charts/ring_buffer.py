"""Preallocated ring buffer of time-stamped telemetry samples (pure numpy, no Qt).

Times are UTC epoch seconds (float64). Samples are kept in non-decreasing time order so a time
window is two binary searches away; a sample older than the newest one stored is dropped and
counted in :attr:`SampleRing.dropped` (live telemetry may repeat or reorder a message; a chart
must not crash on it).
"""

from __future__ import annotations

import numpy as np

DEFAULT_CAPACITY = 131_072
"""Samples kept per series: a 5-minute window at ~400 Hz, or 36 hours at 1 Hz."""

_EMPTY = np.empty(0, dtype=np.float64)


class SampleRing:
    """Fixed-capacity (t, value) ring: O(1) single appends, vectorised block appends."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be positive, got {capacity}")
        self._t = np.empty(capacity, dtype=np.float64)
        self._v = np.empty(capacity, dtype=np.float64)
        self._head = 0
        """Index where the next sample is written."""
        self._size = 0
        self.dropped = 0
        """Samples refused because they were older than the newest stored, or had no time."""

    @property
    def capacity(self) -> int:
        """Maximum number of samples kept; older ones are overwritten."""
        return len(self._t)

    def __len__(self) -> int:
        return self._size

    @property
    def earliest_time(self) -> float | None:
        """Time of the oldest stored sample, or None when empty."""
        if self._size == 0:
            return None
        return float(self._t[(self._head - self._size) % self.capacity])

    @property
    def latest_time(self) -> float | None:
        """Time of the newest stored sample, or None when empty."""
        if self._size == 0:
            return None
        return float(self._t[self._head - 1])

    def clear(self) -> None:
        """Forget every sample (capacity is kept)."""
        self._head = 0
        self._size = 0

    def append(self, t: float, value: float) -> bool:
        """Store one sample; returns False (and counts it) if it is older than the newest."""
        latest = self.latest_time
        if t != t or (latest is not None and t < latest):
            self.dropped += 1
            return False
        self._t[self._head] = t
        self._v[self._head] = value
        self._head = (self._head + 1) % self.capacity
        self._size = min(self._size + 1, self.capacity)
        return True

    def extend(self, t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Store a block of samples; returns the (t, v) actually stored, in time order."""
        t, v = self._admissible(np.asarray(t, np.float64), np.asarray(v, np.float64))
        stored_t, stored_v = t, v
        if len(t) > self.capacity:
            t, v = t[-self.capacity:], v[-self.capacity:]
        first = min(len(t), self.capacity - self._head)
        self._t[self._head:self._head + first] = t[:first]
        self._v[self._head:self._head + first] = v[:first]
        rest = len(t) - first
        self._t[:rest] = t[first:]
        self._v[:rest] = v[first:]
        self._head = (self._head + len(t)) % self.capacity
        self._size = min(self._size + len(t), self.capacity)
        return stored_t, stored_v

    def window(self, t_start: float = -np.inf,
               t_end: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the samples with ``t_start <= t <= t_end``, in time order."""
        parts = [self._slice_between(seg, t_start, t_end) for seg in self._segments()]
        parts = [p for p in parts if p.stop > p.start]
        if not parts:
            return _EMPTY.copy(), _EMPTY.copy()
        if len(parts) == 1:
            return self._t[parts[0]].copy(), self._v[parts[0]].copy()
        return (np.concatenate([self._t[p] for p in parts]),
                np.concatenate([self._v[p] for p in parts]))

    def nearest(self, t: float) -> tuple[float, float] | None:
        """The stored sample closest in time to ``t``, or None when empty."""
        if self._size == 0:
            return None
        candidates = []
        for seg in self._segments():
            times = self._t[seg]
            i = int(np.searchsorted(times, t))
            candidates += [seg.start + j for j in (i - 1, i) if 0 <= j < len(times)]
        best = min(candidates, key=lambda j: abs(self._t[j] - t))
        return float(self._t[best]), float(self._v[best])

    def _admissible(self, t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sort a block by time and drop samples without a time or older than the newest."""
        if t.shape != v.shape or t.ndim != 1:
            raise ValueError(f"t and v must be 1-D and equal length, got {t.shape} and {v.shape}")
        if len(t) > 1 and np.any(t[1:] < t[:-1]):
            order = np.argsort(t, kind="stable")
            t, v = t[order], v[order]
        latest = self.latest_time
        keep = ~np.isnan(t) if latest is None else (t >= latest)
        if not keep.all():
            self.dropped += int(len(t) - np.count_nonzero(keep))
            t, v = t[keep], v[keep]
        return t, v

    def _segments(self) -> list[slice]:
        """The stored samples as one or two index ranges, oldest first."""
        start = (self._head - self._size) % self.capacity
        if start + self._size <= self.capacity:
            return [slice(start, start + self._size)]
        return [slice(start, self.capacity), slice(0, self._head)]

    def _slice_between(self, seg: slice, t_start: float, t_end: float) -> slice:
        """The part of one sorted index range whose times lie in ``[t_start, t_end]``."""
        times = self._t[seg]
        lo = int(np.searchsorted(times, t_start, side="left"))
        hi = int(np.searchsorted(times, t_end, side="right"))
        return slice(seg.start + lo, seg.start + max(lo, hi))
