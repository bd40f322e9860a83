"""The incident timeline's chart: the frequency trace on the display clock, a vertical line per
event in its priority colour, and the event labels in a band above the trace. The view draws it
live; :func:`render_chart` draws a whole record as the image in the PDF report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Final

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QPixmap

from node_core.control_room.incident import EventKind, IncidentEvent, IncidentRecord
from views.charts.mark_labels import MarkLabels, headroom
from views.charts.mark_layout import Mark
from views.charts.palette import PRIORITIES, ChartPalette, palette_for
from views.charts.time_axis import BangkokTimeAxis
from views.common.formatting import utc_offset_text, zone_name
from views.timeline.timeline_model import kind_text

CHART_SIZE: Final = (1800, 900)
"""Pixels of the chart image in the report."""
LABEL_BAND: Final = 0.3
"""Top share of the chart kept for the event labels, above the frequency trace."""


def make_chart(theme: str, y_label: str, x_label: str) -> pg.PlotWidget:
    palette = palette_for(theme)
    plot = pg.PlotWidget(background=palette.background, axisItems={"bottom": BangkokTimeAxis()})
    item = plot.getPlotItem()
    item.setMenuEnabled(False)
    item.hideButtons()
    item.showGrid(x=True, y=True, alpha=1.0)
    style = {"color": palette.foreground, "font-size": "14px"}
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(palette.grid))
        axis.setTextPen(pg.mkPen(palette.foreground))
        axis.enableAutoSIPrefix(False)
        axis.setZValue(-1)  # the grid under the event labels, not through them
    item.setLabel("left", y_label, **style)
    item.setLabel("bottom", x_label, **style)
    item.getViewBox().setMouseEnabled(x=True, y=False)
    return plot


def _marker_colour(event: IncidentEvent, palette: ChartPalette) -> str:
    priorities = palette.priority
    if event.kind == EventKind.BLOCK:
        return palette.grid
    if event.kind == EventKind.OPERATOR:
        return priorities["low"]
    return priorities.get(event.priority, priorities["medium"])


def add_event_marker(plot: pg.PlotWidget, event: IncidentEvent,
                     palette: ChartPalette) -> pg.InfiniteLine:
    """A vertical line at the event (its label is :func:`event_labels`' business)."""
    colour = _marker_colour(event, palette)
    width = 1 if event.kind == EventKind.BLOCK else 2
    line = pg.InfiniteLine(
        pos=event.time_ms / 1000, angle=90, movable=False, pen=pg.mkPen(colour, width=width)
    )
    plot.addItem(line, ignoreBounds=True)
    return line


def event_labels(plot: pg.PlotWidget, palette: ChartPalette) -> MarkLabels:
    """The labels of a timeline chart's event lines: inside the plot's top band, never
    overlapping; events too close for a label each share one that counts them
    ("Alarm ×3 · Operator")."""
    return MarkLabels(plot.getPlotItem().getViewBox(), foreground=palette.foreground,
                      background=palette.background, summary=summarise_events,
                      band=LABEL_BAND)


def fit_frequency(plot: pg.PlotWidget, record: IncidentRecord) -> None:
    """The y range: the record's frequency, padded, below the labels' band."""
    extremes = record.frequency_extremes()
    if extremes is not None:
        pad = max(0.05, (extremes[1] - extremes[0]) * 0.15)
        low, high = extremes[0] - pad, extremes[1] + pad
        plot.setYRange(low, headroom(low, high, LABEL_BAND), padding=0)


def label_marks(events: Sequence[IncidentEvent],
                palette: ChartPalette) -> list[tuple[float, str, int, str]]:
    """The labelled marks of ``events`` (all but plain blocks) for :class:`MarkLabels`."""
    rank = {p: i for i, p in enumerate(PRIORITIES)}
    return [(e.time_ms / 1000, kind_text(e.kind), rank.get(e.priority, len(PRIORITIES)),
             _marker_colour(e, palette)) for e in events if e.kind != EventKind.BLOCK]


def summarise_events(marks: Sequence[Mark]) -> tuple[str, str]:
    """One label for close events: each kind with its count, the most severe first."""
    if len(marks) == 1:
        return "{label}", marks[0].text
    counts = Counter(m.text for m in marks)
    severity = {text: min(m.rank for m in marks if m.text == text) for text in counts}
    kinds = sorted(counts, key=lambda text: (severity[text], -counts[text]))
    parts = [text if counts[text] == 1 else QCoreApplication.translate(
        "TimelineView", "{kind} ×{n}").format(kind=text, n=counts[text]) for text in kinds]
    return "{label}", " · ".join(parts)


def render_chart(
    record: IncidentRecord, *, theme: str = "light", size: tuple[int, int] = CHART_SIZE
) -> QPixmap:
    """The whole window's frequency with every non-block event marked, as an image."""
    palette = palette_for(theme)
    plot = make_chart(
        theme,
        QCoreApplication.translate("TimelineReport", "Frequency (Hz)"),
        QCoreApplication.translate("TimelineReport", "Time ({zone}, {offset})").format(
            zone=zone_name(), offset=utc_offset_text(record.start_ms / 1000)),
    )
    labels = event_labels(plot, palette)
    plot.resize(*size)
    plot.plot(
        [t / 1000 for t, _ in record.frequency],
        [v for _, v in record.frequency],
        pen=pg.mkPen(palette.traces[0], width=2),
    )
    for event in record.events:
        if event.kind != EventKind.BLOCK:
            add_event_marker(plot, event, palette)
    labels.set_marks(label_marks(record.events, palette))
    plot.setXRange(
        record.start_ms / 1000, max(record.end_ms, record.start_ms + 1) / 1000, padding=0.01
    )
    fit_frequency(plot, record)
    pixmap = plot.grab()
    plot.deleteLater()
    return pixmap
