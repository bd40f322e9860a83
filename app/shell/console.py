"""The console: ``python main.py`` (no command). See ``app.shell.startup`` for what it starts.

``run_console(args)`` creates the QApplication, applies the theme, and runs ``console_main``
on a qasync loop (``asyncio.Runner(loop_factory=qasync.QEventLoop)``: Python 3.11 has no
``asyncio.run(loop_factory=...)``). ``console_main`` shows the window at once ("starting…"
everywhere, so the first frame comes before any node is up), starts the runtime in the
background, and waits until the operator closes the window (after confirming), the app quits
(``aboutToQuit`` sets an asyncio.Event), Ctrl-C/SIGTERM arrives, or — when a ``ConsoleDriver``
runs the session instead of an operator — the driver is done. The console knows no driver:
the command line plugs one in (``--screenshot``: ``app.dev.screenshot``). Every way out goes
through ``ConsoleRuntime.shutdown()``, after the person logged in is logged out (signed by
their key) and their operator agent closed.

People (``app.shell.login``): the start-up's last step logs the first operator in with their
own token; Operator › Switch operator… logs the next one in (the previous one is logged out
once the new one is in); Operator › Log out leaves the console with nobody logged in (nothing
can be changed from it). The emergency panel's Approve as supervisor… opens the approval
dialog (``app.shell.approval``), where a supervisor approves on their own token and PIN
without taking over the console. The views follow the role of the person logged in (buttons
disabled where the roster says no); the node checks every request again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Final

import qasync
from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.links.backend_link import BackendLink
from app.links.control_link import ControlLink
from app.links.governance_link import GovernanceLink
from app.links.operator_session import OperatorSession, TokenSource
from app.links.timeline_link import install_timeline
from app.shell import i18n
from app.shell import settings as S
from app.shell.about import app_icon, install_about
from app.shell.approval import ask_approval, devnet_supervisor
from app.shell.gui_thread_gc import gui_thread_collection
from app.shell.login import DEVNET_OPERATOR, ask_login, auto_login
from app.shell.main_window import MainWindow
from app.shell.startup import ConsoleOptions, ConsoleRuntime, StartupCancelled
from app.shell.startup_failure import failure_text
from app.shell.theme import Theme, apply_theme, theme_named
from node_core.api import methods as m
from views.common.refusals import refusal_text

log = logging.getLogger(__name__)

STARTUP_TIMEOUT_S: Final = 180.0
"""A driven session gives up waiting for start-up after this long."""
LOGOUT_TIMEOUT_S: Final = 10.0
"""How long closing waits for the node to record the logout (the agent closes anyway)."""

ConsoleDriver = Callable[["Console"], Awaitable[int]]
"""Runs a console session instead of an operator, from the start (it may log in at the
start-up's login dialog, then awaits ``Console.started()``); its result is the exit code."""


@dataclass(frozen=True, slots=True)
class RunMode:
    """How interactive this run is."""

    interactive: bool = True
    """False: no close question (a driven session, tests)."""
    auto_login: bool = False
    """The devnet's first operator logs in with the documented PIN, without the dialog
    (tests); otherwise the login dialog asks."""
    driver: ConsoleDriver | None = None
    """What runs the session from its start, if not an operator (e.g. app.dev.screenshot)."""


def run_console(args: argparse.Namespace, mode: RunMode) -> int:
    """Entry point for ``main.py`` without a command; the process exit code."""
    options = ConsoleOptions(authority=args.authority, data_dir=args.data_dir,
                             config=args.config, base_port=getattr(args, "base_port", None),
                             profile=getattr(args, "profile", None))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(S.ORGANIZATION)
    app.setApplicationName(S.APPLICATION)
    app.setQuitOnLastWindowClosed(False)  # the console ends when console_main returns
    settings = S.open_settings(args.settings)
    theme = theme_named(args.theme or S.read(settings, S.THEME))
    apply_theme(app, theme)
    app.setWindowIcon(app_icon())
    i18n.start(app, settings, args.language)  # translator, Thai font, time display
    with gui_thread_collection(app), asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        code = runner.run(console_main(options, mode, theme, settings))  # Qt objects die here
    asyncio.set_event_loop(None)
    return code


class Console:
    """One console session: a window, a runtime, and the ways out."""

    def __init__(self, options: ConsoleOptions, mode: RunMode, theme: Theme,
                 settings: QSettings) -> None:
        self.mode = mode
        self.runtime = ConsoleRuntime(options, self._login)
        self.window = MainWindow(options.authority, theme, settings, devnet=options.devnet,
                                 confirm_close=mode.interactive)
        self.leave = asyncio.Event()
        self._startup: asyncio.Task[None] | None = None
        self.window.close_requested.connect(self.leave.set)
        governance = _wire(self.window, self.runtime)
        self.control = _wire_control(self.window, self.runtime)
        self.control.session_changed.connect(governance.set_session)  # signs votes, proposals
        self._logins: set[asyncio.Task[None]] = set()
        self.window.switch_operator_requested.connect(
            lambda: self._spawn_login(self._switch_operator()))
        self.window.logout_requested.connect(
            lambda: self._spawn_login(self.control.end_session()))
        self.window.emergency_panel.approve_requested.connect(
            lambda selection: self._spawn_login(self._approve(selection)))

    async def _login(self, source: TokenSource) -> bool:
        """The start-up login (the last start-up step: the node says who the token's key
        is); False if cancelled."""
        node = self.runtime.node_link
        if self.mode.auto_login:
            session: OperatorSession | None = await auto_login(node, source)
        else:
            session = await ask_login(node, source, self.window,
                                      token=DEVNET_OPERATOR if source.devnet else "")
        if session is None:
            return False
        self.control.start_session(session)
        return True

    def _spawn_login(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._logins.add(task)
        task.add_done_callback(self._logins.discard)

    def _token_source(self) -> TokenSource | None:
        """Where the people's tokens are, once start-up got that far (else the status bar
        says so)."""
        if not self.runtime.node_link.connected:
            self.window.statusBar().showMessage(
                QCoreApplication.translate("Console", "not connected to the node yet"), 5000)
            return None
        return self.runtime.token_source()

    async def _switch_operator(self) -> None:
        """Operator › Switch operator…: the next person logs in with their own token; the
        previous one is logged out once the new one is in (not if the login is cancelled)."""
        source = self._token_source()
        if source is None:
            return
        title = QCoreApplication.translate("Console", "Switch operator — {authority}").format(
            authority=source.authority)
        session = await ask_login(self.runtime.node_link, source, self.window, title=title)
        if session is not None:
            self.control.start_session(session)

    async def _approve(self, selection: dict[str, Any]) -> None:
        """A supervisor approves ``selection`` on their own token and PIN, for this one
        request: the person logged in at the console stays."""
        source = self._token_source()
        if source is None:
            return
        current = self.control.session
        await ask_approval(self.runtime.node_link, source, selection, self.control.approve,
                           self.window, token=devnet_supervisor(source, current))

    async def run(self) -> int:
        """Start, wait for a way out, shut down; the exit code."""
        app = QApplication.instance()
        assert app is not None
        app.aboutToQuit.connect(self.leave.set)
        self.window.show()
        startup = asyncio.get_running_loop().create_task(self.runtime.start())
        self._startup = startup
        try:
            if self.mode.driver is not None:
                return await self.mode.driver(self)
            return await self._interactive(startup)
        finally:
            startup.cancel()
            with contextlib.suppress(BaseException):
                await startup
            self.window.save_layout()
            with contextlib.suppress(Exception):  # the node records the logout, if it can
                await asyncio.wait_for(self.control.end_session(), LOGOUT_TIMEOUT_S)
            await self.runtime.shutdown()
            self.window.close_now()

    async def _interactive(self, startup: asyncio.Task[None]) -> int:
        leave = asyncio.ensure_future(self.leave.wait())
        await asyncio.wait({startup, leave}, return_when=asyncio.FIRST_COMPLETED)
        if startup.done() and _failed(startup):
            if isinstance(startup.exception(), StartupCancelled):
                leave.cancel()
                return 1
            self._show_failure(startup.exception())
        await leave
        return 0

    def _show_failure(self, error: BaseException | None) -> None:
        """What went wrong and what to do: in the status bar and a message box (open())."""
        text = failure_text(error or RuntimeError("?"), self.runtime.options.data_dir)
        self.window.statusBar().showMessage(text.replace("\n", " — "))
        self.failure_box = QMessageBox(
            QMessageBox.Icon.Critical, QCoreApplication.translate("Console", "Start-up failed"),
            text, QMessageBox.StandardButton.Ok, self.window)
        self.failure_box.open()

    def startup_done(self) -> bool:
        return self._startup is not None and self._startup.done()

    async def started(self) -> bool:
        """For a driver: wait for the start-up; False (logged) if it failed."""
        assert self._startup is not None, "run() starts the console"
        try:
            await asyncio.wait_for(asyncio.shield(self._startup), STARTUP_TIMEOUT_S)
        except Exception as error:
            log.debug("start-up failed", exc_info=True)
            log.error("start-up failed: %s", failure_text(error, self.runtime.options.data_dir))
            return False
        return True


def _failed(task: asyncio.Task[None]) -> bool:
    if task.cancelled():
        return True
    error = task.exception()
    if error is not None and not isinstance(error, StartupCancelled):
        log.error("start-up failed", exc_info=error)
    return error is not None


def _wire(window: MainWindow, runtime: ConsoleRuntime) -> GovernanceLink:
    """Connect the runtime's links to the panels and the status bar; the governance link."""
    node, telemetry = runtime.node_link, runtime.telemetry_link
    runtime.step_started.connect(window.on_step_started)
    runtime.started.connect(window.on_started)
    runtime.child_died.connect(window.on_child_died)
    runtime.child_restarted.connect(window.on_child_restarted)
    node.connection_changed.connect(window.on_connection_changed)
    node.status_changed.connect(window.on_status)
    node.status_changed.connect(window.node_status.on_status)
    node.block_finalized.connect(window.on_block)
    node.block_finalized.connect(window.node_status.on_block)
    node.block_finalized.connect(window.block_explorer.on_block)
    node.authority_names_changed.connect(window.block_explorer.set_authority_names)
    node.blocks_loaded.connect(window.block_explorer.load_blocks)
    node.block_detail_ready.connect(window.block_explorer.show_block_detail)
    window.block_explorer.block_requested.connect(node.request_block)
    telemetry.grid_sample.connect(window.charts.on_grid_sample)
    telemetry.gridsim_state.connect(window.on_gridsim_state)
    telemetry.store_state.connect(window.on_store_state)
    telemetry.history_busy.connect(window.on_history_busy)
    telemetry.history_ready.connect(window.charts.show_history)
    window.charts.history_requested.connect(telemetry.request_history)
    governance = _wire_governance(window, runtime)
    install_timeline(window, runtime)  # Timeline dock, Ctrl+8
    install_about(window, node)  # Help > About
    _wire_backend(window, runtime)
    return governance


def _wire_backend(window: MainWindow, runtime: ConsoleRuntime) -> None:
    """The Trading dock and the status bar's backend part (app.links.backend_link)."""
    link = BackendLink(runtime.node_link, parent=runtime)
    runtime.started.connect(link.start)
    runtime.shutting_down.connect(link.stop)
    link.overview_changed.connect(window.trading.on_overview)
    link.backend_state.connect(window.on_backend_state)


def _wire_governance(window: MainWindow, runtime: ConsoleRuntime) -> GovernanceLink:
    """The governance view and its link (a child of the runtime, stopped on shutdown)."""
    view, link = window.governance, GovernanceLink(runtime.node_link, parent=runtime)
    runtime.node_link.status_changed.connect(view.on_status)
    runtime.shutting_down.connect(link.stop)
    link.proposals_loaded.connect(view.show_proposals)
    link.proposal_loaded.connect(view.show_proposal)
    link.refresh_failed.connect(view.on_refresh_failed)
    link.proposal_submitted.connect(view.on_proposal_submitted)
    link.proposal_failed.connect(view.on_proposal_failed)
    link.vote_submitted.connect(view.on_vote_submitted)
    link.vote_failed.connect(view.on_vote_failed)
    view.proposal_selected.connect(link.select_proposal)
    view.proposal_requested.connect(link.propose)
    view.vote_requested.connect(link.vote)
    return link


def _wire_control(window: MainWindow, runtime: ConsoleRuntime) -> ControlLink:
    """Alarms and emergency controls and their link (a child of the runtime)."""
    link = ControlLink(runtime.node_link, parent=runtime)
    alarms, panel = window.alarm_list, window.emergency_panel
    runtime.shutting_down.connect(link.stop)
    link.session_changed.connect(lambda session: _show_session(window, session))
    link.alarms_loaded.connect(lambda rows, last_seq: alarms.model.set_alarms(rows, last_seq))
    link.alarm_events.connect(alarms.on_alarm_events)
    link.alarm_marked.connect(window.charts.mark_event)

    def refused(action: str, rule: str, message: str) -> None:
        window.show_refusal(action, refusal_text(rule, message))

    link.alarm_failed.connect(refused)
    link.session_failed.connect(refused)
    alarms.counts_changed.connect(window.alarm_banner.on_counts)
    alarms.acknowledge_requested.connect(link.acknowledge)
    alarms.shelve_requested.connect(link.shelve)
    alarms.unshelve_requested.connect(link.unshelve)
    alarms.resync_requested.connect(link.load_alarms)
    link.selection_changed.connect(panel.on_selection)
    link.emergency_failed.connect(panel.on_failed)
    link.emergency_status.connect(panel.on_status)
    panel.select_requested.connect(link.select)
    panel.operate_requested.connect(link.operate)
    panel.cancel_requested.connect(link.cancel)
    return link


def _show_session(window: MainWindow, session: OperatorSession | None) -> None:
    """Who is logged in, in the status bar; the views' buttons as their role allows."""
    window.on_session(session.name if session else "", session.role.text if session else "",
                      session.token_label if session else "")
    window.alarm_list.set_permitted(bool(session and session.may(m.ALARMS_ACK)))
    window.emergency_panel.set_operator(session.name if session else "",
                                        bool(session and session.may(m.EMERGENCY_SELECT)))
    window.governance.set_permitted(bool(session and session.may(m.GOV_PROPOSE)))


async def console_main(options: ConsoleOptions, mode: RunMode, theme: Theme,
                       settings: QSettings) -> int:
    """The console session on the running qasync loop; the exit code."""
    console = Console(options, mode, theme, settings)
    with _signals_leave(console.leave):
        return await console.run()


@contextlib.contextmanager
def _signals_leave(leave: asyncio.Event):  # type: ignore[no-untyped-def]
    """Ctrl-C and SIGTERM take the shutdown path (a timer lets Python see the signal)."""
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: loop.call_soon_threadsafe(leave.set))
    wake = QTimer(interval=250)
    wake.timeout.connect(lambda: None)
    wake.start()
    try:
        yield
    finally:
        wake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
