"""``python main.py gridsim``: run the grid simulator in real time into the telemetry store.

Each tick steps the simulator at the wall clock, writes the sample's telemetry (GridMetrics of
``--authority``'s grid feed) through a ``BufferedTelemetryStore`` (so a Bigtable outage never
stalls the simulation), and hands the ``GridSample`` to every ``SampleSink`` (live stream,
grid attestation and prosumer trades). The store is ``node_core.telemetry.target``'s choice:
the ``--profile``'s Bigtable, else ``$BIGTABLE_EMULATOR_HOST``, else SQLite in ``--data-dir``
(pruned to the default retention at start).

With ``--nodes`` the simulator also follows the chain (:mod:`node_core.grid.chain_orders`):
load-shedding and demand-response orders that become final are applied to the simulated grid
once each, in their region, and logged (``final order applied: ...``).

Stopping: SIGTERM (or Ctrl-C) cancels the run; samples still buffered stay on disk for the
next run after a short flush. The process is gone within ``SHUTDOWN_GRACE_S`` whatever hangs
(e.g. a Bigtable client retrying against an emulator that died with the nodes): a watchdog
thread ends it then.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Final

from node_core.api.client import NodeAddress
from node_core.api.wire import cookie_path
from node_core.clock import now_ms
from node_core.cloud.profile import load_gcp_profile
from node_core.devnet.layout import FEED_PIN_ENV, GRID_FEED
from node_core.grid import GridEvent, GridSample, GridSimulator, parse_event
from node_core.grid.chain_orders import follow_chain_orders
from node_core.grid.feeds import grid_attestation, live_endpoint
from node_core.grid.orders import OrderLedger
from node_core.ledger.exceptions import GridTokenXError, SignerError
from node_core.node.config import load_node_config, parse_endpoint
from node_core.signers.pkcs11 import Pkcs11Signer, pin_from_environment
from node_core.signers.softhsm import find_softhsm_module
from node_core.telemetry import (
    BufferedTelemetryStore,
    InvalidSeries,
    SqliteTarget,
    SqliteTelemetryStore,
    TelemetryStore,
    open_store,
    samples_of,
    system_frequency,
    telemetry_target,
)
from node_core.telemetry.target import SQLITE_FILENAME

_log = logging.getLogger(__name__)

SampleSink = Callable[[GridSample], Awaitable[None]]
"""Receives every sample after it is stored (e.g. a future trade generator)."""

DEFAULT_DATA_DIR = Path.home() / ".gridtokenx" / "telemetry"
_STATUS_EVERY_S = 10.0
SHUTDOWN_GRACE_S: Final = 3.0
"""After SIGTERM the process exits within this long, cleanly or not."""
_FLUSH_ON_STOP_S: Final = 1.5


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``gridsim`` command."""
    parser = subparsers.add_parser("gridsim", help="run the Thai grid simulator in real time")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--rate", type=float, default=1.0, help="samples per second (default 1)")
    parser.add_argument("--authority", type=_authority, default="EGAT",
                        help="the authority whose grid feed this is (first in its row keys; "
                             "default EGAT)")
    parser.add_argument("--profile", type=Path, metavar="FILE",
                        help="gcp profile: telemetry to its [bigtable] instance (default: "
                             "$BIGTABLE_EMULATOR_HOST, else SQLite in --data-dir)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"SQLite store and write buffer (default {DEFAULT_DATA_DIR})")
    parser.add_argument("--event", action="append", default=[], metavar="KIND@S[:ARGS]",
                        help="scripted event, e.g. generator_trip@30:1000, southern_tie@60, "
                             "load_shed@30:1:PEA:300, demand_response@30:MEA:200:900")
    parser.add_argument("--duration", type=float, default=None,
                        help="stop after this many seconds (default: run until Ctrl-C)")
    parser.add_argument("--serve", type=parse_endpoint, metavar="HOST:PORT",
                        help="serve the live sample stream and scheduling (JSON lines; its "
                             "credential is node.cookie in --data-dir)")
    parser.add_argument("--nodes", type=_node_addresses, default=[], metavar="NODE.toml,...",
                        help="the nodes' configuration files: attest each sample's grid "
                             "snapshot to their endpoints, follow their final orders")
    feed = parser.add_argument_group("the grid feed's own key (a grid_feed on the roster)")
    feed.add_argument("--feed-token", default=GRID_FEED, help=f"token label ({GRID_FEED})")
    feed.add_argument("--feed-key", default=GRID_FEED, help=f"key label ({GRID_FEED})")
    feed.add_argument("--feed-pin-env", default=FEED_PIN_ENV,
                      help=f"variable holding the token's PIN ({FEED_PIN_ENV})")
    feed.add_argument("--module", help="PKCS#11 library (default: SoftHSM2)")
    parser.add_argument("--trades", type=float, default=0.0, metavar="TX_PER_S",
                        help="energy trades per second between the devnet's prosumers")
    parser.set_defaults(handler=run)


def _node_addresses(text: str) -> list[NodeAddress]:
    try:
        return [load_node_config(Path(part)).address for part in text.split(",") if part]
    except GridTokenXError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _feed_signer(args: argparse.Namespace) -> Pkcs11Signer:
    """The grid feed's key on its own token (its PIN from ``--feed-pin-env``)."""
    module = args.module or find_softhsm_module()
    return Pkcs11Signer.open(module, args.feed_token, args.feed_key,
                             pin_from_environment(args.feed_pin_env))


def _authority(name: str) -> str:
    try:
        system_frequency(name)
    except InvalidSeries as error:
        raise argparse.ArgumentTypeError(f"authority {error}") from None
    return name


def run(args: argparse.Namespace) -> int:
    """Handler: run until ``--duration``, SIGTERM or Ctrl-C (see the module docstring)."""
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(_serve(args))
    except SignerError as error:  # the feed's token: restarting cannot help
        print(f"error: the grid feed's key: {error}", file=sys.stderr)
        return 2
    return 0


async def _serve(args: argparse.Namespace) -> int:
    """The simulator with its live endpoint, grid attestation, trades and chain orders."""
    loop = asyncio.get_running_loop()
    main_task = asyncio.current_task()
    assert main_task is not None
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _on_stop_signal, main_task)
    start_ms = now_ms()
    events = [e for text in args.event for e in parse_event(text, start_ms)]
    simulator = GridSimulator(args.seed, start_ms, events)
    ledger = OrderLedger(start_ms)
    async with contextlib.AsyncExitStack() as stack:
        if args.nodes:
            await stack.enter_async_context(follow_chain_orders(args.nodes, simulator, ledger))
        sinks = [await stack.enter_async_context(s)
                 for s in _sink_contexts(args, simulator, ledger)]
        with contextlib.suppress(asyncio.CancelledError):
            return await simulate(args, sinks, simulator, SHUTDOWN_GRACE_S)
    return 0


