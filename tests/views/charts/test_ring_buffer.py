"""SampleRing: ordering, wrap-around, capacity, refusal of out-of-order samples."""

import numpy as np
import pytest

from views.charts.ring_buffer import SampleRing


def test_empty_ring_has_no_times_and_an_empty_window():
    ring = SampleRing(8)
    assert len(ring) == 0
    assert ring.earliest_time is None and ring.latest_time is None
    t, v = ring.window()
    assert t.size == 0 and v.size == 0
    assert ring.nearest(1.0) is None


def test_single_appends_keep_time_order():
    ring = SampleRing(8)
    for i in range(5):
        assert ring.append(float(i), 10.0 * i)
    t, v = ring.window()
    np.testing.assert_array_equal(t, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(v, [0, 10, 20, 30, 40])


def test_wrap_around_keeps_the_newest_in_order():
    ring = SampleRing(5)
    ring.extend(np.arange(3.0), np.arange(3.0))
    ring.extend(np.arange(3.0, 9.0), np.arange(3.0, 9.0))
    t, v = ring.window()
    np.testing.assert_array_equal(t, [4, 5, 6, 7, 8])
    np.testing.assert_array_equal(v, t)
    assert ring.earliest_time == 4.0 and ring.latest_time == 8.0


def test_block_larger_than_capacity_keeps_its_tail():
    ring = SampleRing(4)
    ring.extend(np.arange(10.0), -np.arange(10.0))
    t, v = ring.window()
    np.testing.assert_array_equal(t, [6, 7, 8, 9])
    np.testing.assert_array_equal(v, [-6, -7, -8, -9])


def test_window_selects_inclusive_range_across_the_wrap():
    ring = SampleRing(6)
    ring.extend(np.arange(4.0), np.arange(4.0))
    ring.extend(np.arange(4.0, 9.0), np.arange(4.0, 9.0))  # wraps: holds 3..8
    t, _ = ring.window(4.0, 7.0)
    np.testing.assert_array_equal(t, [4, 5, 6, 7])
    t, _ = ring.window(7.5, 100.0)
    np.testing.assert_array_equal(t, [8])


def test_older_samples_are_dropped_and_counted():
    ring = SampleRing(8)
    ring.extend(np.array([1.0, 2.0, 3.0]), np.zeros(3))
    assert not ring.append(2.5, 1.0)
    stored_t, _ = ring.extend(np.array([0.5, 3.0, 4.0, np.nan]), np.ones(4))
    np.testing.assert_array_equal(stored_t, [3.0, 4.0])
    assert ring.dropped == 3  # 2.5, 0.5 and NaN
    np.testing.assert_array_equal(ring.window()[0], [1, 2, 3, 3, 4])


def test_unsorted_block_is_stored_sorted():
    ring = SampleRing(8)
    ring.extend(np.array([3.0, 1.0, 2.0]), np.array([30.0, 10.0, 20.0]))
    t, v = ring.window()
    np.testing.assert_array_equal(t, [1, 2, 3])
    np.testing.assert_array_equal(v, [10, 20, 30])


def test_nearest_looks_on_both_sides_of_the_wrap():
    ring = SampleRing(4)
    ring.extend(np.arange(6.0), np.arange(6.0) * 2)  # holds 2..5, wrapped
    assert ring.nearest(3.4) == (3.0, 6.0)
    assert ring.nearest(3.6) == (4.0, 8.0)
    assert ring.nearest(-10) == (2.0, 4.0)


def test_window_returns_copies():
    ring = SampleRing(4)
    ring.extend(np.arange(3.0), np.arange(3.0))
    t, _ = ring.window()
    ring.extend(np.arange(3.0, 7.0), np.arange(3.0, 7.0))
    np.testing.assert_array_equal(t, [0, 1, 2])


def test_mismatched_shapes_are_rejected():
    with pytest.raises(ValueError):
        SampleRing(4).extend(np.arange(3.0), np.arange(2.0))
    with pytest.raises(ValueError):
        SampleRing(0)


def test_numpy_parts_do_not_import_qt():
    import subprocess
    import sys

    code = ("import sys, views.charts.ring_buffer, views.charts.decimation, "
            "views.charts.live_series, views.charts.palette; "
            "sys.exit(any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
