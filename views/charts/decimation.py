"""Incremental per-pixel min/max ("peak") decimation of a time series (pure numpy, no Qt).

A :class:`PeakEnvelope` keeps, for every time bucket ``[k*w, (k+1)*w)`` (``w`` = visible span /
plot width in pixels), the minimum and maximum sample and the times they occurred. Buckets are
keyed to absolute time, so a live window that scrolls by whole buckets never invalidates them:
an append touches only the newest bucket(s), and a frame reads O(pixels) buckets instead of the
O(window) samples. Drawing each bucket's min and max in time order covers every pixel column
that drawing all samples would cover (the vertical extent per column is exact).

Change the bucket width (zoom, resize) by building a new envelope from the ring buffer.
"""

from __future__ import annotations

import math

import numpy as np


class PeakEnvelope:
    """Bucketed min/max summary of a non-decreasing-in-time sample stream."""

    def __init__(self, bucket_width: float, capacity: int) -> None:
        """``capacity``: the newest buckets always kept (>= the plot width in pixels)."""
        if not bucket_width > 0 or not math.isfinite(bucket_width):
            raise ValueError(f"bucket_width must be positive and finite, got {bucket_width}")
        if capacity < 1:
            raise ValueError(f"capacity must be positive, got {capacity}")
        self.bucket_width = float(bucket_width)
        self.capacity = int(capacity)
        slots = 2 * self.capacity  # slack so that sliding forward is amortised O(1) per bucket
        self._min = np.empty(slots)
        self._max = np.empty(slots)
        self._t_min = np.full(slots, np.nan)
        """Time of each bucket's minimum; NaN marks an empty bucket."""
        self._t_max = np.empty(slots)
        self._first_key = 0
        """Bucket key stored in slot 0."""
        self._used = 0
        """Slots in use: keys ``first_key .. first_key + used - 1``."""

    def clear(self) -> None:
        """Forget every bucket (width and capacity are kept)."""
        self._t_min[:] = np.nan
        self._used = 0

    @property
    def covered(self) -> tuple[float, float] | None:
        """Time span ``[start, end)`` of the buckets held, or None when empty."""
        if self._used == 0:
            return None
        w = self.bucket_width
        return self._first_key * w, (self._first_key + self._used) * w

    def buckets(self) -> tuple[np.ndarray, ...]:
        """Filled buckets as arrays (key, min, t of min, max, t of max), oldest first."""
        used = slice(0, self._used)
        filled = ~np.isnan(self._t_min[used])
        keys = np.arange(self._first_key, self._first_key + self._used, dtype=np.int64)
        return (keys[filled], self._min[used][filled], self._t_min[used][filled],
                self._max[used][filled], self._t_max[used][filled])

    def extend(self, t: np.ndarray, v: np.ndarray) -> None:
        """Fold a block of samples (times non-decreasing) into the buckets."""
        t = np.asarray(t, np.float64)
        v = np.asarray(v, np.float64)
        finite = np.isfinite(v) & np.isfinite(t)
        if not finite.all():
            t, v = t[finite], v[finite]
        if len(t) == 0:
            return
        keys = np.floor(t / self.bucket_width).astype(np.int64)
        if self._used == 0:
            self._first_key = int(keys[0])
        self._slide_to(int(keys[-1]))
        fresh = keys >= self._first_key
        if not fresh[0]:
            t, v, keys = t[fresh], v[fresh], keys[fresh]
        if len(t):
            self._merge(*_reduce_per_bucket(t, v, keys - self._first_key))

    def envelope(self, t_start: float, t_end: float) -> tuple[np.ndarray, np.ndarray]:
        """x, y to draw for ``[t_start, t_end]``: each bucket's min and max in time order.

        Includes one bucket beyond each end so the trace runs off the plot's edges. A bucket
        whose min and max are the same sample contributes one point, so sparse data is drawn
        exactly as stored.
        """
        w = self.bucket_width
        lo = max(0, math.floor(t_start / w) - 1 - self._first_key)
        hi = min(self._used, math.floor(t_end / w) + 2 - self._first_key)
        if hi <= lo:
            return np.empty(0), np.empty(0)
        sl = slice(lo, hi)
        filled = ~np.isnan(self._t_min[sl])
        t_min, t_max = self._t_min[sl][filled], self._t_max[sl][filled]
        v_min, v_max = self._min[sl][filled], self._max[sl][filled]
        return _interleave(t_min, v_min, t_max, v_max)

    def _slide_to(self, newest_key: int) -> None:
        """Make room for ``newest_key``, dropping the oldest buckets beyond ``capacity``."""
        slots = len(self._min)
        if newest_key - self._first_key < slots:
            return
        new_first = newest_key - self.capacity + 1
        shift = new_first - self._first_key
        keep = max(0, self._used - shift)
        for arr in (self._min, self._max, self._t_min, self._t_max):
            arr[:keep] = arr[shift:shift + keep]
        self._t_min[keep:] = np.nan
        self._first_key = new_first
        self._used = keep

    def _merge(self, slots: np.ndarray, v_min: np.ndarray, t_min: np.ndarray,
               v_max: np.ndarray, t_max: np.ndarray) -> None:
        """Combine per-bucket extremes of a new block with the stored ones (earliest wins ties)."""
        empty = np.isnan(self._t_min[slots])
        lower = empty | (v_min < self._min[slots])
        self._min[slots[lower]] = v_min[lower]
        self._t_min[slots[lower]] = t_min[lower]
        higher = empty | (v_max > self._max[slots])
        self._max[slots[higher]] = v_max[higher]
        self._t_max[slots[higher]] = t_max[higher]
        self._used = max(self._used, int(slots[-1]) + 1)


