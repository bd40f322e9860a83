"""``main.py devnet``: the one-command local network of three authorities.

``devnet --headless [--duration S] [--data-dir DIR] [--load TX_PER_S]`` creates the devnet the
first time (token, keys, genesis, configs), starts EGAT, MEA and PEA as processes plus a load
generator, runs until Ctrl-C or the duration, stops everything, and prints one JSON line of
figures last.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any

from node_core.devnet.layout import DevnetLayout, generate_devnet_keys, prepare_devnet
from node_core.devnet.run import run_devnet
from node_core.ledger.exceptions import GridTokenXError
from node_core.signers.softhsm import activate_config

DEFAULT_DATA_DIR = Path("devnet-data")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("devnet", help="run the local three-authority devnet")
    parser.add_argument("--headless", action="store_true",
                        help="no console: nodes and load only (the console is the default)")
    parser.add_argument("--duration", type=float, help="seconds to run (default: until Ctrl-C)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--load", type=float, default=0.0, metavar="TX_PER_S",
                        help="signed energy trades per second from simulated prosumers")
    parser.add_argument("--base-port", type=int, default=DevnetLayout(DEFAULT_DATA_DIR).base_port)
    parser.set_defaults(handler=_run)
    keys = subparsers.add_parser("devnet-keys", help=argparse.SUPPRESS)
    keys.add_argument("--softhsm-conf", type=Path, required=True)
    keys.add_argument("labels", nargs="+")
    keys.set_defaults(handler=_run_keys)


def _run_keys(args: argparse.Namespace) -> int:
    """(Internal: ``prepare_devnet``'s child.) A key per label on its devnet token."""
    activate_config(args.softhsm_conf)
    try:
        print(json.dumps(generate_devnet_keys(args.labels)))
    except GridTokenXError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _run(args: argparse.Namespace) -> int:
    layout = DevnetLayout(args.data_dir.resolve(), base_port=args.base_port)
    try:
        prepare_devnet(layout)
        figures = asyncio.run(_main(layout, args.duration, args.load))
    except GridTokenXError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(figures))
    return 0 if figures["forks"] == 0 else 1


async def _main(layout: DevnetLayout, duration: float | None, load: float) -> dict[str, Any]:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if duration is not None:
        loop.call_later(duration, stop.set)
    return await run_devnet(layout, stop, load=load)
