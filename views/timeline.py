"""The incident timeline: telemetry, alarms, operator actions and chain events of a past window
on one time axis, replayed at 1×–60×, exported as a PDF report for the post-incident review.

Thin: it receives a ready :class:`~node_core.incident.IncidentRecord` (``show_record``) and
asks for one with ``window_requested(start_ms, end_ms)``; ``app.timeline_link`` gathers it.
Times are UTC ms inside, shown on the display clock (Bangkok unless set otherwise).

The report (:func:`write_report`) is drawn with QPdfWriter + QPainter (QtGui; no
QtPrintSupport needed): one page per section — summary, frequency chart (the plot rendered to
an image), alarms, operator actions, chain events — long sections continue on further pages.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pyqtgraph as pg
from PySide6.QtCore import (
    QCoreApplication,
    QDateTime,
    QElapsedTimer,
    QMarginsF,
    QRectF,
    Qt,
    QTimer,
    QTimeZone,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from node_core.incident import (
    CHAIN_KINDS,
    SPEEDS,
    EventKind,
    IncidentEvent,
    IncidentRecord,
    ReplayCursor,
)
from views.charts.mark_labels import MarkLabels, headroom
from views.charts.mark_layout import Mark
from views.charts.palette import PRIORITIES, ChartPalette, palette_for
from views.charts.time_axis import BangkokTimeAxis
from views.formatting import MISSING, bangkok_time, time_display, utc_offset_text, zone_name
from views.timeline_model import TimelineModel, kind_text

TICK_MS: Final = 50
"""Replay timer period."""
SLIDER_STEPS: Final = 1000
CHART_SIZE: Final = (1800, 900)
"""Pixels of the chart image in the report."""
LABEL_BAND: Final = 0.3
"""Top share of the chart kept for the event labels, above the frequency trace."""


def _display_zone() -> QTimeZone:
    return QTimeZone(time_display().zone.key.encode())


def _bangkok_qt(ms: int) -> QDateTime:
    """``ms`` on the display clock (Bangkok unless set otherwise)."""
    return QDateTime.fromMSecsSinceEpoch(ms, _display_zone())


class TimelineView(QWidget):
    """Window choice, chart with cursor and event markers, replay controls, event table.

    Signals:
        window_requested(start_ms: int, end_ms: int): load this window (UTC ms).
        report_written(path: str, pages: int): an export finished.
    """

    window_requested = Signal("qint64", "qint64")  # UTC ms do not fit a 32-bit int
    report_written = Signal(str, int)

    def __init__(self, *, theme: str = "light", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineView")
        self._theme = theme
        self._palette = palette_for(theme)
        self.record = IncidentRecord(0, 0)
        self.cursor = ReplayCursor(0, 0)
        self.model = TimelineModel(theme, self)
        self._markers: list[pg.InfiniteLine] = []
        self._labelled = 0
        """How many of the shown events the mark labels were laid out for."""
        self._clock = QElapsedTimer()
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)
        self._build()

    # ----- construction -------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        window_row = QHBoxLayout()
        self.start_edit = self._time_edit()
        self.end_edit = self._time_edit()
        now = int(time.time() * 1000)
        self.start_edit.setDateTime(_bangkok_qt(now - 15 * 60_000))
        self.end_edit.setDateTime(_bangkok_qt(now))
        self.load_button = QPushButton(self.tr("Load window"), self)
        self.load_button.clicked.connect(self._on_load)
        self.export_button = QPushButton(self.tr("Export report (PDF)…"), self)
        self.export_button.clicked.connect(self._ask_export)
        self.export_button.setEnabled(False)
        window_row.addWidget(QLabel(self.tr("From ({zone})").format(zone=zone_name()), self))
        window_row.addWidget(self.start_edit)
        window_row.addWidget(QLabel(self.tr("to"), self))
        window_row.addWidget(self.end_edit)
        window_row.addWidget(self.load_button)
        window_row.addStretch(1)
        window_row.addWidget(self.export_button)
        layout.addLayout(window_row)

        self.plot = make_chart(
            self._theme, self.tr("Frequency (Hz)"),
            self.tr("Time ({zone}, {offset})").format(zone=zone_name(), offset=utc_offset_text()),
        )
        self.mark_labels = event_labels(self.plot, self._palette)
        self.curve = self.plot.plot([], [], pen=pg.mkPen(self._palette.traces[0], width=2))
        self.cursor_line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(self._palette.crosshair, width=2, style=Qt.PenStyle.DashLine),
        )
        self.plot.addItem(self.cursor_line, ignoreBounds=True)
        layout.addWidget(self.plot, 3)

        replay_row = QHBoxLayout()
        self.play_button = QPushButton(self.tr("Play"), self)
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._on_play_toggled)
        self.speed_box = QComboBox(self)
        for speed in SPEEDS:
            self.speed_box.addItem(self.tr("{n}×").format(n=speed), speed)
        self.speed_box.currentIndexChanged.connect(self._on_speed)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.sliderMoved.connect(self._on_slider)
        self.position_label = QLabel(MISSING, self)
        self.state_label = QLabel(self.tr("Choose a window and load it."), self)
        replay_row.addWidget(self.play_button)
        replay_row.addWidget(QLabel(self.tr("Speed"), self))
        replay_row.addWidget(self.speed_box)
        replay_row.addWidget(self.slider, 1)
        replay_row.addWidget(self.position_label)
        layout.addLayout(replay_row)
        layout.addWidget(self.state_label)

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # What and Detail share the width left (elided, whole in the tooltip), so that neither
        # pushes the other out of sight behind a scroll bar.
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        layout.addWidget(self.table, 2)

    def _time_edit(self) -> QDateTimeEdit:
        edit = QDateTimeEdit(self)
        edit.setTimeZone(_display_zone())
        edit.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
        edit.setCalendarPopup(True)
        return edit

    # ----- window ---------------------------------------------------------------------------

    def window_ms(self) -> tuple[int, int]:
        return (
            self.start_edit.dateTime().toMSecsSinceEpoch(),
            self.end_edit.dateTime().toMSecsSinceEpoch(),
        )

    def set_window(self, start_ms: int, end_ms: int) -> None:
        self.start_edit.setDateTime(_bangkok_qt(start_ms))
        self.end_edit.setDateTime(_bangkok_qt(end_ms))

    @Slot()
    def _on_load(self) -> None:
        start, end = self.window_ms()
        if end <= start:
            self.state_label.setText(
                self.tr("The window ends before it starts: set “to” later than “from”.")
            )
            return
        self.state_label.setText(
            self.tr("Loading {start} – {end}…").format(
                start=bangkok_time(start), end=bangkok_time(end)
            )
        )
        self.window_requested.emit(start, end)

    @Slot(str)
    def on_load_failed(self, message: str) -> None:
        self.state_label.setText(
            self.tr(
                "The window was not loaded: {error}. Check that the "
                "node is running, then load again."
            ).format(error=message)
        )

    @Slot(object)
    def show_record(self, record: IncidentRecord) -> None:
        """Show ``record`` with the cursor at its start (nothing passed yet)."""
        self.pause()
        self.record = record
        self.set_window(record.start_ms, record.end_ms)
        self.cursor = ReplayCursor.over(record, float(self.speed_box.currentData() or 1))
        self.model.set_record(record, record.start_ms)
        for line in self._markers:
            self.plot.removeItem(line)
        self._markers = []
        self._labelled = 0
        self.mark_labels.set_marks([])
        self.plot.setXRange(record.start_ms / 1000, record.end_ms / 1000, padding=0.01)
        fit_frequency(self.plot, record)
        self.export_button.setEnabled(True)
        counts = record.summary()["counts"]
        self.state_label.setText(
            self.tr(
                "{events} events, {samples} frequency samples in the "
                "window. Press Play to replay it."
            ).format(events=sum(counts.values()), samples=len(record.frequency))
        )
        self._show_position()

    # ----- replay ---------------------------------------------------------------------------

    def play(self) -> None:
        self.play_button.setChecked(True)

    def pause(self) -> None:
        self.play_button.setChecked(False)

    @Slot(bool)
    def _on_play_toggled(self, playing: bool) -> None:
        if playing:
            self.cursor.play()
            self._clock.start()
            self._timer.start()
            self.play_button.setText(self.tr("Pause"))
        else:
            self.cursor.pause()
            self._timer.stop()
            self.play_button.setText(self.tr("Play"))
        self._show_position()

    @Slot(int)
    def _on_speed(self, _index: int) -> None:
        self.cursor.set_speed(float(self.speed_box.currentData() or 1))

    def set_speed(self, speed: int) -> None:
        index = self.speed_box.findData(speed)
        if index >= 0:
            self.speed_box.setCurrentIndex(index)

    @Slot(int)
    def _on_slider(self, value: int) -> None:
        self.seek(
            self.cursor.start_ms
            + round((self.cursor.end_ms - self.cursor.start_ms) * value / SLIDER_STEPS)
        )

    def seek(self, position_ms: int) -> None:
        self.cursor.seek(position_ms)
        self._show_position()

    def advance(self, wall_ms: float) -> None:
        """Move the replay on by ``wall_ms`` of wall time (the timer does this while playing)."""
        self.cursor.advance(wall_ms)
        self._show_position()
        if not self.cursor.playing and self.play_button.isChecked():
            self.pause()

    @Slot()
    def _on_tick(self) -> None:
        self.advance(self._clock.restart())

    def _show_position(self) -> None:
        position = self.cursor.position_ms
        self.cursor_line.setPos(position / 1000)
        samples = self.record.frequency_until(position)
        self.curve.setData([t / 1000 for t, _ in samples], [v for _, v in samples])
        before = self.model.rowCount()
        self.model.set_position(position)
        for event in self.model.shown()[len(self._markers) :]:
            self._markers.append(self._add_marker(event))
        del_count = len(self._markers) - self.model.rowCount()
        for _ in range(max(0, del_count)):
            self.plot.removeItem(self._markers.pop())
        if self._labelled != len(self._markers):
            self._labelled = len(self._markers)
            self.mark_labels.set_marks(label_marks(self.model.shown(), self._palette))
        if self.model.rowCount() > before:
            self.table.scrollToBottom()
        self.slider.blockSignals(True)
        self.slider.setValue(round(self.cursor.fraction * SLIDER_STEPS))
        self.slider.blockSignals(False)
        self.position_label.setText(
            self.tr("{time} · {passed}/{total} events").format(
                time=bangkok_time(position) if self.record.duration_ms else MISSING,
                passed=self.model.rowCount(),
                total=len(self.record.events),
            )
        )

    def _add_marker(self, event: IncidentEvent) -> pg.InfiniteLine:
        return add_event_marker(self.plot, event, self._palette)

    # ----- export ---------------------------------------------------------------------------

    @Slot()
    def _ask_export(self) -> None:
        dialog = QFileDialog(self, self.tr("Export incident report"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("PDF documents (*.pdf)"))
        dialog.setDefaultSuffix("pdf")
        dialog.selectFile(
            f"incident-{bangkok_time(self.record.start_ms)[:16]}.pdf".replace(" ", "_").replace(
                ":", ""
            )
        )
        dialog.fileSelected.connect(self.export_report)
        self.export_dialog = dialog
        dialog.open()

    @Slot(str)
    def export_report(self, path: str) -> int:
        """Write the report of the loaded record to ``path``; the number of pages."""
        try:
            pages = write_report(self.record, Path(path), theme=self._theme)
        except OSError as error:
            self.state_label.setText(
                self.tr(
                    "The report was not written to {path}: {error}. "
                    "Choose a folder you can write to."
                ).format(path=path, error=error)
            )
            return 0
        self.state_label.setText(
            self.tr("Report written: {path} ({n} pages).").format(path=path, n=pages)
        )
        self.report_written.emit(path, pages)
        return pages


# ----- chart ----------------------------------------------------------------------------------


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


# ----- report ---------------------------------------------------------------------------------


class _Report:
    """Pages of text and one image on a QPdfWriter, A4 portrait."""

    def __init__(self, path: Path) -> None:
        self.writer = QPdfWriter(str(path))
        self.writer.setTitle(
            QCoreApplication.translate("TimelineReport", "GridTokenX incident report")
        )
        self.writer.setCreator("GridTokenX Authority Console")
        self.writer.setResolution(150)
        self.writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(15, 15, 15, 15),
                QPageLayout.Unit.Millimeter,
            )
        )
        self.painter = QPainter()
        if not self.painter.begin(self.writer):
            raise OSError(f"cannot write {path}")
        self.pages = 0
        self.rect = QRectF(self.painter.viewport())
        self.y = 0.0
        self.body = QFont("Sans Serif", 9)
        self.small = QFont("Sans Serif", 8)
        self.heading = QFont("Sans Serif", 15, QFont.Weight.Bold)

    def page(self, title: str) -> None:
        if self.pages:
            self.writer.newPage()
        self.pages += 1
        self.y = 0.0
        self.painter.setPen(QColor("#1e1e1e"))
        self.painter.setFont(self.heading)
        self.text(title, self.heading, gap=0.6)

    def line_height(self, font: QFont) -> float:
        self.painter.setFont(font)
        return float(self.painter.fontMetrics().height())

    def text(
        self, text: str, font: QFont | None = None, *, gap: float = 0.25, colour: str = "#1e1e1e"
    ) -> None:
        font = font or self.body
        self.painter.setFont(font)
        self.painter.setPen(QColor(colour))
        box = QRectF(0, self.y, self.rect.width(), self.rect.height() - self.y)
        flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        used = self.painter.boundingRect(box, flags, text)
        self.painter.drawText(box, flags, text)
        self.y += used.height() + self.line_height(font) * gap

    def fits(self, lines: int = 3) -> bool:
        return self.y + self.line_height(self.body) * lines < self.rect.height()

    def image(self, pixmap: QPixmap) -> None:
        width = self.rect.width()
        height = width * pixmap.height() / max(1, pixmap.width())
        self.painter.drawPixmap(QRectF(0, self.y, width, height), pixmap, QRectF(pixmap.rect()))
        self.y += height + self.line_height(self.body)

    def events(self, title: str, events: list[IncidentEvent], empty: str) -> None:
        self.page(title)
        if not events:
            self.text(empty)
        for index, event in enumerate(events):
            if not self.fits():
                self.page(
                    QCoreApplication.translate(
                        "TimelineReport", "{title} (continued, {n} of {total})"
                    ).format(title=title, n=index + 1, total=len(events))
                )
            self.text(
                f"{bangkok_time(event.time_ms)}  [{kind_text(event.kind)}]  {event.title}",
                self.body,
                gap=0.0,
            )
            if event.detail:
                self.text("      " + event.detail, self.small, gap=0.3, colour="#4a4a4a")

    def finish(self) -> int:
        self.painter.end()
        return self.pages


def write_report(
    record: IncidentRecord,
    path: Path,
    *,
    theme: str = "light",
    authority: str = "",
    chain_id: str = "",
) -> int:
    """The PDF report of ``record`` at ``path``; returns the number of pages (5 at least:
    summary, frequency chart, alarms, operator actions, chain events)."""
    chart = render_chart(record, theme=theme)
    report = _Report(path)
    summary = record.summary()
    report.page(QCoreApplication.translate("TimelineReport", "Incident report — summary"))
    lines = [
        QCoreApplication.translate(
            "TimelineReport", "Window: {start} – {end} ({zone} time, {offset})"
        ).format(start=bangkok_time(record.start_ms), end=bangkok_time(record.end_ms),
                 zone=zone_name(), offset=utc_offset_text(record.start_ms / 1000)),
        QCoreApplication.translate("TimelineReport", "Window (UTC ms): {start} – {end}").format(
            start=record.start_ms, end=record.end_ms
        ),
    ]
    if authority:
        lines.append(
            QCoreApplication.translate("TimelineReport", "Authority: {a}").format(a=authority)
        )
    if chain_id:
        lines.append(
            QCoreApplication.translate("TimelineReport", "Chain id: {c}").format(c=chain_id)
        )
    low, high = summary["frequency_min_hz"], summary["frequency_max_hz"]
    lines.append(
        QCoreApplication.translate(
            "TimelineReport", "System frequency: {n} samples, minimum {low} Hz, maximum {high} Hz"
        ).format(
            n=summary["frequency_samples"],
            low=MISSING if low is None else f"{low:.3f}",
            high=MISSING if high is None else f"{high:.3f}",
        )
    )
    for kind in EventKind:
        lines.append(
            QCoreApplication.translate("TimelineReport", "{kind} events: {n}").format(
                kind=kind_text(kind), n=summary["counts"][kind.value]
            )
        )
    lines.append(
        QCoreApplication.translate(
            "TimelineReport", "Generated {now} ({zone} time) by the GridTokenX Authority Console."
        ).format(now=bangkok_time(int(time.time() * 1000)), zone=zone_name())
    )
    for line in lines:
        report.text(line)
    first = record.events[:12]
    if first:
        report.text("")
        report.text(
            QCoreApplication.translate("TimelineReport", "Sequence of events (first {n}):").format(
                n=len(first)
            ),
            report.body,
        )
        for event in first:
            report.text(
                f"{bangkok_time(event.time_ms)}  [{kind_text(event.kind)}]  {event.title}",
                report.small,
                gap=0.1,
            )
    report.page(QCoreApplication.translate("TimelineReport", "System frequency"))
    report.image(chart)
    report.text(
        QCoreApplication.translate(
            "TimelineReport",
            "Vertical lines: alarms (priority colour), operator actions, emergency and "
            "governance events on chain. Time axis in {zone} time.",
        ).format(zone=zone_name()),
        report.small,
    )
    report.events(
        QCoreApplication.translate("TimelineReport", "Alarms"),
        record.of_kind(EventKind.ALARM, EventKind.GRID),
        QCoreApplication.translate("TimelineReport", "No alarm changed state in this window."),
    )
    report.events(
        QCoreApplication.translate("TimelineReport", "Operator actions"),
        record.of_kind(EventKind.OPERATOR),
        QCoreApplication.translate(
            "TimelineReport", "No operator action was recorded in this window."
        ),
    )
    report.events(
        QCoreApplication.translate("TimelineReport", "Chain events"),
        record.of_kind(*CHAIN_KINDS),
        QCoreApplication.translate("TimelineReport", "No block was finalized in this window."),
    )
    return report.finish()
