"""``main.py alarms ...`` and ``main.py emergency ...``: scripted drills under exactly the
rules the console uses — roles, selection expiry and approvals are enforced by the node.

Each command names the operator (``--operator``) and logs in to the authority's token with
its PIN (read from ``--pin-env``, else prompted; never stored or printed), as at the console.

``alarms history [--since ISO] [--until ISO]`` reads the alarm events the node stored, also
those of earlier node sessions (times without an offset are UTC).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from dataclasses import replace
from typing import Any

from app.cli.audit import parse_since
from app.cli.status import add_endpoint_arguments, call_node, endpoint_of
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.requests import ALARM_HISTORY_LIMIT
from node_core.control_room.audit import iso_utc
from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.transactions import EmergencyKind
from node_core.node.config import load_node_config, open_signer

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
        parser.add_argument("--operator", required=parser not in (listing, history, status),
                            help="operator identity (logs in with the token PIN)")
        parser.add_argument("--pin-env", default="GRIDTOKENX_PIN",
                            help="environment variable holding the token PIN")
        parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        if args.operator:
            check_operator_pin(args)
        method, request = _request(args)
        result = asyncio.run(call_node(endpoint_of(args), method, request))
    except (GridTokenXError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else _text(result))
    return 0


def check_operator_pin(args: argparse.Namespace) -> None:
    """Prove the operator holds the token PIN: a real PKCS#11 login, then logout."""
    if args.config is None:
        return
    config = load_node_config(args.config)
    if args.pin_env not in os.environ:
        os.environ[args.pin_env] = getpass.getpass(f"token PIN for {args.operator}: ")
    signer = open_signer(replace(config.signer, pin_env=args.pin_env))
    close = getattr(signer, "close", None)
    if close is not None:
        close()


def _request(args: argparse.Namespace) -> tuple[m.Method[Any, Any], object]:
    alarms = getattr(args, "alarms_action", None)
    if alarms == "list":
        return m.ALARMS_LIST, r.NoParams()
    if alarms == "ack":
        return m.ALARMS_ACK, r.AcknowledgeRequest(args.operator, args.ids)
    if alarms == "shelve":
        return m.ALARMS_SHELVE, r.ShelveRequest(args.operator, args.id, args.minutes * 60,
                                                args.reason)
    if alarms == "unshelve":
        return m.ALARMS_UNSHELVE, r.UnshelveRequest(args.operator, args.id)
    if alarms == "history":
        return m.ALARMS_HISTORY, r.AlarmHistoryRequest(args.since, args.until, args.limit)
    if args.emergency_action == "status":
        return m.EMERGENCY_STATUS, r.NoParams()
    if args.emergency_action == "select":
        return m.EMERGENCY_SELECT, r.SelectRequest(
            args.operator, args.kind, args.region, args.stage, args.mw, args.duration_s,
            args.reason)
    steps = {"operate": m.EMERGENCY_OPERATE, "approve": m.EMERGENCY_APPROVE,
             "cancel": m.EMERGENCY_CANCEL}
    return steps[args.emergency_action], r.SelectionRequest(args.operator, args.id)


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
