"""Event-mark labels on a live chart: inside the plot, no two overlapping, one per cluster."""

import itertools

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from views.charts.grid_charts import GridChartsPanel
from views.charts.telemetry_plot import TelemetryPlot

T0 = 1_750_000_000.0
LONG = "System frequency 49.343 Hz, -0.657 Hz from 50 Hz (limit ±0.2 Hz)"


@pytest.fixture
def plot(qtbot):
    widget = TelemetryPlot("Frequency", "Hz", span_s=60.0, frame_interval_ms=0)
    widget.add_series("f", "System frequency")
    widget.resize(1000, 300)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.add_samples("f", T0 + np.arange(61.0), np.full(61, 50.0))
    widget.refresh()
    return widget


def assert_tidy(plot) -> None:
    view = plot.plot_item.getViewBox()
    bounds = view.boundingRect()
    boxes = plot.mark_labels.boxes()
    for box, text in boxes:
        assert bounds.contains(box), (text, box, bounds)
    for (a, ta), (b, tb) in itertools.combinations(boxes, 2):
        assert not a.intersects(b), (ta, tb)


def test_a_label_at_the_right_edge_stays_inside_the_plot(plot):
    plot.mark_event(T0 + 58, LONG, "high")
    plot.mark_event(T0 + 59, LONG.replace("49.343", "49.350"), "critical")
    [(first, _), (second, _)] = plot.mark_labels.boxes()
    assert_tidy(plot)
    right_edge = plot.plot_item.getViewBox().boundingRect().right()
    assert max(first.right(), second.right()) <= right_edge


def test_many_alarms_at_once_give_one_label_with_a_count(plot):
    for i in range(12):
        plot.mark_event(T0 + 30 + 0.01 * i, f"Alarm {i}", ["low", "critical"][i == 5])
    [(_box, text)] = plot.mark_labels.boxes()
    assert text == "Alarm 5 (+11 more)"  # the critical one named, the others counted
    assert_tidy(plot)


def test_labels_follow_the_view_as_it_scrolls(plot):
    for i in range(8):
        plot.mark_event(T0 + 40 + 2.5 * i, f"{LONG} #{i}", ["high", "critical", "medium"][i % 3])
    assert_tidy(plot)
    before = plot.mark_labels.boxes()
    plot.add_samples("f", T0 + 61 + np.arange(15.0), np.full(15, 50.0))
    plot.refresh()
    assert_tidy(plot)
    assert plot.mark_labels.boxes() != before
    labelled = sum(len(label.marks) for label in plot.mark_labels.placed())
    assert labelled == 8


def test_a_narrow_plot_elides_instead_of_spilling(plot, qtbot):
    plot.resize(360, 220)
    qtbot.waitUntil(lambda: plot.plot_item.getViewBox().width() < 300)
    plot.mark_event(T0 + 30, LONG, "critical")
    [(_, text)] = plot.mark_labels.boxes()
    assert text.endswith("…")
    assert_tidy(plot)


def test_only_the_top_chart_of_the_stack_labels_its_marks(qtbot):
    panel = GridChartsPanel(span_min=1)
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    qtbot.waitExposed(panel)
    panel.mark_event(T0, "Line trip", "critical")
    _frequency, voltage, power = panel.plots
    assert voltage.mark_labels.placed() == [] and power.mark_labels.placed() == []
    assert all(p.events() == [(T0, "Line trip", "critical")] for p in panel.plots)


def test_frequency_labels_keep_above_the_trace(qtbot):
    """The frequency chart keeps a band at the top for the labels: none covers the trace."""
    panel = GridChartsPanel(span_min=1)
    qtbot.addWidget(panel)
    panel.resize(1280, 820)
    panel.show()
    qtbot.waitExposed(panel)
    t = T0 + np.arange(60.0)
    hz = 50.0 - 0.6 * np.exp(-((t - T0 - 30) / 4) ** 2) + 0.15 * np.sin(t / 3)
    for ti, v in zip(t, hz, strict=True):
        panel.on_grid_sample({"timestamp_ms": int(ti * 1000), "frequency_hz": float(v)})
    for i in range(20):
        panel.mark_event(T0 + 25 + 1.5 * i, f"{LONG} #{i}", ["critical", "high", "medium"][i % 3])
    panel.refresh()
    plot = panel.frequency_plot
    view = plot.plot_item.getViewBox()
    top_of_data = view.mapFromView(QPointF(T0, float(hz.max()))).y()
    boxes = plot.mark_labels.boxes()
    assert boxes and all(box.bottom() <= top_of_data for box, _ in boxes)
    assert_tidy(plot)
