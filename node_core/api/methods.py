"""The endpoint methods: one registry, shared by the node, the CLI and the console.

Each :class:`Method` binds a name to its request dataclass (:mod:`node_core.api.requests`)
and its answer ``TypedDict`` (:mod:`node_core.api.answers`). The node registers a handler
per method (:func:`bind`, checked by mypy: the handler takes that request and returns that
answer); clients call ``NodeClient.request(METHOD, Request(...))`` and get the typed answer.
:data:`NODE_METHODS` is a node's endpoint, :data:`GRIDSIM_METHODS` the grid simulator's live
endpoint; :data:`NODE_EVENTS` and :data:`GRIDSIM_EVENTS` are what they push to subscribers.

On the wire a request's ``params`` are its fields as JSON (:func:`request_params`);
:func:`parse_request` is the way back, refusing unknown fields, missing fields and values of
the wrong type with ``BadRequest`` naming the field.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from node_core.api import answers as a
from node_core.api import requests as r
from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.roster import Role

Req = TypeVar("Req")
Ans = TypeVar("Ans")
CallerT = TypeVar("CallerT")


class BadRequest(GridTokenXError):
    """A request's parameters do not fit its method (unknown, missing or mistyped field)."""


@dataclass(frozen=True, slots=True)
class Method(Generic[Req, Ans]):
    """One endpoint method."""

    name: str
    request: type[Req]
    answer: object
    """The answer's ``TypedDict`` (or ``list[...]`` of one, or ``X | None``), for readers and
    the API document; ``Ans`` carries it for mypy."""
    summary: str
    writes: bool = False
    """It changes state (records, signs or submits something), not only reads."""
    roles: frozenset[Role] = frozenset()
    """Non-empty: the request must be signed by a member of the node's authority's roster
    holding one of these roles (:mod:`node_core.api.operator_auth`); the handler then acts
    for that member."""
    action: str = ""
    """What the audit trail calls it (``acknowledge``, ``approve``...); empty: not recorded
    except when refused (under its name)."""
    body: bool = False
    """The request line is followed by ``params.length`` raw bytes (at most the endpoint's
    request limit), which the endpoint reads into the request's ``body``."""

    @property
    def audit_action(self) -> str:
        return self.action or self.name


@dataclass(frozen=True, slots=True)
class Event:
    """Something an endpoint pushes to its subscribers: ``{"event": name, "data": ...}``."""

    name: str
    data: object
    summary: str


def _method(name: str, request: type[Req], answer: object, summary: str, *,
            writes: bool = False, roles: frozenset[Role] = frozenset(),
            action: str = "", body: bool = False) -> Method[Req, Any]:
    return Method(name, request, answer, summary, writes or bool(roles), roles, action, body)


OPERATING: Final = frozenset({Role.OPERATOR, Role.SUPERVISOR})
"""Who runs the control room: alarms, the emergency desk, governance."""
APPROVING: Final = frozenset({Role.SUPERVISOR})
EVERYONE: Final = frozenset(Role)
ROSTER_ADMIN: Final = frozenset({Role.SECURITY_ADMIN})
GRID_FEED: Final = frozenset({Role.GRID_FEED})


# --- node: chain ----------------------------------------------------------------------------

STATUS: Final[Method[r.NoParams, a.StatusAnswer]] = _method(
    "status", r.NoParams, a.StatusAnswer, "height, tip, round, proposer, peers, health")
SUBMIT: Final[Method[r.SubmitRequest, a.SubmitAnswer]] = _method(
    "submit", r.SubmitRequest, a.SubmitAnswer, "admit signed transactions to the mempool",
    writes=True)
SUBMIT_BINARY: Final[Method[r.SubmitBinaryRequest, a.SubmitBinaryAnswer]] = _method(
    "submit_binary", r.SubmitBinaryRequest, a.SubmitBinaryAnswer,
    "admit signed transactions sent as bytes after the request line (bulk clients)",
    writes=True, body=True)
ACCOUNT: Final[Method[r.AccountRequest, a.AccountAnswer]] = _method(
    "account", r.AccountRequest, a.AccountAnswer, "an account at the tip")
