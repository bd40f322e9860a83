"""ControlLink: alarms and emergency controls through the node's client endpoint, as Qt signals.

The operator identity of the session (from the login, never the PIN) goes with every request
as ``operator``; the node checks the role and writes the audit trail
(``node_core.control_room.room``).

Operator sessions: once the console's own PKCS#11 login has accepted an operator, the node is
told (``operator_login``) as soon as it answers — at start-up the login comes before the node
runs. "Switch operator…" sends ``operator_logout`` for the previous operator, then
``operator_login`` for the new one; :meth:`ControlLink.end_session` (awaited by the console's
shutdown before the node stops) sends the last ``operator_logout``. The node refuses an
identity not in its ``[operators]`` (``session_failed``) and records every one of these.

Alarms: on (re)connect ``alarms_list`` is read (``alarms_loaded``); the node's pushed
``alarm_events`` batches are forwarded as they come (``alarm_events``), and each event that
enters an active state also becomes a chart mark (``alarm_marked``: time in seconds, label,
priority). In a flood, marks are coalesced to one per priority and 5 s of event time
("12 alarms"), so the charts stay readable and the GUI thread stays free.
Acknowledge, shelve and unshelve go to ``alarms_ack`` / ``alarms_shelve`` /
``alarms_unshelve``; the resulting events come back pushed, like any other.

Emergency: ``select`` / ``operate`` / ``approve`` / ``cancel`` go to ``emergency_*``; the
answer (a selection dict) comes back as ``selection_changed``, a refusal as
``emergency_failed(step, rule, message)`` with the node's rule name (RoleRefused,
SelectionExpired, WrongStep...). ``emergency_status`` is read on connect, on each final block,
on every pushed ``emergency`` event and after each answered step (``emergency_status``
signal); reads never overlap (one asked for during another runs once after it).

Signals:
    operator_changed(operator: str): the session's operator identity changed.
    alarms_loaded(alarms: list, last_seq: int): a full snapshot.
    alarm_events(events: list): a batch of ``AlarmEvent.to_dict()`` dicts.
    alarm_marked(t_s: float, label: str, priority: str): mark this on the charts.
    alarm_failed(action: str, rule: str, message: str): acknowledge/shelve/unshelve refused.
    session_failed(action: str, rule: str, message: str): the node refused a login/logout.
    selection_changed(selection: dict): the node's answer to a step.
    emergency_failed(step: str, rule: str, message: str): a step refused.
    emergency_status(selections: list): every selection the node knows, newest first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Final

from PySide6.QtCore import QObject, Signal, Slot

from app.links.node_link import NodeLink
from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.methods import Req
from node_core.api.wire import ClientError

log = logging.getLogger(__name__)

ACTIVE_STATES: Final = frozenset({"unack_active", "ack_active"})
"""Alarm states in which the condition is present."""
MARK_WINDOW_MS: Final = 5_000
"""At most one chart mark per priority in this much event time (a flood stays readable and
cheap: each mark is a line on three charts)."""


def entering_active(event: dict[str, Any]) -> bool:
    """The event takes an alarm from not active (normal, returned, shelved...) to active."""
    return event.get("new_state") in ACTIVE_STATES and event.get("old_state") not in ACTIVE_STATES


def chart_marks(events: list[dict[str, Any]], many: str = "{n} alarms",
                marked: set[tuple[int, str]] | None = None) -> list[tuple[float, str, str]]:
    """(t seconds, label, priority) marks for the events entering an active state: one per
    priority and :data:`MARK_WINDOW_MS` of event time (several alarms: "n alarms").
    ``marked``: windows already marked (by earlier batches), skipped and updated."""
    groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for event in events:
        if entering_active(event):
            key = (int(event["time_ms"]) // MARK_WINDOW_MS, str(event.get("priority", "low")))
            if marked is None or key not in marked:
                groups.setdefault(key, []).append(event)
    if marked is not None:
        if len(marked) > 10_000:
            marked.clear()
        marked.update(groups)
    marks = []
    for group in groups.values():
        priority = str(group[0].get("priority", "low"))
        first = group[0]
        label = (str(first.get("message") or first.get("alarm_id")) if len(group) == 1
                 else many.format(n=len(group)))
        marks.append((int(first["time_ms"]) / 1000.0, label, priority))
    return marks


def _message(error: ClientError) -> str:
    """The node's message without the ``Type: `` prefix ClientError puts in ``str()``."""
    text = str(error)
    prefix = f"{error.type}: "
    return text[len(prefix):] if text.startswith(prefix) else text


