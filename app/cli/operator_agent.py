"""``main.py operator-agent``: a person's token held open for the console (ssh-agent-like).

Not for typing at a shell: the console starts it (:func:`agent_command`) and talks to it over
its stdin and stdout in the protocol of :mod:`node_core.signers.agent` — the PIN arrives on
stdin, never in the arguments or the environment. It exits when its stdin closes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from node_core.node.process import main_command
from node_core.signers.agent import serve
from node_core.signers.softhsm import activate_config

COMMAND = "operator-agent"


def agent_command(module: str, softhsm_conf: Path | None) -> list[str]:
    """The command line of an agent on PKCS#11 library ``module`` (a devnet: SoftHSM2 with
    the token directory of ``softhsm_conf``)."""
    conf = ["--softhsm-conf", str(softhsm_conf)] if softhsm_conf is not None else []
    return main_command(COMMAND, "--module", module, *conf)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        COMMAND, help="hold a person's token open for the console (started by the console)")
    parser.add_argument("--module", required=True, help="the PKCS#11 library")
    parser.add_argument("--softhsm-conf", type=Path,
                        help="SoftHSM2 configuration (devnet token directory)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    if args.softhsm_conf is not None:
        activate_config(args.softhsm_conf)  # before the module loads, in this fresh process
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print cannot break a message
    with answers:
        return serve(args.module, sys.stdin.buffer, answers)
