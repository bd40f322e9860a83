"""The incident timeline's link to the node and the telemetry store, and its dock.

``install_timeline(window, runtime)`` adds the "Timeline" dock (View menu, Ctrl+8) and wires a
:class:`TimelineLink`: on ``window_requested(start_ms, end_ms)`` it gathers

* the system frequency from the telemetry store (``read_range``, decimated to 4000 points);
* alarm events: the node's stored alarm history for the window (``alarms_history``: every
  event, also from before this console or the node last started). A node without that
  method: those pushed (``alarm_events``) since the console started, plus the activation of
  alarms still standing (``alarms_list``) for earlier windows;
* operator actions: the audit trail (``audit_tail``, its newest ``AUDIT_TAIL_LIMIT`` entries);
* chain events: the blocks whose time is in the window (``blocks``, walking back from the
  tip), the detail (``block``) of those with transactions, and ``gov_list``;

builds the :class:`~node_core.control_room.incident.IncidentRecord` and hands it to the view.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget

from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.wire import ClientError
from node_core.control_room.incident import build_incident, frequency_samples
from views.timeline.timeline_view import TimelineView

if TYPE_CHECKING:
    from app.links.node_link import NodeLink
    from app.links.telemetry_link import TelemetryLink
    from app.shell.main_window import MainWindow
    from app.shell.startup import ConsoleRuntime

log = logging.getLogger(__name__)
DOCK_NAME: Final = "timelineDock"
SHORTCUT: Final = "Ctrl+8"
FREQUENCY_POINTS: Final = 4000
ALARM_BUFFER: Final = 50_000
BLOCK_PAGE: Final = 1000
MAX_BLOCK_PAGES: Final = 20
MAX_DETAILS: Final = 300


class TimelineLink(QObject):
    """Gathers an incident record for a window.

    Signals:
        record_ready(IncidentRecord): the window's record
            (``node_core.control_room.incident``).
        failed(str): what went wrong gathering it.
    """

    record_ready = Signal(object)
    failed = Signal(str)

    def __init__(self, node: NodeLink, telemetry: TelemetryLink,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._node, self._telemetry = node, telemetry
        self._alarm_events: collections.deque[dict[str, Any]] = collections.deque(
            maxlen=ALARM_BUFFER)
        self._task: asyncio.Task[None] | None = None
        node.event_pushed.connect(self._on_event)

    @Slot(str, object)
    def _on_event(self, kind: str, data: object) -> None:
        if kind == "alarm_events" and isinstance(data, list):
            self._alarm_events.extend(d for d in data if isinstance(d, dict))

    @Slot("qint64", "qint64")
    def request(self, start_ms: int, end_ms: int) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = asyncio.get_running_loop().create_task(self._gather(start_ms, end_ms))

    @Slot()
    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _gather(self, start_ms: int, end_ms: int) -> None:
        try:
            actions = await self._node.request(m.AUDIT_TAIL, r.AuditTailRequest(r.AUDIT_TAIL_LIMIT))
            proposals = await self._node.request(m.GOV_LIST, r.NoParams())
            record = build_incident(
                start_ms, end_ms, frequency=await self._frequency(start_ms, end_ms),
                alarms=await self._alarms(start_ms, end_ms), actions=actions,
                blocks=await self._blocks(start_ms, end_ms), proposals=proposals)
        except ClientError as error:
            self.failed.emit(f"{error}")
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the view must say what went wrong, not stay "loading"
            log.exception("timeline window not loaded")
            self.failed.emit(f"{type(error).__name__}: {error}")
            return
        self.record_ready.emit(record)

    async def _frequency(self, start_ms: int, end_ms: int) -> list[tuple[int, float]]:
        try:
            t, v = await self._telemetry.read_frequency(start_ms, end_ms + 1, FREQUENCY_POINTS)
        except Exception as error:  # the store may be down: events still make a timeline
            log.warning("timeline frequency not read: %s", error)
            return []
        return frequency_samples(t, v)

    async def _alarms(self, start_ms: int, end_ms: int) -> list[Mapping[str, Any]]:
        try:
            page = await self._node.request(
                m.ALARMS_HISTORY, r.AlarmHistoryRequest(start_ms, end_ms, ALARM_BUFFER))
        except ClientError as error:
            if error.type != "UnknownMethod":
                raise
            return await self._live_alarms()
        if page.get("truncated"):
            log.warning("timeline: more than %d alarm events in the window; the first %d "
                        "shown", ALARM_BUFFER, ALARM_BUFFER)
        return list(page["events"])

    async def _live_alarms(self) -> list[Mapping[str, Any]]:
        """Alarms seen since the console started, and the standing ones (older nodes)."""
        events = list(self._alarm_events)
        known = {(e.get("alarm_id"), e.get("time_ms")) for e in events}
        listed = await self._node.request(m.ALARMS_LIST, r.NoParams())
        for alarm in listed.get("alarms", []):  # standing alarms raised before we listened
            since = alarm.get("active_since_ms")
            if since is not None and (alarm["alarm_id"], since) not in known:
                events.append({"seq": 0, "time_ms": since, "alarm_id": alarm["alarm_id"],
                               "priority": alarm.get("priority", "info"),
                               "old_state": "normal", "new_state": "active",
                               "trigger": "condition", "value": alarm.get("value"),
                               "operator": "system", "message": alarm.get("message", "")})
        return events

    async def _blocks(self, start_ms: int, end_ms: int) -> list[Mapping[str, Any]]:
        status = await self._node.request(m.STATUS, r.NoParams())
        end, found = int(status.get("height", 0)), []
        for _ in range(MAX_BLOCK_PAGES):
            if end < 1:
                break
            page = await self._node.request(
                m.BLOCKS, r.BlocksRequest(max(1, end - BLOCK_PAGE + 1), end))
            found += [b for b in page if start_ms <= int(b["timestamp"]) <= end_ms]
            if not page or int(page[0]["timestamp"]) < start_ms:
                break
            end = int(page[0]["height"]) - 1
        found.sort(key=lambda b: int(b["height"]))
        detailed: list[Mapping[str, Any]] = []
        for block in found:
            if block.get("tx_count") and len(detailed) < MAX_DETAILS:
                detail = await self._node.request(m.BLOCK,
                                                  r.BlockRequest(height=int(block["height"])))
                detailed.append(detail or block)
            else:
                detailed.append(block)
        return detailed


def install_timeline(window: MainWindow, runtime: ConsoleRuntime) -> TimelineView:
    """Add the Timeline dock (tabbed with the telemetry) and wire its link."""
    view = TimelineView(theme=getattr(window.node_status, "_theme", "light"), parent=window)
    dock = QDockWidget(window.tr("Timeline"), window)
    dock.setObjectName(DOCK_NAME)
    dock.setWidget(view)
    action = dock.toggleViewAction()
    action.setShortcut(QKeySequence(SHORTCUT))
    action.triggered.connect(lambda shown: shown and dock.raise_())
    for menu_action in window.menuBar().actions():
        if menu_action.menu() is not None and menu_action.objectName() == "" and \
                menu_action.text().replace("&", "") == window.tr("View"):
            menu_action.menu().addAction(action)
            break
    else:
        window.addAction(action)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    telemetry_dock = window.docks.get("gridTelemetryDock")
    if telemetry_dock is not None:
        window.tabifyDockWidget(telemetry_dock, dock)
        telemetry_dock.raise_()
    window.docks[DOCK_NAME] = dock
    link = TimelineLink(runtime.node_link, runtime.telemetry_link, parent=runtime)
    view.window_requested.connect(link.request)
    link.record_ready.connect(view.show_record)
    link.failed.connect(view.on_load_failed)
    runtime.shutting_down.connect(link.stop)
    window.timeline = view  # type: ignore[attr-defined]
    return view
