"""``main.py status`` and ``main.py tx send``: talk to a running node's client endpoint."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from app.cli.node_access import add_endpoint_arguments, address_of, call_node
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.wire import ClientError
from node_core.devnet.layout import prosumer_signer
from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.keys import (
    Signer,
)
from node_core.ledger.transactions import (
    EnergyTrade,
    Transaction,
    Transfer,
    encode_transaction,
    sign_transaction,
)
from node_core.ledger.types import REGIONS, Address
from node_core.signers.file import FileSigner


def register(subparsers: Any) -> None:
    status = subparsers.add_parser("status", help="a node's height, tip, round, peers, mempool")
    add_endpoint_arguments(status)
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(handler=_status)
    tx = subparsers.add_parser("tx", help="send transactions to a node")
    actions = tx.add_subparsers(dest="tx_action", metavar="ACTION", required=True)
    send = actions.add_parser("send", help="sign and submit a transfer or an energy trade")
    add_endpoint_arguments(send)
    send.add_argument("kind", choices=("transfer", "trade"))
    send.add_argument("--to", help="transfer recipient address, or the trade's seller")
    send.add_argument("--amount", type=int, help="transfer amount, satang")
    send.add_argument("--energy-wh", type=int, help="trade energy, Wh")
    send.add_argument("--price", type=int, help="trade price, satang per kWh")
    send.add_argument("--region", default="MEA", choices=REGIONS)
    key = send.add_mutually_exclusive_group(required=True)
    key.add_argument("--prosumer", type=int, help="sign as devnet prosumer N (devnet only)")
    key.add_argument("--key-file", type=Path, help="encrypted PKCS#8 key (development only)")
    send.add_argument("--passphrase-env", default="GRIDTOKENX_KEY_PASSPHRASE")
    send.add_argument("--json", action="store_true")
    send.set_defaults(handler=_send)


def _status(args: argparse.Namespace) -> int:
    try:
        status = asyncio.run(call_node(address_of(args), m.STATUS, r.NoParams()))
    except (GridTokenXError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(status))
        return 0
    peers = sum(1 for p in status["peers"] if p["connected"])
    print(f"{status['authority']}  height {status['height']}  tip {status['tip'][:16]}…  "
          f"round {status['round']} (proposer {status['proposer']})  "
          f"peers {peers}/{len(status['peers'])}  mempool {status['mempool']}  "
          f"consensus_health {status['consensus_health']}")
    return 0


def _send(args: argparse.Namespace) -> int:
    try:
        signer = _signer(args)
        endpoint = address_of(args)
        status = asyncio.run(call_node(endpoint, m.STATUS, r.NoParams()))
        account = asyncio.run(call_node(endpoint, m.ACCOUNT, r.AccountRequest(signer.address)))
        tx = sign_transaction(Transaction(status["chain_id"], account["nonce"],
                                          signer.public_key, _payload(args, signer)), signer)
        answer = asyncio.run(call_node(endpoint, m.SUBMIT,
                                       r.SubmitRequest([encode_transaction(tx).hex()])))
    except (GridTokenXError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = answer["results"][0]
    print(json.dumps(result) if args.json else
          (f"submitted {result['hash']}" if result["ok"] else f"rejected: {result['error']}"))
    return 0 if result["ok"] else 1


def _signer(args: argparse.Namespace) -> Signer:
    if args.prosumer is not None:
        return prosumer_signer(args.prosumer)
    passphrase = os.environ.get(args.passphrase_env)
    if passphrase is None:
        raise ClientError("MissingPassphrase", f"set {args.passphrase_env} to the key passphrase")
    return FileSigner.load(args.key_file, passphrase, allow_file_signer=True)


def _payload(args: argparse.Namespace, signer: Signer) -> Transfer | EnergyTrade:
    if args.to is None:
        raise ValueError("--to is required")
    if args.kind == "transfer":
        if args.amount is None:
            raise ValueError("transfer needs --amount (satang)")
        return Transfer(Address(args.to), args.amount)
    if args.energy_wh is None or args.price is None:
        raise ValueError("trade needs --energy-wh and --price (satang per kWh)")
    return EnergyTrade(Address(args.to), signer.address, args.energy_wh, args.price, args.region)

