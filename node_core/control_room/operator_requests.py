"""The control room's endpoint methods: what operators ask of their authority's node —
alarms (list, acknowledge, shelve, unshelve, history), sessions (login, logout), the emergency
desk (select, operate, approve, cancel, status) and the audit tail.

Every state-changing request goes through :meth:`ControlRoom.audited
<node_core.control_room.room.ControlRoom.audited>`: the node checks the operator's role and
records the request in the audit trail, taken or refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.methods import BadRequest, Handler, bind
from node_core.clock import now_ms
from node_core.control_room.alarms import AlarmEvent
from node_core.control_room.desk import Role, Selection
from node_core.control_room.room import ControlRoom
from node_core.ledger.transactions import EmergencyAction, EmergencyKind

ALARM_ROLES: Final = frozenset({Role.OPERATOR, Role.SUPERVISOR})
"""Who may acknowledge, shelve and unshelve alarms."""
ALL_ROLES: Final = frozenset(Role)
DeskStep = Callable[[int, str, int], Selection]
"""``ControlDesk.operate`` / ``approve`` / ``cancel``: (selection id, operator, now)."""


class OperatorRequests:
    """The handlers of the operator methods of one node's control room."""

    def __init__(self, room: ControlRoom) -> None:
        self._room = room

    def handlers(self) -> list[tuple[str, Handler]]:
        return [
            bind(m.ALARMS_LIST, self._alarms_list), bind(m.ALARMS_ACK, self._alarms_ack),
            bind(m.ALARMS_SHELVE, self._alarms_shelve),
            bind(m.ALARMS_UNSHELVE, self._alarms_unshelve),
            bind(m.ALARMS_HISTORY, self._alarms_history),
            bind(m.OPERATOR_LOGIN, self._login), bind(m.OPERATOR_LOGOUT, self._logout),
            bind(m.EMERGENCY_SELECT, self._select), bind(m.EMERGENCY_OPERATE, self._operate),
            bind(m.EMERGENCY_APPROVE, self._approve), bind(m.EMERGENCY_CANCEL, self._cancel),
            bind(m.EMERGENCY_STATUS, self._status), bind(m.AUDIT_TAIL, self._audit_tail),
        ]

    # --- alarms -----------------------------------------------------------------------------

    async def _alarms_list(self, request: r.NoParams) -> ans.AlarmList:
        alarms = self._room.alarms
        return {"alarms": [alarm.to_dict() for alarm in alarms.alarms()],
                "last_seq": alarms.last_seq}

    async def _alarms_ack(self, request: r.AcknowledgeRequest) -> ans.AlarmEvents:
        operator, ids = request.operator, request.ids
        return self._alarm_step(operator, "acknowledge", ",".join(ids),
                                lambda now: self._room.alarms.acknowledge_all(ids, operator, now))

    async def _alarms_shelve(self, request: r.ShelveRequest) -> ans.AlarmEvents:
        operator, alarm_id = request.operator, request.id
        return self._alarm_step(
            operator, "shelve", alarm_id,
            lambda now: self._room.alarms.shelve(alarm_id, operator, request.reason,
                                                 request.duration_s * 1000, now),
            {"reason": request.reason, "duration_s": request.duration_s})

    async def _alarms_unshelve(self, request: r.UnshelveRequest) -> ans.AlarmEvents:
        operator, alarm_id = request.operator, request.id
        return self._alarm_step(operator, "unshelve", alarm_id,
                                lambda now: self._room.alarms.unshelve(alarm_id, operator, now))

    def _alarm_step(self, operator: str, action: str, target: str,
                    work: Callable[[int], list[AlarmEvent]],
                    details: dict[str, Any] | None = None) -> ans.AlarmEvents:
        events = self._room.audited(operator, action, target, work, roles=ALARM_ROLES,
                                    details=details)
        self._room.publish(events)
        return {"events": [event.to_dict() for event in events]}

    async def _alarms_history(self, request: r.AlarmHistoryRequest) -> ans.AlarmHistoryPage:
        """Stored alarm events in ``[since_ms, until_ms]`` (either may be None), oldest first;
        ``truncated``: more matched than ``limit``."""
        page = self._room.history.query(request.since_ms, request.until_ms, request.limit)
        return {"events": list(page.events), "truncated": page.truncated}

    # --- sessions ---------------------------------------------------------------------------

    async def _login(self, request: r.SessionRequest) -> ans.OperatorSession:
        """The client checked the operator's token PIN; record the session's start."""
        return self._session("login", request)

    async def _logout(self, request: r.SessionRequest) -> ans.OperatorSession:
        return self._session("logout", request)

    def _session(self, action: str, request: r.SessionRequest) -> ans.OperatorSession:
        operator, client, desk = request.operator, request.client, self._room.desk
        role = self._room.audited(operator, action, client, lambda now: desk.role_of(operator),
                                  roles=ALL_ROLES, details={"client": client})
        return {"operator": operator, "role": role.value}

    # --- the emergency desk -----------------------------------------------------------------

    async def _select(self, request: r.SelectRequest) -> ans.SelectionView:
        kind = EmergencyKind.__members__.get(request.kind.upper())
        if kind is None:
            choices = ", ".join(k.name.lower() for k in EmergencyKind)
            raise BadRequest(f"kind must be one of {choices}, not {request.kind!r}")
        action = EmergencyAction(kind=kind, region=request.region, stage=request.stage,
                                 mw=request.mw, duration_s=request.duration_s,
                                 reason=request.reason)
        operator, desk = request.operator, self._room.desk
        selection = self._room.desk_step("select", operator, kind.name.lower(),
                                         lambda now: desk.select(operator, action, now))
        return selection_view(selection)

    async def _operate(self, request: r.SelectionRequest) -> ans.SelectionView:
        return self._selection_step("operate", request, self._room.desk.operate)

    async def _approve(self, request: r.SelectionRequest) -> ans.SelectionView:
        return self._selection_step("approve", request, self._room.desk.approve)

    async def _cancel(self, request: r.SelectionRequest) -> ans.SelectionView:
        return self._selection_step("cancel", request, self._room.desk.cancel)

    def _selection_step(self, step: str, request: r.SelectionRequest,
                        work: DeskStep) -> ans.SelectionView:
        selection = self._room.desk_step(
            step, request.operator, f"selection {request.id}",
            lambda now: work(request.id, request.operator, now))
        return selection_view(selection)

    async def _status(self, request: r.NoParams) -> list[ans.SelectionView]:
        return [selection_view(s) for s in self._room.desk.selections(now_ms())]

    async def _audit_tail(self, request: r.AuditTailRequest) -> list[ans.AuditRecord]:
        entries = list(self._room.audit.entries())[-request.count:] if request.count > 0 else []
        return [entry.to_record() for entry in entries]


def selection_view(selection: Selection) -> ans.SelectionView:
    action = selection.action
    return {"id": selection.selection_id, "kind": action.kind.name.lower(),
            "region": action.region, "stage": action.stage, "mw": action.mw,
            "duration_s": action.duration_s, "reason": action.reason,
            "operator": selection.operator, "approver": selection.approver or None,
            "critical": selection.critical, "step": selection.step.value,
            "selected_ms": selection.selected_ms, "expires_ms": selection.expires_ms,
            "consequence": selection.consequence(),
            "tx_hash": selection.tx_hash or None, "height": selection.height or None,
            "outcome": selection.outcome}
