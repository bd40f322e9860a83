"""The incident timeline: telemetry, alarms, operator actions and chain events of a past window
on one time axis, replayed at 1×–60×, exported as a PDF report for the post-incident review.

Thin: it receives a ready :class:`~node_core.control_room.incident.IncidentRecord`
(``show_record``) and
asks for one with ``window_requested(start_ms, end_ms)``; ``app.links.timeline_link`` gathers it.
Times are UTC ms inside, shown on the display clock (Bangkok unless set otherwise).

The chart is drawn by :mod:`views.timeline.timeline_chart`, the report by
:func:`views.timeline.timeline_report.write_report`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pyqtgraph as pg
from PySide6.QtCore import (
    QDateTime,
    QElapsedTimer,
    Qt,
    QTimer,
    QTimeZone,
    Signal,
    Slot,
)
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

from node_core.clock import now_ms
from node_core.control_room.incident import SPEEDS, IncidentEvent, IncidentRecord, ReplayCursor
from views.charts.palette import palette_for
from views.common.formatting import MISSING, bangkok_time, time_display, utc_offset_text, zone_name
from views.timeline.timeline_chart import (
    add_event_marker,
    event_labels,
    fit_frequency,
    label_marks,
    make_chart,
)
from views.timeline.timeline_model import TimelineModel
from views.timeline.timeline_report import write_report

TICK_MS: Final = 50
"""Replay timer period."""
SLIDER_STEPS: Final = 1000


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
        now = now_ms()
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
