"""LiveSeries: rebuilds on zoom, pauses without losing data, asks for missing history once."""

import numpy as np

from views.charts.live_series import LiveSeries


def _filled(n=1000, t0=0.0, dt=0.1):
    series = LiveSeries(capacity=10_000)
    t = t0 + np.arange(n) * dt
    series.ingest(t, np.sin(t))
    return series, t


def test_zoom_rebuilds_at_the_new_bucket_width():
    series, t = _filled()
    x, _ = series.drawable(0.0, 100.0, 50, following=True)
    assert len(x) <= 2 * 52
    x, _ = series.drawable(10.0, 20.0, 1000, following=False)
    np.testing.assert_allclose(x, t[(t >= 9.98) & (t <= 20.02)])  # sparse: every sample


def test_paused_view_catches_up_on_samples_it_skipped():
    series, _ = _filled()
    series.drawable(40.0, 90.0, 100, following=False)
    series.ingest(100.0 + np.arange(1, 11) * 0.1, np.full(10, 5.0))  # right of the view
    _, y = series.drawable(40.0, 90.0, 100, following=False)
    assert y.max() < 5.0
    x, y = series.drawable(55.0, 105.0, 100, following=False)  # pan right, same zoom
    assert y.max() == 5.0 and x.max() == 101.0
    _, y = series.drawable(56.0, 106.0, 100, following=True)
    assert y.max() == 5.0


def test_missing_history_is_asked_for_once():
    series, _ = _filled(t0=500.0)
    assert series.missing_history(400.0, 600.0) == (400.0, 500.0)
    assert series.missing_history(400.0, 600.0) is None
    assert series.missing_history(300.0, 600.0) == (300.0, 500.0)


def test_shown_history_covers_the_gap_and_answers_the_crosshair():
    series, _ = _filled(t0=500.0)
    series.set_history(np.array([420.0, 400.0, 495.0]), np.array([2.0, 1.0, 3.0]))
    assert series.missing_history(405.0, 600.0, tolerance=10.0) is None
    assert series.value_at(421.0) == (420.0, 2.0)
    assert series.value_at(500.04) == (500.0, np.sin(500.0))
    t, _ = series.history_between(410.0, 460.0)
    np.testing.assert_array_equal(t, [420.0])
