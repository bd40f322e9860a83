"""EmergencyPanel: select-before-operate emergency controls. Emits intents; never calls the node.

1. Pick an action — trading halt / resume (a region or ALL), load shedding (stage 1..5,
   region, MW), demand response (region, MW, duration) — and a reason, then **Select**.
2. The node answers with the selection and its consequence summary (``on_selection``); the
   panel shows it with a 30 s countdown. **Operate** is a separate, deliberate button with a
   confirmation (a QMessageBox opened with ``open()``); it is disabled once the selection
   expired.
3. Critical actions (halt, load shedding) then wait for a supervisor — "waiting for a
   supervisor", with the time left — and **Approve as supervisor…**, which asks the app to
   let the second person approve on their own token and PIN (``approve_requested``).
4. **Cancel** works at any step before submission.

Select, operate and cancel are for the roles that may (``set_operator``: the person at the
console and whether the roster lets them); for anyone else the buttons are disabled — the
node refuses them anyway. Approving needs no permission here: the supervisor logs in for it.

A table shows every action's life (``on_status`` with ``emergency_status``): selected →
approved → submitted → final in block N, or rejected with the reason / expired / cancelled.
A refusal (``on_failed``: step, the node's rule name, message) is shown inline, its meaning
translated (:mod:`views.common.refusals`).

Signals:
    select_requested(dict): kind, region, stage, mw, duration_s, reason.
    operate_requested(dict), approve_requested(dict): the selection as shown (what the
        operator or supervisor endorses).
    cancel_requested(int): selection id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from node_core.clock import now_ms
from node_core.ledger.fields import EMERGENCY_REASON
from views.common.formatting import bangkok_time, zone_name
from views.common.refusals import refusal_text
from views.common.text_room import text_room
from views.emergency import emergency_model as em

TICK_MS: Final = 250
COLUMNS: Final = 7
ID, ACTION, REGION, DETAIL, OPERATOR, TIME, LIFE = range(COLUMNS)
_ERROR_STYLE: Final = "color: #d11a1a; font-weight: bold;"
_WAIT_STYLE: Final = "color: #b35c00; font-weight: bold;"



class EmergencyPanel(QWidget):
    """Action form, the current selection with its buttons, and the actions' table."""

    select_requested = Signal(dict)
    operate_requested = Signal(dict)
    approve_requested = Signal(dict)
    cancel_requested = Signal(int)

    def __init__(self, *, now_ms: Callable[[], int] = now_ms,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emergencyPanel")
        self._now_ms = now_ms
        self._current: dict[str, Any] | None = None
        self._permitted = False
        self.operate_box: QMessageBox | None = None
        self._build()
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._on_kind_changed()
        self._render_current()

    # ----- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self._form_box())
        layout.addWidget(self._selection_box())
        layout.addWidget(QLabel(self.tr("Actions"), self))
        self.table = QTableWidget(0, COLUMNS, self)
        self.table.setObjectName("emergencyActions")
        self.table.setHorizontalHeaderLabels([
            self.tr("#"), self.tr("Action"), self.tr("Region"), self.tr("Detail"),
            self.tr("Operator"), self.tr("Selected ({zone})").format(zone=zone_name()),
            self.tr("Life")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(LIFE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LIFE, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)

    def _form_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Emergency action"), self)
        form = QFormLayout(box)
        self.kind = QComboBox(box)
        for kind in em.KINDS:
            self.kind.addItem(em.kind_text(kind, self.tr), kind)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.region = QComboBox(box)
        self.stage = QSpinBox(box)
        self.stage.setRange(1, em.MAX_SHED_STAGE)
        self.mw = QSpinBox(box)
        self.mw.setRange(1, 10_000)
        self.mw.setValue(100)
        self.mw.setSuffix(self.tr(" MW"))
        self.duration = QSpinBox(box)
        self.duration.setRange(60, 24 * 3600)
        self.duration.setSingleStep(300)
        self.duration.setValue(1800)
        self.duration.setSuffix(self.tr(" s"))
        self.reason = QLineEdit(box)
        self.reason.setPlaceholderText(self.tr("why (recorded on chain and in the audit log)"))
        self.reason_room = text_room(self.reason, EMERGENCY_REASON, box)
        form.addRow(self.tr("Action:"), self.kind)
        form.addRow(self.tr("Region:"), self.region)
        form.addRow(self.tr("Stage:"), self.stage)
        form.addRow(self.tr("Load:"), self.mw)
        form.addRow(self.tr("Duration:"), self.duration)
        form.addRow(self.tr("Reason:"), self.reason)
        form.addRow("", self.reason_room.label)
        self._form = form
        self.select_button = QPushButton(self.tr("Select"), box)
        self.select_button.setObjectName("emergencySelect")
        self.select_button.clicked.connect(self.request_select)
        form.addRow("", self.select_button)
        return box

    def _selection_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Selected action"), self)
        layout = QVBoxLayout(box)
        self.summary = QLabel(box)
        self.summary.setObjectName("emergencySummary")
        self.summary.setWordWrap(True)
        self.countdown = QLabel(box)
        self.countdown.setObjectName("emergencyCountdown")
        self.error = QLabel(box)
        self.error.setObjectName("emergencyError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.hide()
        row = QHBoxLayout()
        self.operate_button = QPushButton(self.tr("Operate…"), box)
        self.operate_button.setObjectName("emergencyOperate")
        self.operate_button.clicked.connect(self.ask_operate)
        self.approve_button = QPushButton(self.tr("Approve as supervisor…"), box)
        self.approve_button.setObjectName("emergencyApprove")
        self.approve_button.clicked.connect(self._on_approve)
        self.cancel_button = QPushButton(self.tr("Cancel action"), box)
        self.cancel_button.setObjectName("emergencyCancel")
        self.cancel_button.clicked.connect(self._on_cancel)
        for button in (self.operate_button, self.approve_button, self.cancel_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addWidget(self.summary)
        layout.addWidget(self.countdown)
        layout.addLayout(row)
        layout.addWidget(self.error)
        return box

    # ----- intents --------------------------------------------------------------------------

    def action(self) -> dict[str, Any]:
        """The form as a ``select`` request (without the operator, which the app adds)."""
        kind = self.kind.currentData()
        return {"kind": kind, "region": self.region.currentData(),
                "stage": self.stage.value() if kind == "load_shed" else 0,
                "mw": self.mw.value() if kind in ("load_shed", "demand_response") else 0,
                "duration_s": self.duration.value() if kind == "demand_response" else 0,
                "reason": self.reason.text().strip()}

    @Slot()
    def request_select(self) -> None:
        self._hide_error()
        self.select_requested.emit(self.action())

    @Slot()
    def ask_operate(self) -> QMessageBox | None:
        """Confirm, then ``operate_requested`` (not if the selection expired meanwhile)."""
        current = self._current
        if current is None or not self._operable():
            return None
        critical = bool(current.get("critical"))
        text = self.tr("Operate selection {id}?\n\n{consequence}").format(
            id=current["id"], consequence=current.get("consequence", ""))
        text += "\n\n" + (self.tr("A supervisor must approve it before it is signed and "
                                  "submitted.") if critical else
                          self.tr("It will be signed with the authority's HSM key and "
                                  "submitted now."))
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Operate emergency action"), text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        selection_id = int(current["id"])
        box.finished.connect(lambda _code: self._on_operate_answer(box, selection_id))
        self.operate_box = box
        box.open()
        return box

    def _on_operate_answer(self, box: QMessageBox, selection_id: int) -> None:
        yes = box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes
        self.operate_box = None
        box.deleteLater()
        current = self._current
        if not yes or current is None or int(current["id"]) != selection_id:
            return
        if not self._operable():
            self._show_error(self.tr("The selection expired before it was operated; select "
                                     "again."))
            return
        self._hide_error()
        self.operate_requested.emit(dict(current))

    def _on_approve(self) -> None:
        if self._current is not None:
            self._hide_error()
            self.approve_requested.emit(dict(self._current))

    def _on_cancel(self) -> None:
        if self._current is not None:
            self._hide_error()
            self.cancel_requested.emit(int(self._current["id"]))

    # ----- feeding --------------------------------------------------------------------------

    @Slot(str, bool)
    def set_operator(self, name: str, permitted: bool) -> None:
        """The person at the console (empty: nobody) and whether their role may select,
        operate and cancel."""
        self._permitted = permitted
        tip = (self.tr("Selects as {operator}") if permitted else
               self.tr("{operator}'s role may not select emergency actions")) if name else \
            self.tr("Log in to select emergency actions")
        self.select_button.setToolTip(tip.format(operator=name))
        self._render_current()

    @Slot(dict)
    def on_selection(self, selection: dict[str, Any]) -> None:
        """The node's answer to select / operate / approve / cancel."""
        self._current = dict(selection)
        self._upsert(selection)
        self._render_current()

    @Slot(list)
    def on_status(self, selections: list[dict[str, Any]]) -> None:
        """``emergency_status``: every selection, newest first."""
        for selection in sorted(selections, key=lambda s: int(s["id"])):
            self._upsert(selection)
            if self._current is not None and int(selection["id"]) == int(self._current["id"]):
                self._current = dict(selection)
        self._render_current()

    @Slot(str, str, str)
    def on_failed(self, step: str, rule: str, message: str) -> None:
        """A refusal by the node: its rule name and message, shown inline."""
        self._show_error(self.tr("{step} refused — {reason}").format(
            step=step, reason=refusal_text(rule, message)))

    # ----- rendering ------------------------------------------------------------------------

    def _operable(self) -> bool:
        current = self._current
        return (self._permitted and current is not None and current.get("step") == em.SELECTED
                and em.seconds_left(current, self._now_ms()) > 0)

    def _approvable(self) -> bool:
        current = self._current
        return (current is not None and current.get("step") == em.AWAITING
                and em.seconds_left(current, self._now_ms()) > 0)

    def _render_current(self) -> None:
        current = self._current
        step = current.get("step") if current else None
        if current is None:
            self.summary.setText(self.tr("No action selected. Pick an action and press "
                                         "Select: its consequence is shown before anything "
                                         "is operated."))
        else:
            self.summary.setText(self.tr("Selection {id}: {action} — {consequence}").format(
                id=current["id"], action=em.kind_text(str(current["kind"]), self.tr),
                consequence=current.get("consequence", "")))
        self.select_button.setEnabled(self._permitted)
        self.operate_button.setEnabled(self._operable())
        self.approve_button.setVisible(bool(current and current.get("critical")))
        self.approve_button.setEnabled(self._approvable())
        self.cancel_button.setEnabled(self._permitted and step in em.CANCELLABLE)
        self._render_countdown()
        if step in (em.SELECTED, em.AWAITING):
            self._timer.start()
        else:
            self._timer.stop()

    def _render_countdown(self) -> None:
        current = self._current
        step = current.get("step") if current else None
        style = ""
        if current is None:
            text = ""
        elif step == em.SELECTED:
            left = em.seconds_left(current, self._now_ms())
            if left > 0:
                text = self.tr("Operate within {s} s, or the selection expires.").format(
                    s=int(left + 0.999))
                style = _WAIT_STYLE
            else:
                text = self.tr("The selection expired; select again.")
        elif step == em.AWAITING:
            left = em.seconds_left(current, self._now_ms())
            if left > 0:
                text = self.tr("Waiting for a supervisor: approve within {s} s, or the "
                               "selection expires.").format(s=int(left + 0.999))
                style = _WAIT_STYLE
            else:
                text = self.tr("No supervisor approved it in time; select again.")
        else:
            text = em.life_text(current, self.tr)
        self.countdown.setText(text)
        self.countdown.setStyleSheet(style)

    def _tick(self) -> None:
        self.operate_button.setEnabled(self._operable())
        self.approve_button.setEnabled(self._approvable())
        if not self._operable() and self.operate_box is not None:
            self.operate_box.button(QMessageBox.StandardButton.Yes).setEnabled(False)
        self._render_countdown()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _hide_error(self) -> None:
        self.error.hide()
        self.error.clear()

    def _on_kind_changed(self, *_: object) -> None:
        kind = self.kind.currentData()
        previous = self.region.currentData()
        self.region.clear()
        for region in em.regions_for(kind):
            self.region.addItem(self.tr("all regions") if region == em.ALL_REGIONS else region,
                                region)
        index = self.region.findData(previous)
        self.region.setCurrentIndex(max(index, 0))
        shows = {self.stage: kind == "load_shed",
                 self.mw: kind in ("load_shed", "demand_response"),
                 self.duration: kind == "demand_response"}
        for widget, shown in shows.items():
            self._form.setRowVisible(widget, shown)

    def _row_of(self, selection_id: int) -> int | None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, ID)
            if item is not None and int(item.data(Qt.ItemDataRole.UserRole)) == selection_id:
                return row
        return None

    def _upsert(self, s: dict[str, Any]) -> None:
        row = self._row_of(int(s["id"]))
        if row is None:
            row = 0  # newest first
            self.table.insertRow(row)
        region = str(s.get("region", ""))
        cells = {ID: str(s["id"]), ACTION: em.kind_text(str(s.get("kind")), self.tr),
                 REGION: self.tr("all regions") if region == em.ALL_REGIONS else region,
                 DETAIL: em.detail_text(s, self.tr), OPERATOR: str(s.get("operator", "")),
                 TIME: bangkok_time(s.get("selected_ms")), LIFE: em.life_text(s, self.tr)}
        for column, text in cells.items():
            item = QTableWidgetItem(text)
            if column == ID:
                item.setData(Qt.ItemDataRole.UserRole, int(s["id"]))
            if column == LIFE:
                item.setToolTip(str(s.get("consequence", "")))
            self.table.setItem(row, column, item)

    # ----- for tests and the app ------------------------------------------------------------

    def current(self) -> dict[str, Any] | None:
        return self._current

    def error_text(self) -> str:
        return self.error.text() if not self.error.isHidden() else ""

    def life_of(self, selection_id: int) -> str:
        row = self._row_of(selection_id)
        item = self.table.item(row, LIFE) if row is not None else None
        return item.text() if item is not None else ""
