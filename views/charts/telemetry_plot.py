"""TelemetryPlot: a live, scrolling, ISA-101 styled time-series chart of named series.

The widget receives plain numpy arrays (``add_samples``/``show_history``); it never reads a
database or the network. Live samples go into per-series ring buffers and an incremental
per-pixel min/max decimation; a QTimer redraws at a fixed frame rate (never once per sample),
so each frame draws about two points per pixel column whatever the ingest rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from views.charts.live_series import LiveSeries
from views.charts.mark_labels import MarkLabels, headroom
from views.charts.mark_layout import Mark, one_label
from views.charts.palette import PRIORITIES, ChartPalette, palette_for, priority_colour
from views.charts.ring_buffer import DEFAULT_CAPACITY
from views.charts.time_axis import BangkokTimeAxis, bangkok_text
from views.common.formatting import utc_offset_text, zone_name

TICK_FONT_PX = 14
"""Tick labels readable from 3 m."""
TITLE_FONT_PX = 16
AXIS_WIDTH_PX = 84
"""Fixed left-axis width, so stacked plots line up and share one pixel grid."""
HISTORY_DEBOUNCE_MS = 300
EVENT_Z = 50.0
MAX_EVENTS = 500
"""Event markers kept per plot; the oldest go first."""


@dataclass(slots=True)
class _SeriesView:
    """What one series has on the plot."""

    label: str
    """Display name (already translated by the caller)."""
    data: LiveSeries
    curve: pg.PlotCurveItem
    """Live trace: the decimated envelope of the visible range."""
    history: pg.PlotDataItem
    """Scroll-back trace: data fetched elsewhere, clipped and peak-downsampled by pyqtgraph."""
    visible: bool = True


@dataclass(slots=True)
class _EventMarker:
    """A vertical event line (e.g. an alarm time)."""

    t: float
    label: str
    priority: str
    line: pg.InfiniteLine
    labelled: bool = True
    """Whether the mark has a label on this plot (or its line only)."""


def paint_background(widget: QWidget, palette: ChartPalette) -> None:
    """Fill a container with the theme background (a palette, not a style sheet, so child
    buttons and combo boxes keep their own look)."""
    qpalette = widget.palette()
    qpalette.setColor(QPalette.ColorRole.Window, QColor(palette.background))
    qpalette.setColor(QPalette.ColorRole.WindowText, QColor(palette.foreground))
    widget.setPalette(qpalette)
    widget.setAutoFillBackground(True)


class TelemetryPlot(QWidget):
    """A scrolling chart of live telemetry with bands, events, crosshair readout and zoom.

    Signals:
        history_requested(series_id: str, t_start: float, t_end: float): the view reaches left
            of the live buffer; fetch ``[t_start, t_end]`` and call :meth:`show_history`.
            Debounced; a range already shown or asked for is not asked for again.
        live_changed(live: bool): scrolling with the newest data (True) or paused (False);
            the user zooming or panning pauses.
    """

    history_requested = Signal(str, float, float)
    live_changed = Signal(bool)

    def __init__(self, title: str, unit: str, *, theme: str = "light", span_s: float = 300.0,
                 decimals: int = 3, y_floor: tuple[float, float] | None = None,
                 trace_width: int = 2, frame_interval_ms: int = 33,
                 parent: QWidget | None = None) -> None:
        """``title``: translated heading; ``unit``: e.g. "Hz"; ``y_floor``: y span always shown;
        ``trace_width``: pixels (2 reads well from 3 m; 1 draws ~2.5x faster);
        ``frame_interval_ms``: redraw period, 0 when a container calls :meth:`refresh`."""
        super().__init__(parent)
        self._palette = palette_for(theme)
        self._unit = unit
        self._decimals = decimals
        self._span = float(span_s)
        self._y_floor = y_floor
        self._trace_width = trace_width
        self._live = True
        self._positioned = False
        """Whether the view has been put on the data once (a paused plot still needs that)."""
        self._series: dict[str, _SeriesView] = {}
        self._bands: list[tuple[float, float, str]] = []
        self._label_band: float | None = None
        """Top share of the height kept free of data for the event labels (None: not kept)."""
        self._events: list[_EventMarker] = []
        self._dirty = True
        self._drawn_view: tuple[float, float, int] | None = None
        self._build(title)
        self._history_timer = QTimer(self, singleShot=True, interval=HISTORY_DEBOUNCE_MS)
        self._history_timer.timeout.connect(self._on_history_due)
        self._frame_timer = QTimer(self, interval=max(1, frame_interval_ms))
        self._frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._frame_timer.timeout.connect(self.refresh)
        if frame_interval_ms > 0:
            self._frame_timer.start()

    # ----- construction -------------------------------------------------------------------

    def _build(self, title: str) -> None:
        """Header (title, readout) above the plot."""
        paint_background(self, self._palette)
        self._title = self._header_label(title, TITLE_FONT_PX, bold=True)
        self._readout = self._header_label("", TICK_FONT_PX)
        self._readout.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._header = QHBoxLayout()
        self._header.setSpacing(12)
        self._header.addWidget(self._title)
        self._header.addStretch(1)
        self._header.addWidget(self._readout)
        self._plot_widget = pg.PlotWidget(background=self._palette.background,
                                          axisItems={"bottom": BangkokTimeAxis()})
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(0)
        layout.addLayout(self._header)
        layout.addWidget(self._plot_widget, 1)
        self._style_plot()
        self._crosshair = self._add_crosshair()
        self._mark_labels = MarkLabels(self.plot_item.getViewBox(),
                                       foreground=self._palette.foreground,
                                       background=self._palette.background,
                                       font_px=TICK_FONT_PX, summary=self._mark_summary)
        self._connect_view()

    def _header_label(self, text: str, px: int, bold: bool = False) -> QLabel:
        label = QLabel(text, self)
        font = QFont(label.font())
        font.setPixelSize(px)
        font.setBold(bold)
        label.setFont(font)
        label.setStyleSheet(f"color: {self._palette.foreground};")
        return label

    def _style_plot(self) -> None:
        """ISA-101 look: gray, muted grid, large tick labels, no pyqtgraph menus or buttons."""
        item = self.plot_item
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=1.0)
        font = QFont()
        font.setPixelSize(TICK_FONT_PX)
        label_style = {"color": self._palette.foreground, "font-size": f"{TICK_FONT_PX}px"}
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            # Grid, axis line and ticks share one opaque pen: alpha-blended grid lines (the
            # pyqtgraph default) cost ~10x more to rasterise and halved the frame rate.
            axis.setPen(pg.mkPen(self._palette.grid))
            axis.setTextPen(pg.mkPen(self._palette.foreground))
            axis.setStyle(tickFont=font, tickTextOffset=6, tickAlpha=255, maxTickLevel=0)
            axis.enableAutoSIPrefix(False)
            axis.setZValue(-1)  # grid under traces and marker labels, not over them
        item.getAxis("left").setWidth(AXIS_WIDTH_PX)
        item.getAxis("left").setTickDensity(2.0)  # major ticks only: ask for more of them
        item.setLabel("left", self._unit, **label_style)
        item.setLabel("bottom", self.tr("Time ({zone}, {offset})").format(
            zone=zone_name(), offset=utc_offset_text()), **label_style)
        view = item.getViewBox()
        view.setMouseEnabled(x=True, y=False)
        view.disableAutoRange()

    def _add_crosshair(self) -> pg.InfiniteLine:
        line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(
            self._palette.crosshair, width=1, style=Qt.PenStyle.DashLine))
        line.hide()
        self.plot_item.addItem(line, ignoreBounds=True)
        return line

    def _connect_view(self) -> None:
        view = self.plot_item.getViewBox()
        view.sigRangeChangedManually.connect(self._on_user_zoom)
        view.sigXRangeChanged.connect(self._on_x_range_changed)
        view.sigResized.connect(self._on_resized)
        self._plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # ----- public API -----------------------------------------------------------------------

    @property
    def plot_item(self) -> pg.PlotItem:
        """The pyqtgraph PlotItem (for linking axes; do not feed it data directly)."""
        return self._plot_widget.getPlotItem()

    @property
    def span_s(self) -> float:
        """Width of the live window in seconds."""
        return self._span

    @property
    def is_live(self) -> bool:
        """True while the view scrolls with the newest data."""
        return self._live

    def add_header_widget(self, widget: QWidget) -> None:
        """Put a control (e.g. a series selector) in the header, left of the readout."""
        self._header.insertWidget(1, widget)

    def set_time_labels_visible(self, visible: bool) -> None:
        """Show or hide the time tick labels (hide them on all but the bottom of a stack)."""
        axis = self.plot_item.getAxis("bottom")
        axis.setStyle(showValues=visible)
        axis.showLabel(visible)

    def add_series(self, series_id: str, label: str, *, capacity: int = DEFAULT_CAPACITY,
                   visible: bool = True, colour_index: int | None = None) -> None:
        """Declare a series; ``label`` is its translated display name.

        ``colour_index`` picks the muted trace colour (default: the next one in turn).
        """
        if series_id in self._series:
            raise ValueError(f"series {series_id!r} already exists")
        colours = self._palette.traces
        index = len(self._series) if colour_index is None else colour_index
        pen = pg.mkPen(colours[index % len(colours)], width=self._trace_width)
        curve = pg.PlotCurveItem(pen=pen, skipFiniteCheck=True)
        history = pg.PlotDataItem(pen=pen)
        history.setDownsampling(auto=True, method="peak")
        history.setClipToView(True)
        for item in (history, curve):
            self.plot_item.addItem(item)
        self._series[series_id] = _SeriesView(label, LiveSeries(capacity), curve, history)
        self.set_series_visible(series_id, visible)

    def series_ids(self) -> list[str]:
        """Declared series, in the order added."""
        return list(self._series)

    def set_series_visible(self, series_id: str, visible: bool) -> None:
        """Show or hide a series; hidden series keep ingesting but are not decimated."""
        view = self._series[series_id]
        view.visible = visible
        view.curve.setVisible(visible)
        view.history.setVisible(visible)
        if not visible:
            view.data.drop_envelope()
        self._dirty = True

    def add_samples(self, series_id: str, t: np.ndarray, v: np.ndarray) -> int:
        """Append live samples (UTC epoch s, float64); returns how many were stored."""
        stored = self._series[series_id].data.ingest(t, v)
        self._dirty = self._dirty or stored > 0
        return stored

    def show_history(self, series_id: str, t: np.ndarray, v: np.ndarray) -> None:
        """Show scroll-back data for a series (replaces earlier history of that series)."""
        view = self._series[series_id]
        view.data.set_history(t, v)
        view.history.setData(view.data.history_t, view.data.history_v)
        self._dirty = True

    def series_samples(self, series_id: str) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the live samples held for a series (time order)."""
        return self._series[series_id].data.ring.window()

    def history_samples(self, series_id: str) -> tuple[np.ndarray, np.ndarray]:
        """The scroll-back samples the history trace of a series draws (time order)."""
        data = self._series[series_id].data
        return data.history_t, data.history_v

    def curve_data(self, series_id: str) -> tuple[np.ndarray, np.ndarray]:
        """The x, y the live trace of a series currently draws."""
        curve = self._series[series_id].curve
        if curve.xData is None:
            return np.empty(0), np.empty(0)
        return curve.xData, curve.yData

    def latest_time(self) -> float | None:
        """Time of the newest live sample over all series, or None."""
        times = [v.data.ring.latest_time for v in self._series.values()]
        times = [t for t in times if t is not None]
        return max(times) if times else None

    def add_band(self, lower: float, upper: float, priority: str) -> None:
        """Dashed limit lines at ``lower`` and ``upper`` in the colour of an alarm priority."""
        pen = pg.mkPen(priority_colour(self._palette, priority), width=2,
                       style=Qt.PenStyle.DashLine)
        for value in (lower, upper):
            self.plot_item.addItem(pg.InfiniteLine(pos=value, angle=0, movable=False, pen=pen),
                                   ignoreBounds=True)
        self._bands.append((float(lower), float(upper), priority))
        self._dirty = True

    def bands(self) -> list[tuple[float, float, str]]:
        """The limit bands, as (lower, upper, priority)."""
        return list(self._bands)

    def mark_event(self, t: float, label: str, priority: str, *, show_label: bool = True) -> None:
        """A vertical marker at time ``t``, coloured by alarm priority (critical/high/...).

        ``show_label=False`` draws the line only (e.g. on all but one plot of a stack).
        Labels stay inside the plot and never overlap: near the right edge a label goes left
        of its line; marks too close for their own labels share one ("… (+2 more)").
        """
        colour = priority_colour(self._palette, priority)
        line = pg.InfiniteLine(pos=t, angle=90, movable=False, pen=pg.mkPen(colour, width=2))
        line.setZValue(EVENT_Z)  # above the bands and traces
        self.plot_item.addItem(line, ignoreBounds=True)
        self._events.append(_EventMarker(float(t), label, priority, line, show_label))
        if len(self._events) > MAX_EVENTS:
            self.plot_item.removeItem(self._events.pop(0).line)
        self._mark_labels.set_marks([
            (e.t, e.label, PRIORITIES.index(e.priority), priority_colour(self._palette,
                                                                          e.priority))
            for e in self._events if e.labelled])

    def reserve_label_band(self, band: float) -> None:
        """Keep the top ``band`` (a share of the height) free of data for the event labels:
        the y range grows above the data by that much, the labels keep to it."""
        self._label_band = band
        self._mark_labels.set_band(band)
        self._dirty = True

    def events(self) -> list[tuple[float, str, str]]:
        """The event markers, as (t, label, priority), oldest first."""
        return [(e.t, e.label, e.priority) for e in self._events]

    @property
    def mark_labels(self) -> MarkLabels:
        """The shown labels of the event markers (their boxes and texts: tests, reports)."""
        return self._mark_labels

    def set_span(self, span_s: float) -> None:
        """Change the window width; a paused view keeps its right edge."""
        self._span = float(span_s)
        if not self._live:
            x1 = self.plot_item.getViewBox().viewRange()[0][1]
            self.plot_item.setXRange(x1 - self._span, x1, padding=0)
        self._dirty = True

    def set_live(self, live: bool) -> None:
        """Scroll with the newest data (True) or freeze the view while ingesting (False)."""
        if live == self._live:
            return
        self._live = live
        self.live_changed.emit(live)
        if live:
            self.refresh()

    def pause(self) -> None:
        """Stop scrolling; samples keep being ingested."""
        self.set_live(False)

    def resume(self) -> None:
        """Jump back to the newest data and scroll with it."""
        self.set_live(True)

    def refresh(self, t_end: float | None = None, *, scroll: bool = True) -> None:
        """Draw one frame: scroll to ``t_end`` (default: newest sample) if live, then redraw.

        ``scroll=False`` for a plot whose x axis is linked to one that scrolls.
        """
        if scroll and (self._live or not self._positioned):
            end = self.latest_time() if t_end is None else t_end
            if end is not None:
                self._scroll_to(end)
                self._positioned = True
        self._redraw()

    def readout_at(self, t: float) -> str:
        """Crosshair text: display-clock time and each visible series' value nearest to ``t``."""
        parts = [self.tr("{time} {zone}").format(time=bangkok_text(t, with_ms=True),
                                                 zone=zone_name())]
        for view in self._series.values():
            sample = view.data.value_at(t) if view.visible else None
            if sample is not None:
                parts.append(self.tr("{series}: {value} {unit}").format(
                    series=view.label, value=f"{sample[1]:.{self._decimals}f}", unit=self._unit))
        return "   ".join(parts)

    # ----- frame drawing ----------------------------------------------------------------------

    def _pixels(self) -> int:
        """Device pixels across the plot area (a sane default before the first layout)."""
        width = self.plot_item.getViewBox().width() * self.devicePixelRatioF()
        return round(width) if width >= 32 else 800

    def _scroll_to(self, end: float) -> None:
        """Put ``end`` at the right edge, snapped so pixel columns line up with buckets."""
        bucket = self._span / self._pixels()
        right = math.ceil(end / bucket) * bucket
        self.plot_item.setXRange(right - self._span, right, padding=0)

    def _redraw(self) -> None:
        """Feed each visible live trace its envelope for the current view, if anything changed."""
        (x0, x1), _ = self.plot_item.getViewBox().viewRange()
        view_key = (x0, x1, self._pixels())
        if not self._dirty and view_key == self._drawn_view:
            return
        following = self._live
        for view in self._series.values():
            if view.visible:
                x, y = view.data.drawable(x0, x1, view_key[2], following)
                view.curve.setData(x, y, skipFiniteCheck=True)
        self._fit_y(x0, x1)
        self._dirty = False
        self._drawn_view = view_key

    def _fit_y(self, x0: float, x1: float) -> None:
        """Keep the y scale steady: grow at once to show all data, shrink only when far off."""
        target = self._y_target(x0, x1)
        if target is None:
            return
        (y0, y1) = self.plot_item.getViewBox().viewRange()[1]
        height = target[1] - target[0]
        if target[0] < y0 or target[1] > y1 or (y1 - y0) > 2.5 * height:
            self.plot_item.setYRange(*target, padding=0)

    def _y_target(self, x0: float, x1: float) -> tuple[float, float] | None:
        """Data range in view, with the floor range and bands, padded by 8 %."""
        values = [v for band in self._bands for v in band[:2]]
        if self._y_floor is not None:
            values += list(self._y_floor)
        for view in self._series.values():
            if view.visible:
                _, hist = view.data.history_between(x0, x1)
                for y in (view.curve.yData, hist):
                    if y is not None and len(y):
                        values += [float(np.min(y)), float(np.max(y))]
        if not values:
            return None
        lo, hi = min(values), max(values)
        pad = 0.08 * (hi - lo) if hi > lo else max(abs(hi) * 0.01, 1e-3)
        if self._label_band is None:
            return lo - pad, hi + pad
        return lo - pad, headroom(lo - pad, hi + pad, self._label_band)

    def _mark_summary(self, marks: Sequence[Mark]) -> tuple[str, str]:
        """One label for close marks: the most severe one's text, and how many more."""
        named = one_label(marks)
        if len(marks) == 1:
            return "{label}", named.text
        return self.tr("{label} (+{n} more)").format(label="{label}", n=len(marks) - 1), \
            named.text

    # ----- slots ------------------------------------------------------------------------------

    def _on_user_zoom(self, *_args) -> None:
        """Mouse zoom or pan: stop scrolling and look for missing history once it settles."""
        self.set_live(False)
        self._dirty = True
        self._history_timer.start()

    def _on_x_range_changed(self, *_args) -> None:
        """Any x change (scrolling, link): check for missing history, at most every 300 ms."""
        if not self._history_timer.isActive():
            self._history_timer.start()

    def _on_resized(self, *_args) -> None:
        self._dirty = True

    def _on_history_due(self) -> None:
        """Ask for the scroll-back data the view needs and does not have."""
        (x0, x1), _ = self.plot_item.getViewBox().viewRange()
        tolerance = 0.05 * (x1 - x0)
        for series_id, view in self._series.items():
            missing = view.data.missing_history(x0, x1, tolerance) if view.visible else None
            if missing is not None:
                self.history_requested.emit(series_id, *missing)

    def _on_mouse_moved(self, scene_pos) -> None:
        """Move the crosshair and update the readout."""
        view = self.plot_item.getViewBox()
        if not view.sceneBoundingRect().contains(scene_pos):
            self._crosshair.hide()
            return
        t = view.mapSceneToView(scene_pos).x()
        self._crosshair.setPos(t)
        self._crosshair.show()
        self._readout.setText(self.readout_at(t))
