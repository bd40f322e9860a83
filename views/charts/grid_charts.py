"""GridChartsPanel: frequency, voltage (p.u.) and power-flow charts of the grid, stacked.

Receives plain grid samples through :meth:`GridChartsPanel.on_grid_sample`; never reads a
database or the network. Scroll-back data is asked for with ``history_requested`` and handed
back through :meth:`GridChartsPanel.show_history`.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from views.charts.palette import palette_for
from views.charts.telemetry_plot import TICK_FONT_PX, TelemetryPlot, paint_background

FREQUENCY_ID = "frequency"
"""Series id of system frequency (Hz)."""
VOLTAGE_PREFIX = "voltage_pu/"
"""Series id prefix of a substation's voltage in per-unit: ``voltage_pu/<substation id>``."""
POWER_PREFIX = "power_mw/"
"""Series id prefix of a substation's power flow in MW: ``power_mw/<substation id>``."""
SPANS_MIN = (1, 5, 15, 60)
NOMINAL_HZ = 50.0
FRAME_INTERVAL_MS = 33
SUBSTATION_CAPACITY = 65_536
"""Samples kept per substation series (18 h at 1 Hz)."""
LABEL_BAND = 0.3
"""Top share of the frequency chart kept for the alarm marks' labels (none over the trace)."""


def per_unit(voltage_kv: float, nominal_kv: float) -> float:
    """Voltage in per-unit of nominal; NaN when the nominal is missing or not positive."""
    if not nominal_kv or nominal_kv <= 0 or math.isnan(nominal_kv):
        return math.nan
    return voltage_kv / nominal_kv


