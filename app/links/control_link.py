"""ControlLink: alarms and emergency controls through the node's client endpoint, as Qt signals.

Every request that changes something is signed by the person logged in at the console — the
:class:`~app.links.operator_session.OperatorSession` (their own token, held open by their
operator agent) — and the node acts for whoever the signature says, checking their role on
its roster and writing its audit trail (``node_core.api.operator_auth``). Nothing names the
operator in the request itself. Signing runs in worker threads, never on the GUI thread.

Operator sessions: :meth:`ControlLink.start_session` takes over the console for a person who
just logged in. The node is told (``operator_login``, signed by them) as soon as it answers.
"Switch operator…" starts the next person's session: the previous one's ``operator_logout``
is signed with the previous key, then that agent is closed (its token logged out), then the
new person's login is sent. :meth:`ControlLink.end_session` (awaited by the console's shutdown
before the node stops) sends the last logout and closes the last agent.

Alarms: on (re)connect ``alarms_list`` is read (``alarms_loaded``); the node's pushed
``alarm_events`` batches are forwarded as they come (``alarm_events``), and each event that
enters an active state also becomes a chart mark (``alarm_marked``: time in seconds, label,
priority). In a flood, marks are coalesced to one per priority and 5 s of event time
("12 alarms"), so the charts stay readable and the GUI thread stays free.
Acknowledge, shelve and unshelve go to ``alarms_ack`` / ``alarms_shelve`` /
``alarms_unshelve``; the resulting events come back pushed, like any other.

Emergency: ``select`` / ``operate`` / ``approve`` / ``cancel`` go to ``emergency_*``. Operate and
approve endorse the order of the selection as the console showed it
(``node_core.api.endorsing``): the operator's key on operate, the approving supervisor's —
another person's session, opened in the approval dialog for that one request — on approve.
The answer (a selection dict) comes back as ``selection_changed``, a refusal as
``emergency_failed(step, rule, message)`` with the node's rule name (RoleRefused,
SamePersonApproval, SelectionExpired, WrongStep...). ``emergency_status`` is read on connect,
on each final block, on every pushed ``emergency`` event and after each answered step
(``emergency_status`` signal); reads never overlap (one asked for during another runs once
after it).

A request that cannot be signed (nobody logged in, the agent gone) is refused like one the node
refuses, with the rule's name (``Unsigned``, ``SignerError``...): never lost silently.

Signals:
    session_changed(session: object): the OperatorSession now at the console, or None.
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

from app.links.node_link import NodeLink, refusal
from app.links.operator_session import OperatorSession
from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.endorsing import endorse_order
from node_core.api.methods import Req
from node_core.api.signed_requests import RequestSigner
from node_core.api.wire import ClientError
from node_core.ledger.exceptions import GridTokenXError

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


class ControlLink(QObject):
    """Alarm and emergency requests of one console; ``stop()`` on shutdown.

    Signals (payloads are the typed answers of ``node_core.api``):
        session_changed(OperatorSession | None): who is logged in at the console now.
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

    session_changed = Signal(object)
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
        self._session: OperatorSession | None = None
        self._recorded: OperatorSession | None = None
        """The session whose login the node has recorded."""
        self._refused: OperatorSession | None = None
        """The session whose login the node refused (not asked again on reconnect)."""
        self._session_lock = asyncio.Lock()
        self._requests: set[asyncio.Task[None]] = set()
        self._status_task: asyncio.Task[None] | None = None
        self._status_again = False
        self._marked: set[tuple[int, str]] = set()
        node.connection_changed.connect(self._on_connection_changed)
        node.block_finalized.connect(self._on_block)
        node.event_pushed.connect(self.on_pushed)

    # ----- operator sessions ------------------------------------------------------------------

    @property
    def session(self) -> OperatorSession | None:
        return self._session

    def start_session(self, session: OperatorSession) -> None:
        """``session``'s person takes over the console (after a login or a switch): what is
        asked from now on is signed by them."""
        previous, self._session = self._session, session
        self.session_changed.emit(session)
        self._spawn(self._hand_over(previous, session, set(self._requests)))

    async def end_session(self) -> None:
        """Log the person out at the node and close their agent (Log out; the console is
        closing)."""
        previous, self._session = self._session, None
        if previous is not None:
            self.session_changed.emit(None)
        await self._hand_over(previous, None, set(self._requests))

    async def _hand_over(self, previous: OperatorSession | None,
                         incoming: OperatorSession | None,
                         asked: set[asyncio.Task[None]]) -> None:
        """Once the requests ``asked`` before the change are done (signed by whoever asked
        them), the previous session's logout (signed by its key), its agent closed, then the
        incoming one's login: one change at a time, in order, so the node's trail has every
        session's login and logout even when people switch quickly."""
        if asked:
            await asyncio.wait(asked)
        async with self._session_lock:
            if previous is not None:
                try:
                    if self._recorded is previous:
                        await self._session_call(m.OPERATOR_LOGOUT, previous)
                finally:
                    if self._recorded is previous:
                        self._recorded = None
                    await asyncio.to_thread(previous.close)
                    log.info("%s's token logged out", previous.name)
            await self._record_login(incoming)

    async def _record_login(self, session: OperatorSession | None) -> None:
        if (session is None or session is self._recorded or session is self._refused
                or not self._node.connected):
            return
        if await self._session_call(m.OPERATOR_LOGIN, session):
            self._recorded = session
        elif self._node.connected:
            self._refused = session

    async def _sync_session(self) -> None:
        async with self._session_lock:
            await self._record_login(self._session)

    async def _session_call(self, method: m.Method[r.SessionRequest, ans.OperatorSession],
                            session: OperatorSession) -> bool:
        action = method.audit_action
        try:
            await self._node.request(method, r.SessionRequest("console"), signer=session.signer)
        except GridTokenXError as error:
            log.warning("%s of %s refused: %s", action, session.name, error)
            self.session_failed.emit(action, *refusal(error))
            return False
        log.info("%s %s recorded by the node", session.name, action)
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
        self._spawn(self._alarm_request(m.ALARMS_ACK, r.AcknowledgeRequest(list(alarm_ids)),
                                        self.signer()))

    @Slot(str, str, int)
    def shelve(self, alarm_id: str, reason: str, duration_s: int) -> None:
        self._spawn(self._alarm_request(m.ALARMS_SHELVE, r.ShelveRequest(
            alarm_id, int(duration_s), reason), self.signer()))

    @Slot(str)
    def unshelve(self, alarm_id: str) -> None:
        self._spawn(self._alarm_request(m.ALARMS_UNSHELVE, r.UnshelveRequest(alarm_id),
                                        self.signer()))

    async def _load_alarms(self) -> None:
        try:
            answer = await self._node.request(m.ALARMS_LIST, r.NoParams())
        except ClientError as error:
            log.warning("alarm list not read: %s", error)
            return
        self.alarms_loaded.emit(list(answer["alarms"]), int(answer.get("last_seq") or 0))

    async def _alarm_request(self, method: m.Method[Req, Any], request: Req,
                             signer: RequestSigner | None) -> None:
        """Signed by the person at the console when they asked (not when it is sent)."""
        action = method.audit_action
        try:
            await self._node.request(method, request, signer=signer)
        except GridTokenXError as error:
            log.info("%s refused: %s", action, error)
            self.alarm_failed.emit(action, *refusal(error))

    def signer(self) -> RequestSigner | None:
        """The key of the person at the console (None: nobody is logged in)."""
        return self._session.signer if self._session is not None else None

    # ----- emergency --------------------------------------------------------------------------

    @Slot(dict)
    def select(self, action: dict[str, Any]) -> None:
        """``action``: kind, region, stage, mw, duration_s, reason (the panel's intent)."""
        self._spawn(self._step("select", m.EMERGENCY_SELECT, r.SelectRequest(**action),
                               self._session))

    @Slot(dict)
    def operate(self, selection: ans.SelectionView) -> None:
        """Operate ``selection`` as the console showed it, endorsed by the operator."""
        self._spawn(self._endorsed_step("operate", m.EMERGENCY_OPERATE, selection,
                                        self._session))

    @Slot(int)
    def cancel(self, selection_id: int) -> None:
        self._spawn(self._step("cancel", m.EMERGENCY_CANCEL,
                               r.SelectionRequest(int(selection_id)), self._session))

    async def approve(self, selection: ans.SelectionView, supervisor: OperatorSession) -> None:
        """Approve ``selection`` (as the approval dialog showed it) as ``supervisor``, who
        logged in for this one request: the session at the console stays."""
        await self._endorsed_step("approve", m.EMERGENCY_APPROVE, selection, supervisor)

    @Slot()
    def refresh_status(self) -> None:
        """Read ``emergency_status`` now, or right after a running read."""
        if self._status_task is not None and not self._status_task.done():
            self._status_again = True
            return
        self._status_task = self._spawn(self._read_status())

    async def _endorsed_step(self, step: str,
                             method: m.Method[r.EndorsedSelectionRequest, ans.SelectionView],
                             selection: ans.SelectionView,
                             session: OperatorSession | None) -> None:
        """The order of ``selection`` endorsed with ``session``'s key (in a worker thread)."""
        try:
            if session is None:
                raise ClientError("Unsigned", f"{method.name} is signed by an operator: log "
                                  "in with your own token first")
            endorsement = await asyncio.to_thread(endorse_order, session.signer, selection)
        except GridTokenXError as error:
            self.emergency_failed.emit(step, *refusal(error))
            return
        request = r.EndorsedSelectionRequest(int(selection["id"]), endorsement)
        await self._step(step, method, request, session)

    async def _step(self, step: str, method: m.Method[Req, ans.SelectionView], request: Req,
                    session: OperatorSession | None) -> None:
        """``request`` signed by ``session``: the person at the console when they asked."""
        signer = session.signer if session is not None else None
        try:
            selection = await self._node.request(method, request, signer=signer)
        except GridTokenXError as error:
            log.info("emergency %s refused: %s", step, error)
            self.emergency_failed.emit(step, *refusal(error))
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
