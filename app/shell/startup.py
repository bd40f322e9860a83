"""Start-up order and the single shutdown path of the console.

``ConsoleRuntime.start()`` runs these steps, in this order, logging each one and announcing it
with ``step_started`` (the window shows it in a progress bar):

Devnet (default)::

    1. prepare devnet        tokens, keys, genesis, configs (reused when they exist); with
                             ``--profile FILE`` every node's config names that gcp profile
    2. telemetry store       where telemetry goes (``node_core.telemetry.target``): the
                             profile's Bigtable, else ``$BIGTABLE_EMULATOR_HOST``, else the
                             devnet's SQLite file (kept across restarts)
    3. authority nodes       own authority + the two peers, each its own supervised process
                             (each unlocks its authority token with the devnet's node PIN)
    4. grid simulator        ``main.py gridsim --serve ...`` as a supervised process
    5. connect               NodeLink to the own node, TelemetryLink to the simulator, each
                             with the endpoint's cookie
    6. operator login        the operator's own token (app.shell.login): ``C_Login`` in an
                             operator agent, then the node's roster says who they are

``--config FILE`` (a configured network)::

    1. read node config      node_core.node.config
    2. telemetry store       the node's ``[cloud]`` profile's Bigtable, else
                             ``$BIGTABLE_EMULATOR_HOST``, else none (history needs a store)
    3. authority node        if its client endpoint already answers, just connect; otherwise
                             start it as a supervised process; like ``main.py node`` it reads
                             its PIN from the variable named by [signer].pin_env in the
                             console's environment (the console never writes a PIN anywhere)
    4. connect               NodeLink only (no simulator)
    5. operator login        a person's token of the node's PKCS#11 module (never the
                             authority's block-signing token of [signer])

The login comes last because the node answers who the token's key belongs to (its roster);
the authority's own key is the node's business, unlocked by the node, never by an operator.

The console only reads telemetry (history charts, the timeline); its children write it — the
grid simulator GridMetrics, each node its NodeMetrics and TradingMetrics — to the same target,
since they inherit the console's environment and profile.

The node never runs in the GUI process: with the GIL its CPU work (signature checks, block
verification at catch-up) would stall the UI; ``tests/perf/soak.py`` measures the UI stall
with the devnet under load.

Supervision (:mod:`node_core.node.supervision`, shared with the headless devnet): a child that
dies unexpectedly is reported (``child_died``, status bar, log) and restarted automatically
with the supervisor's backoff (1 s, 2 s, 4 s ... capped at 30 s; reset after 60 s of good
health); a child that exits with status 2 (a usage error) is not restarted.

Shutdown (``shutdown()``, the one path — window close, Ctrl-C/SIGTERM, a failed start-up,
the screenshot mode, tests): idempotent; emits ``shutting_down``, then stops, in order, the
links, the grid simulator, the nodes (SIGTERM, SIGKILL after 10 s), closes the telemetry
store, and finally SIGKILLs any child pid still alive, so nothing of ours outlives the console
(``live_pids()`` is empty afterwards).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, Signal

from app.links.node_link import NodeLink
from app.links.operator_session import DEVNET_PERSONS, TokenSource
from app.links.telemetry_link import TelemetryLink
from node_core.api.client import NodeAddress, NodeClient
from node_core.api.methods import STATUS
from node_core.api.requests import NoParams
from node_core.api.wire import ClientError
from node_core.cloud.profile import ProfileError, load_gcp_profile
from node_core.devnet.layout import DEVNET_TOKEN, DevnetLayout, prepare_devnet
from node_core.devnet.run import devnet_processes, gridsim_process
from node_core.node.config import NodeConfig, load_node_config
from node_core.node.process import ChildProcess, NodeProcess
from node_core.node.supervision import LoggedEvents, Supervisor
from node_core.signers.softhsm import find_softhsm_module
from node_core.telemetry import (
    BigtableTarget,
    TelemetryUnavailable,
    open_store,
    telemetry_target,
)

log = logging.getLogger(__name__)

DEVNET_TRADES_PER_S: Final = 20.0
"""Prosumer trades the devnet's grid simulator drives, so blocks keep coming."""

LoginFunction = Callable[[TokenSource], Awaitable[bool]]
"""Logs an operator in with a token of the source (a dialog, or automatically); False if
cancelled."""
LOGIN_WAIT_S: Final = 60.0
"""How long the login waits for the own node's endpoint to answer."""


class StartupCancelled(Exception):
    """The operator cancelled the login."""


@dataclass(frozen=True, slots=True)
class ConsoleOptions:
    """What ``main.py`` (no command) was asked for."""

    authority: str = "EGAT"
    data_dir: Path = Path("devnet-data")
    config: Path | None = None
    base_port: int | None = None
    """Devnet base port (tests); None: the devnet default."""
    profile: Path | None = None
    """A gcp profile for the devnet's nodes, grid simulator and console (``--profile``)."""

    @property
    def devnet(self) -> bool:
        return self.config is None


Supervised = NodeProcess | ChildProcess


