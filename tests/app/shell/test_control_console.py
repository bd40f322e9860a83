"""Alarms and emergency controls from the console: ControlLink against a scripted node (every
request signed by the session's own token, the sessions' logins and logouts in order), and on
a real devnet an alarm flood into the running console's list (all present, event loop not
stalled). The two-person drill is tests/app/shell/test_two_person_drill.py."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QObject, QTimer, Signal

from app.links.control_link import ControlLink, chart_marks
from app.links.operator_session import OperatorSession
from app.shell.console import Console, RunMode
from app.shell.startup import ConsoleOptions
from node_core.api.methods import Method, request_params
from node_core.api.signed_requests import RequestSigner
from node_core.api.wire import ClientError
from node_core.control_room.audit import AUDIT_FILENAME, AuditLog
from node_core.devnet.layout import DevnetLayout
from node_core.ledger.roster import Role
from node_core.ledger.types import Address
from tests.app.conftest import alive, console_session, when
from tests.helpers.devnet import wait_until
from tests.helpers.logs import expect_logged
from tests.helpers.people import person

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
    """The part of NodeLink the control link uses; it answers from a script and records who
    signed each request (by the signing key's session)."""

    connection_changed = Signal(bool)
    block_finalized = Signal(dict)
    event_pushed = Signal(str, object)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict[str, Any], str]] = []
        self.keys: dict[bytes, str] = {}
        self.connected = False
        self.connection_changed.connect(lambda up: setattr(self, "connected", up))

    async def request(self, method_: Method[Any, Any], request: object, *,
                      signer: RequestSigner | None = None) -> Any:
        method, params = method_.name, request_params(request)
        who = self.keys[bytes(signer.signer.public_key)] if signer is not None else ""
        self.calls.append((method, params, who))
        if method_.roles and signer is None:
            raise ClientError("Unsigned", f"{method} is signed by an operator")
        if method == "operator_login" and who == "mallory":
            raise ClientError("UnknownOperatorKey", "operator_login: key 0x… is not on this "
                              "authority's roster")
        if method.startswith("operator_"):
            return {"operator": who, "role": "operator"}
        if method == "alarms_list":
            return {"alarms": [], "last_seq": 4}
        if method == "emergency_status":
            return []
        if method == "emergency_select" and who == "auditor1":
            raise ClientError("RoleRefused", "auditor1 (auditor) may not emergency_select")
        return {"id": 1, "step": "selected"}


@pytest.fixture
def sessions(devnet: DevnetLayout) -> Iterator[dict[str, OperatorSession]]:
    """Real sessions on the devnet people's own tokens (``mallory`` is operator2's token under
    another name: the scripted node refuses her)."""
    opened: dict[str, OperatorSession] = {}
    with person(devnet, "operator1") as a, person(devnet, "auditor1") as b, \
            person(devnet, "operator2") as c, person(devnet, "supervisor1") as d:
        for name, agent, role in (("operator1", a, Role.OPERATOR), ("auditor1", b, Role.AUDITOR),
                                  ("mallory", c, Role.OPERATOR),
                                  ("supervisor1", d, Role.SUPERVISOR)):
            signer = RequestSigner(agent, "gridtokenx-devnet", Address("0x" + "e" * 40))
            opened[name] = OperatorSession(name, role, name, signer, agent)
        yield opened


