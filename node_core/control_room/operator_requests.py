"""The control room's endpoint methods: what operators ask of their authority's node —
alarms (list, acknowledge, shelve, unshelve, history), sessions (login, logout), the emergency
desk (select, operate, approve, cancel, status) and the audit tail.

Every state-changing request comes from a verified roster member (the endpoint checked the
signature and the role: :mod:`node_core.api.operator_auth`) and goes through
:meth:`ControlRoom.audited <node_core.control_room.room.ControlRoom.audited>`, which records
it in the audit trail with the signed request, taken or refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.methods import BadRequest, Handler, bind, bind_signed
from node_core.api.operator_auth import Caller
from node_core.clock import now_ms
from node_core.control_room.alarms import AlarmEvent
from node_core.control_room.desk import Member, Selection
from node_core.control_room.room import ControlRoom
from node_core.ledger.keys import SIGNATURE_SIZE
from node_core.ledger.transactions import EmergencyAction, EmergencyKind

DeskStep = Callable[[int, Member, bytes, int], Selection]
"""``ControlDesk.operate`` / ``approve``: (selection id, member, endorsement, now)."""


class OperatorRequests:
    """The handlers of the operator methods of one node's control room."""

    def __init__(self, room: ControlRoom) -> None:
        self._room = room

    def handlers(self) -> list[tuple[str, Handler]]:
        return [
            bind(m.ALARMS_LIST, self._alarms_list),
            bind_signed(m.ALARMS_ACK, self._alarms_ack),
            bind_signed(m.ALARMS_SHELVE, self._alarms_shelve),
            bind_signed(m.ALARMS_UNSHELVE, self._alarms_unshelve),
            bind(m.ALARMS_HISTORY, self._alarms_history),
            bind_signed(m.OPERATOR_LOGIN, self._login),
            bind_signed(m.OPERATOR_LOGOUT, self._logout),
            bind_signed(m.EMERGENCY_SELECT, self._select),
            bind_signed(m.EMERGENCY_OPERATE, self._operate),
            bind_signed(m.EMERGENCY_APPROVE, self._approve),
            bind_signed(m.EMERGENCY_CANCEL, self._cancel),
            bind(m.EMERGENCY_STATUS, self._status), bind(m.AUDIT_TAIL, self._audit_tail),
        ]

    # --- alarms -----------------------------------------------------------------------------

    async def _alarms_list(self, request: r.NoParams) -> ans.AlarmList:
        alarms = self._room.alarms
        return {"alarms": [alarm.to_dict() for alarm in alarms.alarms()],
                "last_seq": alarms.last_seq}

    async def _alarms_ack(self, request: r.AcknowledgeRequest,
                          caller: Caller) -> ans.AlarmEvents:
        ids, alarms = request.ids, self._room.alarms
        return self._alarm_step(caller, ",".join(ids),
                                lambda now: alarms.acknowledge_all(ids, caller.name, now))

    async def _alarms_shelve(self, request: r.ShelveRequest, caller: Caller) -> ans.AlarmEvents:
        alarms = self._room.alarms
        return self._alarm_step(
            caller, request.id,
            lambda now: alarms.shelve(request.id, caller.name, request.reason,
                                      request.duration_s * 1000, now),
            {"reason": request.reason, "duration_s": request.duration_s})

    async def _alarms_unshelve(self, request: r.UnshelveRequest,
                               caller: Caller) -> ans.AlarmEvents:
        alarms = self._room.alarms
        return self._alarm_step(caller, request.id,
                                lambda now: alarms.unshelve(request.id, caller.name, now))

    def _alarm_step(self, caller: Caller, target: str,
                    work: Callable[[int], list[AlarmEvent]],
                    details: dict[str, Any] | None = None) -> ans.AlarmEvents:
        events = self._room.audited(caller, target, work, details=details)
        self._room.publish(events)
        return {"events": [event.to_dict() for event in events]}

    async def _alarms_history(self, request: r.AlarmHistoryRequest) -> ans.AlarmHistoryPage:
        """Stored alarm events in ``[since_ms, until_ms]`` (either may be None), oldest first;
        ``truncated``: more matched than ``limit``."""
        page = self._room.history.query(request.since_ms, request.until_ms, request.limit)
        return {"events": list(page.events), "truncated": page.truncated}

    # --- sessions ---------------------------------------------------------------------------

    async def _login(self, request: r.SessionRequest, caller: Caller) -> ans.OperatorSession:
        """An operator opened a session with their own token (the client logged in to it;
        the signature proves it)."""
        return self._session(request, caller)

    async def _logout(self, request: r.SessionRequest, caller: Caller) -> ans.OperatorSession:
        return self._session(request, caller)

    def _session(self, request: r.SessionRequest, caller: Caller) -> ans.OperatorSession:
        self._room.audited(caller, request.client, lambda now: None,
                           details={"client": request.client})
        return {"operator": caller.name, "role": caller.role.text}

    # --- the emergency desk -----------------------------------------------------------------

    async def _select(self, request: r.SelectRequest, caller: Caller) -> ans.SelectionView:
        kind = EmergencyKind.__members__.get(request.kind.upper())
        if kind is None:
            choices = ", ".join(k.name.lower() for k in EmergencyKind)
            raise BadRequest(f"kind must be one of {choices}, not {request.kind!r}")
        action = EmergencyAction(kind=kind, region=request.region, stage=request.stage,
                                 mw=request.mw, duration_s=request.duration_s,
                                 reason=request.reason)
        desk = self._room.desk
        selection = self._room.desk_step(caller, kind.name.lower(),
                                         lambda now: desk.select(_member(caller), action, now))
        return selection_view(selection)

    async def _operate(self, request: r.EndorsedSelectionRequest,
                       caller: Caller) -> ans.SelectionView:
        return self._endorsed_step(request, caller, self._room.desk.operate)

    async def _approve(self, request: r.EndorsedSelectionRequest,
                       caller: Caller) -> ans.SelectionView:
        return self._endorsed_step(request, caller, self._room.desk.approve)

    async def _cancel(self, request: r.SelectionRequest, caller: Caller) -> ans.SelectionView:
        desk = self._room.desk
        selection = self._room.desk_step(
            caller, f"selection {request.id}",
            lambda now: desk.cancel(request.id, _member(caller), now))
        return selection_view(selection)

    def _endorsed_step(self, request: r.EndorsedSelectionRequest, caller: Caller,
                       work: DeskStep) -> ans.SelectionView:
        endorsement = _signature(request.endorsement)
        selection = self._room.desk_step(
            caller, f"selection {request.id}",
            lambda now: work(request.id, _member(caller), endorsement, now))
        return selection_view(selection)

    async def _status(self, request: r.NoParams) -> list[ans.SelectionView]:
        return [selection_view(s) for s in self._room.desk.selections(now_ms())]

    async def _audit_tail(self, request: r.AuditTailRequest) -> list[ans.AuditRecord]:
        if not 0 <= request.count <= r.AUDIT_TAIL_LIMIT:
            raise BadRequest(f"audit_tail: count is 0..{r.AUDIT_TAIL_LIMIT}, not {request.count}")
        return [entry.to_record() for entry in self._room.audit.newest(request.count)]


def _member(caller: Caller) -> Member:
    return Member(caller.name, caller.public_key)


def _signature(text: str) -> bytes:
    try:
        signature = bytes.fromhex(text)
    except ValueError:
        raise BadRequest("endorsement is not hex") from None
    if len(signature) != SIGNATURE_SIZE:
        raise BadRequest(f"an endorsement is a {SIGNATURE_SIZE}-byte signature")
    return signature


def selection_view(selection: Selection) -> ans.SelectionView:
    action = selection.action
    return {"id": selection.selection_id, "kind": action.kind.name.lower(),
            "region": action.region, "stage": action.stage, "mw": action.mw,
            "duration_s": action.duration_s, "reason": action.reason,
            "operator": selection.operator.name, "approver": selection.approver or None,
            "critical": selection.critical, "step": selection.step.value,
            "selected_ms": selection.selected_ms, "expires_ms": selection.expires_ms,
            "consequence": selection.consequence(),
            "tx_hash": selection.tx_hash or None, "height": selection.height or None,
            "outcome": selection.outcome}
