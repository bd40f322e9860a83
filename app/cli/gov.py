"""``main.py gov list|show|propose|vote``: governance through a node's client endpoint.

``propose`` and ``vote`` are signed by that node's authority key (its HSM token), exactly as
when the console does it; errors name the rule broken (e.g. ``VotingClosed``). Both name the
operator who makes them (``--operator``, logged in with the token PIN as for ``emergency``);
the node checks the role and records the proposal or vote in its audit trail.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.cli.node_access import add_endpoint_arguments, add_operator_arguments, run_signed
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.ledger.exceptions import GridTokenXError

ACTIONS = ("add_authority", "remove_authority", "parameter_change", "signal")


def register(subparsers: Any) -> None:
    gov = subparsers.add_parser("gov", help="governance: list, show, propose, vote")
    actions = gov.add_subparsers(dest="gov_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="all proposals, newest first")
    show = actions.add_parser("show", help="one proposal with votes and signatures")
    show.add_argument("id", type=int)
    propose = actions.add_parser("propose", help="propose (signed by the node's authority)")
    propose.add_argument("action", choices=ACTIONS)
    propose.add_argument("--title", required=True)
    propose.add_argument("--description", default="")
    propose.add_argument("--voting-period", type=int, default=100, help="blocks")
    propose.add_argument("--authority-name", default="")
    propose.add_argument("--authority-public-key", default="", help="hex, 65-byte point")
    propose.add_argument("--authority-address", default="")
    propose.add_argument("--parameter", default="")
    propose.add_argument("--value", type=int, default=0)
    vote = actions.add_parser("vote", help="vote (signed by the node's authority)")
    vote.add_argument("id", type=int)
    vote.add_argument("choice", choices=("yes", "no", "abstain"))
    for signed in (propose, vote):
        add_operator_arguments(signed, required=True)
    for parser in (listing, show, propose, vote):
        add_endpoint_arguments(parser)
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        method, request = _request(args)
        result = run_signed(args, method, request)
    except (GridTokenXError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else _text(args.gov_action, result))
    return 0


def _request(args: argparse.Namespace) -> tuple[m.Method[Any, Any], object]:
    if args.gov_action == "list":
        return m.GOV_LIST, r.NoParams()
    if args.gov_action == "show":
        return m.GOV_SHOW, r.ProposalIdRequest(args.id)
    if args.gov_action == "vote":
        return m.GOV_VOTE, r.VoteRequest(args.id, args.choice)
    return m.GOV_PROPOSE, r.ProposalRequest(
        action=args.action, title=args.title,
        description=args.description, voting_period=args.voting_period,
        authority_name=args.authority_name, authority_public_key=args.authority_public_key,
        authority_address=args.authority_address, parameter=args.parameter, value=args.value)


def _text(action: str, result: Any) -> str:
    if action == "list":
        return "\n".join(_line(p) for p in result) or "no proposals"
    if action == "show":
        votes = "\n".join(f"  {v['name'] or v['authority']}: {v['choice']}  signature "
                          f"{'verified' if v.get('signature_valid') else 'NOT VERIFIED'}"
                          for v in result["votes"])
        return f"{_line(result)}\n  {result['description']}\n{votes}"
    return f"submitted {result['tx_hash']}"


def _line(p: dict[str, Any]) -> str:
    tally = p["tally"]
    return (f"#{p['id']} [{p['status']}] {p['action']} \"{p['title']}\" by {p['proposer_name']}"
            f" — yes {tally['yes']} no {tally['no']} abstain {tally['abstain']} "
            f"(quorum {p['quorum']}), deadline block {p['deadline_height']}")
