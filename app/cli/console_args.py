"""Top-level options of ``main.py`` used when no command is given (the console).

No Qt here: ``app.shell.console`` is imported only when the console actually starts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from node_core.devnet.layout import AUTHORITIES

VIEWS = ("node", "explorer", "telemetry", "governance", "alarms", "emergency", "trading",
         "timeline", "login", "approval", "executed", "window")
"""``--view`` names: the docks (Ctrl+1..8, in that order); the operator's login dialog, the
supervisor's approval dialog and the emergency dock once the approved action is executed
(the two-person drill); the whole window."""


def add_console_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the console's options to the top-level parser."""
    group = parser.add_argument_group("console (no command)")
    group.add_argument("--authority", choices=AUTHORITIES, default="EGAT",
                       help="this console's authority on the devnet (default EGAT)")
    group.add_argument("--config", type=Path, metavar="FILE",
                       help="node TOML config of a configured network (instead of the devnet)")
    group.add_argument("--data-dir", type=Path, default=Path("devnet-data"), metavar="DIR",
                       help="devnet directory (default devnet-data)")
    group.add_argument("--profile", type=Path, metavar="FILE",
                       help="gcp profile for the devnet: its nodes, grid simulator and console "
                            "use the estate it names (telemetry to its [bigtable] instance); "
                            "with --config the node's [cloud] profile is used instead")
    group.add_argument("--base-port", type=int, metavar="PORT",
                       help="devnet ports from PORT+1 (default 30300; another devnet, a test)")
    group.add_argument("--screenshot", type=Path, metavar="PATH",
                       help="start, wait --after seconds once started, save a PNG, exit")
    group.add_argument("--after", type=float, default=5.0, metavar="SECONDS",
                       help="seconds after start-up before --screenshot (default 5)")
    group.add_argument("--view", type=_view_list, default=(), metavar="NAME[,NAME...]",
                       help="with --screenshot: save these views instead of the whole window "
                            f"({', '.join(VIEWS)}, or all; several need {{view}} in PATH). "
                            "On the devnet a scripted incident fills them first")
    group.add_argument("--settings", type=Path, metavar="INI",
                       help="keep window settings in this INI file (default: the user's)")
    group.add_argument("--theme", choices=("isa101", "light"),
                       help="colour theme (default: the saved one, else isa101)")
    group.add_argument("--language", choices=("th", "en"),
                       help="th (Thai) or en (English) for this run (default: the saved one, "
                            "else the system locale)")


def _view_list(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in (*VIEWS, "all")]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown view {', '.join(unknown) or repr(text)}; choose from "
            f"{', '.join(VIEWS)} or all")
    return names


def check_console_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Combinations argparse cannot check; exits with a usage error naming the fix."""
    if getattr(args, "profile", None) is not None and args.config is not None:
        parser.error("--profile is for the devnet; a configured node names its gcp profile "
                     "in its TOML ([cloud] profile)")
    views = getattr(args, "view", ())
    if views and args.screenshot is None:
        parser.error("--view needs --screenshot PATH (where to save the view)")
    several = len(views) > 1 or "all" in views
    if several and "{view}" not in str(args.screenshot):
        parser.error("several views need {view} in the --screenshot path, "
                     "e.g. --screenshot docs/view-{view}.png")
