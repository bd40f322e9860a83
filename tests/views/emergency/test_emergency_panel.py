"""EmergencyPanel with plain dicts: the form's intents, the countdown and expiry, the
deliberate operate with its confirmation, approval and cancel, the life of each action,
refusals shown inline with their meaning, and the buttons following the role logged in."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox

from views.emergency import emergency_model as em
from views.emergency.emergency_panel import EmergencyPanel

T0 = 1_760_000_000_000


class Clock:
    def __init__(self) -> None:
        self.ms = T0

    def __call__(self) -> int:
        return self.ms


def selection(step: str = "selected", **extra: Any) -> dict[str, Any]:
    base = {"id": 7, "kind": "trading_halt", "region": "MEA", "stage": 0, "mw": 0,
            "duration_s": 0, "reason": "drill", "operator": "operator1", "approver": None,
            "critical": True, "step": step, "selected_ms": T0, "expires_ms": T0 + 30_000,
            "consequence": "Halts energy trading in region MEA: settlements there are "
                           "rejected until resumed.",
            "tx_hash": None, "height": None, "outcome": ""}
    return {**base, **extra}


def make(qtbot) -> tuple[EmergencyPanel, Clock]:  # type: ignore[no-untyped-def]
    clock = Clock()
    panel = EmergencyPanel(now_ms=clock)
    qtbot.addWidget(panel)
    panel.set_operator("operator1", True)
    return panel, clock


def test_the_form_sends_what_each_action_needs(qtbot) -> None:
    panel, _ = make(qtbot)
    sent: list[dict] = []
    panel.select_requested.connect(sent.append)
    panel.kind.setCurrentIndex(panel.kind.findData("trading_halt"))
    assert [panel.region.itemData(i) for i in range(panel.region.count())] == [
        "ALL", "EGAT", "MEA", "PEA"]
    panel.region.setCurrentIndex(panel.region.findData("ALL"))
    panel.reason.setText("  frequency 49.3 Hz  ")
    panel.select_button.click()
    panel.kind.setCurrentIndex(panel.kind.findData("load_shed"))
    assert "ALL" not in [panel.region.itemData(i) for i in range(panel.region.count())]
    assert panel.stage.maximum() == 5
    panel.stage.setValue(3)
    panel.mw.setValue(250)
    panel.region.setCurrentIndex(panel.region.findData("PEA"))
    panel.select_button.click()
    panel.kind.setCurrentIndex(panel.kind.findData("demand_response"))
    panel.duration.setValue(900)
    panel.select_button.click()
    assert sent == [
        {"kind": "trading_halt", "region": "ALL", "stage": 0, "mw": 0, "duration_s": 0,
         "reason": "frequency 49.3 Hz"},
        {"kind": "load_shed", "region": "PEA", "stage": 3, "mw": 250, "duration_s": 0,
         "reason": "frequency 49.3 Hz"},
        {"kind": "demand_response", "region": "PEA", "stage": 0, "mw": 250, "duration_s": 900,
         "reason": "frequency 49.3 Hz"}]


def test_select_shows_the_consequence_and_counts_down_to_expiry(qtbot) -> None:
    panel, clock = make(qtbot)
    assert not panel.operate_button.isEnabled()
    panel.on_selection(selection())
    assert "Halts energy trading in region MEA" in panel.summary.text()
    assert panel.countdown.text() == "Operate within 30 s, or the selection expires."
    assert panel.operate_button.isEnabled() and panel.cancel_button.isEnabled()
    assert not panel.approve_button.isEnabled()
    clock.ms = T0 + 12_300
    panel._tick()
    assert panel.countdown.text() == "Operate within 18 s, or the selection expires."
    clock.ms = T0 + 30_000
    panel._tick()
    assert not panel.operate_button.isEnabled()
    assert panel.countdown.text() == "The selection expired; select again."
    assert panel.ask_operate() is None


def test_operate_needs_the_confirmation_and_a_live_selection(qtbot) -> None:
    panel, clock = make(qtbot)
    operated: list[int] = []
    panel.operate_requested.connect(lambda shown: operated.append(shown["id"]))
    panel.on_selection(selection())
    box = panel.ask_operate()
    assert box is not None and "Halts energy trading" in box.text()
    assert "supervisor must approve" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert operated == []
    box = panel.ask_operate()
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    assert operated == [7]
    # The selection expires while the confirmation is open: Yes does nothing.
    box = panel.ask_operate()
    assert box is not None
    clock.ms = T0 + 31_000
    panel._tick()
    assert not box.button(QMessageBox.StandardButton.Yes).isEnabled()
    box.button(QMessageBox.StandardButton.Yes).setEnabled(True)
    box.button(QMessageBox.StandardButton.Yes).click()
    assert operated == [7]
    assert "expired" in panel.error_text()


def test_awaiting_approval_then_approve_and_final_in_block(qtbot) -> None:
    panel, _ = make(qtbot)
    approvals: list[dict] = []
    cancels: list[int] = []
    panel.approve_requested.connect(approvals.append)
    panel.cancel_requested.connect(cancels.append)
    panel.on_selection(selection("awaiting approval", expires_ms=T0 + 120_000))
    assert panel.countdown.text() == ("Waiting for a supervisor: approve within 120 s, or "
                                      "the selection expires.")
    assert panel.approve_button.text() == "Approve as supervisor…"
    assert panel.approve_button.isVisible() or not panel.isVisible()
    assert panel.approve_button.isEnabled() and not panel.operate_button.isEnabled()
    assert panel.life_of(7) == "selected → awaiting approval by a supervisor"
    panel.approve_button.click()
    panel.cancel_button.click()
    assert approvals == [selection("awaiting approval", expires_ms=T0 + 120_000)]
    assert cancels == [7]
    panel.on_status([selection("submitted", approver="supervisor1", tx_hash="ab" * 32)])
    assert not panel.cancel_button.isEnabled() and not panel.approve_button.isEnabled()
    panel.on_status([selection("final", approver="supervisor1", tx_hash="ab" * 32,
                               height=42, outcome="final in block 42")])
    assert panel.life_of(7) == ("selected → approved by supervisor1 → submitted → "
                                "final in block 42")
    assert panel.countdown.text() == panel.life_of(7)


def test_every_action_has_a_row_with_its_life(qtbot) -> None:
    panel, _ = make(qtbot)
    panel.on_status([
        selection("rejected", id=3, approver="supervisor2", tx_hash="cd" * 32,
                  outcome="TradingHalted: region MEA already halted"),
        selection("expired", id=2),
        selection("cancelled", id=1, kind="demand_response", critical=False, mw=50,
                  duration_s=600, outcome="cancelled by operator2"),
    ])
    assert panel.table.rowCount() == 3
    assert panel.table.item(0, 0).text() == "3"  # newest first
    assert panel.life_of(3) == ("selected → approved by supervisor2 → submitted → rejected: "
                                "TradingHalted: region MEA already halted")
    assert panel.life_of(2) == "selected → expired"
    assert panel.life_of(1) == "selected → cancelled (cancelled by operator2)"
    assert panel.table.item(2, 3).text() == "50 MW · 600 s"
    panel.on_status([selection("expired", id=2)])
    assert panel.table.rowCount() == 3


def test_a_refusal_is_shown_inline_with_the_rule(qtbot) -> None:
    panel, _ = make(qtbot)
    panel.on_failed("select", "RoleRefused", "auditor1 (auditor) may not select emergency "
                                             "actions")
    assert panel.error_text() == ("select refused — Refused by the node: your role may not do "
                                  "this.\nRoleRefused: auditor1 (auditor) may not select "
                                  "emergency actions")
    panel.on_failed("approve", "SamePersonApproval", "operator1 operated selection 7")
    assert panel.error_text().startswith("approve refused — Refused by the node: the approving "
                                         "supervisor must be another person")
    panel.on_failed("operate", "NewRule", "what the node says")
    assert panel.error_text() == "operate refused — NewRule: what the node says"
    panel.select_button.click()
    assert panel.error_text() == ""


def test_only_a_role_that_may_selects_operates_or_cancels(qtbot) -> None:
    panel, clock = make(qtbot)
    panel.on_selection(selection())
    panel.set_operator("auditor1", False)
    assert not panel.select_button.isEnabled() and not panel.operate_button.isEnabled()
    assert not panel.cancel_button.isEnabled()
    assert panel.select_button.toolTip() == "auditor1's role may not select emergency actions"
    panel.on_selection(selection("awaiting approval", expires_ms=T0 + 120_000))
    assert panel.approve_button.isEnabled()  # the supervisor logs in for it
    clock.ms = T0 + 121_000
    panel._tick()
    assert not panel.approve_button.isEnabled()
    assert panel.countdown.text() == "No supervisor approved it in time; select again."
    panel.set_operator("", False)
    assert panel.select_button.toolTip() == "Log in to select emergency actions"


def test_non_critical_actions_have_no_approval(qtbot) -> None:
    panel, _ = make(qtbot)
    panel.show()
    panel.on_selection(selection(kind="trading_resume", critical=False))
    assert not panel.approve_button.isVisible()
    assert em.life_text(selection("final", critical=False, tx_hash="aa", height=5),
                        str) == "selected → submitted → final in block 5"