def _reduce_per_bucket(t: np.ndarray, v: np.ndarray, slots: np.ndarray):
    """Per distinct slot of a sorted block: (slot, min, t of min, max, t of max)."""
    starts = np.flatnonzero(np.r_[True, slots[1:] != slots[:-1]])
    segment = np.cumsum(np.r_[False, slots[1:] != slots[:-1]])
    v_min = np.minimum.reduceat(v, starts)
    v_max = np.maximum.reduceat(v, starts)
    return (slots[starts], v_min, t[_first_match(v == v_min[segment], segment)],
            v_max, t[_first_match(v == v_max[segment], segment)])


def _first_match(hits: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Index of the first True of each segment (every segment has at least one)."""
    idx = np.flatnonzero(hits)
    seg = segment[idx]
    return idx[np.r_[True, seg[1:] != seg[:-1]]]


def _interleave(t_min: np.ndarray, v_min: np.ndarray, t_max: np.ndarray, v_max: np.ndarray):
    """Two points per bucket in time order; the second is dropped when it is the same point."""
    min_first = t_min <= t_max
    t1 = np.where(min_first, t_min, t_max)
    t2 = np.where(min_first, t_max, t_min)
    y1 = np.where(min_first, v_min, v_max)
    y2 = np.where(min_first, v_max, v_min)
    x = np.empty(2 * len(t1))
    y = np.empty(2 * len(t1))
    x[0::2], x[1::2], y[0::2], y[1::2] = t1, t2, y1, y2
    keep = np.ones(len(x), dtype=bool)
    keep[1::2] = (t1 != t2) | (y1 != y2)
    return x[keep], y[keep]


def brute_force_envelope(t: np.ndarray, v: np.ndarray, bucket_width: float):
    """Reference: per bucket (key, min, t of min, max, t of max) straight from all samples.

    Slow (a Python loop); for tests and for checking :class:`PeakEnvelope`.
    """
    keys = np.floor(np.asarray(t) / bucket_width).astype(np.int64)
    rows = []
    for key in np.unique(keys):
        sel = np.flatnonzero(keys == key)
        i_min, i_max = sel[np.argmin(v[sel])], sel[np.argmax(v[sel])]
        rows.append((int(key), float(v[i_min]), float(t[i_min]), float(v[i_max]), float(t[i_max])))
    return rows
