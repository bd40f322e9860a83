"""Operator login: a person chooses their own token, enters its PIN, and is who the node's
roster says the token's key is.

The login is ``C_Login`` on the person's token in an operator agent (a child process that
holds the token open for the session and signs for it: :mod:`node_core.signers.agent`), never
in the console's process — SoftHSM2 reads its configuration once per process and PKCS#11
allows one login per token per process, while a console logs several people in over its life.
Then the node is asked whose key that is (:func:`app.links.operator_session.log_in`): the
identity is that roster member and their role; a key not on this authority's roster is
refused and the dialog stays open.

The PIN lives only in the dialog's line edit until an attempt starts: it is taken out of the
field (which is cleared at once) and handed to the agent's pipe, never to settings, logs,
files, arguments or environments. On the devnet the documented PIN of the chosen person's
token is filled in (``operator1`` at start-up), so ``make run`` is two clicks.

The same form (:class:`TokenForm`) asks the supervisor for their token and PIN in the
approval dialog (:mod:`app.shell.approval`).
"""

from __future__ import annotations

import asyncio
import logging

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from app.links.node_link import NodeLink
from app.links.operator_session import (
    KeyNotOnRoster,
    OperatorSession,
    TokenSource,
    log_in,
    present_tokens,
)
from node_core.api.wire import ClientError
from node_core.ledger.exceptions import GridTokenXError, KeyNotFound, TokenNotFound, WrongPin

log = logging.getLogger(__name__)

DEVNET_OPERATOR = "operator1"
"""The person the devnet's start-up login offers (README › The devnet)."""
_T = QCoreApplication  # _T.translate("LoginDialog", "…"): literal, so lupdate finds it


def login_error_text(error: Exception, authority: str) -> str:
    """What a failed login means for the person at the console, and what to do."""
    if isinstance(error, WrongPin):
        text = _T.translate("LoginDialog", "The token refused the PIN. Check it and try again.")
    elif isinstance(error, TokenNotFound):
        text = _T.translate("LoginDialog", "No token with this label is present. Insert your "
                            "card, or choose or type your token's label, and try again.")
    elif isinstance(error, KeyNotFound):
        text = _T.translate("LoginDialog", "Your token holds no key of its own label. Your "
                            "security administrator creates it (main.py operators init).")
    elif isinstance(error, KeyNotOnRoster):
        text = _T.translate("LoginDialog", "The key on this token is not on {authority}'s "
                            "roster, so it cannot be used at this console. Your security "
                            "administrator enrols it.").format(authority=authority)
    elif isinstance(error, ClientError):
        text = _T.translate("LoginDialog", "The node could not be asked whose key this is. "
                            "Wait until it answers and try again.")
    else:
        text = _T.translate("LoginDialog", "Login failed. Correct what the message names and "
                            "try again, or Cancel.")
    return f"{text}\n{error}"


def still_open(dialog: QDialog) -> bool:
    """The dialog was neither closed nor deleted while a login ran (the console may close
    meanwhile)."""
    return shiboken6.isValid(dialog) and dialog.isVisible()


