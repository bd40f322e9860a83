"""The two-person drill from the GUI on a real devnet, with the people's own SoftHSM2 tokens:
operator1 logs in at start-up (after a wrong PIN and a token not on the roster, each refused
with the dialog still open and the PIN field cleared), selects and operates a load shed; their
own approval is refused by the node (an operator may not approve: RoleRefused, shown in the
panel); supervisor1 approves in the approval dialog and the order is final with both
endorsements, as another authority's node holds the block. supervisor2 takes over (Switch
operator…), selects and operates, and approving it themselves is refused by the node
(SamePersonApproval, the two-person rule); they cancel it. Then auditor1 takes over: the views
are read-only and the node refuses an acknowledgement sent past the GUI. The audit trail has
each session's login and logout under that person's key; every operator agent has ended once
the console closed; the PINs are in no log record, no process's arguments or environment, no
file of the data directory."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import subprocess
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QMessageBox

from app.cli.node_access import OPERATOR_PIN_ENV
from app.links.operator_session import DEVNET_PERSONS
from app.shell.approval import ApprovalDialog
from app.shell.console import Console, RunMode
from app.shell.login import LoginDialog
from app.shell.startup import ConsoleOptions
from node_core.api.client import NodeClient
from node_core.control_room.audit import AUDIT_FILENAME, AuditLog
from node_core.devnet.layout import DEVNET_SO_PIN, DevnetLayout, person_pin
from node_core.node.process import main_command
from node_core.signers.softhsm import init_token
from tests.app.conftest import alive, console_session, dialog_with_tokens, press_ok, when
from tests.helpers.devnet import wait_until

pytestmark = pytest.mark.slow
STRANGER = "stranger"
"""A person with a token and a key, not on any roster."""


def _enrol_stranger_token(devnet: DevnetLayout) -> None:
    """A token and key (``operators init``) of a person no security administrator enrolled."""
    init_token(devnet.softhsm_conf, STRANGER, DEVNET_SO_PIN, person_pin(STRANGER))
    subprocess.run(main_command("operators", "init", STRANGER, "--json"), check=True,
                   env={**devnet.environment(), OPERATOR_PIN_ENV: person_pin(STRANGER)},
                   capture_output=True, timeout=60)


def _descendants() -> list[int]:
    """Every live process descending from this one (the console's children and theirs)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [os.getpid()]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _processes_holding(secrets_: list[bytes]) -> list[str]:
    """The descendants (and this process) whose arguments or environment hold a secret."""
    hits = []
    for pid in [os.getpid(), *_descendants()]:
        for part in ("cmdline", "environ"):
            text = _read(Path(f"/proc/{pid}/{part}"))
            hits += [f"{pid} {part}" for secret in secrets_ if secret in text]
    return hits


def _agents() -> list[int]:
    return [pid for pid in _descendants()
            if b"operator-agent" in _read(Path(f"/proc/{pid}/cmdline"))]


def _alarm_event(alarm_id: str) -> dict:
    return {"seq": 1_000_000, "time_ms": 1, "alarm_id": alarm_id, "kind": "voltage",
            "priority": "high", "region": "PEA", "substation": "SS01", "old_state": "normal",
            "new_state": "unack_active", "trigger": "alarm", "value": 0.93,
            "operator": "system", "message": "voltage low at SS01 (drill)", "reason": None,
            "until_ms": None}


def test_two_person_drill_from_the_gui(devnet: DevnetLayout, run, qtbot, settings, isa101,
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every record, to look for the PINs in them
    _enrol_stranger_token(devnet)
    options = ConsoleOptions(data_dir=devnet.data_dir, base_port=devnet.base_port)
    console = Console(options, RunMode(interactive=False), isa101, settings)
    window, control = console.window, console.control
    panel = window.emergency_panel
    qtbot.addWidget(window)
    wrong_pin = f"wrong-{secrets.token_hex(6)}"
    pins = [wrong_pin, *(person_pin(p) for p in ("operator1", "supervisor1", "auditor1",
                                                  STRANGER))]
    pin_bytes = [pin.encode() for pin in pins]
    agents: list[int] = []
    in_argv_or_env: list[str] = []

    async def log_in_at_start() -> None:
        login = await dialog_with_tokens(window, LoginDialog)
        assert [login.form.tokens.itemText(i) for i in range(login.form.tokens.count())] == \
            list(DEVNET_PERSONS)  # people only: no grid feed, no authority token, no stranger
        press_ok(login, pin=wrong_pin)
        await wait_until(when(login.form.error.isVisible), 30, "the PIN refused")
        assert login.form.error.text().startswith("The token refused the PIN. Check it and "
                                                  "try again.\n")
        assert login.form.pin.text() == "" and login.isVisible()
        press_ok(login, token=STRANGER, pin=person_pin(STRANGER))
        await wait_until(when(lambda: "roster" in login.form.error.text()), 30,
                         "the stranger refused")
        assert login.form.error.text().startswith(
            "The key on this token is not on EGAT's roster, so it cannot be used at this "
            "console. Your security administrator enrols it.\nthe key on token 'stranger'")
        assert login.form.pin.text() == "" and login.isVisible()
        press_ok(login, token="operator1", pin=person_pin("operator1"))
        await wait_until(when(lambda: window.operator_label.text() == "operator1 — operator"),
                         30, "operator1 logged in")
        assert control.session is not None
        agents.append(control.session.agent.pid)

    async def select_and_operate(stage: int) -> dict:
        window.docks["emergencyDock"].raise_()
        panel.kind.setCurrentIndex(panel.kind.findData("load_shed"))
        panel.region.setCurrentIndex(panel.region.findData("PEA"))
        panel.stage.setValue(stage)
        panel.mw.setValue(200)
        panel.reason.setText("frequency 49.2 Hz: drill")
        panel.select_button.click()
        await wait_until(when(lambda: (panel.current() or {}).get("step") == "selected"
                              and panel.current()["stage"] == stage), 15, "the selection")
        box = panel.ask_operate()
        assert box is not None
        box.button(QMessageBox.StandardButton.Yes).click()
        await wait_until(when(lambda: panel.current()["step"] == "awaiting approval"), 15,
                         "waiting for a supervisor")
        assert panel.countdown.text().startswith("Waiting for a supervisor: approve within ")
        return panel.current()

    async def approve_as(token: str, offered: str = "supervisor1") -> dict[str, str]:
        """Approve in the approval dialog with ``token``; the action the dialog showed."""
        panel.approve_button.click()
        dialog = await dialog_with_tokens(window, ApprovalDialog)
        assert dialog.form.token_label() == offered  # the devnet's supervisor, not oneself
        shown = dict(dialog.fields)
        press_ok(dialog, token=token, pin=person_pin(token))
        await wait_until(when(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible()),
                         30, f"{token}'s approval sent")
        return shown

    async def two_person_rule() -> None:
        selection = await select_and_operate(stage=1)
        shown = await approve_as("operator1")
        assert shown == {
            "Action": "Load shedding", "Region": "PEA", "Stage": "1", "Load": "200 MW",
            "Reason": "frequency 49.2 Hz: drill", "What it does": selection["consequence"],
            "Selected by": shown["Selected by"]}
        assert re.fullmatch(r"operator1 at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Bangkok\)",
                            shown["Selected by"])
        await wait_until(when(panel.error_text), 15, "the node's refusal in the panel")
        assert panel.error_text() == (
            "approve refused — Refused by the node: your role may not do this.\n"
            "RoleRefused: operator1 (operator) may not emergency_approve; supervisor may")
        assert panel.current()["step"] == "awaiting approval"  # nothing lost
        await approve_as("supervisor1")
        await wait_until(when(lambda: panel.current()["step"] == "final"), 30, "final")
        final = panel.current()
        assert (final["operator"], final["approver"]) == ("operator1", "supervisor1")
        assert window.operator_label.text() == "operator1 — operator"  # one-shot approval
        mea = await NodeClient.connect(devnet.node_address("MEA"))
        try:
            where = await mea.call("transaction", hash=final["tx_hash"])
            block = await mea.call("block", height=where["height"])
        finally:
            await mea.close()
        order = block["transactions"][where["position"]]
        assert (order["emergency"], order["region"], order["stage"], order["mw"]) == (
            "load_shed", "PEA", 1, 200)
        assert (order["operator"], order["approver"]) == ("operator1", "supervisor1")

    async def switch_to(token: str, label: str) -> None:
        previous = agents[-1]
        window.switch_operator_action.trigger()
        login = await dialog_with_tokens(window, LoginDialog)
        assert login.windowTitle() == "Switch operator — EGAT"
        press_ok(login, token=token, pin=person_pin(token))
        await wait_until(when(lambda: window.operator_label.text() == label), 30,
                         f"{token} logged in")
        agents.append(control.session.agent.pid)
        await wait_until(when(lambda: not alive(previous)), 15, "the previous token logged out")

    async def same_person() -> None:
        await switch_to("supervisor2", "supervisor2 — supervisor")
        await select_and_operate(stage=2)
        await approve_as("supervisor2", offered="supervisor1")
        await wait_until(when(lambda: "SamePersonApproval" in panel.error_text()), 15,
                         "the two-person rule")
        assert panel.error_text().startswith(
            "approve refused — Refused by the node: the approving supervisor must be another "
            "person than the operator who selected and operated it (two-person rule).\n"
            "SamePersonApproval: supervisor2 operated selection ")
        panel.cancel_button.click()
        await wait_until(when(lambda: panel.current()["step"] == "cancelled"), 15, "cancelled")

    async def auditor_takes_over() -> None:
        await switch_to("auditor1", "auditor1 — auditor")
        control.on_pushed("alarm_events", [_alarm_event("drill.SS01")])
        alarms = window.alarm_list
        assert alarms.model.rowCount() >= 1 and not alarms.ack_all_button.isEnabled()
        assert not panel.select_button.isEnabled()
        assert not window.governance.new_button.isEnabled()
        in_argv_or_env.extend(_processes_holding(pin_bytes))
        control.acknowledge(["drill.SS01"])  # past the GUI: the node refuses it anyway
        await wait_until(when(lambda: "refused" in window.statusBar().currentMessage()), 15,
                         "the refusal in the status bar")
        assert window.statusBar().currentMessage().startswith(
            "acknowledge refused — Refused by the node: your role may not do this. — "
            "RoleRefused: auditor1 (auditor) may not alarms_ack")

    async def body() -> None:
        await log_in_at_start()
        await wait_until(when(lambda: window.peers_label.text() == "authorities 3/3"), 45,
                         "authorities 3/3")
        in_argv_or_env.extend(_processes_holding(pin_bytes))
        await two_person_rule()
        await same_person()
        await auditor_takes_over()

    run(console_session(console, body), 240)
    assert all(not alive(pid) for pid in agents) and _agents() == []
    assert in_argv_or_env == []
    keys = json.loads((devnet.data_dir / "keys.json").read_text())
    with AuditLog.open_existing(devnet.node_dir("EGAT") / AUDIT_FILENAME) as audit:
        assert audit.verify().ok
        entries = list(audit.entries())
    sessions = [(e.operator, e.action, json.loads(e.request)["key"]) for e in entries
                if e.action in ("login", "logout")]
    assert sessions == [(name, action, keys[name]["public_key"])
                        for name in ("operator1", "supervisor2", "auditor1")
                        for action in ("login", "logout")]
    approvals = [(e.operator, e.outcome.split(":")[:2]) for e in entries
                 if e.action == "approve"]
    assert approvals == [("operator1", ["refused", " RoleRefused"]),
                         ("supervisor1", ["submitted"]),
                         ("supervisor2", ["refused", " SamePersonApproval"])]
    assert not [r for r in caplog.records if any(pin in r.getMessage() for pin in pins)]
    files = [f for f in devnet.data_dir.rglob("*") if f.is_file()]
    assert files and not [f for f in files if any(pin in _read(f) for pin in pin_bytes)]
