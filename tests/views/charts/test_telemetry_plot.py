"""TelemetryPlot: data in equals data drawn, pause, bands, events, history requests."""

import numpy as np
import pyqtgraph as pg
import pytest

from views.charts.telemetry_plot import TelemetryPlot

T0 = 1_750_000_000.0


@pytest.fixture
def plot(qtbot):
    widget = TelemetryPlot("Frequency", "Hz", span_s=60.0, frame_interval_ms=20)
    widget.add_series("f", "System frequency")
    widget.resize(1000, 400)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _x_range(plot):
    return tuple(plot.plot_item.getViewBox().viewRange()[0])


def test_sparse_samples_are_drawn_exactly_as_ingested(plot):
    t = T0 + np.arange(100) * 0.5
    v = 50.0 + 0.01 * np.sin(t)
    assert plot.add_samples("f", t, v) == 100
    plot.refresh()
    np.testing.assert_array_equal(plot.series_samples("f")[0], t)
    x, y = plot.curve_data("f")
    np.testing.assert_array_equal(x, t)
    np.testing.assert_array_equal(y, v)


def test_dense_samples_keep_their_extremes_with_few_points(plot):
    rng = np.random.default_rng(5)
    t = T0 + np.arange(60_000) * 0.001
    v = 50.0 + 0.05 * rng.standard_normal(len(t))
    plot.add_samples("f", t, v)
    plot.refresh()
    x, y = plot.curve_data("f")
    assert len(x) < 4 * 1000
    assert y.min() == v.min() and y.max() == v.max()
    assert _x_range(plot)[1] >= t[-1]


def test_frame_timer_scrolls_to_new_samples(plot, qtbot):
    plot.add_samples("f", T0 + np.arange(10.0), np.full(10, 50.0))
    qtbot.waitUntil(lambda: _x_range(plot)[1] >= T0 + 9)
    plot.add_samples("f", T0 + 100 + np.arange(10.0), np.full(10, 50.1))
    qtbot.waitUntil(lambda: _x_range(plot)[1] >= T0 + 109)


def test_pause_stops_scrolling_while_ingest_continues(plot, qtbot):
    plot.add_samples("f", T0 + np.arange(10.0), np.full(10, 50.0))
    plot.refresh()
    with qtbot.waitSignal(plot.live_changed) as signal:
        plot.pause()
    assert signal.args == [False] and not plot.is_live
    frozen = _x_range(plot)
    plot.add_samples("f", T0 + 100 + np.arange(10.0), np.full(10, 49.9))
    plot.refresh()
    assert _x_range(plot) == frozen
    assert len(plot.series_samples("f")[0]) == 20
    plot.resume()
    assert _x_range(plot)[1] >= T0 + 109


def test_user_zoom_pauses(plot, qtbot):
    plot.add_samples("f", T0 + np.arange(10.0), np.full(10, 50.0))
    plot.refresh()
    with qtbot.waitSignal(plot.live_changed):
        plot.plot_item.getViewBox().sigRangeChangedManually.emit([True, False])
    assert not plot.is_live


def test_bands_are_dashed_lines_in_priority_colours(plot):
    plot.add_band(49.8, 50.2, "high")
    plot.add_band(49.5, 50.5, "critical")
    assert plot.bands() == [(49.8, 50.2, "high"), (49.5, 50.5, "critical")]
    lines = [i for i in plot.plot_item.items if isinstance(i, pg.InfiniteLine) and i.angle == 0]
    assert sorted(line.value() for line in lines) == [49.5, 49.8, 50.2, 50.5]
    colours = {line.value(): line.pen.color().name() for line in lines}
    assert colours[50.5] != colours[50.2]


def test_y_scale_shows_the_bands(plot):
    plot.add_band(49.5, 50.5, "critical")
    plot.add_samples("f", T0 + np.arange(10.0), np.full(10, 50.0))
    plot.refresh()
    y0, y1 = plot.plot_item.getViewBox().viewRange()[1]
    assert y0 < 49.5 and y1 > 50.5


def test_events_are_marked_and_priorities_checked(plot):
    plot.mark_event(T0 + 5, "Line trip", "critical")
    plot.mark_event(T0 + 6, "UFLS", "low")
    assert plot.events() == [(T0 + 5, "Line trip", "critical"), (T0 + 6, "UFLS", "low")]
    with pytest.raises(ValueError):
        plot.mark_event(T0, "x", "urgent")


def test_scrolling_left_of_the_buffer_requests_history(plot, qtbot):
    plot.add_samples("f", T0 + np.arange(30.0), np.full(30, 50.0))
    plot.pause()
    with qtbot.waitSignal(plot.history_requested, timeout=2000) as signal:
        plot.plot_item.setXRange(T0 - 100, T0 + 10, padding=0)
        plot.plot_item.getViewBox().sigRangeChangedManually.emit([True, False])
    series_id, t_start, t_end = signal.args
    assert series_id == "f"
    assert t_start == pytest.approx(T0 - 100) and t_end == T0
    history_t = np.linspace(T0 - 100, T0 - 1, 50)
    plot.show_history("f", history_t, np.full(50, 49.9))
    x, _ = plot._series["f"].history.getData()
    np.testing.assert_array_equal(x[0], history_t[0])


def test_readout_shows_bangkok_time_and_value(plot):
    plot.add_samples("f", np.array([T0, T0 + 1]), np.array([49.95, 50.01]))
    text = plot.readout_at(T0 + 0.9)
    assert "2025-06-15 22:06:40.900" in text and "50.010 Hz" in text


def test_hidden_series_keeps_ingesting_but_is_not_drawn(plot):
    plot.add_series("g", "Other", visible=False)
    plot.add_samples("g", T0 + np.arange(5.0), np.ones(5))
    plot.refresh()
    assert len(plot.series_samples("g")[0]) == 5
    assert len(plot.curve_data("g")[0]) == 0
    plot.set_series_visible("g", True)
    plot.refresh()
    assert len(plot.curve_data("g")[0]) == 5
