"""ProposalDialog: the "New proposal" form — action, title, description, voting period and the
fields of the chosen action, validated inline before anything reaches the node.

Open it with ``open()`` (never ``exec()``: the console runs qasync). Submitting a valid form
emits :attr:`ProposalDialog.proposal_requested` with the ``gov_propose`` parameters and keeps
the dialog open, disabled, until the caller reports the answer: :meth:`submitted` closes it,
:meth:`failed` shows the node's error in the dialog (the typed text is kept).

The rules are the node's own, imported from the ledger (``node_core.ledger``): the title,
description and authority name stop at their limits in bytes (``ledger.fields``; each shows
the room left), a title is needed, the voting period is 1..``MAX_VOTING_PERIOD`` blocks; add
authority: a name, a public key that parses as P-256 (hex of the 65-byte uncompressed point or
of SPKI DER, or PEM) and the address derived from it (a typed address must match); remove
authority: one of the current authorities; parameter change: a name from ``PARAMETER_LIMITS``
and a value within its range.
"""

from __future__ import annotations

import re
from typing import Any, Final

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from node_core.ledger.fields import AUTHORITY_NAME, PROPOSAL_DESCRIPTION, PROPOSAL_TITLE
from node_core.ledger.genesis import PARAMETER_LIMITS
from node_core.ledger.keys import parse_public_key, public_key_address
from node_core.ledger.transactions import MAX_VOTING_PERIOD
from views.common import formatting as fmt
from views.common.abnormal import HIGH, mark_label
from views.common.hash_label import monospace_font
from views.common.text_room import text_room
from views.governance.governance_model import estimate_text, kind_text

ACTIONS: Final = ("add_authority", "remove_authority", "parameter_change", "signal")
DEFAULT_VOTING_PERIOD: Final = 100
_ADDRESS = re.compile(r"^0x[0-9a-f]{40}$")


