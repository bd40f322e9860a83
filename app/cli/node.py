"""``main.py node --config FILE``: run one headless authority node until SIGTERM/SIGINT.

Once the node has started, everything alive (the imported modules, the genesis, the opened
store: several hundred thousand objects) is frozen (``gc.freeze``) and never traversed by the
cyclic garbage collector again. A full collection then scans only what the node made since,
instead of holding the loop ~80 ms while a large submission is admitted
(``python -m tests.perf endpoint``); the console's GUI thread does the same
(``app/shell/gui_thread_gc.py``)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys
from pathlib import Path
from typing import Any

from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.genesis import load_genesis
from node_core.node.authority_node import AuthorityNode
from node_core.node.config import load_node_config, open_signer


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("node", help="run one headless authority node")
    parser.add_argument("--config", type=Path, required=True, help="node TOML file")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_serve(args.config))
    except GridTokenXError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


async def _serve(config_path: Path) -> int:
    config = load_node_config(config_path)
    signer = open_signer(config.signer, reload_if_missing=True)
    node = AuthorityNode(config, load_genesis(config.genesis), signer)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await node.start()
    gc.freeze()  # see the module docstring
    try:
        await stop.wait()
    finally:
        await node.stop()
        close = getattr(signer, "close", None)
        if close is not None:
            close()
    return 0
