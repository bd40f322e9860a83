"""Top-level options of ``main.py`` used when no command is given (the console).

No Qt here: ``app.console`` is imported only when the console actually starts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

AUTHORITIES = ("EGAT", "MEA", "PEA")


def add_console_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the console's options to the top-level parser."""
    group = parser.add_argument_group("console (no command)")
    group.add_argument("--authority", choices=AUTHORITIES, default="EGAT",
                       help="this console's authority on the devnet (default EGAT)")
    group.add_argument("--config", type=Path, metavar="FILE",
                       help="node TOML config of a configured network (instead of the devnet)")
    group.add_argument("--data-dir", type=Path, default=Path("devnet-data"), metavar="DIR",
                       help="devnet directory (default devnet-data)")
    group.add_argument("--screenshot", type=Path, metavar="PATH",
                       help="start, wait --after seconds once started, save a PNG, exit")
    group.add_argument("--after", type=float, default=5.0, metavar="SECONDS",
                       help="seconds after start-up before --screenshot (default 5)")
    group.add_argument("--settings", type=Path, metavar="INI",
                       help="keep window settings in this INI file (default: the user's)")
    group.add_argument("--theme", choices=("isa101", "light"),
                       help="colour theme (default: the saved one, else isa101)")
    group.add_argument("--language", choices=("th", "en"),
                       help="th (Thai) or en (English) for this run (default: the saved one, "
                            "else the system locale)")
