"""Command-line interface: one client of node_core (the console is the other).

Each sub-command lives in its own module with a ``register(subparsers)`` function that
adds its parser and sets ``handler`` — a function ``(args) -> int`` returning the exit code.
Nothing here imports Qt: ``python main.py chain verify`` must run on a machine without a
display. With no command, ``main.py`` opens the console (``app.shell.console``, imported lazily),
driven by ``app.dev.screenshot`` instead of an operator with ``--screenshot``.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sys
from collections.abc import Sequence

from app.cli import (
    audit,
    chain,
    cloud,
    control,
    devnet,
    gov,
    gridsim,
    keys,
    node,
    operator_agent,
    roster,
    status,
)
from app.cli.console_args import add_console_arguments, check_console_arguments

_COMMAND_MODULES = (node, devnet, status, gov, control, roster, keys, chain, audit, cloud,
                    gridsim, operator_agent)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="GridTokenX Authority Console. With no command, opens the console.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    add_console_arguments(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # every file a node, the console or a command writes is its user's only
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler = getattr(args, "handler", None)
    if handler is None:
        check_console_arguments(parser, args)
        return _open_console(args)
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        return 130
    except OSError as error:  # a port, file or directory the command could not use
        print(f"error: {os_error_text(error)}", file=sys.stderr)
        return 1  # not 2 (usage): a port may be free again when a supervisor retries


def _open_console(args: argparse.Namespace) -> int:
    """The console (Qt is imported only now); ``--screenshot`` plugs the screenshot tooling
    (``app.dev.screenshot``) in to drive it instead of an operator."""
    from app.shell.console import RunMode, run_console

    if args.screenshot is None:
        return run_console(args, RunMode())
    from app.dev.screenshot import screenshot_mode

    return run_console(args, screenshot_mode(args.screenshot, args.after, args.view))


def os_error_text(error: OSError) -> str:
    """What went wrong and what to do, for the OSErrors an operator meets."""
    if error.errno == errno.EADDRINUSE:
        return (f"{error}: another program (another node, devnet or console) uses this port; "
                "stop it, or give this one other ports (node config listen addresses; "
                "devnet: --base-port)")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{error}: check the path's permissions, or choose another (e.g. --data-dir)"
    if error.errno == errno.ENOENT:
        return f"{error}: check the path"
    return f"{error}: see the log above for what was being done"


if __name__ == "__main__":
    sys.exit(main())