class ProposalDialog(QDialog):
    """The new-proposal form.

    Signals:
        proposal_requested(params: dict): a valid form was submitted; ``gov_propose``
            parameters (``action``, ``title``, ``description``, ``voting_period`` and the
            action's fields; the public key as hex of the 65-byte point).

    ``authorities`` is ``{address: name}`` of the current authority set (the remove picker,
    and add's "already an authority" check); ``block_interval_ms`` gives the voting period's
    time estimate.
    """

    proposal_requested = Signal(dict)

    def __init__(self, authorities: dict[str, str], block_interval_ms: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._authorities = dict(authorities)
        self._interval = block_interval_ms
        self._messages: dict[str, QLabel] = {}
        self.setWindowTitle(self.tr("New governance proposal"))
        self.setModal(True)
        self._build()
        self._connect()
        self._on_action_changed()
        self._on_period_edited()

    # ----- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        self.action = QComboBox(self)
        for action in ACTIONS:
            self.action.addItem(kind_text(action), action)
        self.title_edit = QLineEdit(self)
        self.title_room = text_room(self.title_edit, PROPOSAL_TITLE, self)
        self.description = QPlainTextEdit(self)
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.description_room = text_room(self.description, PROPOSAL_DESCRIPTION, self)
        self.voting_period = QLineEdit(str(DEFAULT_VOTING_PERIOD), self)
        self._period_hint = QLabel(self)
        self._form = QFormLayout()
        self._form.addRow(self.tr("Action"), self.action)
        self._add_row(self.tr("Title"), self.title_edit, "title", self.title_room.label)
        self._add_row(self.tr("Description"), self.description, "description",
                      self.description_room.label)
        self._add_row(self.tr("Voting period (blocks)"), self.voting_period, "voting_period",
                      self._period_hint)
        self._action_rows: dict[str, list[QWidget]] = {
            "add_authority": self._add_rows(), "remove_authority": self._remove_rows(),
            "parameter_change": self._parameter_rows(), "signal": self._signal_rows()}
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        mark_label(self.error, HIGH)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.submit = QPushButton(self.tr("Submit proposal"), self)
        self.submit.setDefault(True)
        self.buttons.addButton(self.submit, QDialogButtonBox.ButtonRole.AcceptRole)
        note = QLabel(self.tr("The proposal is signed with this authority's HSM key."), self)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grow with messages
        layout.addLayout(self._form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.title_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("x" * 56))

    def _add_row(self, caption: str, field: QWidget, key: str,
                 hint: QLabel | None = None) -> list[QWidget]:
        """A field, its hint and its (hidden) message as rows of the form; the field and hint
        (the message shows only while there is one: :meth:`_show_message`)."""
        self._form.addRow(caption, field)
        rows = [field]
        if hint is not None:
            self._form.addRow("", hint)
            rows.append(hint)
        message = QLabel(self)
        message.setWordWrap(True)
        message.hide()
        self._messages[key] = message
        self._form.addRow("", message)
        return rows

    def _add_rows(self) -> list[QWidget]:
        self.authority_name = QLineEdit(self)
        self.authority_name_room = text_room(self.authority_name, AUTHORITY_NAME, self)
        self.public_key = QPlainTextEdit(self)
        self.public_key.setFont(monospace_font())
        self.public_key.setPlaceholderText(self.tr(
            "04… (hex of the 65-byte uncompressed P-256 point) or -----BEGIN PUBLIC KEY-----"))
        self.public_key.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.address = QLineEdit(self)
        self.address.setFont(monospace_font())
        self.address.setPlaceholderText(self.tr("derived from the public key"))
        self._derived = QLabel(self)
        self._derived.setFont(monospace_font())
        return [*self._add_row(self.tr("Authority name"), self.authority_name, "authority_name",
                               self.authority_name_room.label),
                *self._add_row(self.tr("Public key"), self.public_key, "authority_public_key"),
                *self._add_row(self.tr("Address"), self.address, "authority_address",
                               self._derived)]

    def _remove_rows(self) -> list[QWidget]:
        self.remove_pick = QComboBox(self)
        for address, name in sorted(self._authorities.items(), key=lambda item: item[1]):
            self.remove_pick.addItem(f"{name} — {fmt.short_hash(address)}", address)
        return self._add_row(self.tr("Authority to remove"), self.remove_pick, "remove")

    def _parameter_rows(self) -> list[QWidget]:
        self.parameter = QComboBox(self)
        for name in PARAMETER_LIMITS:
            self.parameter.addItem(name, name)
        self.value = QLineEdit(self)
        self._range_hint = QLabel(self)
        self._form.addRow(self.tr("Parameter"), self.parameter)
        return [self.parameter, *self._add_row(self.tr("New value"), self.value, "value",
                                               self._range_hint)]

    def _signal_rows(self) -> list[QWidget]:
        text = QLabel(self.tr("A signalling proposal records the authorities' position on the "
                              "title and description; nothing executes when it passes."), self)
        text.setWordWrap(True)
        self._form.addRow(text)
        return [text]

    def _connect(self) -> None:
        self.action.currentIndexChanged.connect(self._on_action_changed)
        self.voting_period.textEdited.connect(self._on_period_edited)
        self.public_key.textChanged.connect(self._on_key_edited)
        self.address.textEdited.connect(self._on_key_edited)
        self.parameter.currentIndexChanged.connect(self._on_parameter_changed)
        self.submit.clicked.connect(self._on_submit)
        self.buttons.rejected.connect(self.reject)
        for edit in (self.title_edit, self.voting_period, self.authority_name, self.value):
            edit.textEdited.connect(self._on_edited)

    # ----- public API -----------------------------------------------------------------------

    def set_action(self, action: str) -> None:
        self.action.setCurrentIndex(ACTIONS.index(action))

    def messages(self) -> dict[str, str]:
        """The inline validation messages shown, by field key."""
        return {key: label.text() for key, label in self._messages.items()
                if not label.isHidden()}

    def derived_address(self) -> str:
        """The address derived from the typed public key ("" when it does not parse)."""
        return self._derived.property("address") or ""

    def is_busy(self) -> bool:
        """Submitted and waiting for the node's answer."""
        return not self.submit.isEnabled()

    def submitted(self) -> None:
        """The node took the proposal: close the dialog."""
        self._set_busy(False)
        self.accept()

    def failed(self, error_type: str, message: str) -> None:
        """The node refused the proposal: show why, keep the form for another try."""
        self._set_busy(False)
        self.error.setText(self.tr("⚠ The node refused the proposal — {type}: {message}").format(
            type=error_type, message=message))
        self.error.show()

    # ----- validation -------------------------------------------------------------------------

    def validate(self) -> tuple[dict[str, Any] | None, dict[str, str]]:
        """(``gov_propose`` params or None, messages by field key)."""
        action = str(self.action.currentData())
        params: dict[str, Any] = {"action": action, "title": self.title_edit.text().strip(),
                                  "description": self.description.toPlainText().strip()}
        errors: dict[str, str] = {}
        self._check_common(params, errors)
        checks = {"add_authority": self._check_add, "remove_authority": self._check_remove,
                  "parameter_change": self._check_parameter}
        if action in checks:
            checks[action](params, errors)
        return (None if errors else params), errors

    def _check_common(self, params: dict[str, Any], errors: dict[str, str]) -> None:
        if not params["title"]:
            errors["title"] = self.tr("A title is needed.")
        low, high = 1, MAX_VOTING_PERIOD
        period = _integer(self.voting_period.text())
        if period is None or not low <= period <= high:
            errors["voting_period"] = self.tr(
                "The voting period is a whole number of blocks, {low} to {high}.").format(
                low=low, high=fmt.integer(high))
        params["voting_period"] = period

    def _check_add(self, params: dict[str, Any], errors: dict[str, str]) -> None:
        name = self.authority_name.text().strip()
        if not name:
            errors["authority_name"] = self.tr("A name is needed.")
        elif name in self._authorities.values():
            errors["authority_name"] = self.tr("{name} is already an authority.").format(
                name=name)
        key, problem = self._parse_key()
        if key is None:
            errors["authority_public_key"] = problem
            return
        derived = public_key_address(key)
        typed = self.address.text().strip().lower()
        if typed and typed != derived:
            errors["authority_address"] = self.tr(
                "Does not match the public key: its address is {derived}.").format(
                derived=derived)
        elif derived in self._authorities:
            errors["authority_address"] = self.tr("{address} is already an authority.").format(
                address=derived)
        params.update(authority_name=name, authority_public_key=key.hex(),
                      authority_address=derived)

    def _parse_key(self) -> tuple[bytes | None, str]:
        """(65-byte key or None, what is wrong)."""
        text = self.public_key.toPlainText().strip()
        if not text:
            return None, self.tr("Paste the new authority's P-256 public key (hex or PEM).")
        if text.startswith("-----BEGIN"):
            raw = text.encode("ascii", "replace")
        else:
            compact = re.sub(r"\s+", "", text).removeprefix("0x")
            try:
                raw = bytes.fromhex(compact)
            except ValueError:
                return None, self.tr("Not hex and not PEM: a public key is hex digits "
                                     "(04 followed by 128 more) or a PEM block.")
        try:
            return bytes(parse_public_key(raw)), ""
        except ValueError as error:
            return None, self.tr("Not a P-256 public key: {error}").format(error=error)

    def _check_remove(self, params: dict[str, Any], errors: dict[str, str]) -> None:
        address = self.remove_pick.currentData()
        if address is None:
            errors["remove"] = self.tr("No authorities known yet: wait for the node's status.")
        elif len(self._authorities) <= 1:
            errors["remove"] = self.tr("The last authority cannot be removed.")
        params["authority_address"] = address or ""

    def _check_parameter(self, params: dict[str, Any], errors: dict[str, str]) -> None:
        name = str(self.parameter.currentData())
        low, high = PARAMETER_LIMITS[name]
        value = _integer(self.value.text())
        if value is None or not low <= value <= high:
            errors["value"] = self.tr("{name} takes a whole number from {low} to {high}.").format(
                name=name, low=fmt.integer(low), high=fmt.integer(high))
        params.update(parameter=name, value=value)

    # ----- slots ------------------------------------------------------------------------------

    def _on_action_changed(self) -> None:
        chosen = self.action.currentData()
        for action, rows in self._action_rows.items():
            for widget in rows:
                self._form.setRowVisible(widget, action == chosen)
        self._on_parameter_changed()
        for key in ("authority_name", "authority_public_key", "authority_address", "remove",
                    "value"):
            self._show_message(key, "")

    def _on_parameter_changed(self) -> None:
        low, high = PARAMETER_LIMITS[str(self.parameter.currentData())]
        self._range_hint.setText(self.tr("allowed: {low} to {high}").format(
            low=fmt.integer(low), high=fmt.integer(high)))

    def _on_period_edited(self, _text: str = "") -> None:
        period = _integer(self.voting_period.text())
        if period is None or not self._interval:
            self._period_hint.setText("")
            return
        self._period_hint.setText(self.tr("≈ {time} at the current block interval").format(
            time=estimate_text(period * self._interval)))

    def _on_key_edited(self, _text: str = "") -> None:
        key, _problem = self._parse_key()
        address = public_key_address(key) if key is not None else ""
        self._derived.setProperty("address", address)
        self._derived.setText(self.tr("derived: {address}").format(address=address)
                              if address else "")
        self._revalidate({"authority_public_key", "authority_address"})

    def _on_edited(self, _text: str = "") -> None:
        self._revalidate(set(self.messages()))

    def _revalidate(self, keys: set[str]) -> None:
        """Refresh the messages already shown (and ``keys``) as the operator types."""
        _params, errors = self.validate()
        for key in keys | set(self.messages()):
            self._show_message(key, errors.get(key, ""))

    def _on_submit(self) -> None:
        params, errors = self.validate()
        for key in self._messages:
            self._show_message(key, errors.get(key, ""))
        if params is None:
            return
        self.error.hide()
        self._set_busy(True)
        self.proposal_requested.emit(params)

    def _show_message(self, key: str, text: str) -> None:
        label = self._messages[key]
        label.setText(f"⚠ {text}" if text else "")
        label.setVisible(bool(text))

    def _set_busy(self, busy: bool) -> None:
        self.submit.setEnabled(not busy)
        self.submit.setText(self.tr("Submitting…") if busy else self.tr("Submit proposal"))
        fields = [w for rows in self._action_rows.values() for w in rows]
        for widget in (self.action, self.title_edit, self.description, self.voting_period,
                       *fields):
            widget.setEnabled(not busy)


def _integer(text: str) -> int | None:
    """A whole number typed with optional thousands separators; None if it is not one."""
    compact = text.strip().replace(",", "").replace("_", "")
    return int(compact) if compact.isdigit() else None
