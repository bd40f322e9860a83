"""How the command line reaches a node and who it speaks as.

* **The endpoint and its credential.** ``--config NODE.toml`` names both (the node's client
  endpoint and the ``node.cookie`` in its data directory); or ``--endpoint HOST:PORT`` with
  ``--cookie FILE``; the default is the README's devnet EGAT.
* **The operator.** A command that changes something is signed with the operator's own key,
  on their own token: ``--operator NAME`` (their roster name; the token and key are labelled
  NAME unless ``--token-label`` / ``--key-label`` say otherwise) and the PIN from the
  variable ``--pin-env`` names, else prompted without echo. The PIN never leaves this process.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
from pathlib import Path
from typing import Final

from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.client import NodeAddress, NodeClient
from node_core.api.methods import Ans, Req
from node_core.api.signed_requests import RequestSigner
from node_core.devnet.layout import DevnetLayout
from node_core.ledger.keys import Signer
from node_core.ledger.types import Address
from node_core.node.config import load_node_config, parse_endpoint
from node_core.signers.pkcs11 import Pkcs11Signer
from node_core.signers.softhsm import activate_config, find_softhsm_module

README_DEVNET: Final = DevnetLayout(Path("devnet-data"))
"""The devnet ``make run`` starts: the commands' default node is its EGAT."""
DEFAULT_AUTHORITY: Final = "EGAT"
OPERATOR_PIN_ENV: Final = "GRIDTOKENX_OPERATOR_PIN"


def add_endpoint_arguments(parser: argparse.ArgumentParser) -> None:
    default = README_DEVNET.node_address(DEFAULT_AUTHORITY)
    parser.add_argument("--config", type=Path, help="the node's configuration: its endpoint "
                        "and credential")
    parser.add_argument("--endpoint", help=f"node client endpoint host:port (default {default},"
                        f" the devnet's {DEFAULT_AUTHORITY})")
    parser.add_argument("--cookie", type=Path, help="the node's credential file (default: "
                        f"{default.cookie_file})")


def address_of(args: argparse.Namespace) -> NodeAddress:
    """The node the command talks to (see the module docstring)."""
    if args.config is not None:
        return load_node_config(args.config).address
    default = README_DEVNET.node_address(DEFAULT_AUTHORITY)
    host, port = parse_endpoint(args.endpoint) if args.endpoint else (default.host,
                                                                      default.port)
    return NodeAddress(host, port, args.cookie or default.cookie_file)


def add_operator_arguments(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_argument_group("the operator (their own token)")
    group.add_argument("--operator", required=required, metavar="NAME",
                       help="your roster name; signs with the key on your own token")
    group.add_argument("--token-label", help="your token's label (default: NAME)")
    group.add_argument("--key-label", help="your key's label (default: NAME)")
    group.add_argument("--pin-env", default=OPERATOR_PIN_ENV,
                       help=f"variable holding your token's PIN (default {OPERATOR_PIN_ENV}; "
                       "prompted for when not set)")
    group.add_argument("--module", help="PKCS#11 library (default: the node's, else SoftHSM2)")


def operator_token(args: argparse.Namespace) -> tuple[str, str, str, str]:
    """(PKCS#11 library, token label, key label, PIN) of ``--operator``'s own token."""
    module = args.module or _node_module(args)
    pin = os.environ.get(args.pin_env) or getpass.getpass(f"PIN of {args.operator}'s token: ")
    return module, args.token_label or args.operator, args.key_label or args.operator, pin


def open_operator(args: argparse.Namespace) -> Pkcs11Signer:
    """Log in to the operator's own token (a real PKCS#11 login with their PIN)."""
    return Pkcs11Signer.open(*operator_token(args))


def _node_module(args: argparse.Namespace) -> str:
    """The node's PKCS#11 library (and SoftHSM2 token directory, on a devnet)."""
    if getattr(args, "config", None) is not None:
        signer = load_node_config(args.config).signer
        if signer.softhsm_conf is not None:
            activate_config(signer.softhsm_conf)
        if signer.module:
            return signer.module
    elif "SOFTHSM2_CONF" not in os.environ and README_DEVNET.softhsm_conf.exists():
        activate_config(README_DEVNET.softhsm_conf)
    return find_softhsm_module()


async def call_node(address: NodeAddress, method: m.Method[Req, Ans], request: Req,
                    operator: Signer | None = None) -> Ans:
    """One typed request over a connection of its own, signed by ``operator`` when the
    method asks for it."""
    client = await NodeClient.connect(address)
    try:
        signer = await bound_signer(client, operator) if operator is not None else None
        return await client.request(method, request, signer=signer)
    finally:
        await client.close()


async def bound_signer(client: NodeClient, operator: Signer) -> RequestSigner:
    """The operator's key bound to the chain and authority of the node ``client`` talks to."""
    status = await client.request(m.STATUS, r.NoParams())
    return RequestSigner(operator, status["chain_id"], Address(status["address"]))


def run_signed(args: argparse.Namespace, method: m.Method[Req, Ans], request: Req) -> Ans:
    """``call_node`` for a command: the operator's token opened for it and closed after."""
    operator = open_operator(args) if method.roles else None
    try:
        return asyncio.run(call_node(address_of(args), method, request, operator))
    finally:
        if operator is not None:
            operator.close()

