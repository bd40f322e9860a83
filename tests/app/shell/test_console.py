"""The console on a real devnet (offscreen): the start-up login with the person's own token,
status bar, live blocks, live grid charts, a generator trip, layout persistence, the close
question, no leftovers."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from app.shell.console import Console, RunMode
from app.shell.login import LoginDialog
from app.shell.main_window import CONTROL_DOCKS, DOCKS, TRADING_DOCK, MainWindow
from app.shell.startup import ConsoleOptions
from node_core.api.client import NodeClient
from node_core.devnet.layout import DevnetLayout, person_pin
from tests.app.conftest import alive, console_session, dialog_with_tokens, press_ok, when
from tests.helpers.devnet import apply_load, wait_until

FREQUENCY = "frequency"




def _frequency(console: Console) -> tuple[np.ndarray, np.ndarray]:
    return console.window.charts.frequency_plot.series_samples(FREQUENCY)


@pytest.mark.slow
def test_console_on_the_devnet(devnet: DevnetLayout, run, qtbot, settings, isa101) -> None:
    options = ConsoleOptions(data_dir=devnet.data_dir, base_port=devnet.base_port)
    console = Console(options, RunMode(interactive=False), isa101, settings)
    window, runtime = console.window, console.runtime
    qtbot.addWidget(window)
    pids: list[int] = []

    async def body() -> None:
        # The start-up's last step: operator1's own token, its documented PIN prefilled.
        login = await dialog_with_tokens(window, LoginDialog)
        assert login.form.token_label() == "operator1"
        assert login.form.pin.text() == person_pin("operator1")
        assert window.operator_label.text() == "nobody logged in"
        press_ok(login)
        await wait_until(when(lambda: window.operator_label.text() == "operator1 — operator"),
                         30, "operator1 logged in")
        assert window.operator_label.toolTip() == "logged in with token operator1"
        await wait_until(when(lambda: window.peers_label.text() == "authorities 3/3"), 45,
                         "authorities 3/3 in the status bar")
        pids.extend(runtime.live_pids())
        assert window.findChild(type(window.operator_label), "devnetMarker").text() == "DEVNET"
        assert "DEVNET" in window.windowTitle()

        # Final blocks with transactions reach the block explorer.
        client = await NodeClient.connect(devnet.node_address("EGAT"))
        try:
            start = time.monotonic()
            report = await apply_load(devnet, [client], rate=20, seconds=3)
            assert report.chain_transactions > 0
        finally:
            await client.close()
        model = window.block_explorer.model
        await wait_until(when(lambda: model.rowCount() > 0), 20, "blocks in the explorer")
        assert window.height_label.text().startswith("height ")

        # The grid simulator's samples reach the frequency chart; a trip makes it dip.
        await wait_until(when(lambda: _frequency(console)[0].size >= 3), 30, "grid samples")
        assert window.gridsim_label.text() == "grid sim: live"
        await runtime.telemetry_link.schedule_event("generator_trip@+1:1000")
        trip_s = time.time() + 1
        await wait_until(when(lambda: _dip(console, trip_s) < 49.9), 30, "frequency dip")
        assert time.monotonic() - start < 90


    async def scenario() -> None:
        await console_session(console, body)

    run(scenario(), 150)
    assert len(pids) >= 4
    assert runtime.live_pids() == []
    assert [pid for pid in pids if alive(pid)] == []


def _dip(console: Console, after_s: float) -> float:
    t, v = _frequency(console)
    after = v[t >= after_s]
    return float(after.min()) if after.size else 50.0


def test_layout_and_geometry_persist_across_restarts(qtbot, settings, isa101) -> None:
    first = MainWindow("EGAT", isa101, settings, devnet=True, confirm_close=False)
    qtbot.addWidget(first)
    first.show()
    screen = first.screen().availableGeometry()  # restoreGeometry keeps windows on screen
    first.resize(screen.width() - 40, screen.height() - 60)
    qtbot.waitUntil(lambda: first.size().width() == screen.width() - 40)
    first.docks[DOCKS[1]].hide()
    first.save_layout()

    second = MainWindow("EGAT", isa101, settings, devnet=True, confirm_close=False)
    qtbot.addWidget(second)
    second.show()
    assert second.docks[DOCKS[1]].isHidden()
    assert not second.docks[DOCKS[0]].isHidden()
    assert second.size() == first.size()
    assert Path(settings.fileName()).is_file()


def test_view_menu_and_shortcuts_toggle_panels(qtbot, settings, isa101) -> None:
    window = MainWindow("PEA", isa101, settings, devnet=False, confirm_close=False)
    qtbot.addWidget(window)
    window.show()
    actions = window.menuBar().actions()[0].menu().actions()
    assert [a.shortcut().toString() for a in actions] == [
        "Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+5", "Ctrl+6", "Ctrl+7"]
    assert sorted(d.objectName() for d in window.docks.values()) == sorted(
        (*DOCKS, *CONTROL_DOCKS, TRADING_DOCK))
    actions[2].trigger()
    assert window.docks[DOCKS[2]].isHidden()
    assert "DEVNET" not in window.windowTitle()
    assert window.backend_label.text() == "backend: none configured"


def test_closing_asks_before_taking_the_authority_offline(qtbot, settings, isa101) -> None:
    window = MainWindow("EGAT", isa101, settings, devnet=True, confirm_close=True)
    qtbot.addWidget(window)
    window.show()
    requested: list[bool] = []
    window.close_requested.connect(lambda: requested.append(True))

    assert not window.close()  # ignored: a question is open instead
    assert window.isVisible() and window.close_box.isVisible()
    window.close_box.button(QMessageBox.StandardButton.Cancel).click()
    assert requested == [] and window.isVisible()

    window.close()
    window.close_box.button(QMessageBox.StandardButton.Yes).click()
    assert requested == [True] and window.isVisible()  # the console now shuts down...
    window.close_now()  # ...and then closes without asking
    assert not window.isVisible()