BLOCK: Final[Method[r.BlockRequest, a.BlockDetail | None]] = _method(
    "block", r.BlockRequest, a.BlockDetail | None, "one final block by height or hash")
BLOCKS: Final[Method[r.BlocksRequest, list[a.BlockSummary]]] = _method(
    "blocks", r.BlocksRequest, list[a.BlockSummary], "final blocks start..end (≤ 1000)")
EVIDENCE: Final[Method[r.NoParams, list[a.EvidenceView]]] = _method(
    "evidence", r.NoParams, list[a.EvidenceView], "equivocation evidence kept by the node")
TRANSACTION: Final[Method[r.TransactionRequest, a.TransactionLocation | None]] = _method(
    "transaction", r.TransactionRequest, a.TransactionLocation | None,
    "where a final transaction is")
ATTEST_GRID: Final[Method[r.AttestGridRequest, a.Done]] = _method(
    "attest_grid", r.AttestGridRequest, a.Done,
    "the grid snapshot the node's next proposals commit to", roles=GRID_FEED)
TRADING_OVERVIEW: Final[Method[r.TradingOverviewRequest, a.TradingOverview]] = _method(
    "trading_overview", r.TradingOverviewRequest, a.TradingOverview,
    "the market of the last window from this chain")
PIPELINE: Final[Method[r.NoParams, a.PipelineAnswer]] = _method(
    "pipeline", r.NoParams, a.PipelineAnswer, "where the node's time went, by stage")
CLOUD_STATUS: Final[Method[r.NoParams, a.CloudStatus]] = _method(
    "cloud_status", r.NoParams, a.CloudStatus, "each cloud part's state")

# --- node: governance -----------------------------------------------------------------------

GOV_LIST: Final[Method[r.NoParams, list[a.ProposalView]]] = _method(
    "gov_list", r.NoParams, list[a.ProposalView], "every proposal, newest first")
GOV_SHOW: Final[Method[r.ProposalIdRequest, a.ProposalView]] = _method(
    "gov_show", r.ProposalIdRequest, a.ProposalView, "one proposal, votes verified")
GOV_PROPOSE: Final[Method[r.ProposalRequest, a.Submitted]] = _method(
    "gov_propose", r.ProposalRequest, a.Submitted, "propose, signed by the authority key",
    roles=OPERATING,
    action="propose")
GOV_VOTE: Final[Method[r.VoteRequest, a.Submitted]] = _method(
    "gov_vote", r.VoteRequest, a.Submitted, "vote, signed by the authority key",
    roles=OPERATING,
    action="vote")

# --- node: control room ---------------------------------------------------------------------

ALARMS_LIST: Final[Method[r.NoParams, a.AlarmList]] = _method(
    "alarms_list", r.NoParams, a.AlarmList, "every alarm not in the normal state")
ALARMS_ACK: Final[Method[r.AcknowledgeRequest, a.AlarmEvents]] = _method(
    "alarms_ack", r.AcknowledgeRequest, a.AlarmEvents, "acknowledge alarms", roles=OPERATING,
    action="acknowledge")
ALARMS_SHELVE: Final[Method[r.ShelveRequest, a.AlarmEvents]] = _method(
    "alarms_shelve", r.ShelveRequest, a.AlarmEvents, "shelve an alarm for a while",
    roles=OPERATING,
    action="shelve")
ALARMS_UNSHELVE: Final[Method[r.UnshelveRequest, a.AlarmEvents]] = _method(
    "alarms_unshelve", r.UnshelveRequest, a.AlarmEvents, "return a shelved alarm",
    roles=OPERATING,
    action="unshelve")
ALARMS_HISTORY: Final[Method[r.AlarmHistoryRequest, a.AlarmHistoryPage]] = _method(
    "alarms_history", r.AlarmHistoryRequest, a.AlarmHistoryPage, "stored alarm events")
OPERATOR_LOGIN: Final[Method[r.SessionRequest, a.OperatorSession]] = _method(
    "operator_login", r.SessionRequest, a.OperatorSession, "an operator's session begins",
    roles=EVERYONE,
    action="login")
