"""Governance view, model and new-proposal dialog, fed plain dicts: status, tally, countdown,
detail with signature verification, validation messages, and the signals' parameters."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from PySide6.QtWidgets import QMessageBox

from node_core.ledger.fields import PROPOSAL_TITLE
from node_core.ledger.keys import public_key_address
from views.governance import governance_model as gm
from views.governance.governance_view import GovernanceView
from views.governance.proposal_dialog import ProposalDialog
from views.governance.tally_bar import BAR_WIDTH

EGAT, MEA, PEA = ("0x" + c * 40 for c in "eab")
NAMES = {EGAT: "EGAT", MEA: "MEA", PEA: "PEA"}
STATUS = {"authority": "EGAT", "address": EGAT, "authority_names": NAMES}


def proposal(pid: int = 1, **changes):
    base = {
        "id": pid, "title": f"Raise the price cap {pid}", "description": "Peak tariff 2026",
        "action": "parameter_change", "proposer": MEA, "proposer_name": "MEA",
        "created_height": 40, "deadline_height": 52, "status": "open", "closed_height": None,
        "reason": "", "electorate": [{"address": a, "name": n} for a, n in NAMES.items()],
        "quorum": 2, "tally": {"yes": 1, "no": 0, "abstain": 0},
        "votes": [{"authority": MEA, "name": "MEA", "choice": "yes", "tx_hash": "ab" * 32}],
        "details": {"authority_name": "", "authority_address": None,
                    "authority_public_key": None, "parameter": "price_cap_per_kwh",
                    "value": 500_000},
        "height_now": 40, "block_interval_ms": 1000,
    }
    return base | changes


def shown(pid: int = 1, **changes):
    """A ``gov_show`` answer: votes carry their block and signature verification."""
    votes = changes.pop("votes", [{"authority": MEA, "name": "MEA", "choice": "yes",
                                   "tx_hash": "ab" * 32, "height": 41,
                                   "signature_valid": True}])
    return proposal(pid, votes=votes, **changes)


def new_key() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


@pytest.fixture
def view(qtbot) -> GovernanceView:
    widget = GovernanceView()
    qtbot.addWidget(widget)
    widget.on_status(STATUS)
    widget.set_permitted(True)  # an operator is logged in
    widget.show()
    return widget


# ----- model: status, tally, countdown --------------------------------------------------------


def test_countdown_reads_blocks_and_estimated_time() -> None:
    assert gm.countdown_text(proposal(height_now=40)) == "12 blocks ≈ 12 s"
    assert gm.countdown_text(proposal(height_now=51, block_interval_ms=500)) == "1 block ≈ 0 s"
    assert gm.countdown_text(proposal(deadline_height=400)) == "360 blocks ≈ 6 min 00 s"
    assert gm.blocks_left(proposal(status="executed", closed_height=45)) is None
    assert gm.countdown_text(proposal(status="expired", closed_height=52)) == "—"


def test_executed_shows_the_executing_height_and_passed_is_explained() -> None:
    done = proposal(status="executed", closed_height=1234, reason="passed")
    assert gm.status_text(done) == "executed at 1,234"
    assert "“passed” is never a resting state" in gm.status_tooltip(done)
    rejected = proposal(status="rejected", closed_height=44, reason="quorum out of reach")
    assert gm.status_text(rejected) == "rejected at 44"
    assert "quorum out of reach" in gm.status_tooltip(rejected)
    assert gm.status_text(proposal()) == "open"


def test_model_rows_and_tally_role(qtbot) -> None:
    model = gm.ProposalTableModel()
    model.set_proposals([proposal(1), proposal(2, action="signal", proposer_name=None)])
    assert model.ids() == [2, 1]
    assert model.row_text(1) == ["1", "Raise the price cap 1", "open", "yes 1/2",
                                 "12 blocks ≈ 12 s", "Parameter change", "MEA"]
    assert model.row_text(0)[gm.PROPOSER] == "0xaaaaaaaa…aaaa"
    tally = model.index(0, gm.TALLY).data(gm.TALLY_ROLE)
    assert tally == gm.Tally(yes=1, no=0, abstain=0, quorum=2, electorate=3)
    model.set_proposals([proposal(1, tally={"yes": 0, "no": 1, "abstain": 1})])  # a reset
    assert model.row_text(0)[gm.TALLY] == "yes 0/2 · no 1 · abstain 1"


def test_model_inserts_new_proposals_without_a_reset(qtbot) -> None:
    model = gm.ProposalTableModel()
    model.set_proposals([proposal(1)])
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.rowsInserted):
        model.set_proposals([proposal(1, tally={"yes": 2, "no": 0, "abstain": 0}),
                             proposal(2)])
    assert resets == [] and model.ids() == [2, 1]
    assert model.row_text(1)[gm.TALLY] == "yes 2/2"


# ----- view: list, detail, votes ---------------------------------------------------------------


def test_first_proposal_is_selected_and_shown_in_full(view, qtbot) -> None:
    with qtbot.waitSignal(view.proposal_selected) as selected:
        view.show_proposals([proposal(2), proposal(1)])
    assert selected.args == [2] and view.selected_id() == 2
    assert view.detail.vote_rows()[1][3] == "checking…"  # list row: not verified yet
    view.show_proposal(shown(2))
    assert view.detail.title() == "#2 Raise the price cap 2"
    assert view.detail.description() == "Peak tariff 2026"
    fields = view.detail.fields()
    assert fields["status"] == "open" and fields["deadline"] == "block 52 — 12 blocks ≈ 12 s left"
    assert fields["electorate"] == "3: EGAT, MEA, PEA"
    assert fields["tally"] == "yes 1/2 · no 0 · abstain 0 — passes at 2 yes of 3"
    assert view.detail.action_fields() == {"parameter": "price_cap_per_kwh", "value": "500,000",
                                           "effect": "Applies to blocks after the executing "
                                                     "block."}
    assert view.detail.vote_rows() == [["EGAT", "not voted", "", ""],
                                       ["MEA", "yes", "41", "✓ verified"],
                                       ["PEA", "not voted", "", ""]]
    assert view.detail.tally() == gm.Tally(1, 0, 0, 2, 3)


def test_an_invalid_signature_reads_not_valid_and_an_unfound_vote_pending(view) -> None:
    view.show_proposals([proposal(1)])
    view.show_proposal(shown(1, votes=[
        {"authority": MEA, "name": "MEA", "choice": "yes", "height": 41,
         "signature_valid": False},
        {"authority": PEA, "name": "PEA", "choice": "no", "height": None,
         "signature_valid": None}]))
    rows = view.detail.vote_rows()
    assert rows[1] == ["MEA", "yes", "41", "✗ NOT VALID"]
    assert rows[2] == ["PEA", "no", "—", "pending"]


def test_add_authority_details_show_name_address_and_key(view) -> None:
    key = new_key()
    address = public_key_address(key)
    view.show_proposals([proposal(1, action="add_authority", details={
        "authority_name": "RATCH", "authority_address": address,
        "authority_public_key": key.hex(), "parameter": None, "value": 0})])
    fields = view.detail.action_fields()
    assert fields["authority_name"] == "RATCH" and fields["authority_address"] == address
    assert fields["authority_public_key"] == key.hex() and "parameter" not in fields


def test_vote_asks_for_confirmation_then_emits_and_shows_the_outcome(view, qtbot) -> None:
    view.show_proposals([proposal(1)])
    view.show_proposal(shown(1))
    assert view.enabled_choices() == ["yes", "no", "abstain"]
    assert view.vote_caption() == "Vote on #1 as EGAT (signed with its HSM key):"

    view.vote_buttons["no"].click()
    box = view.vote_box
    assert box is not None and box.isVisible()
    assert "Vote NO on proposal #1 “Raise the price cap 1”" in box.text()
    assert "EGAT authority's HSM key" in box.text()
    assert view.enabled_choices() == []  # one question at a time
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert view.enabled_choices() == ["yes", "no", "abstain"]

    view.vote_buttons["yes"].click()
    with qtbot.waitSignal(view.vote_requested) as requested:
        view.vote_box.button(QMessageBox.StandardButton.Yes).click()
    assert requested.args == [1, "yes"]
    assert view.outcome() == "Submitting vote yes on #1…"

    view.on_vote_submitted(1, "yes", "cd" * 32)
    assert view.outcome().startswith("Vote yes on #1 submitted (tx cdcdcdcd…cdcd)")
    assert view.detail.vote_rows()[0] == ["EGAT", "yes", "—", "pending"]
    assert view.enabled_choices() == ["no", "abstain"]  # the same vote again is a duplicate

    final_vote = {"authority": EGAT, "name": "EGAT", "choice": "yes", "height": 43,
                  "signature_valid": True}
    view.show_proposal(shown(1, status="executed", closed_height=43,
                             tally={"yes": 2, "no": 0, "abstain": 0},
                             votes=[final_vote, *shown(1)["votes"]]))
    assert view.detail.vote_rows()[0] == ["EGAT", "yes", "43", "✓ verified"]
    assert view.enabled_choices() == []
    assert view.vote_caption() == "Voting on #1 is closed (executed at 43)."


def test_a_refused_vote_shows_the_rule_and_message(view) -> None:
    view.show_proposals([proposal(1)])
    view.on_vote_failed(1, "yes", "VotingClosed", "proposal 1 closed (deadline 52)")
    assert view.outcome() == ("⚠ Vote yes on #1 refused — VotingClosed: proposal 1 closed "
                              "(deadline 52)")
    view.on_vote_failed(1, "no", "RoleRefused", "auditor1 (auditor) may not gov_vote")
    assert view.outcome() == ("⚠ Vote no on #1 refused — Refused by the node: your role may "
                              "not do this.\nRoleRefused: auditor1 (auditor) may not gov_vote")


def test_read_only_for_a_role_that_may_not_propose_or_vote(view) -> None:
    view.show_proposals([proposal(1)])
    assert view.enabled_choices() == ["yes", "no", "abstain"]
    view.set_permitted(False)
    assert view.enabled_choices() == [] and not view.new_button.isEnabled()
    assert view.vote_caption() == "Read-only: the role of the person logged in may not vote."
    view.set_permitted(True)
    assert view.enabled_choices() == ["yes", "no", "abstain"] and view.new_button.isEnabled()


def test_no_vote_buttons_outside_the_electorate(view) -> None:
    view.on_status({"authority": "RATCH", "address": "0x" + "9" * 40,
                    "authority_names": NAMES})
    view.show_proposals([proposal(1)])
    assert view.enabled_choices() == []
    assert view.vote_caption() == "RATCH is not in the electorate of #1."


def test_selection_survives_a_refresh(view, qtbot) -> None:
    view.show_proposals([proposal(2), proposal(1)])
    view.select_proposal(1)
    view.show_proposals([proposal(3), proposal(2), proposal(1)])
    assert view.selected_id() == 1
    view.show_proposal(shown(2))  # not the selected one: ignored
    assert view.detail.title() == "#1 Raise the price cap 1"


def test_refresh_failures_show_until_the_next_list(view) -> None:
    view.on_refresh_failed("Unreachable", "not connected to the node")
    assert view.notice() == "⚠ Proposals not refreshed — Unreachable: not connected to the node"
    view.show_proposals([])
    assert view.notice() == ""


# ----- new-proposal dialog --------------------------------------------------------------------


def test_dialog_submits_a_parameter_change_and_closes_when_the_node_takes_it(view,
                                                                             qtbot) -> None:
    view.show_proposals([proposal(1)])
    dialog = view.open_new_proposal()
    assert dialog.isVisible()
    dialog.set_action("parameter_change")
    dialog.title_edit.setText("Cap at 5,000 THB/kWh")
    dialog.voting_period.setText("200")
    dialog.parameter.setCurrentIndex(dialog.parameter.findData("price_cap_per_kwh"))
    dialog.value.setText("500,000")
    with qtbot.waitSignal(view.proposal_requested) as requested:
        dialog.submit.click()
    assert requested.args == [{"action": "parameter_change", "title": "Cap at 5,000 THB/kWh",
                               "description": "", "voting_period": 200,
                               "parameter": "price_cap_per_kwh", "value": 500_000}]
    assert dialog.is_busy()
    view.on_proposal_submitted({"tx_hash": "ef" * 32, "nonce": 3})
    assert not dialog.isVisible() and view.dialog is None
    assert view.outcome().startswith("Proposal submitted (tx efefefef…efef)")


def test_dialog_keeps_the_form_and_shows_the_nodes_refusal(view, qtbot) -> None:
    dialog = view.open_new_proposal()
    dialog.set_action("signal")
    dialog.title_edit.setText("We support the 2026 grid code")
    with qtbot.waitSignal(view.proposal_requested):
        dialog.submit.click()
    view.on_proposal_failed("NotAnAuthority", "0x… is not an authority")
    assert dialog.isVisible() and not dialog.is_busy()
    assert "NotAnAuthority: 0x… is not an authority" in dialog.error.text()
    assert dialog.title_edit.text() == "We support the 2026 grid code"


def test_dialog_validation_messages(qtbot) -> None:
    dialog = ProposalDialog(NAMES, 500)
    qtbot.addWidget(dialog)
    dialog.open()
    emitted: list[dict] = []
    dialog.proposal_requested.connect(emitted.append)
    dialog.title_edit.setText("   ")
    dialog.voting_period.setText("0")
    dialog.set_action("parameter_change")
    dialog.parameter.setCurrentIndex(dialog.parameter.findData("block_interval_ms"))
    dialog.value.setText("50")
    dialog.submit.click()
    assert emitted == []
    assert dialog.messages() == {
        "title": "⚠ A title is needed.",
        "voting_period": "⚠ The voting period is a whole number of blocks, 1 to 100,000.",
        "value": "⚠ block_interval_ms takes a whole number from 100 to 60,000.",
    }
    dialog.voting_period.setText("100")
    dialog.voting_period.textEdited.emit("100")
    assert "voting_period" not in dialog.messages()  # messages follow the typing
    assert dialog._period_hint.text() == "≈ 50 s at the current block interval"


def test_dialog_add_authority_derives_and_checks_the_address(qtbot) -> None:
    dialog = ProposalDialog(NAMES, 1000)
    qtbot.addWidget(dialog)
    dialog.set_action("add_authority")
    dialog.title_edit.setText("RATCH joins")
    dialog.authority_name.setText("MEA")
    dialog.public_key.setPlainText("04" + "00" * 64)
    params, errors = dialog.validate()
    assert params is None
    assert errors["authority_name"] == "MEA is already an authority."
    assert errors["authority_public_key"].startswith("Not a P-256 public key:")
    dialog.public_key.setPlainText("not a key")
    assert dialog.validate()[1]["authority_public_key"].startswith("Not hex and not PEM")

    key = new_key()
    pem = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    dialog.authority_name.setText("RATCH")
    dialog.public_key.setPlainText(pem)
    assert dialog.derived_address() == public_key_address(key)
    dialog.address.setText("0x" + "1" * 40)
    assert dialog.validate()[1] == {"authority_address": (
        f"Does not match the public key: its address is {public_key_address(key)}.")}
    dialog.address.setText(public_key_address(key).upper().replace("0X", "0x"))
    params, errors = dialog.validate()
    assert errors == {}
    assert params == {"action": "add_authority", "title": "RATCH joins", "description": "",
                      "voting_period": 100, "authority_name": "RATCH",
                      "authority_public_key": key.hex(),
                      "authority_address": public_key_address(key)}
    dialog.authority_name.setText("MEA")
    assert dialog.validate()[1] == {"authority_name": "MEA is already an authority."}


def test_dialog_remove_picks_from_the_current_authorities(qtbot) -> None:
    dialog = ProposalDialog(NAMES)
    qtbot.addWidget(dialog)
    dialog.set_action("remove_authority")
    assert [dialog.remove_pick.itemText(i).split(" — ")[0]
            for i in range(dialog.remove_pick.count())] == ["EGAT", "MEA", "PEA"]
    dialog.title_edit.setText("PEA leaves")
    dialog.remove_pick.setCurrentIndex(2)
    params, errors = dialog.validate()
    assert errors == {} and params is not None and params["authority_address"] == PEA

    alone = ProposalDialog({EGAT: "EGAT"})
    qtbot.addWidget(alone)
    alone.set_action("remove_authority")
    alone.title_edit.setText("x")
    assert alone.validate()[1] == {"remove": "The last authority cannot be removed."}


def test_the_title_column_takes_the_spare_width(qtbot, qapp):
    """At the operator guide's size and the console's 14 pt font, the screenshot's title is
    shown whole: the Title column stretches, the others are only as wide as they need."""
    font = qapp.font()
    big = qapp.font()
    big.setPointSize(14)  # app.shell.theme.APP_FONT_PT
    qapp.setFont(big)
    try:
        view = GovernanceView()
        qtbot.addWidget(view)
        view.on_status(STATUS)
        view.resize(1440, 800)
        view.show()
        title = "Cap energy prices at 5,000 THB/kWh"
        view.show_proposals([proposal(1, title=title, deadline_height=139)])
        table = view.table
        header = table.horizontalHeader()
        others = [c for c in range(gm.COLUMN_COUNT) if c != gm.TITLE]

        def fitted() -> bool:  # the header sizes ResizeToContents sections after a layout
            return all(table.columnWidth(c) == max(table.sizeHintForColumn(c),
                                                   header.sectionSizeHint(c)) for c in others)

        qtbot.waitUntil(lambda: table.viewport().width() > 1300 and fitted())
        widths = {c: table.columnWidth(c) for c in range(gm.COLUMN_COUNT)}
        assert widths[gm.TITLE] >= table.fontMetrics().horizontalAdvance(title) + 8
        tally_text = view.proposal_rows()[0][gm.TALLY]
        assert widths[gm.TALLY] >= (table.fontMetrics().horizontalAdvance(tally_text)
                                    + BAR_WIDTH + 16)  # bar, margins: the text not elided
        assert sum(widths.values()) == table.viewport().width()  # no room left over
        view.resize(1000, 800)
        qtbot.waitUntil(lambda: table.columnWidth(gm.TITLE) < widths[gm.TITLE])
        assert [table.columnWidth(c) for c in others] == [widths[c] for c in others]
    finally:
        qapp.setFont(font)


def test_thai_text_stops_at_the_ledger_limits_and_says_how_much_room_is_left(qtbot) -> None:
    """The fields take their limits from node_core.ledger.fields (bytes): an 85-character Thai
    title (255 bytes) fits with room to spare; a paste past the limit keeps what fits."""
    dialog = ProposalDialog(NAMES, 1000)
    qtbot.addWidget(dialog)
    title = "ข้อเสนอ" * 12 + "ปรับเพดาน"[:1]
    assert len(title) == 85
    dialog.title_edit.setText(title)
    assert dialog.title_edit.text() == title
    left = PROPOSAL_TITLE.max_bytes - 255
    assert dialog.title_room.label.text() == f"{left} of 360 bytes left (a Thai character takes 3)"
    dialog.title_edit.setText("ก" * 200)
    assert dialog.title_edit.text() == "ก" * 120
    assert dialog.title_room.label.text().startswith("⚠ Stopped at the limit of 360 bytes")
    dialog.description.setPlainText("ภ" * 5000)
    assert dialog.description.toPlainText() == "ภ" * 4000
    dialog.set_action("signal")
    params, errors = dialog.validate()
    assert errors == {} and params is not None
    assert len(params["title"].encode()) == 360
