"""``main.py alarms ...`` and ``main.py emergency ...``: scripted drills under exactly the
rules the console uses — roles, selection expiry and approvals are enforced by the node.

Each command that changes something names the operator (``--operator``), logs in to their own
token with their PIN (``--pin-env``, else prompted; never stored or printed) and signs the
request with their key, as at the console (:mod:`app.cli.node_access`). ``emergency operate``
and ``approve`` also endorse the selected order with that key: the endorsement goes on the
chain, where every authority checks the two-person rule.

``alarms history [--since ISO] [--until ISO]`` reads the alarm events the node stored, also
those of earlier node sessions (times without an offset are UTC).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from app.cli.audit import parse_since
from app.cli.node_access import (
    add_endpoint_arguments,
    add_operator_arguments,
    address_of,
    bound_signer,
    open_operator,
    run_signed,
)
from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.client import NodeClient
from node_core.api.endorsing import endorse_order
from node_core.api.requests import ALARM_HISTORY_LIMIT
from node_core.api.wire import ClientError
from node_core.control_room.audit import iso_utc
from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.transactions import EmergencyKind

KINDS = [k.name.lower() for k in EmergencyKind]


def register(subparsers: Any) -> None:
    alarms = subparsers.add_parser(
        "alarms", help="the node's alarms: list, acknowledge, shelve, unshelve, history")
    alarm_actions = alarms.add_subparsers(dest="alarms_action", metavar="ACTION", required=True)
    listing = alarm_actions.add_parser("list", help="current alarms")
    ack = alarm_actions.add_parser("ack", help="acknowledge alarms")
    ack.add_argument("ids", nargs="+")
    shelve = alarm_actions.add_parser("shelve", help="shelve an alarm for a while")
    shelve.add_argument("id")
    shelve.add_argument("--reason", required=True)
    shelve.add_argument("--minutes", type=int, default=60)
    unshelve = alarm_actions.add_parser("unshelve", help="end a shelving early")
    unshelve.add_argument("id")
    history = alarm_actions.add_parser("history", help="stored alarm events, oldest first")
    history.add_argument("--since", type=parse_since, default=None, metavar="ISO8601",
                         help="from this time, e.g. 2025-01-01T00:00:00Z (default: all)")
    history.add_argument("--until", type=parse_since, default=None, metavar="ISO8601",
                         help="up to this time (default: now)")
    history.add_argument("--limit", type=int, default=ALARM_HISTORY_LIMIT,
                         help="most events to show")
    emergency = subparsers.add_parser("emergency", help="select-before-operate drills")
    steps = emergency.add_subparsers(dest="emergency_action", metavar="STEP", required=True)
    select = steps.add_parser("select", help="select an action (expires after 30 s)")
    select.add_argument("kind", choices=KINDS)
    select.add_argument("--region", required=True, help="EGAT, MEA, PEA (or ALL for halts)")
    select.add_argument("--stage", type=int, default=0)
    select.add_argument("--mw", type=int, default=0)
    select.add_argument("--duration-s", type=int, default=0)
    select.add_argument("--reason", default="")
    by_id = [steps.add_parser(name, help=text) for name, text in (
        ("operate", "operate a selected action"), ("approve", "approve as a supervisor"),
        ("cancel", "cancel before submission"))]
    for parser in by_id:
        parser.add_argument("id", type=int)
    status = steps.add_parser("status", help="every action's life")
    for parser in (listing, ack, shelve, unshelve, history, select, status, *by_id):
        add_endpoint_arguments(parser)
        parser.add_argument("--json", action="store_true")
        if parser not in (listing, history, status):
            add_operator_arguments(parser, required=True)
        parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        if getattr(args, "emergency_action", None) in ("operate", "approve"):
            result: Any = _endorsed_step(args)
        else:
            result = run_signed(args, *_request(args))
    except (GridTokenXError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else _text(result))
    return 0


def _endorsed_step(args: argparse.Namespace) -> ans.SelectionView:
    """Operate or approve: find the selection, endorse its order, send the signed step."""
    operator = open_operator(args)
    method = m.EMERGENCY_OPERATE if args.emergency_action == "operate" else m.EMERGENCY_APPROVE

    async def step() -> ans.SelectionView:
        client = await NodeClient.connect(address_of(args))
        try:
            signer = await bound_signer(client, operator)
            selections = await client.request(m.EMERGENCY_STATUS, r.NoParams())
            selection = next((s for s in selections if s["id"] == args.id), None)
            if selection is None:
                raise ClientError("WrongStep", f"no selection {args.id}")
            request = r.EndorsedSelectionRequest(args.id, endorse_order(signer, selection))
            return await client.request(method, request, signer=signer)
        finally:
            await client.close()
    try:
        return asyncio.run(step())
    finally:
        operator.close()


def _request(args: argparse.Namespace) -> tuple[m.Method[Any, Any], object]:
    alarms = getattr(args, "alarms_action", None)
    if alarms == "list":
        return m.ALARMS_LIST, r.NoParams()
    if alarms == "ack":
        return m.ALARMS_ACK, r.AcknowledgeRequest(args.ids)
    if alarms == "shelve":
        return m.ALARMS_SHELVE, r.ShelveRequest(args.id, args.minutes * 60, args.reason)
    if alarms == "unshelve":
        return m.ALARMS_UNSHELVE, r.UnshelveRequest(args.id)
    if alarms == "history":
        return m.ALARMS_HISTORY, r.AlarmHistoryRequest(args.since, args.until, args.limit)
    if args.emergency_action == "status":
        return m.EMERGENCY_STATUS, r.NoParams()
    if args.emergency_action == "select":
        return m.EMERGENCY_SELECT, r.SelectRequest(
            args.kind, args.region, args.stage, args.mw, args.duration_s, args.reason)
    return m.EMERGENCY_CANCEL, r.SelectionRequest(args.id)


def _text(result: Any) -> str:
    if isinstance(result, dict) and "truncated" in result:
        lines = [_event_line(e) for e in result["events"]] or ["no alarm events"]
        more = ["(more events in this window: narrow it or raise --limit)"]
        return "\n".join(lines + (more if result["truncated"] else []))
    if isinstance(result, dict) and "alarms" in result:
        return "\n".join(f"{a['priority']:>8}  {a['state']:<22} {a['alarm_id']}  {a['message']}"
                         for a in result["alarms"]) or "no alarms"
    if isinstance(result, dict) and "consequence" in result:
        return _selection_line(result)
    if isinstance(result, list):
        return "\n".join(_selection_line(s) for s in result) or "no emergency actions"
    return json.dumps(result)


def _event_line(e: dict[str, Any]) -> str:
    who = "" if e["operator"] == "system" else f" by {e['operator']}"
    return (f"{iso_utc(e['time_ms'])}  {e['priority']:>8}  {e['alarm_id']}: {e['old_state']} → "
            f"{e['new_state']} ({e['trigger']}{who})  {e['message']}")


def _selection_line(s: dict[str, Any]) -> str:
    return (f"#{s['id']} {s['kind']} {s['region']} [{s['step']}] by {s['operator']}"
            f"{' approved by ' + s['approver'] if s['approver'] else ''}: {s['consequence']}"
            f"{' — ' + s['outcome'] if s['outcome'] else ''}")
