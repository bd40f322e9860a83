"""Alarms and emergency controls from the console: ControlLink against a scripted node, and on
a real devnet an alarm flood into the running console's list (all present, event loop not
stalled) and the emergency flow — select as operator1, operate, approve as supervisor1 on
their own login, final in block N; an auditor refused by node_core, shown inline."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from app.links.control_link import ControlLink, chart_marks
from app.shell.console import Console, RunMode
from app.shell.login import LoginDialog
from app.shell.startup import ConsoleOptions
from node_core.api.methods import Method, request_params
from node_core.api.wire import ClientError
from node_core.control_room.audit import AUDIT_FILENAME, AuditLog
from node_core.devnet.layout import DevnetLayout
from tests.app.conftest import alive, console_session, when
from tests.helpers.devnet import wait_until
from tests.helpers.logs import expect_logged

FLOOD_EVENTS, FLOOD_BATCHES = 1000, 20
PRIORITIES = ("critical", "high", "medium", "low")




def event(seq: int, alarm_id: str, time_ms: int, *, priority: str = "high",
          old: str = "normal", new: str = "unack_active") -> dict[str, Any]:
    return {"seq": seq, "time_ms": time_ms, "alarm_id": alarm_id, "kind": "voltage",
            "priority": priority, "region": ("EGAT", "MEA", "PEA")[seq % 3],
            "substation": f"SS{seq % 40:02d}", "old_state": old, "new_state": new,
            "trigger": "alarm" if new == "unack_active" else "ack", "value": 0.93,
            "operator": "system", "message": f"voltage low at SS{seq % 40:02d}",
            "reason": None, "until_ms": None}


class ScriptedNode(QObject):
    connection_changed = Signal(bool)
    block_finalized = Signal(dict)
    event_pushed = Signal(str, object)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.connected = False
        self.connection_changed.connect(lambda up: setattr(self, "connected", up))

    async def request(self, method_: Method[Any, Any], request: object) -> Any:
        method, params = method_.name, request_params(request)
        self.calls.append((method, params))
        if method == "operator_login" and params["operator"] == "mallory":
            raise ClientError("RoleRefused", "operator 'mallory' is not registered on this node")
        if method.startswith("operator_"):
            return {"operator": params["operator"], "role": "operator"}
        if method == "alarms_list":
            return {"alarms": [], "last_seq": 4}
        if method == "emergency_status":
            return []
        if method == "emergency_select" and params["operator"] == "auditor1":
            raise ClientError("RoleRefused", "auditor1 (auditor) may not select emergency "
                                             "actions")
        return {"id": 1, "step": "selected"}


def test_link_forwards_events_marks_charts_and_sends_the_operator(
        run, qtbot, caplog: pytest.LogCaptureFixture) -> None:
    node = ScriptedNode()
    link = ControlLink(node)  # type: ignore[arg-type]
    loaded: list[tuple] = []
    batches: list[list] = []
    marks: list[tuple] = []
    failed: list[tuple] = []
    statuses: list[list] = []
    link.alarms_loaded.connect(lambda a, s: loaded.append((a, s)))
    link.alarm_events.connect(batches.append)
    link.alarm_marked.connect(lambda *m: marks.append(m))
    link.emergency_failed.connect(lambda *f: failed.append(f))
    link.emergency_status.connect(statuses.append)
    sessions: list[tuple] = []
    link.session_failed.connect(lambda *f: sessions.append(f))
    link.set_operator("operator1")  # the start-up login comes before the node answers

    async def scenario() -> None:
        node.connection_changed.emit(True)
        await wait_until(when(lambda: loaded and statuses), 5, "list and status on connect")
        node.event_pushed.emit("alarm_events", [
            event(5, "a", 10_000), event(6, "b", 10_400),
            event(7, "c", 12_000, priority="critical"),
            event(8, "a", 12_500, old="unack_active", new="ack_active")])
        node.event_pushed.emit("status", {})
        link.acknowledge(["a"])
        link.shelve("b", "maintenance", 900)
        link.unshelve("b")
        link.select({"kind": "trading_halt", "region": "MEA", "stage": 0, "mw": 0,
                     "duration_s": 0, "reason": ""})
        link.set_operator("auditor1")
        link.select({"kind": "trading_halt", "region": "MEA"})
        await wait_until(when(lambda: failed), 5, "the refusal")
        calls = len(statuses)
        node.event_pushed.emit("emergency", {"tx_hash": "ab", "height": 3})
        await wait_until(when(lambda: len(statuses) > calls), 5, "status on emergency event")
        link.set_operator("mallory")
        await wait_until(when(lambda: sessions), 5, "the node refusing mallory")
        node.connection_changed.emit(False)
        node.connection_changed.emit(True)  # a reconnect does not log anyone in again...
        await link.end_session()  # ...closing logs the last one out (none: mallory refused)
        link.set_operator("operator2")
        await wait_until(when(lambda: ("operator_login", {"operator": "operator2",
                                                          "client": "console"}) in node.calls),
                         5, "the login")
        await link.end_session()
        link.stop()

    run(scenario(), 20)
    assert loaded == [([], 4)] * 2  # on connect and on the reconnect
    assert len(batches) == 1 and len(batches[0]) == 4
    assert marks == [(10.0, "2 alarms", "high"), (12.0, "voltage low at SS07", "critical")]
    node.event_pushed.emit("alarm_events", [event(9, "d", 11_000), event(10, "e", 16_000)])
    assert marks[2:] == [(16.0, "voltage low at SS10", "high")]  # 10..15 s already marked
    assert ("alarms_ack", {"operator": "operator1", "ids": ["a"]}) in node.calls
    assert ("alarms_shelve", {"operator": "operator1", "id": "b", "reason": "maintenance",
                              "duration_s": 900}) in node.calls
    assert ("alarms_unshelve", {"operator": "operator1", "id": "b"}) in node.calls
    assert [(m, p["operator"]) for m, p in node.calls if m.startswith("operator_")] == [
        ("operator_login", "operator1"), ("operator_logout", "operator1"),
        ("operator_login", "auditor1"), ("operator_logout", "auditor1"),
        ("operator_login", "mallory"), ("operator_login", "operator2"),
        ("operator_logout", "operator2")]
    assert sessions == [("login", "RoleRefused",
                         "operator 'mallory' is not registered on this node")]
    selects = [p["operator"] for m, p in node.calls if m == "emergency_select"]
    assert selects == ["operator1", "auditor1"]
    assert failed == [("select", "RoleRefused",
                       "auditor1 (auditor) may not select emergency actions")]
    expect_logged(caplog, "operator login of mallory refused by the node: RoleRefused")


def test_chart_marks_only_for_events_entering_an_active_state() -> None:
    events = [event(1, "a", 1000, old="rtn_unack", new="unack_active"),
              event(2, "b", 1000, old="unack_active", new="ack_active"),
              event(3, "c", 1000, old="ack_active", new="rtn_unack"),
              event(4, "d", 1000, old="shelved", new="ack_active")]
    assert chart_marks(events) == [(1.0, "2 alarms", "high")]


async def _login_as(window, operator: str) -> None:  # type: ignore[no-untyped-def]
    """Fill the open login dialog (identity; the devnet PIN is prefilled) and press OK."""
    async def dialog_open() -> bool:
        return any(d.isVisible() for d in window.findChildren(LoginDialog))

    await wait_until(dialog_open, 10, "the login dialog")
    dialog = next(d for d in window.findChildren(LoginDialog) if d.isVisible())
    assert dialog.pin.text()  # devnet: the documented PIN
    assert dialog.operator.text() == ""  # the second person types who they are
    dialog.operator.setText(operator)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    await wait_until(when(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible()), 30,
                     f"{operator}'s PKCS#11 login")


@pytest.mark.slow
@pytest.mark.timing
def test_flood_and_emergency_flow_in_the_running_console(devnet: DevnetLayout, run, qtbot,
                                                         settings, isa101) -> None:
    options = ConsoleOptions(data_dir=devnet.data_dir, base_port=devnet.base_port)
    console = Console(options, RunMode(interactive=False), isa101, settings)
    window, runtime, link = console.window, console.runtime, console.control
    panel, alarms = window.emergency_panel, window.alarm_list
    qtbot.addWidget(window)
    pids: list[int] = []
    figures: dict[str, float] = {}

    async def flood() -> None:
        """1,000 events over one minute of event time, 20 batches, through the link's slot."""
        model = alarms.model
        lateness: list[float] = []
        last = [time.perf_counter()]

        def on_tick() -> None:
            now = time.perf_counter()
            lateness.append(max(0.0, now - last[0] - 0.010))
            last[0] = now

        probe = QTimer(interval=10)
        probe.timeout.connect(on_tick)
        probe.start()
        await asyncio.sleep(0.3)
        t0 = int(time.time() * 1000) - 60_000
        per_batch = FLOOD_EVENTS // FLOOD_BATCHES
        began = time.perf_counter()
        for batch in range(FLOOD_BATCHES):
            first_seq = (model.last_seq or 0) + 1  # the node's own events keep their seqs
            events = [event(first_seq + j, f"flood:{batch * per_batch + j:04d}",
                            t0 + (batch * per_batch + j) * 60,
                            priority=PRIORITIES[j % 4]) for j in range(per_batch)]
            link.on_pushed("alarm_events", events)
            await asyncio.sleep(0.05)
        figures["deliver_s"] = time.perf_counter() - began
        await asyncio.sleep(0.5)
        probe.stop()
        ids = set(model.alarm_ids())
        missing = [i for i in range(FLOOD_EVENTS) if f"flood:{i:04d}" not in ids]
        assert missing == []
        figures["ticks"] = len(lateness)
        figures["p99_ms"] = float(np.percentile(lateness, 99)) * 1000
        figures["max_ms"] = max(lateness) * 1000
        assert figures["p99_ms"] < 100, figures
        assert window.alarm_banner.counts()["critical"]["active"] >= FLOOD_EVENTS // 4
        print(f"\nflood: {figures}")

    async def emergency() -> None:
        window.docks["emergencyDock"].raise_()
        panel.kind.setCurrentIndex(panel.kind.findData("trading_halt"))
        panel.region.setCurrentIndex(panel.region.findData("MEA"))
        panel.reason.setText("frequency 49.3 Hz: drill")
        panel.select_button.click()
        await wait_until(when(lambda: (panel.current() or {}).get("step") == "selected"), 10,
                         "the selection")
        assert "Halts energy trading in region MEA" in panel.summary.text()
        assert re.fullmatch(r"Operate within \d+ s, or the selection expires\.",
                            panel.countdown.text())
        box = panel.ask_operate()
        assert box is not None
        box.button(QMessageBox.StandardButton.Yes).click()
        await wait_until(when(lambda: panel.current()["step"] == "awaiting approval"), 10,
                         "awaiting approval")
        assert panel.countdown.text() == "Awaiting approval by a supervisor."
        assert panel.approve_button.isEnabled()
        panel.approve_button.click()
        await _login_as(window, "supervisor1")
        await wait_until(when(lambda: panel.current()["step"] == "final"), 20,
                         "final in a block")
        selection = panel.current()
        assert selection["approver"] == "supervisor1" and selection["operator"] == "operator1"
        life = panel.life_of(selection["id"])
        assert re.fullmatch(r"selected → approved by supervisor1 → submitted → "
                            r"final in block \d+", life), life
        assert window.operator_label.text() == "operator: operator1"  # approval was one-shot

        # An auditor logs in (Switch operator…) and is refused by node_core, inline.
        window.switch_operator_action.trigger()
        await _login_as(window, "auditor1")
        assert window.operator_label.text() == "operator: auditor1"
        panel.kind.setCurrentIndex(panel.kind.findData("trading_resume"))
        panel.select_button.click()
        await wait_until(when(panel.error_text), 10, "the refusal")
        assert panel.error_text().startswith("select refused — RoleRefused: ")

    async def body() -> None:
        await wait_until(when(lambda: window.peers_label.text() == "authorities 3/3"), 45,
                         "authorities 3/3")
        pids.extend(runtime.live_pids())
        assert window.operator_label.text() == "operator: operator1"
        await wait_until(when(lambda: alarms.model.last_seq is not None), 10,
                         "the alarm list loaded")
        await flood()
        await emergency()

    async def scenario() -> None:
        await console_session(console, body)

    run(scenario(), 120)
    assert runtime.live_pids() == []
    assert [pid for pid in pids if alive(pid)] == []
    # The node recorded the console's sessions: start-up login, the switch, the close.
    with AuditLog.open_existing(devnet.node_dir("EGAT") / AUDIT_FILENAME) as audit:
        assert audit.verify().ok
        sessions = [(e.operator, e.action, e.target, e.outcome) for e in audit.entries()
                    if e.action in ("login", "logout")]
    assert sessions == [("operator1", "login", "console", "ok"),
                        ("operator1", "logout", "console", "ok"),
                        ("auditor1", "login", "console", "ok"),
                        ("auditor1", "logout", "console", "ok")]
