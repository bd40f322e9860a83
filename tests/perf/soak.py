"""``python -m tests.perf soak [--minutes N]``: the console offscreen on a devnet under load.

The console runs in a child process (so an abort in the Qt/pyqtgraph bindings — see
../shared/README.md on PySide6 6.12 — is counted as a crash instead of killing the
benchmark) on a fresh devnet with live charts, while a load generator submits transactions
to the nodes (their CPU work runs in the node processes, not in the GUI's). Prints one
JSON line::

    {"minutes", "rss_start_mb", "rss_end_mb", "rss_growth_pct", "repaints", "crashes",
     "ui_stall_p99_ms", "gc_longest_ms", "full_gc_ms", "grid_samples", "final_height"}

gc_longest_ms is the longest cyclic garbage collection, which runs on the GUI thread
(app.shell.gui_thread_gc) as in the console.

rss_start_mb is taken one minute in (or at a quarter of a shorter run), once the charts'
ring buffers and caches are warm. Targets: 0 crashes, RSS growth < 10 %.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LOAD_TX_PER_S = 50.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf soak")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.minutes)
    result = subprocess.run([sys.executable, "-m", "tests.perf", "soak", "--child",
                             "--minutes", str(args.minutes)], capture_output=True, text=True,
                            check=False, cwd=Path(__file__).resolve().parents[2])
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    figures: dict[str, Any] = json.loads(lines[-1]) if lines else {"minutes": args.minutes}
    figures["crashes"] = figures.get("crashes", 0) + (0 if result.returncode == 0 else 1)
    if result.returncode != 0:
        print(result.stderr[-2000:], file=sys.stderr)
    print(json.dumps(figures))
    return 0 if figures["crashes"] == 0 else 1


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _child(minutes: float) -> int:
    from tests.perf._qt import offscreen_app

    app = offscreen_app()
    with tempfile.TemporaryDirectory(prefix="gtx-soak-") as tmp:
        figures = _soak(app, Path(tmp), minutes)
    print(json.dumps(figures))
    return 0


def _soak(app, tmp: Path, minutes: float) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    import qasync
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QGraphicsView

    from app.shell import settings as S
    from app.shell.console import Console, RunMode
    from app.shell.gui_thread_gc import gui_thread_collection
    from app.shell.startup import ConsoleOptions
    from app.shell.theme import THEMES, apply_theme
    from node_core.api.client import NodeClient
    from tests.helpers.devnet import apply_load, free_base_port
    from tests.perf._qt import StallProbe

    figures: dict[str, Any] = {"minutes": minutes, "crashes": 0}
    repaints = [0]

    class Repaints(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                repaints[0] += 1
            return False

    app.setQuitOnLastWindowClosed(False)
    apply_theme(app, THEMES["isa101"])
    options = ConsoleOptions(data_dir=tmp / "devnet", base_port=free_base_port())
    errors: list[dict[str, Any]] = []

    async def session() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _l, c: errors.append(c))
        console = Console(options, RunMode(interactive=False, auto_login=True), THEMES["isa101"],
                          S.open_settings(tmp / "console.ini"))
        counter = Repaints()
        for view in console.window.charts.findChildren(QGraphicsView):
            view.viewport().installEventFilter(counter)
        died: list[str] = []
        console.runtime.child_died.connect(lambda name, _d: died.append(name))
        run = asyncio.ensure_future(console.run())
        while console.window.peers_label.text() != "authorities 3/3":
            await asyncio.sleep(0.1)
        layout = console.runtime.layout
        client = await NodeClient.connect(layout.node_address("EGAT"))
        probe = StallProbe()
        probe.start()
        warm_s = min(60.0, minutes * 15.0)
        load = asyncio.ensure_future(apply_load(layout, [client], LOAD_TX_PER_S, minutes * 60))
        await asyncio.sleep(warm_s)
        figures["rss_start_mb"] = round(_rss_mb(), 1)
        await load
        figures["rss_end_mb"] = round(_rss_mb(), 1)
        probe.stop()
        figures["ui_stall_p99_ms"] = round(probe.p99_ms(), 1)
        figures["final_height"] = (await client.call("status"))["height"]
        await client.close()
        figures["grid_samples"] = console.runtime.telemetry_link.samples_received
        started = time.perf_counter()
        gc.collect()  # what a full collection costs the GUI thread with the console up
        figures["full_gc_ms"] = round((time.perf_counter() - started) * 1000, 1)
        figures["child_deaths"] = len(died)
        console.leave.set()
        await run

    with gui_thread_collection(app) as collector, \
            asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:  # as run_console
        runner.run(session())
    asyncio.set_event_loop(None)
    figures["gc_longest_ms"] = round(collector.longest_ms, 1)
    figures["repaints"] = repaints[0]
    figures["loop_errors"] = len(errors)
    figures["rss_growth_pct"] = round(
        100.0 * (figures["rss_end_mb"] - figures["rss_start_mb"]) / figures["rss_start_mb"], 1)
    return figures
