"""``main.py chain verify``: re-check a node's stored chain from genesis."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from node_core.ledger.exceptions import GridTokenXError
from node_core.node.chain_verify import verify_chain
from node_core.node.store import STORE_FILENAME, BlockStore


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chain = subparsers.add_parser("chain", help="inspect and verify a node's stored chain")
    actions = chain.add_subparsers(dest="chain_command", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="re-check the whole chain from genesis")
    verify.add_argument("--data-dir", type=Path, required=True,
                        help=f"node data directory (holds {STORE_FILENAME})")
    verify.set_defaults(handler=_verify)


def _verify(args: argparse.Namespace) -> int:
    path = args.data_dir / STORE_FILENAME
    try:
        with BlockStore.open_existing(path, check_tip=False) as store:
            result = verify_chain(store)
    except GridTokenXError as error:
        print(f"FAIL {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"OK height {result.height} tip {result.tip}")
    return 0