class ConsoleRuntime(QObject):
    """Owns every child process and store of one console; see the module docstring.

    Signals:
        step_started(text: str, index: int, total: int): a start-up step began (1-based).
        started(): every step done.
        child_died(name: str, detail: str): a supervised child exited unexpectedly.
        child_restarted(name: str): it was started again.
        shutting_down(): the shutdown path began (once).
    """

    step_started = Signal(str, int, int)
    started = Signal()
    child_died = Signal(str, str)
    child_restarted = Signal(str)
    shutting_down = Signal()

    def __init__(self, options: ConsoleOptions, login: LoginFunction,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.options = options
        self._login = login
        self.node_link = NodeLink(self)
        self.telemetry_link = TelemetryLink(self)
        self.layout: DevnetLayout | None = None
        self.nodes: list[NodeProcess] = []
        self.gridsim: ChildProcess | None = None
        self.own_address: NodeAddress | None = None
        self.supervisor = Supervisor(self)
        self._shutdown: asyncio.Future[None] | None = None
        self._node_env: dict[str, str] = {}
        self._config: NodeConfig | None = None

    # ----- start-up -------------------------------------------------------------------------

    def steps(self) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
        """The start-up steps, in order (the one place that defines it)."""
        if self.options.devnet:
            return [(self.tr("preparing devnet"), self._prepare_devnet),
                    (self.tr("opening telemetry store"), self._open_telemetry),
                    (self.tr("starting authority nodes"), self._start_devnet_nodes),
                    (self.tr("starting grid simulator"), self._start_gridsim),
                    (self.tr("connecting"), self._connect),
                    (self.tr("operator login"), self._operator_login)]
        return [(self.tr("reading node config"), self._read_config),
                (self.tr("opening telemetry store"), self._open_telemetry),
                (self.tr("starting authority node"), self._start_configured_node),
                (self.tr("connecting"), self._connect),
                (self.tr("operator login"), self._operator_login)]

    async def start(self) -> None:
        """Run every step; on failure the caller runs ``shutdown()`` (the one path)."""
        steps = self.steps()
        began = time.perf_counter()
        for index, (text, step) in enumerate(steps, 1):
            log.info("startup %d/%d: %s", index, len(steps), text)
            self.step_started.emit(text, index, len(steps))
            await step()
        log.info("startup complete in %.1f s", time.perf_counter() - began)
        self.started.emit()

    async def _prepare_devnet(self) -> None:
        options = self.options
        profile = options.profile.resolve() if options.profile is not None else None
        if profile is not None:
            await asyncio.to_thread(check_devnet_profile, profile)
        layout = DevnetLayout(options.data_dir.resolve(), base_port=options.base_port or 30300,
                              cloud_profile=profile)
        if options.authority not in layout.authorities:
            raise ValueError(f"unknown authority {options.authority!r}")
        self.layout = await asyncio.to_thread(prepare_devnet, layout)
        self._node_env = self.layout.environment()

    def token_source(self) -> TokenSource:
        """Where the people's tokens are: the devnet's SoftHSM2, or the configured node's
        PKCS#11 module (its block-signing token excluded)."""
        if self.layout is not None:
            return TokenSource(self.options.authority, find_softhsm_module(),
                               self.layout.softhsm_conf, people=DEVNET_PERSONS,
                               excluded=(DEVNET_TOKEN,))
        assert self._config is not None, "the node config is read before anyone logs in"
        signer = self._config.signer
        return TokenSource(self._config.authority, signer.module or find_softhsm_module(),
                           signer.softhsm_conf, excluded=(signer.token_label,))

    async def _operator_login(self) -> None:
        try:
            await asyncio.wait_for(self.node_link.connected_now(), LOGIN_WAIT_S)
        except TimeoutError:
            raise ClientError("NodeNotReady", f"{self.authority}'s endpoint did not answer "
                              f"within {LOGIN_WAIT_S:.0f} s for the login") from None
        if not await self._login(self.token_source()):
            raise StartupCancelled("operator login cancelled")

    async def _open_telemetry(self) -> None:
        """The store to read history from: the same target the children write to."""
        target = telemetry_target(
            await asyncio.to_thread(self._configured_bigtable), os.environ,
            self.layout.telemetry_sqlite if self.layout is not None else None)
        if target is None:
            log.info("no telemetry store: no gcp profile and no $BIGTABLE_EMULATOR_HOST")
            self.telemetry_link.show_no_store(
                self.tr("no gcp profile and no $BIGTABLE_EMULATOR_HOST"), reachable=True)
            return
        try:
            store = await open_store(target)
        except TelemetryUnavailable as error:  # e.g. no credentials: the console runs on
            log.error("telemetry history unavailable: %s", error)
            self.telemetry_link.show_no_store(str(error), reachable=False)
            return
        log.info("telemetry: %s", target.describe())
        self.telemetry_link.attach_store(store, target, self.authority)

    def _configured_bigtable(self) -> BigtableTarget | None:
        """The Bigtable of the gcp profile in use (``--profile``, or the node's ``[cloud]``)."""
        path = self.options.profile if self._config is None else self._config.cloud_profile
        return None if path is None else load_gcp_profile(path).bigtable_target

    @property
    def authority(self) -> str:
        """The console's own authority."""
        return self._config.authority if self._config is not None else self.options.authority

    async def _start_devnet_nodes(self) -> None:
        assert self.layout is not None
        own = self.options.authority
        self.nodes = sorted(devnet_processes(self.layout), key=lambda n: n.name != own)
        for node in self.nodes:
            node.start()
            self.supervisor.watch(node)
        await asyncio.gather(*(node.wait_ready() for node in self.nodes))
        self.own_address = self.layout.node_address(own)

    async def _start_gridsim(self) -> None:
        assert self.layout is not None
        self.gridsim = gridsim_process(self.layout, authority=self.authority,
                                       trades=DEVNET_TRADES_PER_S)
        self.gridsim.start()
        self.supervisor.watch(self.gridsim)

    async def _read_config(self) -> None:
        assert self.options.config is not None
        self._config = await asyncio.to_thread(load_node_config, self.options.config)
        self.own_address = self._config.address

    async def _start_configured_node(self) -> None:
        assert self._config is not None and self.options.config is not None
        if await _answers(self._config.address):
            log.info("node %s already answers at %s: connecting only",
                     self._config.authority, self._config.address)
            return
        node = NodeProcess(self._config.authority, self.options.config, self._config.address,
                           self._node_env or dict(os.environ),
                           self.options.config.parent / "logs" / f"{self._config.authority}.log")
        self.nodes = [node]
        node.start()
        self.supervisor.watch(node)
        await node.wait_ready()

    async def _connect(self) -> None:
        assert self.own_address is not None
        self.node_link.start(self.own_address)
        if self.layout is not None:
            self.telemetry_link.start_stream(self.layout.gridsim_address)
        else:
            self.telemetry_link.gridsim_state.emit(self.tr("not configured"))

    # ----- supervision ----------------------------------------------------------------------

    def died(self, name: str, restart_in_s: float | None) -> None:
        """SupervisionEvents: a child died (node_core.node.supervision logs it too)."""
        detail = (self.tr("exited (usage error), not restarted") if restart_in_s is None
                  else self.tr("died; restarting in {s:.0f} s").format(s=restart_in_s))
        LoggedEvents().died(name, restart_in_s)
        self.child_died.emit(name, detail)

    def restarted(self, name: str) -> None:
        """SupervisionEvents: a child was started again."""
        LoggedEvents().restarted(name)
        self.child_restarted.emit(name)

    # ----- shutdown -------------------------------------------------------------------------

    def live_pids(self) -> list[int]:
        """Pids of our children still alive (empty after ``shutdown``)."""
        children: list[Supervised] = [*self.nodes, *([self.gridsim] if self.gridsim else [])]
        return [c.pid for c in children if c.running and c.pid is not None]

    async def shutdown(self) -> None:
        """The single shutdown path; safe to call more than once (later calls wait)."""
        if self._shutdown is None:
            self._shutdown = asyncio.get_running_loop().create_future()
            try:
                await self._shut_down()
            finally:
                self._shutdown.set_result(None)
        await asyncio.shield(self._shutdown)

    async def _shut_down(self) -> None:
        log.info("shutdown: begin")
        self.shutting_down.emit()
        await self.supervisor.stop()
        await self._step("closing node link", self.node_link.close())
        if self.gridsim is not None:
            await self._step("stopping grid simulator", self.gridsim.stop())
        await self._step("stopping authority nodes",
                         asyncio.gather(*(node.stop() for node in self.nodes)))
        await self._step("closing telemetry store", self.telemetry_link.close())
        self._kill_leftovers()
        log.info("shutdown: complete")

    async def _step(self, text: str, work: Awaitable[object]) -> None:
        """One shutdown step: logged; a failure is logged and the next steps still run."""
        log.info("shutdown: %s", text)
        try:
            await work
        except Exception:
            log.exception("shutdown step failed: %s", text)

    def _kill_leftovers(self) -> None:
        for pid in self.live_pids():
            log.error("child pid %d still alive after shutdown: killing it", pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def check_devnet_profile(path: Path) -> None:
    """A gcp profile the devnet can use: valid, and signing with the devnet's token."""
    profile = load_gcp_profile(path)
    if profile.signer.backend != "pkcs11":
        raise ProfileError(str(path), [
            f"[signer] backend {profile.signer.backend!r}: a devnet signs with its SoftHSM2 "
            "token; give the devnet a profile with backend = 'pkcs11'"])


async def _answers(address: NodeAddress) -> bool:
    """True if a node endpoint at ``address`` answers ``status`` (with its cookie)."""
    try:
        client = await NodeClient.connect(address, timeout_s=1.0)
    except ClientError:
        return False
    try:
        await client.request(STATUS, NoParams(), 2.0)
        return True
    except (ClientError, TimeoutError):
        return False
    finally:
        await client.close()

