"""Governance from the console: GovernanceLink against a scripted node (signed by the person
logged in), and on a real devnet a proposal made in the dialog, a vote through the vote
button, a second authority's vote, and the tally and status following the final blocks in the
view."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from app.links.governance_link import GovernanceLink
from app.links.operator_session import OperatorSession
from app.shell.console import Console, RunMode
from app.shell.startup import ConsoleOptions
from node_core.api import methods as m
from node_core.api.client import NodeClient
from node_core.api.methods import Method, request_params
from node_core.api.requests import VoteRequest
from node_core.api.signed_requests import RequestSigner
from node_core.api.wire import ClientError
from node_core.control_room.audit import AUDIT_FILENAME, AuditLog
from node_core.devnet.layout import DevnetLayout
from node_core.ledger.roster import Role
from node_core.ledger.types import Address
from tests.app.conftest import alive, console_session, when
from tests.helpers.devnet import wait_until
from tests.helpers.people import person, signer_for
from views.governance import governance_model as gm


class ScriptedNode(QObject):
    """The part of NodeLink the governance link uses, answering from a script."""

    connection_changed = Signal(bool)
    block_finalized = Signal(dict)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.signers: list[RequestSigner | None] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def request(self, method_: Method[Any, Any], request: object, *,
                      signer: RequestSigner | None = None) -> Any:
        method, params = method_.name, request_params(request)
        self.calls.append((method, params))
        if method_.roles and signer is None:
            raise ClientError("Unsigned", f"{method} is signed by an operator")
        self.signers.append(signer)
        await self.gate.wait()
        if method == "gov_list":
            return [{"id": 1}]
        if method == "gov_show":
            return {"id": params["id"]}
        if method == "gov_vote":
            raise ClientError("DuplicateVote", "0xeeee already voted yes on proposal 1")
        return {"tx_hash": "ab" * 32, "nonce": 0}


def test_link_refreshes_on_connect_and_blocks_and_reports_the_nodes_errors(
        run, qtbot, devnet: DevnetLayout) -> None:
    node = ScriptedNode()
    link = GovernanceLink(node, refresh_ms=60_000)  # type: ignore[arg-type]
    loaded: list[list] = []
    shown: list[dict] = []
    failed: list[tuple] = []
    link.proposals_loaded.connect(loaded.append)
    link.proposal_loaded.connect(shown.append)
    link.vote_failed.connect(lambda *args: failed.append(args))

    async def scenario() -> None:
        node.connection_changed.emit(True)
        await wait_until(when(lambda: loaded), 5, "the list on connect")
        link.select_proposal(1)
        await wait_until(when(lambda: shown), 5, "the selected proposal")
        node.gate.clear()  # two blocks while a refresh runs: one more refresh, not two
        calls = len(node.calls)
        node.block_finalized.emit({"height": 1})
        await wait_until(when(lambda: len(node.calls) > calls), 5, "the refresh running")
        for height in (2, 3):
            node.block_finalized.emit({"height": height})
        node.gate.set()
        await wait_until(when(lambda: len(loaded) == 3), 5, "two refreshes")
        await asyncio.sleep(0.2)
        assert [m for m, _ in node.calls[calls:]] == ["gov_list", "gov_show"] * 2
        link.vote(1, "no")  # nobody logged in
        await wait_until(when(lambda: failed), 5, "the unsigned refusal")
        with person(devnet, "supervisor1") as agent:
            signer = RequestSigner(agent, "gridtokenx-devnet", Address("0x" + "e" * 40))
            link.set_session(OperatorSession("supervisor1", Role.SUPERVISOR, "supervisor1",
                                             signer, agent))
            link.vote(1, "yes")
            await wait_until(when(lambda: len(failed) == 2), 5, "the node's refusal")
        assert node.signers[-1] is signer
        node.connection_changed.emit(False)
        link.stop()

    run(scenario(), 20)
    assert failed == [(1, "no", "Unsigned", "gov_vote is signed by an operator"),
                      (1, "yes", "DuplicateVote", "0xeeee already voted yes on proposal 1")]
    assert ("gov_vote", {"id": 1, "choice": "yes"}) in node.calls


@pytest.mark.slow
def test_propose_and_vote_from_the_console_until_executed(devnet: DevnetLayout, run, qtbot,
                                                          settings, isa101) -> None:
    options = ConsoleOptions(data_dir=devnet.data_dir, base_port=devnet.base_port)
    console = Console(options, RunMode(interactive=False, auto_login=True), isa101, settings)
    window, runtime = console.window, console.runtime
    view = window.governance
    qtbot.addWidget(window)
    pids: list[int] = []

    def status_of_1() -> str:
        rows = view.proposal_rows()
        return rows[-1][gm.STATUS] if rows else ""

    async def body() -> None:
        await wait_until(when(lambda: window.operator_label.text() == "operator1 — operator"),
                         60, "operator1 logged in")
        await wait_until(when(lambda: window.peers_label.text() == "authorities 3/3"), 45,
                         "authorities 3/3")
        pids.extend(runtime.live_pids())
        window.docks["governanceDock"].raise_()

        # A proposal from the dialog, signed by this console's authority (EGAT).
        dialog = view.open_new_proposal()
        dialog.set_action("parameter_change")
        dialog.title_edit.setText("Cap energy prices at 5,000 THB/kWh")
        dialog.description.setPlainText("Emergency tariff while the southern tie is out.")
        dialog.parameter.setCurrentIndex(dialog.parameter.findData("price_cap_per_kwh"))
        dialog.value.setText("500000")
        dialog.submit.click()
        await wait_until(when(lambda: view.dialog is None), 15, "the node to take it")
        assert view.outcome().startswith("Proposal submitted")
        await wait_until(when(lambda: view.model.ids() == [1]), 15, "the proposal listed")
        row = view.proposal_rows()[0]
        assert row[gm.STATUS] == "open" and row[gm.PROPOSER] == "EGAT"
        assert row[gm.TALLY] == "yes 0/2"
        assert re.fullmatch(r"\d+ blocks ≈ \d+ s", row[gm.DEADLINE]), row[gm.DEADLINE]

        # EGAT votes yes through the button and the confirmation.
        await wait_until(when(lambda: view.enabled_choices() == ["yes", "no", "abstain"]), 10,
                         "vote buttons")
        view.vote_buttons["yes"].click()
        assert "EGAT authority's HSM key" in view.vote_box.text()
        view.vote_box.button(QMessageBox.StandardButton.Yes).click()
        await wait_until(when(lambda: "submitted" in view.outcome()), 15, "the vote taken")
        await wait_until(when(lambda: view.proposal_rows()[0][gm.TALLY] == "yes 1/2"),
                         15, "the tally after EGAT's vote is final")
        await wait_until(when(lambda: view.detail.vote_rows()[0][3] == "✓ verified"), 10,
                         "EGAT's vote verified")
        assert status_of_1() == "open"

        # MEA's supervisor votes yes at MEA's node: the proposal passes and executes.
        mea = await NodeClient.connect(devnet.node_address("MEA"))
        try:
            with person(devnet, "supervisor1") as supervisor:
                await mea.request(m.GOV_VOTE, VoteRequest(1, "yes"),
                                  signer=await signer_for(mea, supervisor))
        finally:
            await mea.close()
        await wait_until(when(lambda: status_of_1().startswith("executed at ")), 15,
                         "executed in the view")
        await wait_until(when(lambda: view.detail.fields()["status"].startswith("executed")),
                         10, "the detail executed")
        assert view.proposal_rows()[0][gm.TALLY] == "yes 2/2"
        assert view.detail.fields()["tally"] == ("yes 2/2 · no 0 · abstain 0 — passes at 2 "
                                                 "yes of 3")
        assert view.proposal_rows()[0][gm.DEADLINE] == "—"
        votes = {row[0]: row[1:] for row in view.detail.vote_rows()}
        assert votes["EGAT"][0] == "yes" and votes["EGAT"][2] == "✓ verified"
        assert votes["MEA"][0] == "yes" and votes["MEA"][2] == "✓ verified"
        assert votes["PEA"][0] == "not voted"
        assert view.enabled_choices() == []


    async def scenario() -> None:
        await console_session(console, body)

    run(scenario(), 120)
    assert runtime.live_pids() == []
    assert [pid for pid in pids if alive(pid)] == []
    with AuditLog.open_existing(devnet.node_dir("EGAT") / AUDIT_FILENAME) as audit:
        governance = [(e.operator, e.action, e.target, e.outcome.split(" ")[0])
                      for e in audit.entries() if e.action in ("propose", "vote")]
    assert governance == [
        ("operator1", "propose", "proposal 'Cap energy prices at 5,000 THB/kWh'", "submitted"),
        ("operator1", "vote", "proposal 1", "submitted")]