OPERATOR_LOGOUT: Final[Method[r.SessionRequest, a.OperatorSession]] = _method(
    "operator_logout", r.SessionRequest, a.OperatorSession, "an operator's session ends",
    roles=EVERYONE,
    action="logout")
EMERGENCY_SELECT: Final[Method[r.SelectRequest, a.SelectionView]] = _method(
    "emergency_select", r.SelectRequest, a.SelectionView, "select an emergency action",
    roles=OPERATING,
    action="select")
EMERGENCY_OPERATE: Final[Method[r.EndorsedSelectionRequest, a.SelectionView]] = _method(
    "emergency_operate", r.EndorsedSelectionRequest, a.SelectionView,
    "operate a selection (the operator's endorsement goes on the chain)", roles=OPERATING,
    action="operate")
EMERGENCY_APPROVE: Final[Method[r.EndorsedSelectionRequest, a.SelectionView]] = _method(
    "emergency_approve", r.EndorsedSelectionRequest, a.SelectionView,
    "a supervisor approves another's critical action (endorsed on the chain)",
    roles=APPROVING,
    action="approve")
EMERGENCY_CANCEL: Final[Method[r.SelectionRequest, a.SelectionView]] = _method(
    "emergency_cancel", r.SelectionRequest, a.SelectionView, "cancel a selection",
    roles=OPERATING,
    action="cancel")
EMERGENCY_STATUS: Final[Method[r.NoParams, list[a.SelectionView]]] = _method(
    "emergency_status", r.NoParams, list[a.SelectionView], "every selection, newest first")
AUDIT_TAIL: Final[Method[r.AuditTailRequest, list[a.AuditRecord]]] = _method(
    "audit_tail", r.AuditTailRequest, list[a.AuditRecord], "the newest audit entries")

ROSTER: Final[Method[r.NoParams, list[a.RosterMemberView]]] = _method(
    "roster", r.NoParams, list[a.RosterMemberView], "this authority's roster at the tip")
ROSTER_CHANGE: Final[Method[r.RosterChangeRequest, a.Submitted]] = _method(
    "roster_change", r.RosterChangeRequest, a.Submitted,
    "add or remove a roster member (the security administrator's endorsement goes on the "
    "chain)", roles=ROSTER_ADMIN,
    action="roster change")

# --- the grid simulator's live endpoint -----------------------------------------------------

GRIDSIM_STATUS: Final[Method[r.NoParams, a.GridsimStatus]] = _method(
    "status", r.NoParams, a.GridsimStatus, "the latest sample, lines out, applied orders")
SCHEDULE_EVENT: Final[Method[r.ScheduleEventRequest, a.ScheduledEvents]] = _method(
    "schedule_event", r.ScheduleEventRequest, a.ScheduledEvents, "script a grid event",
    writes=True)


def _registry(*methods: Method[Any, Any]) -> Mapping[str, Method[Any, Any]]:
    return types.MappingProxyType({m.name: m for m in methods})


NODE_METHODS: Final = _registry(
    STATUS, SUBMIT, SUBMIT_BINARY, ACCOUNT, BLOCK, BLOCKS, EVIDENCE, TRANSACTION, ATTEST_GRID,
    TRADING_OVERVIEW, PIPELINE, CLOUD_STATUS, GOV_LIST, GOV_SHOW, GOV_PROPOSE, GOV_VOTE,
    ALARMS_LIST, ALARMS_ACK, ALARMS_SHELVE, ALARMS_UNSHELVE, ALARMS_HISTORY, OPERATOR_LOGIN,
    OPERATOR_LOGOUT, EMERGENCY_SELECT, EMERGENCY_OPERATE, EMERGENCY_APPROVE, EMERGENCY_CANCEL,
    EMERGENCY_STATUS, AUDIT_TAIL, ROSTER, ROSTER_CHANGE)
"""A node's client endpoint (plus ``subscribe``, answered by the endpoint itself)."""
GRIDSIM_METHODS: Final = _registry(GRIDSIM_STATUS, SCHEDULE_EVENT)
"""The grid simulator's live endpoint."""

