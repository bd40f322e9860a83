"""``main.py --screenshot FILE [--view NAME]``: pictures of the console (the operator guide's).

The command line plugs :func:`screenshot_mode` into the console (``app.cli``): it drives the
session instead of an operator and exits when the pictures are saved; the console itself
knows nothing of screenshots. Without ``--view`` it saves the whole window. With ``--view`` it
saves each named dock on its own: the dock is floated at a readable size, grabbed, and the
window layout is put back (``saveState``/``restoreState``), so nothing of it reaches the
saved settings. Several views in one run: ``--view node,alarms`` or ``--view all`` with a
``{view}`` placeholder in the path (``docs/view-{view}.png``).

On the devnet the views are shown with something in them: a scripted, reproducible incident
that drives the console the way an operator would (its widgets' buttons and the links they
are wired to) — nothing here reaches into node_core:

1. ``login``: the start-up's login dialog, the devnet's ``operator1`` and their documented
   PIN filled in (masked), the people's tokens listed; then Log in;
2. steady state: node status, block explorer and trading (the simulator's prosumers trade);
3. governance: operator1 proposes a price cap through the proposal dialog and votes yes;
4. a 1,500 MW generator trip (the grid simulator's scheduled event): the frequency dips,
   the frequency alarms come in — telemetry and alarms;
5. the operator acknowledges them, selects stage-1 load shedding in PEA and operates it:
   ``emergency``, the critical action waiting for a supervisor;
6. ``approval``: Approve as supervisor… opens the approval dialog with the action, the
   devnet's ``supervisor1`` and their documented PIN; then Approve — a second login, on the
   supervisor's own token;
7. ``executed``: the order final in a block, approved by supervisor1; the explorer shows
   that block;
8. the timeline loads the window since the console started: the whole incident;
9. ``window``: the whole console after all that.

On a configured network (``--config``) nothing is staged — the console never proposes or
operates anything on a real chain by itself, and no PIN is known to log in with — so the
start-up login is cancelled and the run fails.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Final

from PySide6.QtCore import QSize
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QWidget

from app.cli.console_args import VIEWS
from app.shell.approval import ApprovalDialog
from app.shell.console import STARTUP_TIMEOUT_S, Console, RunMode
from app.shell.login import LoginDialog
from node_core.clock import now_ms
from views.governance.governance_model import tally_of

log = logging.getLogger(__name__)

DOCK_OF: Final[dict[str, str]] = {
    "node": "nodeStatusDock", "explorer": "blockExplorerDock",
    "telemetry": "gridTelemetryDock", "governance": "governanceDock",
    "alarms": "alarmsDock", "emergency": "emergencyDock", "trading": "tradingDock",
    "timeline": "timelineDock", "executed": "emergencyDock",
}
"""Each view's dock (``app.shell.main_window``, ``app.links.timeline_link``)."""
SIZE_OF: Final[dict[str, QSize]] = {
    "node": QSize(1000, 1180), "explorer": QSize(1280, 1100), "telemetry": QSize(1280, 820),
    "governance": QSize(1440, 800), "alarms": QSize(1500, 560),
    "emergency": QSize(1100, 900), "trading": QSize(1200, 760), "timeline": QSize(1400, 900),
    "executed": QSize(1100, 900),
}
"""Floating size of each grabbed dock: big enough that nothing is clipped."""
TRIP_MW: Final = 1500
SETTLE_S: Final = 0.8
"""Time for a floated dock to lay out and repaint before it is grabbed."""


@dataclass(frozen=True, slots=True)
class Shots:
    """Where the pictures go: ``template`` with ``{view}`` replaced by each view name."""

    template: Path
    views: tuple[str, ...]

    def path(self, view: str) -> Path:
        return Path(str(self.template).replace("{view}", view))


