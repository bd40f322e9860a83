"""PeakEnvelope: incremental per-bucket min/max equals the brute-force summary."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from views.charts.decimation import PeakEnvelope, brute_force_envelope
from views.charts.live_series import LiveSeries


def _rows(envelope: PeakEnvelope):
    return [(int(k), float(a), float(b), float(c), float(d))
            for k, a, b, c, d in zip(*envelope.buckets(), strict=True)]


def _series(seed: int, n: int, t0: float = 1.75e9, step: float = 0.01):
    rng = np.random.default_rng(seed)
    t = t0 + np.cumsum(rng.uniform(0.0, 2 * step, n))
    return t, rng.standard_normal(n)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 600), width=st.floats(0.005, 0.5), seed=st.integers(0, 2**31),
       cuts=st.lists(st.integers(0, 600), max_size=8))
def test_incremental_envelope_equals_brute_force(n, width, seed, cuts):
    t, v = _series(seed, n)
    v = np.round(v, 1)  # ties, so "earliest occurrence wins" is exercised
    envelope = PeakEnvelope(width, capacity=100_000)
    bounds = [0, *sorted(c for c in cuts if c < n), n]
    for lo, hi in itertools.pairwise(bounds):
        envelope.extend(t[lo:hi], v[lo:hi])
    assert _rows(envelope) == brute_force_envelope(t, v, width)


def test_single_sample_appends_across_bucket_boundaries():
    t, v = _series(1, 500)
    envelope = PeakEnvelope(0.05, capacity=10_000)
    for ti, vi in zip(t, v, strict=True):
        envelope.extend(np.array([ti]), np.array([vi]))
    assert _rows(envelope) == brute_force_envelope(t, v, 0.05)


def test_only_the_newest_capacity_buckets_are_kept():
    t, v = _series(2, 5000)
    envelope = PeakEnvelope(0.1, capacity=40)
    for lo in range(0, 5000, 137):
        envelope.extend(t[lo:lo + 137], v[lo:lo + 137])
    rows = _rows(envelope)
    expected = brute_force_envelope(t, v, 0.1)
    kept = [r for r in expected if r[0] >= rows[0][0]]
    assert rows == kept
    assert rows[-1][0] - rows[0][0] >= 39  # at least `capacity` buckets of history


def test_envelope_points_are_in_time_order_and_cover_each_bucket():
    t, v = _series(3, 20_000)
    width = 0.2
    envelope = PeakEnvelope(width, capacity=10_000)
    envelope.extend(t, v)
    x, y = envelope.envelope(t[0], t[-1])
    assert np.all(np.diff(x) >= 0)
    keys = np.floor(x / width)
    for key, v_min, _, v_max, _ in brute_force_envelope(t, v, width):
        in_bucket = y[keys == key]
        assert in_bucket.min() == v_min and in_bucket.max() == v_max


def test_sparse_data_is_drawn_exactly():
    t = 100.0 + np.arange(10.0)
    v = np.sin(t)
    envelope = PeakEnvelope(0.5, capacity=100)
    envelope.extend(t, v)
    x, y = envelope.envelope(t[0], t[-1])
    np.testing.assert_array_equal(x, t)
    np.testing.assert_array_equal(y, v)


def test_non_finite_values_are_skipped():
    envelope = PeakEnvelope(1.0, capacity=10)
    envelope.extend(np.array([0.1, 0.2, 0.3]), np.array([1.0, np.nan, 3.0]))
    assert _rows(envelope) == [(0, 1.0, 0.1, 3.0, 0.3)]


def test_invalid_arguments_are_rejected():
    with pytest.raises(ValueError):
        PeakEnvelope(0.0, 10)
    with pytest.raises(ValueError):
        PeakEnvelope(1.0, 0)


def test_live_series_envelope_follows_a_wrapping_ring():
    """The drawn envelope matches brute force over what the (wrapped) ring holds."""
    series = LiveSeries(capacity=3000)
    t, v = _series(4, 12_000, t0=1000.0)
    pixels, span = 200, 20.0
    for lo in range(0, len(t), 250):
        series.ingest(t[lo:lo + 250], v[lo:lo + 250])
        x1 = t[min(lo + 249, len(t) - 1)]
        series.drawable(x1 - span, x1, pixels, following=True)
    ring_t, ring_v = series.ring.window()
    x1 = ring_t[-1]
    x, y = series.drawable(x1 - span, x1, pixels, following=True)
    width = span / pixels
    in_view = ring_t >= x1 - span
    for key, v_min, _, v_max, _ in brute_force_envelope(ring_t[in_view], ring_v[in_view], width):
        sel = np.floor(x / width) == key
        assert y[sel].min() <= v_min and y[sel].max() >= v_max
