"""A supervisor's approval at the operator's console: the second person of the two-person rule
logs in with their own token and PIN for this one approval.

The dialog shows the exact action being approved — kind, region, stage, MW, duration, reason,
what it does, who selected it and when, and until when it can be approved (counting down) —
then asks for the supervisor's token and PIN (:class:`app.shell.login.TokenForm`). **Approve**
logs them in with an operator agent of their own (:func:`app.links.operator_session.log_in`:
the key must be on the roster), endorses that action's order with their key and sends
``emergency_approve`` signed by it (:meth:`app.links.control_link.ControlLink.approve`), and
closes their agent at once: the console's own session is untouched. The node decides: it
refuses the operator approving their own action (``SamePersonApproval``) and a role that may
not approve (``RoleRefused``); the emergency panel shows its answer. A wrong PIN or a token not
on the roster keeps the dialog open; Cancel, a wrong PIN or the approval window closing lose
nothing — the selection still waits until it expires.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from app.links.node_link import NodeLink
from app.links.operator_session import OperatorSession, TokenSource
from app.shell.login import TokenForm, attempt_login, run_dialog, still_open
from node_core.clock import now_ms
from node_core.devnet.layout import DEVNET_PEOPLE
from node_core.ledger.roster import Role
from views.common.formatting import bangkok_time, zone_name
from views.emergency import emergency_model as em

log = logging.getLogger(__name__)

TICK_MS: Final = 250
Approve = Callable[[dict[str, Any], OperatorSession], Awaitable[None]]
"""Sends the approval of a selection as a supervisor's session (``ControlLink.approve``)."""


class ApprovalDialog(QDialog):
    """The action, the supervisor's token and PIN, Approve and Cancel (module docstring)."""

    def __init__(self, node: NodeLink, source: TokenSource, selection: dict[str, Any],
                 approve: Approve, parent: QWidget | None = None, *, token: str = "",
                 now_ms: Callable[[], int] = now_ms) -> None:
        super().__init__(parent)
        self.setObjectName("approvalDialog")
        self.setModal(True)
        self._node, self._source, self._approve = node, source, approve
        self.selection, self._now_ms = dict(selection), now_ms
        self.setWindowTitle(self.tr("Supervisor approval — selection {id}").format(
            id=selection["id"]))
        self.form = TokenForm(source, self, token=token)
        self.expiry = QLabel(self)
        self.expiry.setObjectName("approvalExpiry")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.approve_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.approve_button.setText(self.tr("Approve"))
        self.buttons.accepted.connect(self._on_approve)
        self.buttons.rejected.connect(self.reject)
        self._build()
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._tick()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("A second person approves this action with their own token "
                               "(two-person rule). Check it before you approve."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self._action_box())
        layout.addWidget(self.expiry)
        if self._source.devnet:
            layout.addWidget(QLabel(self.tr("DEVNET: the documented PIN of the chosen "
                                            "person's token is filled in."), self))
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.form.pin.setFocus()

    def _action_box(self) -> QGroupBox:
        s = self.selection
        box = QGroupBox(self.tr("The action"), self)
        form = QFormLayout(box)
        kind = em.kind_text(str(s["kind"]), self.tr)
        region = self.tr("all regions") if s["region"] == em.ALL_REGIONS else s["region"]
        rows = [(self.tr("Action:"), kind), (self.tr("Region:"), region)]
        if s["kind"] == "load_shed":
            rows.append((self.tr("Stage:"), str(s["stage"])))
        if s["kind"] in ("load_shed", "demand_response"):
            rows.append((self.tr("Load:"), self.tr("{mw} MW").format(mw=s["mw"])))
        if s["kind"] == "demand_response":
            rows.append((self.tr("Duration:"), self.tr("{s} s").format(s=s["duration_s"])))
        rows += [(self.tr("Reason:"), s["reason"] or "—"),
                 (self.tr("What it does:"), s.get("consequence", "")),
                 (self.tr("Selected by:"), self.tr("{operator} at {time} ({zone})").format(
                     operator=s["operator"], time=bangkok_time(s["selected_ms"]),
                     zone=zone_name()))]
        for caption, text in rows:
            value = QLabel(text, box)
            value.setWordWrap(True)
            form.addRow(caption, value)
        self.fields = {caption.rstrip(":"): text for caption, text in rows}
        return box

    def seconds_left(self) -> float:
        return em.seconds_left(self.selection, self._now_ms())

    def _tick(self) -> None:
        left = self.seconds_left()
        if left > 0:
            self.expiry.setText(self.tr("Approve by {time} ({zone}): {s} s left.").format(
                time=bangkok_time(self.selection["expires_ms"]), zone=zone_name(),
                s=int(left + 0.999)))
        else:
            self.expiry.setText(self.tr("The approval window has closed: the operator selects "
                                        "the action again."))
            self._timer.stop()
        self.approve_button.setEnabled(left > 0 and self.form.isEnabled())

    @asyncSlot()
    async def _on_approve(self) -> None:
        self.form.setEnabled(False)
        self.approve_button.setEnabled(False)
        supervisor = await attempt_login(self, self.form, self._node, self._source)
        if supervisor is None:
            if still_open(self):
                self.form.setEnabled(True)
                self._tick()
            return
        try:
            log.info("%s (%s) approves selection %s", supervisor.name, supervisor.role.text,
                     self.selection["id"])
            await self._approve(self.selection, supervisor)
        finally:
            await asyncio.to_thread(supervisor.close)  # one approval: their token logs out
        if still_open(self):
            self.accept()


async def ask_approval(node: NodeLink, source: TokenSource, selection: dict[str, Any],
                       approve: Approve, parent: QWidget | None, *, token: str = "") -> bool:
    """Show the approval dialog (``open()``, never ``exec()``); True once an approval was sent
    (the node's answer goes to the panel), False if cancelled."""
    dialog = ApprovalDialog(node, source, selection, approve, parent, token=token)
    return await run_dialog(dialog, dialog.form, source) == QDialog.DialogCode.Accepted


def devnet_supervisor(source: TokenSource, current: OperatorSession | None) -> str:
    """The token the devnet's approval dialog offers: a documented supervisor who is not the
    person logged in (elsewhere nothing: the supervisor chooses their own token)."""
    if not source.devnet:
        return ""
    name = current.name if current is not None else ""
    return next((person for person, role in DEVNET_PEOPLE
                 if role == Role.SUPERVISOR and person != name and person in source.people), "")