STATUS_EVENT: Final = Event("status", a.StatusAnswer, "every second")
BLOCK_EVENT: Final = Event("block", a.BlockSummary, "every final block")
ALARM_EVENTS: Final = Event("alarm_events", list[a.AlarmEventView], "alarm state changes")
EMERGENCY_EVENT: Final = Event("emergency", a.EmergencyFinal,
                               "a submitted emergency action is final")
EQUIVOCATION_EVENT: Final = Event("equivocation", a.EquivocationEvent,
                                  "an authority equivocated")
GRID_SAMPLE_EVENT: Final = Event("grid_sample", a.GridSampleView, "every simulator sample")
NODE_EVENTS: Final = (STATUS_EVENT, BLOCK_EVENT, ALARM_EVENTS, EMERGENCY_EVENT,
                      EQUIVOCATION_EVENT)
GRIDSIM_EVENTS: Final = (GRID_SAMPLE_EVENT,)

# --- handlers -------------------------------------------------------------------------------

Handler = Callable[[Any, Any], Awaitable[Any]]
"""A bound handler: takes the parsed request and the caller (an
``node_core.api.operator_auth.Caller`` for methods with roles, else None), returns the
answer."""


def bind(method: Method[Req, Ans],
         handler: Callable[[Req], Awaitable[Ans]]) -> tuple[str, Handler]:
    """``(name, handler)`` for a method without roles; mypy checks that ``handler`` takes
    the method's request and returns its answer."""
    assert not method.roles, f"{method.name} acts for a caller: bind_signed"

    async def call(request: Req, _caller: object) -> Ans:
        return await handler(request)
    return method.name, call


def bind_signed(method: Method[Req, Ans],
                handler: Callable[[Req, CallerT], Awaitable[Ans]]) -> tuple[str, Handler]:
    """``(name, handler)`` for a method with roles: the handler also gets the verified
    caller it acts for."""
    assert method.roles, f"{method.name} needs no caller: bind"
    return method.name, handler


# --- params on the wire ---------------------------------------------------------------------


def request_params(request: object) -> dict[str, Any]:
    """The JSON ``params`` of a request dataclass."""
    return dataclasses.asdict(request)  # type: ignore[call-overload, no-any-return]


def parse_request(method: Method[Req, Any], params: object) -> Req:
    """The request dataclass from JSON ``params``; BadRequest names what does not fit."""
    return _parse_dataclass(method.request, params, method.name)


def _parse_dataclass(cls: type[Req], params: object, where: str) -> Req:
    if not isinstance(params, dict):
        raise BadRequest(f"{where}: params must be an object, not {_kind(params)}")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(params) - set(fields))
    if unknown:
        raise BadRequest(f"{where}: unknown field {unknown[0]!r} (fields: "
                         f"{', '.join(fields) or 'none'})")
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        if name in params:
            values[name] = _check(params[name], hints[name], f"{where}.{name}")
        elif (spec.default is dataclasses.MISSING
              and spec.default_factory is dataclasses.MISSING):
            raise BadRequest(f"{where}: missing field {name!r}")
    return cls(**values)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _check(value: Any, hint: Any, where: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        for option in args:
            try:
                return _check(value, option, where)
            except BadRequest:
                continue
        raise BadRequest(f"{where} must be {_name(hint)}, not {_kind(value)}")
    if dataclasses.is_dataclass(hint):
        return _parse_dataclass(hint, value, where)  # type: ignore[arg-type]
    if origin is list and isinstance(value, list):
        return [_check(item, args[0], f"{where}[{i}]") for i, item in enumerate(value)]
    if origin is tuple and isinstance(value, list | tuple) and len(value) == len(args):
        pairs = enumerate(zip(value, args, strict=True))
        return tuple(_check(v, t, f"{where}[{i}]") for i, (v, t) in pairs)
    if origin is dict and isinstance(value, dict):
        return {_check(k, args[0], f"{where} key"): _check(v, args[1], f"{where}[{k!r}]")
                for k, v in value.items()}
    if _scalar_fits(value, hint):
        return float(value) if hint is float else value
    raise BadRequest(f"{where} must be {_name(hint)}, not {_kind(value)}")


def _scalar_fits(value: Any, hint: Any) -> bool:
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return hint is str and isinstance(value, str)


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _kind(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"