class GridChartsPanel(QWidget):
    """Three linked live charts (frequency, voltage p.u., power flow MW) with a toolbar.

    Signals:
        history_requested(series_id: str, t_start: float, t_end: float): scroll-back needed for
            a series (ids: ``FREQUENCY_ID``, ``voltage_pu/<id>``, ``power_mw/<id>``); answer
            with :meth:`show_history`.
        live_changed(live: bool): the charts scroll with the newest data, or are paused.
    """

    history_requested = Signal(str, float, float)
    live_changed = Signal(bool)

    def __init__(self, *, theme: str = "light", span_min: int = 5,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._palette = palette_for(theme)
        self._live = True
        self._substations: dict[str, str] = {}
        """Substation id -> display name, in order of first appearance."""
        span_s = 60.0 * span_min
        self.frequency_plot = TelemetryPlot(
            self.tr("Frequency"), "Hz", theme=theme, span_s=span_s, decimals=3,
            y_floor=(NOMINAL_HZ - 0.6, NOMINAL_HZ + 0.6), frame_interval_ms=0, parent=self)
        self.voltage_plot = TelemetryPlot(self.tr("Voltage"), "p.u.", theme=theme,
                                          span_s=span_s, decimals=3, frame_interval_ms=0,
                                          parent=self)
        self.power_plot = TelemetryPlot(self.tr("Power flow"), "MW", theme=theme, span_s=span_s,
                                        decimals=1, frame_interval_ms=0, parent=self)
        self._configure_plots()
        self._substation_box = self._build_substation_box()
        self._build_layout(span_min)
        self._frame_timer = QTimer(self, interval=FRAME_INTERVAL_MS)
        self._frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._frame_timer.timeout.connect(self.refresh)
        self._frame_timer.start()

    # ----- construction ---------------------------------------------------------------------

    @property
    def plots(self) -> tuple[TelemetryPlot, TelemetryPlot, TelemetryPlot]:
        """Frequency, voltage and power-flow plots, top to bottom."""
        return self.frequency_plot, self.voltage_plot, self.power_plot

    def _configure_plots(self) -> None:
        """Bands, the frequency series, x links, and signal wiring."""
        freq = self.frequency_plot
        freq.add_series(FREQUENCY_ID, self.tr("System frequency"))
        freq.add_band(NOMINAL_HZ - 0.2, NOMINAL_HZ + 0.2, "high")
        freq.add_band(NOMINAL_HZ - 0.5, NOMINAL_HZ + 0.5, "critical")
        freq.reserve_label_band(LABEL_BAND)
        self.voltage_plot.add_band(0.95, 1.05, "high")
        self.voltage_plot.add_band(0.90, 1.10, "critical")
        for plot in self.plots:
            plot.history_requested.connect(self.history_requested)
            plot.live_changed.connect(self._on_plot_live_changed)
        for plot in (self.voltage_plot, self.power_plot):
            plot.plot_item.setXLink(freq.plot_item)
        for plot in (self.frequency_plot, self.voltage_plot):
            plot.set_time_labels_visible(False)

    def _build_substation_box(self) -> QComboBox:
        box = QComboBox(self)
        box.setFont(self._font())
        box.setMinimumContentsLength(24)
        box.currentIndexChanged.connect(self._on_substation_chosen)
        label = QLabel(self.tr("Substation:"), self)
        label.setFont(self._font())
        label.setStyleSheet(f"color: {self._palette.foreground};")
        self.voltage_plot.add_header_widget(box)
        self.voltage_plot.add_header_widget(label)
        return box

    def _build_layout(self, span_min: int) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self._build_toolbar(span_min))
        for plot in self.plots:
            layout.addWidget(plot, 1)
        paint_background(self, self._palette)

    def _build_toolbar(self, span_min: int) -> QHBoxLayout:
        """Pause/Live toggle, live state text, and the window-span buttons."""
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 8, 4)
        bar.setSpacing(10)
        self._live_button = self._button(self.tr("Pause"), checkable=False)
        self._live_button.clicked.connect(self._on_live_button)
        self._state_label = QLabel(self)
        self._state_label.setFont(self._font(bold=True))
        bar.addWidget(self._live_button)
        bar.addWidget(self._state_label)
        bar.addStretch(1)
        window_label = QLabel(self.tr("Window:"), self)
        window_label.setFont(self._font())
        window_label.setStyleSheet(f"color: {self._palette.foreground};")
        bar.addWidget(window_label)
        self._span_group = QButtonGroup(self)
        for minutes in SPANS_MIN:
            button = self._button(self.tr("{n} min").format(n=minutes), checkable=True)
            button.setChecked(minutes == span_min)
            self._span_group.addButton(button, minutes)
            bar.addWidget(button)
        self._span_group.idClicked.connect(self.set_span_minutes)
        self._show_live_state()
        return bar

    def _button(self, text: str, checkable: bool) -> QPushButton:
        button = QPushButton(text, self)
        button.setFont(self._font())
        button.setCheckable(checkable)
        button.setMinimumHeight(32)
        return button

    def _font(self, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(TICK_FONT_PX + 1)
        font.setBold(bold)
        return font

    # ----- public API -----------------------------------------------------------------------

    @property
    def is_live(self) -> bool:
        """True while the charts scroll with the newest data."""
        return self._live

    def substations(self) -> dict[str, str]:
        """Substations seen so far: id -> display name."""
        return dict(self._substations)

    def selected_substation(self) -> str | None:
        """Id of the substation whose voltage and power flow are shown."""
        return self._substation_box.currentData()

    def select_substation(self, substation_id: str) -> None:
        """Show the voltage and power flow of one substation."""
        index = self._substation_box.findData(substation_id)
        if index < 0:
            raise KeyError(substation_id)
        self._substation_box.setCurrentIndex(index)

    @Slot(dict)
    def on_grid_sample(self, sample: dict) -> None:
        """Ingest one grid sample (see the module docstring of the app's grid feed).

        ``{"timestamp_ms": int, "frequency_hz": float, "substations": [{"id", "name", "region",
        "voltage_kv", "nominal_kv", "power_flow_mw"}, ...]}``
        """
        t = np.array([sample["timestamp_ms"] / 1000.0])
        self.frequency_plot.add_samples(FREQUENCY_ID, t, np.array([sample["frequency_hz"]]))
        for sub in sample.get("substations", ()):
            self._ensure_substation(sub)
            pu = per_unit(float(sub["voltage_kv"]), float(sub["nominal_kv"]))
            self.voltage_plot.add_samples(VOLTAGE_PREFIX + sub["id"], t, np.array([pu]))
            self.power_plot.add_samples(POWER_PREFIX + sub["id"], t,
                                        np.array([float(sub["power_flow_mw"])]))

    def show_history(self, series_id: str, t: np.ndarray, v: np.ndarray) -> None:
        """Show scroll-back data fetched for a ``history_requested`` series id."""
        self._plot_of(series_id).show_history(series_id, t, v)

    def mark_event(self, t: float, label: str, priority: str) -> None:
        """Mark an event (e.g. an alarm) at time ``t`` on all three charts."""
        for plot in self.plots:
            plot.mark_event(t, label, priority, show_label=plot is self.frequency_plot)

    def set_live(self, live: bool) -> None:
        """Scroll with the newest data, or pause (ingest continues)."""
        self._live = live
        for plot in self.plots:
            plot.set_live(live)
        self._show_live_state()
        self.live_changed.emit(live)

    @Slot(int)
    def set_span_minutes(self, minutes: int) -> None:
        """Window width in minutes (one of 1, 5, 15, 60 in the toolbar)."""
        for plot in self.plots:
            plot.set_span(60.0 * minutes)
        button = self._span_group.button(minutes)
        if button is not None:
            button.setChecked(True)
        self.refresh()

    def refresh(self) -> None:
        """Draw one frame of all three charts (the frequency chart drives the shared x axis)."""
        times = [t for t in (p.latest_time() for p in self.plots) if t is not None]
        t_end = max(times) if times else None
        self.frequency_plot.refresh(t_end)
        self.voltage_plot.refresh(scroll=False)
        self.power_plot.refresh(scroll=False)

    # ----- internals ------------------------------------------------------------------------

    def _plot_of(self, series_id: str) -> TelemetryPlot:
        if series_id == FREQUENCY_ID:
            return self.frequency_plot
        if series_id.startswith(VOLTAGE_PREFIX):
            return self.voltage_plot
        if series_id.startswith(POWER_PREFIX):
            return self.power_plot
        raise KeyError(series_id)

    def _ensure_substation(self, sub: dict) -> None:
        """Add a newly seen substation to both plots and to the selector."""
        sub_id = sub["id"]
        if sub_id in self._substations:
            return
        name = self.tr("{name} ({region})").format(name=sub["name"], region=sub["region"])
        self._substations[sub_id] = name
        first = len(self._substations) == 1
        self.voltage_plot.add_series(VOLTAGE_PREFIX + sub_id, name,
                                     capacity=SUBSTATION_CAPACITY, visible=first,
                                     colour_index=0)
        self.power_plot.add_series(POWER_PREFIX + sub_id, name,
                                   capacity=SUBSTATION_CAPACITY, visible=first,
                                   colour_index=0)
        self._substation_box.addItem(name, sub_id)

    def _show_live_state(self) -> None:
        """Button offers the other state; the label says the current one."""
        fg = self._palette.foreground
        if self._live:
            self._live_button.setText(self.tr("Pause"))
            self._state_label.setText(self.tr("LIVE"))
            self._state_label.setStyleSheet(f"color: {fg};")
        else:
            self._live_button.setText(self.tr("Live"))
            self._state_label.setText(self.tr("PAUSED: newest data not shown"))
            colour = self._palette.priority["medium"]
            self._state_label.setStyleSheet(f"color: {fg}; border: 2px solid {colour};"
                                            " padding: 2px 6px;")

    # ----- slots ----------------------------------------------------------------------------

    def _on_live_button(self) -> None:
        self.set_live(not self._live)

    def _on_plot_live_changed(self, live: bool) -> None:
        """A plot paused itself (user zoom/pan): pause them all, they share the x axis."""
        if live != self._live:
            self.set_live(live)

    def _on_substation_chosen(self, index: int) -> None:
        chosen = self._substation_box.itemData(index)
        for sub_id in self._substations:
            self.voltage_plot.set_series_visible(VOLTAGE_PREFIX + sub_id, sub_id == chosen)
            self.power_plot.set_series_visible(POWER_PREFIX + sub_id, sub_id == chosen)