def _on_stop_signal(main_task: asyncio.Task[int]) -> None:
    _log.info("stopping")
    _exit_after(SHUTDOWN_GRACE_S)
    main_task.cancel()


def _exit_after(grace_s: float) -> None:
    """End the process in ``grace_s`` if the clean shutdown has not (a last resort: a task
    that will not finish being cancelled keeps ``asyncio.run`` from returning)."""
    def force() -> None:
        _log.warning("shutdown did not finish in %.0f s: exiting now", grace_s)
        logging.shutdown()
        os._exit(0)

    timer = threading.Timer(grace_s, force)
    timer.daemon = True
    timer.start()


SinkContext = contextlib.AbstractAsyncContextManager[SampleSink]


def _sink_contexts(args: argparse.Namespace, simulator: GridSimulator,
                   ledger: OrderLedger | None = None) -> list[SinkContext]:
    contexts: list[SinkContext] = []
    if args.serve:
        host, port = args.serve
        address = NodeAddress(host, port, cookie_path(args.data_dir))
        contexts.append(live_endpoint(address, simulator, ledger))
    if args.nodes:
        contexts.append(grid_attestation(args.nodes, _feed_signer(args), args.trades))
    return contexts


async def backing_store(args: argparse.Namespace) -> TelemetryStore:
    """The store of the profile, ``$BIGTABLE_EMULATOR_HOST`` or SQLite (module docstring)."""
    configured = None if args.profile is None else load_gcp_profile(args.profile).bigtable_target
    target = telemetry_target(configured, os.environ, args.data_dir / SQLITE_FILENAME)
    assert target is not None
    store = await open_store(target)
    if isinstance(target, SqliteTarget) and isinstance(store, SqliteTelemetryStore):
        pruned = await store.prune(target.retention, now_ms())
        _log.info("pruned %d samples older than the retention from %s", pruned, target.path)
    _log.info("telemetry of %s's grid feed to %s", args.authority, target.describe())
    return store


async def simulate(args: argparse.Namespace, sinks: Sequence[SampleSink] = (),
                   simulator: GridSimulator | None = None,
                   exit_deadline_s: float | None = None) -> int:
    """Step the simulator on the wall clock, store telemetry, feed ``sinks``; with
    ``exit_deadline_s``, the process ends that long after the run ends, cleanly or not."""
    if simulator is None:
        start_ms = now_ms()
        events: list[GridEvent] = [e for text in args.event for e in parse_event(text, start_ms)]
        simulator = GridSimulator(args.seed, start_ms, events)
    store = BufferedTelemetryStore(await backing_store(args),
                                   args.data_dir / "telemetry-buffer.sqlite")
    try:
        await _tick(simulator, store, args.authority, sinks, 1.0 / args.rate, args.duration)
    finally:
        if exit_deadline_s is not None:
            _exit_after(exit_deadline_s)
        await store.flush(timeout_s=_FLUSH_ON_STOP_S)
        await store.close()
    return 0


async def _tick(simulator: GridSimulator, store: BufferedTelemetryStore, authority: str,
                sinks: Sequence[SampleSink], period_s: float, duration_s: float | None) -> None:
    loop = asyncio.get_running_loop()
    began = next_tick = last_status = loop.time()
    while duration_s is None or loop.time() - began < duration_s:
        sample = simulator.step(now_ms())
        await store.write(samples_of(sample, authority))
        for sink in sinks:
            await sink(sample)
        if loop.time() - last_status >= _STATUS_EVERY_S:
            last_status = loop.time()
            _log.info("f=%.3f Hz load=%.0f MW south=%s store=%s", sample.frequency_hz,
                      sample.total_load_mw, sample.south_state, store.state.label)
        next_tick += period_s
        await asyncio.sleep(max(0.0, next_tick - loop.time()))
