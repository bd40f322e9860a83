"""The console's main window: dockable panels, View menu, and the always-on status bar.

Panels (QDockWidget, each with an objectName so ``saveState`` can restore the layout):
Node status (Ctrl+1), Block explorer (Ctrl+2), Grid telemetry (Ctrl+3), Governance (Ctrl+4,
tabbed with the telemetry; its shortcut brings it to the front). Geometry and dock
layout are saved to QSettings when the window closes and restored when it opens.

The status bar always shows, left to right: the DEVNET marker (devnet only), authority, the
person logged in and their role (``operator1 — operator``; the token in the tooltip),
height and finality lag, authorities connected, telemetry store, grid simulator, backend;
and a progress bar while something takes longer than a second (start-up steps, history
reads). Normal states are plain text; abnormal ones are coloured (app.shell.theme). A
request the node refused is shown in the status bar with its meaning (``show_refusal``).

Wording: "authorities n/total" counts the authorities this console can see signing: its own
node (when its endpoint answers) plus each peer the node is connected to. "authorities 3/3"
on the devnet means the own node and both peers are up and connected.

Finality lag: final blocks the own node is behind its furthest peer (it grows when the own
node cannot finalize what the others did; the time of the newest final block is in the
tooltip). Not "time since the last block": the devnet makes no empty blocks, so an idle chain
would raise a false alarm. Medium above 2 blocks, critical above 10.

Closing: unless ``confirm_close`` is False (screenshot mode, tests), a close asks first
(QMessageBox opened with ``open()``), because closing takes the authority offline. When the
operator agrees, ``close_requested`` is emitted; the console runs the shutdown path and then
calls ``close_now()``.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from PySide6.QtCore import QCoreApplication, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.links.telemetry_link import WAITING
from app.shell import settings as S
from app.shell.i18n import add_language_menu
from app.shell.theme import Theme, mark_state
from node_core.node.metrics import finality_lag_blocks
from views.alarms.alarm_banner import AlarmBanner
from views.alarms.alarm_list import AlarmList
from views.charts.grid_charts import GridChartsPanel
from views.common.formatting import bangkok_time, time_display
from views.common.refusals import role_text
from views.emergency.emergency_panel import EmergencyPanel
from views.explorer.block_explorer import BlockExplorer
from views.governance.governance_view import GovernanceView
from views.node.node_status import NodeStatusPanel
from views.trading.trading_overview import TradingOverviewView

log = logging.getLogger(__name__)

LAG_MEDIUM_BLOCKS: Final = 2
LAG_CRITICAL_BLOCKS: Final = 10
DOCKS: Final = ("nodeStatusDock", "blockExplorerDock", "gridTelemetryDock", "governanceDock")
CONTROL_DOCKS: Final = ("alarmsDock", "emergencyDock")
TRADING_DOCK: Final = "tradingDock"
"""Alarms (Ctrl+5) and Emergency controls (Ctrl+6), tabbed with the block explorer."""


def _scrollable(widget: QWidget, parent: QWidget) -> QScrollArea:
    """Panels scroll rather than push the window past a small screen."""
    area = QScrollArea(parent)
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


class MainWindow(QMainWindow):
    """The console window; wire it to a runtime with ``app.shell.console``.

    Signals:
        close_requested(): the operator confirmed closing (or no confirmation is needed).
        switch_operator_requested(): Operator › Switch operator… (another person logs in).
        logout_requested(): Operator › Log out (nobody stays logged in).
    """

    close_requested = Signal()
    switch_operator_requested = Signal()
    logout_requested = Signal()

    def __init__(self, authority: str, theme: Theme, settings: QSettings, *, devnet: bool,
                 confirm_close: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.authority, self.devnet, self.confirm_close = authority, devnet, confirm_close
        self._settings = settings
        self._may_close = False
        self._asking = False
        self._status: dict[str, Any] | None = None
        self._connected = False
        self._starting = True
        self.setObjectName("mainWindow")
        title = self.tr("GridTokenX Authority Console — {authority}").format(authority=authority)
        self.setWindowTitle(title + (self.tr(" — DEVNET") if devnet else ""))
        self.node_status = NodeStatusPanel(theme=theme.charts, parent=self)
        self.block_explorer = BlockExplorer(theme=theme.charts, parent=self)
        self.charts = GridChartsPanel(theme=theme.charts, parent=self)
        self.governance = GovernanceView(theme=theme.charts, parent=self)
        self._theme_name = theme.charts
        self.alarm_list = AlarmList(theme=theme.charts, parent=self)
        self.alarm_banner = AlarmBanner(theme=theme.charts, parent=self)
        self.emergency_panel = EmergencyPanel(parent=self)
        self.gridsim_banner = QLabel(self.tr("Grid simulator: starting…"), self)
        self.docks = self._build_docks()
        self._build_control_docks()
        self._build_trading_dock()
        self._build_status_bar()
        add_language_menu(self, settings)  # English / ไทย, applies at the next start
        self.resize(1560, 960)
        self.restore_layout()

    # ----- construction ---------------------------------------------------------------------

    def _build_docks(self) -> dict[str, QDockWidget]:
        telemetry = QWidget(self)
        layout = QVBoxLayout(telemetry)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.gridsim_banner)
        layout.addWidget(self.charts, 1)
        panels = ((DOCKS[0], self.tr("Node status"), self.node_status),
                  (DOCKS[1], self.tr("Block explorer"), self.block_explorer),
                  (DOCKS[2], self.tr("Grid telemetry"), telemetry),
                  (DOCKS[3], self.tr("Governance"), self.governance))
        menu = self.menuBar().addMenu(self.tr("&View"))
        self.view_menu = menu
        docks: dict[str, QDockWidget] = {}
        for index, (name, title, widget) in enumerate(panels, 1):
            dock = QDockWidget(title, self)
            dock.setObjectName(name)
            dock.setWidget(_scrollable(widget, self))
            action = dock.toggleViewAction()
            action.setShortcut(QKeySequence(f"Ctrl+{index}"))
            action.triggered.connect(lambda shown, d=dock: shown and d.raise_())  # tabbed docks
            menu.addAction(action)
            docks[name] = dock
        self.setDockNestingEnabled(True)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, docks[DOCKS[0]])
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, docks[DOCKS[2]])
        self.splitDockWidget(docks[DOCKS[2]], docks[DOCKS[1]], Qt.Orientation.Vertical)
        self.tabifyDockWidget(docks[DOCKS[2]], docks[DOCKS[3]])
        docks[DOCKS[2]].raise_()
        self.resizeDocks([docks[DOCKS[0]], docks[DOCKS[2]]], [560, 1000],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([docks[DOCKS[2]], docks[DOCKS[1]]], [560, 340],
                         Qt.Orientation.Vertical)
        return docks

    def _build_control_docks(self) -> None:
        """Alarms and Emergency controls docks, the always-visible alarm banner (a fixed
        toolbar above the docks) and the Operator menu."""
        panels = ((CONTROL_DOCKS[0], self.tr("Alarms"), self.alarm_list, "Ctrl+5"),
                  (CONTROL_DOCKS[1], self.tr("Emergency controls"), self.emergency_panel,
                   "Ctrl+6"))
        for name, title, widget, shortcut in panels:
            dock = QDockWidget(title, self)
            dock.setObjectName(name)
            dock.setWidget(_scrollable(widget, self))
            action = dock.toggleViewAction()
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda shown, d=dock: shown and d.raise_())
            self.view_menu.addAction(action)
            self.docks[name] = dock
            self.tabifyDockWidget(self.docks[DOCKS[1]], dock)
        self.docks[CONTROL_DOCKS[0]].raise_()  # the alarm list in front
        banner_bar = QToolBar(self.tr("Alarm summary"), self)
        banner_bar.setObjectName("alarmBannerBar")
        banner_bar.setMovable(False)
        banner_bar.setFloatable(False)
        banner_bar.toggleViewAction().setVisible(False)  # always visible: no way to hide it
        banner_bar.addWidget(self.alarm_banner)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, banner_bar)
        self.alarm_banner.priority_clicked.connect(self.show_alarms)
        operator_menu = self.menuBar().addMenu(self.tr("&Operator"))
        self.switch_operator_action = QAction(self.tr("Switch operator…"), self)
        self.switch_operator_action.triggered.connect(self.switch_operator_requested)
        operator_menu.addAction(self.switch_operator_action)
        self.logout_action = QAction(self.tr("Log out"), self)
        self.logout_action.triggered.connect(self.logout_requested)
        self.logout_action.setEnabled(False)  # nobody logged in yet
        operator_menu.addAction(self.logout_action)

    @Slot(str)
    def show_alarms(self, priority: str = "") -> None:
        """Bring the alarm list forward, filtered to ``priority`` (the banner's click)."""
        dock = self.docks[CONTROL_DOCKS[0]]
        dock.show()
        dock.raise_()
        if priority:
            self.alarm_list.show_priority(priority)

    @Slot(str, str, str)
    def on_session(self, name: str, role: str, token_label: str) -> None:
        """Who is logged in: their roster name and role (empty: nobody), and their token."""
        if name:
            self.operator_label.setText(self.tr("{name} — {role}").format(
                name=name, role=role_text(role)))
            self.operator_label.setToolTip(self.tr("logged in with token {token}").format(
                token=token_label))
        else:
            self.operator_label.setText(self.tr("nobody logged in"))
            self.operator_label.setToolTip("")
        mark_state(self.operator_label, None if name else "medium")
        self.logout_action.setEnabled(bool(name))

    def show_refusal(self, action: str, text: str) -> None:
        """A refused request, in the status bar for 10 s (``text``: its meaning and rule)."""
        self.statusBar().showMessage(self.tr("{action} refused — {reason}").format(
            action=action, reason=text.replace("\n", " — ")), 10_000)

    def _build_trading_dock(self) -> None:
        """The Trading dock (Ctrl+7), tabbed with Governance (views.trading.trading_overview)."""
        self.trading = TradingOverviewView(theme=self._theme_name, parent=self)
        dock = QDockWidget(self.tr("Trading"), self)
        dock.setObjectName(TRADING_DOCK)
        dock.setWidget(_scrollable(self.trading, self))
        action = dock.toggleViewAction()
        action.setShortcut(QKeySequence("Ctrl+7"))
        action.triggered.connect(lambda shown, d=dock: shown and d.raise_())
        self.view_menu.addAction(action)
        self.docks[TRADING_DOCK] = dock
        self.tabifyDockWidget(self.docks[DOCKS[3]], dock)
        self.docks[DOCKS[2]].raise_()

    @Slot(str, bool)
    def on_backend_state(self, text: str, abnormal: bool) -> None:
        """The backend part: ``devnet: no cloud backend``, or each cloud part's state
        (degraded mode: the parts not ok, coloured; node, alarms and charts go on)."""
        self.backend_label.setText(text)
        mark_state(self.backend_label, "medium" if abnormal else None)

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setMinimumWidth(0)
        self.statusBar().addPermanentWidget(label)
        return label

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        if self.devnet:
            marker = QLabel(self.tr("DEVNET"), self)
            marker.setObjectName("devnetMarker")
            bar.addWidget(marker)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(320)
        self.progress.setMinimumWidth(120)
        self.progress.setTextVisible(True)
        bar.addWidget(self.progress, 1)
        self.authority_label = self._label("statusAuthority", self.authority)
        self.operator_label = self._label("statusOperator", self.tr("nobody logged in"))
        self.height_label = self._label("statusHeight", self.tr("height — (starting…)"))
        self.peers_label = self._label("statusPeers", self.tr("authorities —"))
        self.store_label = self._label("statusTelemetry", self.tr("telemetry: starting…"))
        self.gridsim_label = self._label("statusGridsim", self.tr("grid sim: starting…"))
        self.backend_label = self._label(
            "statusBackend", self.tr("devnet: no cloud backend") if self.devnet
            else self.tr("backend: none configured"))

    # ----- layout persistence ---------------------------------------------------------------

    def restore_layout(self) -> None:
        geometry = S.read(self._settings, S.WINDOW_GEOMETRY)
        state = S.read(self._settings, S.WINDOW_STATE)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        if not state.isEmpty():
            self.restoreState(state, S.LAYOUT_VERSION)

    def save_layout(self) -> None:
        S.write(self._settings, S.WINDOW_GEOMETRY, self.saveGeometry())
        S.write(self._settings, S.WINDOW_STATE, self.saveState(S.LAYOUT_VERSION))
        self._settings.sync()

    # ----- slots: start-up and supervision --------------------------------------------------

    @Slot(str, int, int)
    def on_step_started(self, text: str, index: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(index - 1)
        self.progress.setFormat(self.tr("starting {i}/{n}: {step}").format(
            i=index, n=total, step=text))
        self.progress.show()

    @Slot()
    def on_started(self) -> None:
        self._starting = False
        self.progress.hide()
        self.statusBar().showMessage(self.tr("started"), 5000)

    @Slot(bool)
    def on_history_busy(self, busy: bool) -> None:
        if self._starting:
            return
        self.progress.setRange(0, 0)
        self.progress.setFormat(self.tr("reading history…"))
        self.progress.setVisible(busy)

    @Slot(str, str)
    def on_child_died(self, name: str, detail: str) -> None:
        text = self.tr("{name} {detail}").format(name=name, detail=detail)
        self.statusBar().showMessage(text)
        if name == self.authority:
            mark_state(self.authority_label, "critical")
            self.authority_label.setText(self.tr("{a}: node down").format(a=self.authority))

    @Slot(str)
    def on_child_restarted(self, name: str) -> None:
        self.statusBar().showMessage(self.tr("{name} restarted").format(name=name), 10_000)
        if name == self.authority:
            mark_state(self.authority_label, None)
            self.authority_label.setText(self.authority)

    @Slot(str, str, bool)
    def on_store_state(self, text: str, detail: str, reachable: bool) -> None:
        """Where telemetry goes (``TelemetryLink.store_state``)."""
        self.store_label.setText(self.tr("telemetry: {where}").format(where=text))
        self.store_label.setToolTip(detail)
        mark_state(self.store_label, None if reachable else "high")

    @Slot(str)
    def on_gridsim_state(self, text: str) -> None:
        waiting = QCoreApplication.translate("TelemetryLink", WAITING)  # as the link emits it
        short = self.tr("waiting") if text == waiting else text
        self.gridsim_label.setText(self.tr("grid sim: {state}").format(state=short))
        mark_state(self.gridsim_label, None if text == self.tr("live") else "low")
        self.gridsim_banner.setText(self.tr("Grid simulator: {state}").format(state=text))
        self.gridsim_banner.setVisible(text != self.tr("live"))

    # ----- slots: node ----------------------------------------------------------------------

    @Slot(bool)
    def on_connection_changed(self, connected: bool) -> None:
        self._connected = connected
        self._render_peers()

    @Slot(dict)
    def on_status(self, status: dict[str, Any]) -> None:
        self._status = status
        self._render_height()
        self._render_peers()

    @Slot(dict)
    def on_block(self, summary: dict[str, Any]) -> None:
        if self._status is not None and summary["height"] >= self._status["height"]:
            self._status = {**self._status, "height": summary["height"],
                            "tip_timestamp": summary["timestamp"]}
            self._render_height()

    def lag_blocks(self) -> int | None:
        """Finality lag: final heights the own node is behind its furthest peer."""
        return None if self._status is None else finality_lag_blocks(self._status)

    @Slot()
    def _render_height(self) -> None:
        lag = self.lag_blocks()
        if self._status is None or lag is None:
            return
        self.height_label.setText(self.tr("height {h} · lag {lag}").format(
            h=self._status["height"], lag=lag))
        tip = self._status.get("tip_timestamp")
        self.height_label.setToolTip(self.tr("last final block {t} ({zone}); finality "
                                             "lag = blocks behind the furthest peer").format(
            t=bangkok_time(tip) if tip else "—", zone=time_display().zone.key))
        mark_state(self.height_label, "critical" if lag > LAG_CRITICAL_BLOCKS
                   else "medium" if lag > LAG_MEDIUM_BLOCKS else None)

    def authorities_seen(self) -> tuple[int, int] | None:
        """(authorities seen, total): own node if connected + connected peers."""
        if self._status is None:
            return None
        peers = sum(1 for p in self._status.get("peers", ()) if p.get("connected"))
        return (int(self._connected) + peers if self._connected else 0,
                int(self._status["authorities"]))

    def _render_peers(self) -> None:
        seen = self.authorities_seen()
        if seen is None:
            return
        self.peers_label.setText(self.tr("authorities {n}/{total}").format(
            n=seen[0], total=seen[1]))
        mark_state(self.peers_label, None if seen[0] == seen[1]
                   else "critical" if seen[0] <= seen[1] // 2 else "high")

    # ----- closing --------------------------------------------------------------------------

    def close_now(self) -> None:
        """Close without asking (after the shutdown path ran)."""
        self._may_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close:
            self.save_layout()
            event.accept()
            return
        event.ignore()
        if not self.confirm_close:
            self.close_requested.emit()
        elif not self._asking:
            self._ask_to_close()

    def _ask_to_close(self) -> None:
        self._asking = True
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Take the authority offline?"),
                          self.tr("Closing the console stops the {a} authority node: it will "
                                  "stop signing blocks until the console starts again.\n\n"
                                  "Stop the authority cleanly and close?").format(
                                      a=self.authority),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _code: self._on_close_answer(box))
        self.close_box = box
        box.open()

    def _on_close_answer(self, box: QMessageBox) -> None:
        self._asking = False
        yes = box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes
        box.deleteLater()
        if yes:
            self.close_requested.emit()
