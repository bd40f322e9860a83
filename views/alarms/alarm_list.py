"""AlarmList: the alarm list panel — filter, sort, acknowledge, shelve. Never calls the engine.

Fed by the app with plain dicts: :meth:`AlarmList.on_alarms` (``Alarm.to_dict()`` list: a
full refresh) and :meth:`AlarmList.on_alarm_events` (``AlarmEvent.to_dict()`` list: an
incremental batch; see :mod:`views.alarms.alarm_model` for both shapes). Operator intents go out as
signals; the app passes them to the node (which checks roles and writes the audit trail)
and the resulting events come back through ``on_alarm_events``.

Unacknowledged alarms blink: a :class:`QTimer` flips the model's blink phase every
:data:`BLINK_MS`; only the style roles of the two coloured columns are repainted.
The shelve dialog is opened with ``open()`` (never ``exec()``: the console runs qasync).
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from node_core.ledger.types import REGIONS
from views.alarms.alarm_model import (
    ALARM_ID_ROLE,
    MESSAGE,
    PRIORITY,
    REGION,
    SHELVED,
    STATE,
    STATES,
    SUBSTATION,
    TIME,
    UNACKNOWLEDGED,
    VALUE,
    AlarmFilterProxy,
    AlarmTableModel,
)
from views.charts.palette import PRIORITIES

BLINK_MS: Final = 500
"""Half-period of the unacknowledged blink (1 Hz flashing, slow as ISA-101 asks)."""
SHELVE_DURATIONS_S: Final = (15 * 60, 30 * 60, 3600, 2 * 3600, 4 * 3600, 8 * 3600)
"""Durations offered in the shelve dialog (the engine caps shelving at 8 h)."""
AREAS: Final = REGIONS
"""The alarm areas are the grid regions."""


class ShelveDialog(QDialog):
    """Reason (a preset or free text) and duration for shelving the given alarms.

    Signals:
        shelve_confirmed(list, str, int): alarm ids, reason, duration in seconds.
    """

    shelve_confirmed = Signal(list, str, int)

    def __init__(self, alarm_ids: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ids = list(alarm_ids)
        self.setWindowTitle(self.tr("Shelve alarms"))
        self.reason = QComboBox(self)
        self.reason.setEditable(True)
        self.reason.addItems([self.tr("Instrument fault, work order raised"),
                              self.tr("Maintenance in progress"),
                              self.tr("Nuisance alarm under review")])
        self.reason.setCurrentIndex(-1)
        editor = self.reason.lineEdit()
        if editor is not None:
            editor.setPlaceholderText(self.tr("Reason (required)"))
        self.duration = QComboBox(self)
        for seconds in SHELVE_DURATIONS_S:
            self.duration.addItem(self._duration_text(seconds), seconds)
        self.duration.setCurrentIndex(2)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.reason.editTextChanged.connect(self._on_reason_changed)
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr("{n} alarm(s)").format(n=len(self._ids)), self))
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.tr("Duration"), self.duration)
        form.addRow(self.buttons)
        self._on_reason_changed(self.reason.currentText())

    def _duration_text(self, seconds: int) -> str:
        if seconds < 3600:
            return self.tr("{n} min").format(n=seconds // 60)
        return self.tr("{n} h").format(n=seconds // 3600)

    def _on_reason_changed(self, text: str) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()))

    def _on_ok(self) -> None:
        reason = self.reason.currentText().strip()
        if not reason:
            return
        self.shelve_confirmed.emit(self._ids, reason, int(self.duration.currentData()))
        self.accept()


class AlarmList(QWidget):
    """Filter bar, sortable alarm table and the operator's buttons.

    The buttons act only for a person whose role may (``set_permitted``: the app asks the
    roster's roles); for anyone else (an auditor, a viewer, nobody logged in) the list is
    read-only — and the node refuses them anyway.

    Signals:
        acknowledge_requested(list): alarm ids to acknowledge.
        shelve_requested(str, str, int): alarm id, reason, duration in seconds (once per id).
        unshelve_requested(str): alarm id.
        resync_requested(): an event was lost upstream; the app should call ``on_alarms``.
        counts_changed(dict): per-priority counts for
        :class:`views.alarms.alarm_banner.AlarmBanner`.
    """

    acknowledge_requested = Signal(list)
    shelve_requested = Signal(str, str, int)
    unshelve_requested = Signal(str)
    resync_requested = Signal()
    counts_changed = Signal(dict)

    def __init__(self, *, theme: str = "light", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AlarmTableModel(theme=theme, parent=self)
        self.proxy = AlarmFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.shelve_dialog: ShelveDialog | None = None
        self._permitted = False
        self._build()
        self.model.counts_changed.connect(self.counts_changed)
        self.model.counts_changed.connect(self._on_counts)
        self.model.gap_detected.connect(lambda *_: self.resync_requested.emit())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.proxy.rowsInserted.connect(self._update_buttons)
        self.proxy.rowsRemoved.connect(self._update_buttons)
        self.proxy.sort(PRIORITY, Qt.SortOrder.AscendingOrder)
        self._blink = QTimer(self, interval=BLINK_MS)
        self._blink.timeout.connect(self._on_blink)
        self._blink.start()
        self._update_buttons()

    # ----- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._filter_bar())
        self.table = self._table()
        layout.addWidget(self.table, 1)
        layout.addLayout(self._button_row())

    def _combo(self, items: list[tuple[str, Any]]) -> QComboBox:
        combo = QComboBox(self)
        for text, data in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(self._on_filter_changed)
        return combo

    def _filter_bar(self) -> QHBoxLayout:
        names = {"critical": self.tr("Critical"), "high": self.tr("High"),
                 "medium": self.tr("Medium"), "low": self.tr("Low")}
        every = self.tr("All")
        self.priority_filter = self._combo([(every, None)]
                                           + [(names[p], p) for p in PRIORITIES])
        self.region_filter = self._combo([(every, None)] + [(a, a) for a in AREAS])
        self.state_filter = self._combo([(every, None)] + [
            (self.model.state_text(s), s) for s in STATES]
            + [(self.tr("Unacknowledged (all)"), "unacknowledged")])
        self.substation_filter = QLineEdit(self)
        self.substation_filter.setPlaceholderText(self.tr("Substation"))
        self.substation_filter.setClearButtonEnabled(True)
        self.substation_filter.textChanged.connect(self._on_filter_changed)
        self.shown = QLabel(self)
        bar = QHBoxLayout()
        for caption, widget in ((self.tr("Priority"), self.priority_filter),
                                (self.tr("Area"), self.region_filter),
                                (self.tr("State"), self.state_filter)):
            bar.addWidget(QLabel(caption, self))
            bar.addWidget(widget)
        bar.addWidget(self.substation_filter, 1)
        bar.addWidget(self.shown)
        return bar

    def _table(self) -> QTableView:
        table = QTableView(self)
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(PRIORITY, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(MESSAGE, QHeaderView.ResizeMode.Stretch)
        self._fit_columns(table)
        return table

    def _fit_columns(self, table: QTableView) -> None:
        """Widths from the widest text each column can hold (not ResizeToContents, which
        measures every row: too slow in an alarm flood)."""
        model, bold = self.model, table.font()
        bold.setBold(True)
        plain, strong = QFontMetrics(table.font()), QFontMetrics(bold)
        samples = {
            TIME: ["2025-12-31 23:59:59", model.headerData(TIME, Qt.Orientation.Horizontal)],
            PRIORITY: [model.priority_text(p) for p in PRIORITIES],
            STATE: [model.state_text(s) for s in STATES],
            REGION: ["EGAT", model.headerData(REGION, Qt.Orientation.Horizontal)],
            SUBSTATION: ["EGAT-WMM-500", "PEA-KKN-115"],
            VALUE: [model.value_text("frequency", 50.0), model.value_text("voltage", 500.0)],
        }
        for column, texts in samples.items():
            metrics = strong if column in (PRIORITY, STATE) else plain
            table.setColumnWidth(column, max(metrics.horizontalAdvance(str(t)) for t in texts)
                                 + 2 * metrics.averageCharWidth())

    def _button_row(self) -> QHBoxLayout:
        self.ack_button = QPushButton(self.tr("Acknowledge"), self)
        self.ack_button.setToolTip(self.tr("Acknowledge the selected alarms"))
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.ack_all_button = QPushButton(self.tr("Acknowledge all shown"), self)
        self.ack_all_button.clicked.connect(self.acknowledge_visible)
        self.shelve_button = QPushButton(self.tr("Shelve…"), self)
        self.shelve_button.clicked.connect(self.open_shelve_dialog)
        self.unshelve_button = QPushButton(self.tr("Unshelve"), self)
        self.unshelve_button.clicked.connect(self.unshelve_selected)
        row = QHBoxLayout()
        for button in (self.ack_button, self.ack_all_button, self.shelve_button,
                       self.unshelve_button):
            row.addWidget(button)
        row.addStretch(1)
        return row

    # ----- feeding --------------------------------------------------------------------------

    @Slot(list)
    def on_alarms(self, alarms: list[dict[str, Any]]) -> None:
        """Full refresh with ``Alarm.to_dict()`` dicts."""
        self.model.set_alarms(alarms)

    @Slot(list)
    def on_alarm_events(self, events: list[dict[str, Any]]) -> None:
        """Incremental batch of ``AlarmEvent.to_dict()`` dicts."""
        self.model.apply_events(events)

    @Slot(bool)
    def set_permitted(self, permitted: bool) -> None:
        """Whether the person logged in may acknowledge, shelve and unshelve."""
        self._permitted = permitted
        self._update_buttons()

    @Slot(str)
    def show_priority(self, priority: str) -> None:
        """Show only ``priority`` (the banner's click)."""
        index = self.priority_filter.findData(priority)
        self.priority_filter.setCurrentIndex(max(index, 0))

    # ----- operator intents -----------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [self.proxy.index(i.row(), 0).data(ALARM_ID_ROLE)
                for i in sorted(rows, key=lambda i: i.row())]

    def _selected_rows(self) -> list[dict[str, Any]]:
        model = self.model
        return [model.alarm(r) for i in self.selected_ids()
                if (r := model.row_of(i)) is not None]

    def acknowledge_selected(self) -> None:
        ids = [r["alarm_id"] for r in self._selected_rows() if r["state"] in UNACKNOWLEDGED]
        if ids:
            self.acknowledge_requested.emit(ids)

    def acknowledge_visible(self) -> None:
        """All unacknowledged alarms the filter shows (not the hidden ones)."""
        model = self.model
        ids = [i for i in self.proxy.alarm_ids()
               if (r := model.row_of(i)) is not None
               and model.alarm(r)["state"] in UNACKNOWLEDGED]
        if ids:
            self.acknowledge_requested.emit(ids)

    def open_shelve_dialog(self) -> ShelveDialog | None:
        ids = [r["alarm_id"] for r in self._selected_rows() if r["state"] != SHELVED]
        if not ids:
            return None
        self.shelve_dialog = ShelveDialog(ids, self)
        self.shelve_dialog.shelve_confirmed.connect(self._on_shelve_confirmed)
        self.shelve_dialog.finished.connect(self.shelve_dialog.deleteLater)
        self.shelve_dialog.open()
        return self.shelve_dialog

    def unshelve_selected(self) -> None:
        for row in self._selected_rows():
            if row["state"] == SHELVED:
                self.unshelve_requested.emit(row["alarm_id"])

    def _on_shelve_confirmed(self, ids: list[str], reason: str, seconds: int) -> None:
        for alarm_id in ids:
            self.shelve_requested.emit(alarm_id, reason, seconds)

    # ----- slots ----------------------------------------------------------------------------

    def _on_filter_changed(self, *_: object) -> None:
        state = self.state_filter.currentData()
        states = sorted(UNACKNOWLEDGED) if state == "unacknowledged" else (
            [state] if state else None)
        priority = self.priority_filter.currentData()
        self.proxy.set_filter(priorities=[priority] if priority else None,
                              region=self.region_filter.currentData(),
                              substation=self.substation_filter.text(), states=states)
        self._update_buttons()

    def _on_blink(self) -> None:
        self.model.set_blink_phase(not self.model.blink_on)

    def _on_counts(self, counts: dict[str, Any]) -> None:
        self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        rows, may = self._selected_rows(), self._permitted
        self.ack_button.setEnabled(may and any(r["state"] in UNACKNOWLEDGED for r in rows))
        self.shelve_button.setEnabled(may and any(r["state"] != SHELVED for r in rows))
        self.unshelve_button.setEnabled(may and any(r["state"] == SHELVED for r in rows))
        self.ack_all_button.setEnabled(may and self.model.rowCount() > 0)
        self.shown.setText(self.tr("{shown} of {total} shown").format(
            shown=self.proxy.rowCount(), total=self.model.rowCount()))