class ControlLink(QObject):
    """Alarm and emergency requests of one console; ``stop()`` on shutdown.

    Signals (payloads are the typed answers of ``node_core.api``):
        operator_changed(str): the console's session operator.
        alarms_loaded(list[AlarmView], int): the full alarm list and its last event
            sequence number.
        alarm_events(list[AlarmEventView]): alarm state changes pushed by the node.
        alarm_marked(float, str, str): a chart mark: time (s), label, priority.
        alarm_failed(str, str, str): an alarm request was refused: action, rule, message.
        session_failed(str, str, str): a login/logout was refused: action, rule, message.
        selection_changed(SelectionView): the node's answer to a desk step.
        emergency_failed(str, str, str): a desk step was refused: step, rule, message.
        emergency_status(list[SelectionView]): every selection, newest first.
    """

    operator_changed = Signal(str)
    alarms_loaded = Signal(list, int)
    alarm_events = Signal(list)
    alarm_marked = Signal(float, str, str)
    alarm_failed = Signal(str, str, str)
    session_failed = Signal(str, str, str)
    selection_changed = Signal(ans.SelectionView)
    emergency_failed = Signal(str, str, str)
    emergency_status = Signal(list)

    def __init__(self, node: NodeLink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._node = node
        self._operator = ""
        self._session = ""
        """The operator whose login the node has recorded ("" none)."""
        self._refused = ""
        """The operator whose login the node refused (not asked again on reconnect)."""
        self._session_lock = asyncio.Lock()
        self._requests: set[asyncio.Task[None]] = set()
        self._status_task: asyncio.Task[None] | None = None
        self._status_again = False
        self._marked: set[tuple[int, str]] = set()
        node.connection_changed.connect(self._on_connection_changed)
        node.block_finalized.connect(self._on_block)
        node.event_pushed.connect(self.on_pushed)

    # ----- operator identity ------------------------------------------------------------------

    @property
    def operator(self) -> str:
        return self._operator

    def set_operator(self, operator: str) -> None:
        """The session's operator (after a login or a switch); sent with every request."""
        if operator != self._operator:
            self._operator = operator
            log.info("console operator: %s", operator)
            self.operator_changed.emit(operator)
            if self._node.connected:
                self._spawn(self._sync_session())

    async def end_session(self) -> None:
        """Log the operator out at the node (the console is closing)."""
        self._operator = ""
        await self._sync_session()

    async def _sync_session(self) -> None:
        """Make the node's recorded session match the console's operator: log the previous
        one out, the current one in. One change at a time, in order."""
        async with self._session_lock:
            if self._session and self._session != self._operator:
                await self._session_call("logout", self._session)
                self._session = ""
            operator = self._operator
            if operator and not self._session and operator != self._refused:
                if await self._session_call("login", operator):
                    self._session = operator
                elif self._node.connected:
                    self._refused = operator

    async def _session_call(self, action: str, operator: str) -> bool:
        try:
            method = m.OPERATOR_LOGIN if action == "login" else m.OPERATOR_LOGOUT
            await self._node.request(method, r.SessionRequest(operator, "console"))
        except ClientError as error:
            log.warning("operator %s of %s refused by the node: %s", action, operator, error)
            self.session_failed.emit(action, error.type, _message(error))
            return False
        log.info("operator %s %s recorded by the node", operator, action)
        return True

    # ----- pushed events ----------------------------------------------------------------------

    @Slot(str, object)
    def on_pushed(self, kind: str, data: Any) -> None:
        """A pushed event from the node (``NodeLink.event_pushed``)."""
        if kind == "alarm_events" and isinstance(data, list):
            self.alarm_events.emit(data)
            for t, label, priority in chart_marks(data, self.tr("{n} alarms"), self._marked):
                self.alarm_marked.emit(t, label, priority)
        elif kind == "emergency":
            self.refresh_status()

    def _on_connection_changed(self, connected: bool) -> None:
        if connected:
            self.load_alarms()
            self.refresh_status()
            self._spawn(self._sync_session())

    def _on_block(self, _summary: dict[str, Any]) -> None:
        self.refresh_status()

    # ----- alarms -----------------------------------------------------------------------------

    @Slot()
    def load_alarms(self) -> None:
        """Read the full alarm list (on connect, or after the list saw a gap)."""
        self._spawn(self._load_alarms())

    @Slot(list)
    def acknowledge(self, alarm_ids: list[str]) -> None:
        self._spawn(self._alarm_request("acknowledge", m.ALARMS_ACK,
                                        r.AcknowledgeRequest(self._operator, list(alarm_ids))))

    @Slot(str, str, int)
    def shelve(self, alarm_id: str, reason: str, duration_s: int) -> None:
        self._spawn(self._alarm_request("shelve", m.ALARMS_SHELVE, r.ShelveRequest(
            self._operator, alarm_id, int(duration_s), reason)))

    @Slot(str)
    def unshelve(self, alarm_id: str) -> None:
        self._spawn(self._alarm_request("unshelve", m.ALARMS_UNSHELVE,
                                        r.UnshelveRequest(self._operator, alarm_id)))

    async def _load_alarms(self) -> None:
        try:
            answer = await self._node.request(m.ALARMS_LIST, r.NoParams())
        except ClientError as error:
            log.warning("alarm list not read: %s", error)
            return
        self.alarms_loaded.emit(list(answer["alarms"]), int(answer.get("last_seq") or 0))

    async def _alarm_request(self, action: str, method: m.Method[Req, Any],
                             request: Req) -> None:
        try:
            await self._node.request(method, request)
        except ClientError as error:
            log.info("%s refused: %s", action, error)
            self.alarm_failed.emit(action, error.type, _message(error))

    # ----- emergency --------------------------------------------------------------------------

    @Slot(dict)
    def select(self, action: dict[str, Any]) -> None:
        """``action``: kind, region, stage, mw, duration_s, reason (the panel's intent)."""
        self._spawn(self._step("select", m.EMERGENCY_SELECT,
                               r.SelectRequest(operator=self._operator, **action)))

    @Slot(int)
    def operate(self, selection_id: int) -> None:
        self._spawn(self._step("operate", m.EMERGENCY_OPERATE,
                               r.SelectionRequest(self._operator, int(selection_id))))

    @Slot(int)
    def cancel(self, selection_id: int) -> None:
        self._spawn(self._step("cancel", m.EMERGENCY_CANCEL,
                               r.SelectionRequest(self._operator, int(selection_id))))

    def approve(self, selection_id: int, supervisor: str) -> None:
        """Approve as ``supervisor`` (who just logged in for it; the session operator stays)."""
        self._spawn(self._step("approve", m.EMERGENCY_APPROVE,
                               r.SelectionRequest(supervisor, int(selection_id))))

    @Slot()
    def refresh_status(self) -> None:
        """Read ``emergency_status`` now, or right after a running read."""
        if self._status_task is not None and not self._status_task.done():
            self._status_again = True
            return
        self._status_task = self._spawn(self._read_status())

    async def _step(self, step: str, method: m.Method[Req, ans.SelectionView],
                    request: Req) -> None:
        """``request`` carries the operator as it was when the operator asked (not when
        sent)."""
        try:
            selection = await self._node.request(method, request)
        except ClientError as error:
            log.info("emergency %s refused: %s", step, error)
            self.emergency_failed.emit(step, error.type, _message(error))
        else:
            log.info("emergency %s: selection %s is %s", step, selection["id"],
                     selection["step"])
            self.selection_changed.emit(selection)
        self.refresh_status()

    async def _read_status(self) -> None:
        while True:
            self._status_again = False
            try:
                self.emergency_status.emit(
                    await self._node.request(m.EMERGENCY_STATUS, r.NoParams()))
            except ClientError as error:
                log.debug("emergency status: %s", error)
            if not self._status_again:
                return

    # ----- lifetime ---------------------------------------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._requests.add(task)
        task.add_done_callback(self._requests.discard)
        return task

    @Slot()
    def stop(self) -> None:
        """Cancel requests in flight (shutdown)."""
        for task in list(self._requests):
            task.cancel()