class Photographer:
    """Stages the devnet incident and saves each requested view at its moment."""

    def __init__(self, console: Console, shots: Shots) -> None:
        self.console = console
        self.window = console.window
        self.shots = shots
        self.problems: list[str] = []

    async def run(self, after_s: float) -> int:
        """Take every picture; the exit code (1 if a picture or a staging step failed)."""
        devnet = self.console.runtime.options.devnet
        if not await log_in_at_start(self.console, self._shoot_dialog("login")):
            return 1
        if devnet:
            await self._until("authorities 3/3",
                              lambda: self.window.peers_label.text().endswith("3/3"), 60)
        await asyncio.sleep(after_s)
        if devnet:
            await self._stage_and_shoot()
        else:
            log.info("configured network: views are grabbed as they are, nothing is staged")
            for view in self.shots.views:
                await self._shoot(view)
        for problem in self.problems:
            log.error("screenshot: %s", problem)
        return 1 if self.problems else 0

    async def _stage_and_shoot(self) -> None:
        began_ms = now_ms() - 20_000
        self.window.charts.set_span_minutes(1)  # the trip fills the chart, not a corner of it
        if self._wanted("governance", "timeline", "window"):
            await self._propose_and_vote()
            await self._shoot_if_wanted("governance")
        await asyncio.sleep(max(0.0, 25 - (now_ms() - began_ms) / 1000))
        await self._trip()
        await self._shoot_if_wanted("telemetry")
        await self._shoot_if_wanted("alarms")
        await self._select_load_shed()
        await self._operate()
        await self._shoot_if_wanted("emergency")
        height = await self._approve_as_supervisor()
        await self._shoot_if_wanted("executed")
        await self._show_block(height)
        for view in ("explorer", "node", "trading"):
            await self._shoot_if_wanted(view)
        if self._wanted("timeline", "window"):
            await self._load_timeline(began_ms)
            await self._shoot_if_wanted("timeline")
        for dock in ("gridTelemetryDock", "alarmsDock"):  # the control room's usual front
            self.window.docks[dock].raise_()
        await self._shoot_if_wanted("window")

    # ----- the scripted incident ------------------------------------------------------------

    async def _propose_and_vote(self) -> None:
        view = self.window.governance
        self.window.docks["governanceDock"].raise_()
        dialog = view.open_new_proposal()
        dialog.set_action("parameter_change")
        dialog.title_edit.setText("Cap energy prices at 5,000 THB/kWh")
        dialog.description.setPlainText("Emergency tariff while the southern tie is out.")
        dialog.parameter.setCurrentIndex(dialog.parameter.findData("price_cap_per_kwh"))
        dialog.value.setText("500000")
        dialog.submit.click()
        if not await self._until("the proposal listed", lambda: bool(view.model.ids()), 20):
            return
        view.select_proposal(view.model.ids()[-1])
        if await self._until("vote buttons", lambda: "yes" in view.enabled_choices(), 15):
            view.vote_buttons["yes"].click()
            view.vote_box.button(QMessageBox.StandardButton.Yes).click()
            last = len(view.model.ids()) - 1
            await self._until("EGAT's vote in the tally",
                              lambda: tally_of(view.model.proposal(last)).yes >= 1, 20)

    async def _trip(self) -> None:
        """A generator trip: wait for the dip and the frequency alarms, then a little more
        so the chart shows the recovery too."""
        link = self.console.runtime.telemetry_link
        await link.schedule_event(f"generator_trip@+1:{TRIP_MW}")
        alarms = self.window.alarm_list.model
        await self._until("a frequency alarm", lambda: any(
            alarms.alarm(r).get("kind") == "frequency" for r in range(alarms.rowCount())), 40)
        await asyncio.sleep(20)  # the dip mid-chart, with its recovery and the marks' labels

    async def _select_load_shed(self) -> None:
        """Acknowledge what the trip raised ("Acknowledge all shown"), then select stage-1
        load shedding in PEA and let the countdown run a little."""
        self.window.alarm_list.acknowledge_visible()
        panel = self.window.emergency_panel
        self.window.docks["emergencyDock"].raise_()
        panel.kind.setCurrentIndex(panel.kind.findData("load_shed"))
        panel.region.setCurrentIndex(panel.region.findData("PEA"))
        panel.stage.setValue(1)
        panel.mw.setValue(300)
        panel.reason.setText(f"frequency dip after a {TRIP_MW:,} MW generator trip")
        panel.select_button.click()
        await self._until("the selection", lambda: (panel.current() or {}).get("step")
                          == "selected", 15)
        await asyncio.sleep(2)

    async def _operate(self) -> None:
        """Operate the selection (operator1's endorsement): it waits for a supervisor."""
        panel = self.window.emergency_panel
        box = panel.ask_operate()
        if box is None:
            self.problems.append("the load-shedding selection could not be operated")
            return
        box.button(QMessageBox.StandardButton.Yes).click()
        await self._until("awaiting approval", lambda: (panel.current() or {}).get(
            "step") == "awaiting approval", 15)
        await asyncio.sleep(1)  # the countdown ticks

    async def _approve_as_supervisor(self) -> int | None:
        """Approve as supervisor… in the approval dialog (the devnet's supervisor1, their
        documented PIN); the height of the block the order is final in."""
        panel = self.window.emergency_panel
        panel.approve_button.click()
        dialog = await self._dialog(ApprovalDialog, "the approval dialog")
        if dialog is None:
            return None
        await self._shoot_dialog("approval")(dialog)
        dialog.approve_button.click()
        if not await self._until("the order final in a block",
                                 lambda: panel.current()["step"] == "final", 40):
            return None
        await asyncio.sleep(1)
        return int(panel.current()["height"])

    async def _dialog(self, kind: type[QDialog], what: str) -> QDialog | None:
        """The visible dialog of ``kind``, its tokens listed."""
        if not await self._until(what, lambda: _open_dialog(self.window, kind) is not None, 20):
            return None
        dialog = _open_dialog(self.window, kind)
        await self._until(f"the tokens listed in {what}",
                          lambda: dialog.form.tokens.count() > 0, 20)  # type: ignore[union-attr]
        return dialog

    async def _show_block(self, height: int | None) -> None:
        """The explorer with the block that carries the load-shedding order, opened."""
        if height is None:
            return
        explorer = self.window.block_explorer
        self.window.docks["blockExplorerDock"].raise_()
        explorer.search(str(height))
        await self._until(f"block {height} in the explorer",
                          lambda: explorer.detail.header_fields().get("height", "").replace(",", "")
                          == str(height),
                          10)
        await asyncio.sleep(1)

    async def _load_timeline(self, began_ms: int) -> None:
        view = self.window.timeline  # type: ignore[attr-defined]
        await asyncio.sleep(3)  # the last events reach the store and the audit trail
        view.set_window(began_ms, now_ms() + 5_000)
        view.load_button.click()
        if await self._until("the timeline record", view.export_button.isEnabled, 30):
            orders = [e.time_ms for e in view.record.events if e.kind == "emergency"]
            view.seek(max(orders, default=view.cursor.end_ms))  # replayed up to the order

    # ----- pictures -------------------------------------------------------------------------

    def _shoot_dialog(self, view: str) -> Callable[[QWidget], Awaitable[None]]:
        """Grab a dialog as picture ``view`` (if wanted)."""
        async def shoot(dialog: QWidget) -> None:
            if view in self.shots.views:
                await asyncio.sleep(SETTLE_S)
                self._save(view, dialog.grab())
        return shoot

    def _wanted(self, *views: str) -> bool:
        return any(view in self.shots.views for view in views)

    async def _shoot_if_wanted(self, view: str) -> None:
        if view in self.shots.views:
            await self._shoot(view)

    async def _shoot(self, view: str) -> None:
        if view == "window":
            pixmap = self.window.grab()
        else:
            pixmap = await self._grab_dock(view)
        self._save(view, pixmap)

    def _save(self, view: str, pixmap: QPixmap) -> None:
        path = self.shots.path(view)
        path.parent.mkdir(parents=True, exist_ok=True)
        saved = pixmap.save(str(path))
        log.info("screenshot %s (%s, %dx%d): %s", path, view, pixmap.width(), pixmap.height(),
                 "saved" if saved else "NOT saved")
        if not saved:
            self.problems.append(f"{path} not saved")

    async def _grab_dock(self, view: str):  # type: ignore[no-untyped-def]
        """The dock alone, floated at its size; the window's layout is restored after."""
        window, dock = self.window, self.window.docks[DOCK_OF[view]]
        state = window.saveState()
        dock.show()
        dock.setFloating(True)
        dock.resize(SIZE_OF[view])
        dock.raise_()
        await asyncio.sleep(SETTLE_S)
        pixmap = dock.grab()
        window.restoreState(state)
        await asyncio.sleep(0.2)
        return pixmap

    async def _until(self, what: str, check: Callable[[], bool], timeout_s: float) -> bool:
        """Poll ``check`` until true; on timeout record the problem and go on (the picture
        is still taken, the exit code says it is incomplete)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if check():
                    return True
            except (KeyError, IndexError, TypeError):
                pass
            await asyncio.sleep(0.25)
        self.problems.append(f"staging: no {what} within {timeout_s:.0f} s")
        return False


def _open_dialog(window: QWidget, kind: type[QDialog]) -> QDialog | None:
    return next((d for d in window.findChildren(kind) if d.isVisible()), None)


async def log_in_at_start(console: Console,
                          shoot: Callable[[QWidget], Awaitable[None]] | None = None) -> bool:
    """Log in at the start-up's login dialog as the devnet's operator (prefilled: operator1
    and their documented PIN), after ``shoot``-ing it; on a configured network there is no
    PIN to log in with: cancel. False (logged) if the console did not start."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while (dialog := _open_dialog(console.window, LoginDialog)) is None:
        if console.startup_done() or time.monotonic() > deadline:
            return await console.started()
        await asyncio.sleep(0.1)
    assert isinstance(dialog, LoginDialog)
    if not console.runtime.options.devnet:
        log.error("screenshot: a configured network's login needs a person's PIN: cancelled")
        dialog.reject()
        return await console.started()
    while dialog.form.tokens.count() == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)  # the people's tokens listed
    if shoot is not None:
        await shoot(dialog)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return await console.started()


def screenshot_mode(path: Path, after_s: float, views: Sequence[str]) -> RunMode:
    """The console run of ``--screenshot PATH --after S [--view ...]``: no operator — the
    devnet's login dialog is answered with its documented operator — the pictures taken,
    then exit (1 if one is missing)."""
    return RunMode(interactive=False, driver=partial(take_screenshots, path, after_s,
                                                     tuple(views)))


async def take_screenshots(path: Path, after_s: float, views: tuple[str, ...],
                           console: Console) -> int:
    """Save the views (each dock, staged on the devnet), or else the whole window after
    ``after_s``; the exit code."""
    if views:
        return await Photographer(console, shots(path, views)).run(after_s)
    if not await log_in_at_start(console):
        return 1
    await asyncio.sleep(after_s)
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = console.window.grab().save(str(path))
    log.info("screenshot %s: %s", path, "saved" if saved else "NOT saved")
    return 0 if saved else 1


def shots(path: Path, views: Sequence[str]) -> Shots:
    """``--view all`` → every view, in the order of ``VIEWS``."""
    names = VIEWS if "all" in views else tuple(views)
    return Shots(path, tuple(names))
