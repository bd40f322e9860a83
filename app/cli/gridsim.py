"""``python main.py gridsim``: run the grid simulator in real time into the telemetry store.

Each tick steps the simulator at the wall clock, writes the sample's telemetry through a
``BufferedTelemetryStore`` (so a Bigtable outage never stalls the simulation), and hands the
``GridSample`` to every ``SampleSink`` — the seam where energy trading will plug in later.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

from node_core.config import parse_endpoint
from node_core.grid import GridEvent, GridSample, GridSimulator, parse_event
from node_core.grid.feeds import grid_attestation, live_endpoint
from node_core.telemetry import (
    BigtableEmulator,
    BigtableTelemetryStore,
    BufferedTelemetryStore,
    SqliteTelemetryStore,
    TelemetryStore,
    emulator_available,
    samples_of,
)

_log = logging.getLogger(__name__)

SampleSink = Callable[[GridSample], Awaitable[None]]
"""Receives every sample after it is stored (e.g. a future trade generator)."""

DEFAULT_DATA_DIR = Path.home() / ".gridtokenx" / "telemetry"
_STATUS_EVERY_S = 10.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``gridsim`` command."""
    parser = subparsers.add_parser("gridsim", help="run the Thai grid simulator in real time")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--rate", type=float, default=1.0, help="samples per second (default 1)")
    parser.add_argument("--store", choices=("bigtable", "sqlite"), default="bigtable",
                        help="telemetry store; bigtable falls back to sqlite without emulator")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"SQLite store and write buffer (default {DEFAULT_DATA_DIR})")
    parser.add_argument("--event", action="append", default=[], metavar="KIND@S[:ARGS]",
                        help="scripted event, e.g. generator_trip@30:1000, southern_tie@60, "
                             "load_shed@30:1:PEA:300, demand_response@30:MEA:200:900")
    parser.add_argument("--duration", type=float, default=None,
                        help="stop after this many seconds (default: run until Ctrl-C)")
    parser.add_argument("--serve", type=parse_endpoint, metavar="HOST:PORT",
                        help="serve the live sample stream and scheduling (JSON lines)")
    parser.add_argument("--nodes", type=_endpoints, default=[], metavar="HOST:PORT,...",
                        help="node client endpoints: attest each sample's grid snapshot")
    parser.add_argument("--trades", type=float, default=0.0, metavar="TX_PER_S",
                        help="energy trades per second between the devnet's prosumers")
    parser.set_defaults(handler=run)


def _endpoints(text: str) -> list[tuple[str, int]]:
    return [parse_endpoint(part) for part in text.split(",") if part]


def run(args: argparse.Namespace) -> int:
    """Handler: run until ``--duration``, SIGTERM or Ctrl-C."""
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(_serve(args))
    return 0


async def _serve(args: argparse.Namespace) -> int:
    """The simulator with its live endpoint, grid attestation and trades, as asked."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.current_task()
    assert stopping is not None
    loop.add_signal_handler(signal.SIGTERM, stopping.cancel)
    start_ms = time.time_ns() // 1_000_000
    events = [e for text in args.event for e in parse_event(text, start_ms)]
    simulator = GridSimulator(args.seed, start_ms, events)
    async with contextlib.AsyncExitStack() as stack:
        sinks = [await stack.enter_async_context(s) for s in _sink_contexts(args, simulator)]
        with contextlib.suppress(asyncio.CancelledError):
            return await simulate(args, sinks, simulator)
    return 0


SinkContext = contextlib.AbstractAsyncContextManager[SampleSink]


def _sink_contexts(args: argparse.Namespace, simulator: GridSimulator) -> list[SinkContext]:
    contexts: list[SinkContext] = []
    if args.serve:
        contexts.append(live_endpoint(args.serve, simulator))
    if args.nodes:
        contexts.append(grid_attestation(args.nodes, args.trades))
    return contexts


@contextlib.asynccontextmanager
async def open_store(kind: str, data_dir: Path) -> AsyncIterator[TelemetryStore]:
    """The backing store: Bigtable at $BIGTABLE_EMULATOR_HOST, a private emulator, or SQLite."""
    emulator: BigtableEmulator | None = None
    host = os.environ.get("BIGTABLE_EMULATOR_HOST")
    if kind == "bigtable" and host is None and emulator_available():
        emulator = BigtableEmulator()
        await asyncio.to_thread(emulator.start)
        host = emulator.host_port
        _log.info("started cbtemulator on %s", host)
    try:
        if kind == "bigtable" and host is not None:
            yield await BigtableTelemetryStore.open(emulator_host=host)
        else:
            if kind == "bigtable":
                _log.warning("no Bigtable emulator found: storing telemetry in SQLite")
            yield SqliteTelemetryStore(data_dir / "telemetry.sqlite")
    finally:
        if emulator is not None:
            await asyncio.to_thread(emulator.stop)


async def simulate(args: argparse.Namespace, sinks: Sequence[SampleSink] = (),
                   simulator: GridSimulator | None = None) -> int:
    """Step the simulator on the wall clock, store telemetry, feed ``sinks``."""
    if simulator is None:
        start_ms = time.time_ns() // 1_000_000
        events: list[GridEvent] = [e for text in args.event for e in parse_event(text, start_ms)]
        simulator = GridSimulator(args.seed, start_ms, events)
    async with open_store(args.store, args.data_dir) as backing:
        store = BufferedTelemetryStore(backing, args.data_dir / "telemetry-buffer.sqlite")
        try:
            await _tick(simulator, store, sinks, 1.0 / args.rate, args.duration)
        finally:
            await store.flush(timeout_s=5.0)
            await store.close()
    return 0


async def _tick(simulator: GridSimulator, store: BufferedTelemetryStore,
                sinks: Sequence[SampleSink], period_s: float, duration_s: float | None) -> None:
    loop = asyncio.get_running_loop()
    began = next_tick = last_status = loop.time()
    while duration_s is None or loop.time() - began < duration_s:
        sample = simulator.step(time.time_ns() // 1_000_000)
        await store.write(samples_of(sample))
        for sink in sinks:
            await sink(sample)
        if loop.time() - last_status >= _STATUS_EVERY_S:
            last_status = loop.time()
            _log.info("f=%.3f Hz load=%.0f MW south=%s store=%s", sample.frequency_hz,
                      sample.total_load_mw, sample.south_state, store.state.label)
        next_tick += period_s
        await asyncio.sleep(max(0.0, next_tick - loop.time()))