class TokenForm(QWidget):
    """A person's token (the tokens present, or a typed label) and its PIN."""

    def __init__(self, source: TokenSource, parent: QWidget | None = None, *,
                 token: str = "") -> None:
        super().__init__(parent)
        self._source = source
        self.tokens = QComboBox(self)
        self.tokens.setObjectName("loginToken")
        self.tokens.setEditable(True)
        self.tokens.setMinimumContentsLength(16)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("loginPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(self)
        self.error.setObjectName("loginError")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Your token:"), self.tokens)
        form.addRow(self.tr("PIN:"), self.pin)
        form.addRow(self.error)
        self.tokens.currentTextChanged.connect(self._on_token_changed)
        self.tokens.setEditText(token)
        self._on_token_changed(token)

    def set_tokens(self, labels: list[str]) -> None:
        """The tokens present (the typed or prefilled label is kept)."""
        typed, pin = self.tokens.currentText(), self.pin.text()
        self.tokens.blockSignals(True)
        self.tokens.clear()
        self.tokens.addItems(labels)
        self.tokens.setEditText(typed)
        self.tokens.blockSignals(False)
        self.pin.setText(pin)

    def token_label(self) -> str:
        return self.tokens.currentText().strip()

    def take_pin(self) -> str:
        """The PIN, out of the field: it is cleared for every attempt."""
        pin = self.pin.text()
        self.pin.clear()
        return pin

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def hide_error(self) -> None:
        self.error.hide()
        self.error.clear()

    def _on_token_changed(self, label: str) -> None:
        """Devnet: the chosen person's documented PIN (README); elsewhere nothing."""
        documented = self._source.documented_pin(label.strip())
        if documented or self._source.devnet:
            self.pin.setText(documented)


async def load_tokens(form: TokenForm, source: TokenSource) -> None:
    """Offer the tokens present (listed by an agent of the source's module); a failure is
    shown in the form, which still takes a typed label."""
    try:
        form.set_tokens(await present_tokens(source))
    except GridTokenXError as error:
        log.warning("tokens not listed: %s", error)
        form.show_error(_T.translate("LoginDialog", "The tokens could not be listed; type "
                                     "your token's label.\n{detail}").format(detail=error))


class LoginDialog(QDialog):
    """Token and PIN; accepted once the token's key is a member of the roster
    (:attr:`session`). Opened with ``open()``, never ``exec()``."""

    def __init__(self, node: NodeLink, source: TokenSource, parent: QWidget | None = None, *,
                 title: str = "", token: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setModal(True)
        self._node, self._source = node, source
        self.session: OperatorSession | None = None
        self.setWindowTitle(title or self.tr("Operator login — {authority}").format(
            authority=source.authority))
        self.form = TokenForm(source, self, token=token)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Log in"))
        self.buttons.accepted.connect(self._on_submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Log in with your own token: the node's roster says who you are "
                               "and what you may do."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if source.devnet:
            layout.addWidget(QLabel(self.tr("DEVNET: the documented PIN of the chosen "
                                            "person's token is filled in."), self))
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.form.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    @asyncSlot()
    async def _on_submit(self) -> None:
        self.buttons.setEnabled(False)
        session = await attempt_login(self, self.form, self._node, self._source)
        if not still_open(self):
            return
        self.buttons.setEnabled(True)
        if session is not None:
            log.info("%s (%s) logged in with token '%s'", session.name, session.role.text,
                     session.token_label)
            self.session = session
            self.accept()


async def attempt_login(dialog: QDialog, form: TokenForm, node: NodeLink,
                        source: TokenSource) -> OperatorSession | None:
    """One login with the form's token and PIN (the field cleared): the session, or None with
    the error shown in the form. A session whose dialog was closed meanwhile (the console is
    closing) is closed again at once: None."""
    form.hide_error()
    label, pin = form.token_label(), form.take_pin()
    try:
        session = await log_in(node, source, label, pin)
    except (GridTokenXError, OSError) as error:
        log.info("login with token '%s' refused: %s: %s", label, type(error).__name__, error)
        if still_open(dialog):
            form.show_error(login_error_text(error, source.authority))
        return None
    if not still_open(dialog):
        await asyncio.to_thread(session.close)
        return None
    return session


async def run_dialog(dialog: QDialog, form: TokenForm, source: TokenSource) -> int:
    """Open ``dialog`` (``open()``, never ``exec()``: the console runs qasync) with the tokens
    of ``source`` listed in its ``form``; its result code once it finishes. It is deleted when
    control returns to the event loop."""
    answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    dialog.finished.connect(lambda code: answer.done() or answer.set_result(code))
    listing = asyncio.ensure_future(load_tokens(form, source))
    dialog.open()
    try:
        return await answer
    finally:
        listing.cancel()
        dialog.deleteLater()


async def ask_login(node: NodeLink, source: TokenSource, parent: QWidget | None, *,
                    title: str = "", token: str = "") -> OperatorSession | None:
    """Show the login dialog; the session, or None if cancelled. ``token``: the token to
    offer first (the devnet's start-up: :data:`DEVNET_OPERATOR`)."""
    dialog = LoginDialog(node, source, parent, title=title, token=token)
    await run_dialog(dialog, dialog.form, source)
    return dialog.session


async def auto_login(node: NodeLink, source: TokenSource,
                     token: str = DEVNET_OPERATOR) -> OperatorSession:
    """A driven session (tests, screenshots): log ``token`` in with its documented devnet PIN,
    no dialog."""
    if not source.devnet:
        raise KeyNotOnRoster("an automatic login is for the devnet's documented people only")
    session = await log_in(node, source, token, source.documented_pin(token))
    log.info("%s (%s) logged in automatically (devnet)", session.name, session.role.text)
    return session
