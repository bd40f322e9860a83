"""``main.py operators ...`` and ``main.py roster ...``: operators' own keys, and the roster.

* ``operators init NAME`` generates a person's P-256 key on their own token (a smart card or
  HSM token of theirs: ``--token-label``, default NAME; SoftHSM2 on the devnet) and prints the
  public key their security administrator adds to the roster; ``operators show NAME`` prints
  it again. The key never leaves the token.
* ``operators list`` shows this authority's roster as the node's tip has it.
* ``roster add NAME ROLE --public-key HEX`` and ``roster remove NAME ROLE`` are requested by a
  security administrator (``--operator``, their own token), who endorses the change with their
  key; the node signs the transaction with its authority key, and every authority checks the
  endorsement against the roster before the change is final.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from app.cli.node_access import (
    add_endpoint_arguments,
    add_operator_arguments,
    address_of,
    bound_signer,
    open_operator,
    operator_token,
    run_signed,
)
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.client import NodeClient
from node_core.api.endorsing import roster_change_request
from node_core.clock import now_ms
from node_core.ledger.exceptions import GridTokenXError, KeyNotFound, SignerError
from node_core.ledger.keys import parse_public_key
from node_core.ledger.roster import Role, RosterAction
from node_core.signers.pkcs11 import Pkcs11Signer

ROLES = [role.text for role in Role]


class KeyExists(SignerError):
    """The person's token already holds a key of that label."""


def register(subparsers: Any) -> None:
    operators = subparsers.add_parser("operators", help="operators' own keys and the roster")
    actions = operators.add_subparsers(dest="operators_action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="generate a person's key on their own token")
    show = actions.add_parser("show", help="print a person's public key")
    for parser in (init, show):
        add_operator_arguments(parser, required=False)
        parser.add_argument("name", help="the person's roster name (their token's label)")
        parser.add_argument("--json", action="store_true")
        parser.set_defaults(handler=_run_key)
    init.add_argument("--replace", action="store_true", help="replace a key already there")
    listing = actions.add_parser("list", help="this authority's roster at the node's tip")
    add_endpoint_arguments(listing)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_run_list)
    roster = subparsers.add_parser("roster", help="change the roster (security administrator)")
    changes = roster.add_subparsers(dest="roster_action", metavar="ACTION", required=True)
    for name, text in (("add", "add a member"), ("remove", "remove a member")):
        change = changes.add_parser(name, help=text)
        change.add_argument("name")
        change.add_argument("role", choices=ROLES)
        if name == "add":
            change.add_argument("--public-key", required=True, help="hex, from operators init")
        add_endpoint_arguments(change)
        add_operator_arguments(change, required=True)
        change.add_argument("--json", action="store_true")
        change.set_defaults(handler=_run_change)


def _run_key(args: argparse.Namespace) -> int:
    args.operator = args.operator or args.name
    try:
        signer = _generated(args) if args.operators_action == "init" else open_operator(args)
    except GridTokenXError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with signer:
        identity = {"name": args.name, "address": signer.address,
                    "public_key": bytes(signer.public_key).hex()}
    print(json.dumps(identity) if args.json else
          f"{args.name}  {identity['address']}\npublic key {identity['public_key']}")
    return 0


def _generated(args: argparse.Namespace) -> Pkcs11Signer:
    token = operator_token(args)
    if not args.replace:
        try:
            Pkcs11Signer.open(*token).close()
        except KeyNotFound:
            pass
        else:
            raise KeyExists(f"{args.name}'s token already holds key {token[2]!r}; pass "
                            "--replace to make a new one (then the old one leaves the roster)")
    return Pkcs11Signer.generate(*token)


def _run_list(args: argparse.Namespace) -> int:
    try:
        members = run_signed(args, m.ROSTER, r.NoParams())
    except GridTokenXError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(members) if args.json else "\n".join(
        f"{member['name']:<16} {member['role']:<15} {member['address']}" for member in members))
    return 0


def _run_change(args: argparse.Namespace) -> int:
    action = RosterAction[args.roster_action.upper()]
    try:
        key = bytes(parse_public_key(bytes.fromhex(args.public_key))) if action == \
            RosterAction.ADD else b""
        result = _request_change(args, action, key)
    except (GridTokenXError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else f"submitted {result['tx_hash']}")
    return 0


def _request_change(args: argparse.Namespace, action: RosterAction,
                    key: bytes) -> Any:
    operator = open_operator(args)

    async def request() -> Any:
        client = await NodeClient.connect(address_of(args))
        try:
            signer = await bound_signer(client, operator)
            change = roster_change_request(signer, action, args.name, Role.of(args.role), key,
                                           now_ms())
            return await client.request(m.ROSTER_CHANGE, change, signer=signer)
        finally:
            await client.close()
    try:
        return asyncio.run(request())
    finally:
        operator.close()