def test_link_signs_as_the_session_and_logs_sessions_in_and_out_in_order(
        run, qtbot, sessions, caplog: pytest.LogCaptureFixture) -> None:
    node = ScriptedNode()
    node.keys = {bytes(s.agent.public_key): name for name, s in sessions.items()}
    link = ControlLink(node)  # type: ignore[arg-type]
    loaded: list[tuple] = []
    batches: list[list] = []
    marks: list[tuple] = []
    failed: list[tuple] = []
    statuses: list[list] = []
    shown: list[str] = []
    link.alarms_loaded.connect(lambda a, s: loaded.append((a, s)))
    link.alarm_events.connect(batches.append)
    link.alarm_marked.connect(lambda *m: marks.append(m))
    link.emergency_failed.connect(lambda *f: failed.append(f))
    link.emergency_status.connect(statuses.append)
    link.session_changed.connect(lambda s: shown.append(s.name if s else ""))
    refused: list[tuple] = []
    link.session_failed.connect(lambda *f: refused.append(f))
    alarm_refused: list[tuple] = []
    link.alarm_failed.connect(lambda *f: alarm_refused.append(f))
    selected: list[dict] = []
    link.selection_changed.connect(selected.append)

    async def scenario() -> None:
        link.acknowledge(["a"])  # nobody logged in: refused here, not lost
        await wait_until(when(lambda: alarm_refused), 5, "the unsigned refusal")
        link.start_session(sessions["operator1"])  # the start-up login, before the node answers
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
        await wait_until(when(lambda: selected), 5, "the selection")
        shown_selection = {"id": 1, "kind": "trading_halt", "region": "MEA", "stage": 0,
                           "mw": 0, "duration_s": 0, "reason": "", "selected_ms": 1000}
        link.operate(shown_selection)
        await wait_until(when(lambda: any(m == "emergency_operate" for m, _p, _w in node.calls)),
                         5, "the operate sent")
        await link.approve(shown_selection, sessions["supervisor1"])
        link.start_session(sessions["auditor1"])
        link.select({"kind": "trading_halt", "region": "MEA"})
        await wait_until(when(lambda: failed), 5, "the refusal")
        calls = len(statuses)
        node.event_pushed.emit("emergency", {"tx_hash": "ab", "height": 3})
        await wait_until(when(lambda: len(statuses) > calls), 5, "status on emergency event")
        link.start_session(sessions["mallory"])
        await wait_until(when(lambda: refused), 5, "the node refusing mallory")
        node.connection_changed.emit(False)
        node.connection_changed.emit(True)  # a reconnect does not log anyone in again...
        await link.end_session()  # ...closing logs the last one out (none: mallory refused)
        assert link.session is None

    run(scenario(), 30)
    link.stop()
    assert alarm_refused == [("acknowledge", "Unsigned", "alarms_ack is signed by an operator")]
    assert loaded == [([], 4)] * 2  # on connect and on the reconnect
    assert len(batches) == 1 and len(batches[0]) == 4
    assert marks == [(10.0, "2 alarms", "high"), (12.0, "voltage low at SS07", "critical")]
    node.event_pushed.emit("alarm_events", [event(9, "d", 11_000), event(10, "e", 16_000)])
    assert marks[2:] == [(16.0, "voltage low at SS10", "high")]  # 10..15 s already marked
    assert ("alarms_ack", {"ids": ["a"]}, "operator1") in node.calls
    assert ("alarms_shelve", {"id": "b", "reason": "maintenance", "duration_s": 900},
            "operator1") in node.calls
    assert ("alarms_unshelve", {"id": "b"}, "operator1") in node.calls
    assert [(m, who) for m, _p, who in node.calls if m.startswith("operator_")] == [
        ("operator_login", "operator1"), ("operator_logout", "operator1"),
        ("operator_login", "auditor1"), ("operator_logout", "auditor1"),
        ("operator_login", "mallory")]
    assert refused == [("login", "UnknownOperatorKey", "operator_login: key 0x… is not on this "
                        "authority's roster")]
    steps = [(m, who) for m, _p, who in node.calls if m.startswith("emergency_") and
             m != "emergency_status"]
    assert steps == [("emergency_select", "operator1"), ("emergency_operate", "operator1"),
                     ("emergency_approve", "supervisor1"), ("emergency_select", "auditor1")]
    endorsements = [p["endorsement"] for m, p, _ in node.calls
                    if m in ("emergency_operate", "emergency_approve")]
    assert len(set(endorsements)) == 2 and all(len(e) == 128 for e in endorsements)
    assert failed == [("select", "RoleRefused", "auditor1 (auditor) may not emergency_select")]
    assert shown == ["operator1", "auditor1", "mallory", ""]
    assert all(s.agent._process.poll() is not None  # the switched-away tokens logged out
               for name, s in sessions.items() if name != "supervisor1")
    expect_logged(caplog, "login of mallory refused: UnknownOperatorKey")


def test_chart_marks_only_for_events_entering_an_active_state() -> None:
    events = [event(1, "a", 1000, old="rtn_unack", new="unack_active"),
              event(2, "b", 1000, old="unack_active", new="ack_active"),
              event(3, "c", 1000, old="ack_active", new="rtn_unack"),
              event(4, "d", 1000, old="shelved", new="ack_active")]
    assert chart_marks(events) == [(1.0, "2 alarms", "high")]


@pytest.mark.slow
@pytest.mark.timing
def test_an_alarm_flood_reaches_the_running_console(devnet: DevnetLayout, run, qtbot,
                                                     settings, isa101) -> None:
    options = ConsoleOptions(data_dir=devnet.data_dir, base_port=devnet.base_port)
    console = Console(options, RunMode(interactive=False, auto_login=True), isa101, settings)
    window, runtime, link = console.window, console.runtime, console.control
    alarms = window.alarm_list
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

    async def body() -> None:
        await wait_until(when(lambda: window.operator_label.text() == "operator1 — operator"),
                         60, "operator1 logged in at start-up")
        await wait_until(when(lambda: window.peers_label.text() == "authorities 3/3"), 45,
                         "authorities 3/3")
        pids.extend(runtime.live_pids())
        await wait_until(when(lambda: alarms.model.last_seq is not None), 10,
                         "the alarm list loaded")
        await flood()

    async def scenario() -> None:
        await console_session(console, body)

    run(scenario(), 120)
    assert runtime.live_pids() == []
    assert [pid for pid in pids if alive(pid)] == []
    # The node recorded the console's session: start-up login, then the close.
    with AuditLog.open_existing(devnet.node_dir("EGAT") / AUDIT_FILENAME) as audit:
        assert audit.verify().ok
        sessions = [(e.operator, e.action, e.target, e.outcome) for e in audit.entries()
                    if e.action in ("login", "logout")]
    assert sessions == [("operator1", "login", "console", "ok"),
                        ("operator1", "logout", "console", "ok")]
