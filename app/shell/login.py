"""Operator login: choose the authority's token, enter the PIN, and prove it with a real
PKCS#11 login (``C_Login``) before the console takes the authority online.

The PIN lives only in the dialog's line edit until the check ends; it is never written to
settings, logs or files (the line edit is cleared after every attempt).

Where the check runs:

* normally in this process, in a worker thread (``asyncio.to_thread``): open a
  ``Pkcs11Signer`` and close it. SoftHSM2 reads ``SOFTHSM2_CONF`` once, when the PKCS#11 module
  first loads in a process, so :func:`check_login` sets it first;
* in a short-lived child process (``main.py keys show``, PIN passed in its environment) when
  this process already loaded the module with another configuration — it cannot be re-pointed
  (this happens in test sessions and after switching networks). Same ``C_Login``, fresh module.

python-pkcs11 allows one logged-in session per token per process; the check closes its signer
at once, so the login is not held by the GUI process (the node process holds its own).

On the devnet the dialog is prefilled with the documented devnet PIN (``DEVNET_PIN``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import Qt
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

from node_core.ledger.exceptions import KeyNotFound, SignerError, TokenNotFound, WrongPin
from node_core.node.process import main_command

log = logging.getLogger(__name__)

_CHILD_PIN_VARIABLE: Final = "GRIDTOKENX_LOGIN_CHECK_PIN"
DEVNET_OPERATOR: Final = "operator1"
"""The identity the devnet's start-up login offers
(``node_core.devnet.layout.DEVNET_OPERATORS``)."""
_loaded_with_conf: str | None = None
"""SOFTHSM2_CONF in effect when this module loaded the PKCS#11 module in this process."""


@dataclass(frozen=True, slots=True)
class LoginRequest:
    """What the operator logs in to."""

    authority: str
    tokens: tuple[str, ...]
    """Token labels to offer (the configured one first)."""
    key_label: str
    module: str
    """PKCS#11 library path."""
    softhsm_conf: Path | None = None
    """SoftHSM2 configuration (devnet); None for a hardware token."""
    prefill_pin: str = ""
    """The devnet's documented PIN; empty for a real network."""
    prefill_operator: str = ""
    """The operator identity to offer (devnet: ``operator1``); the operator may change it."""


@dataclass(frozen=True, slots=True)
class OperatorLogin:
    """A successful login: the token and the operator identity (never the PIN)."""

    token_label: str
    operator: str


async def check_login(request: LoginRequest, token_label: str, pin: str) -> None:
    """Log in to ``token_label`` with ``pin`` and out again; WrongPin/SignerError if not."""
    import pkcs11

    conf = str(request.softhsm_conf) if request.softhsm_conf else os.environ.get("SOFTHSM2_CONF")
    loaded = request.module in pkcs11._loaded
    if loaded and _loaded_with_conf != conf:
        await _check_in_child(request, token_label, pin, conf)
        return
    await asyncio.to_thread(_check_in_process, request, token_label, pin, conf)


def _check_in_process(request: LoginRequest, token_label: str, pin: str,
                      conf: str | None) -> None:
    global _loaded_with_conf
    from node_core.signers.pkcs11 import Pkcs11Signer

    if conf is not None and _loaded_with_conf is None:
        os.environ["SOFTHSM2_CONF"] = conf  # before the module's first load (see docstring)
        _loaded_with_conf = conf
    signer = Pkcs11Signer.open(request.module, token_label, request.key_label, pin)
    signer.close()


async def _check_in_child(request: LoginRequest, token_label: str, pin: str,
                          conf: str | None) -> None:
    command = main_command("keys", "show", "--authority", request.authority,
                           "--backend", "pkcs11", "--module", request.module,
                           "--token-label", token_label, "--key-label", request.key_label,
                           "--pin-env", _CHILD_PIN_VARIABLE, "--json")
    if conf:
        command += ["--softhsm-conf", conf]
    process = await asyncio.create_subprocess_exec(
        *command, env={**os.environ, _CHILD_PIN_VARIABLE: pin},
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    _, stderr = await process.communicate()
    if process.returncode == 0:
        return
    message = stderr.decode(errors="replace").strip().removeprefix("error: ")
    if "PIN" in message:
        raise WrongPin(message)
    if "no token labelled" in message:
        raise TokenNotFound(message)
    if "holds no" in message:
        raise KeyNotFound(message)
    raise SignerError(message or f"login check exited with {process.returncode}")


async def auto_login(request: LoginRequest) -> str:
    """Screenshot mode and tests: log in with the prefilled (devnet) PIN, no dialog."""
    await check_login(request, request.tokens[0], request.prefill_pin)
    # The operator identity: request.prefill_operator (the caller keeps it).
    log.info("operator login to token '%s' accepted (automatic, devnet)", request.tokens[0])
    return request.tokens[0]


async def ask_login(request: LoginRequest, parent: QWidget | None) -> str | None:
    """Show the login dialog (``open()``, never ``exec()``); the token label, or None."""
    login = await ask_operator_login(request, parent)
    return login.token_label if login is not None else None


async def ask_operator_login(request: LoginRequest, parent: QWidget | None, *,
                             title: str = "", operator: str | None = None
                             ) -> OperatorLogin | None:
    """The login dialog with the operator identity (start-up, "Switch operator…", a
    supervisor's approval): token, identity and PIN, checked by a real PKCS#11 login.
    ``open()``, never ``exec()``; None if cancelled. ``operator``: the identity to offer
    (None: the request's, or on the devnet :data:`DEVNET_OPERATOR`)."""
    dialog = LoginDialog(request, parent, title=title, operator=operator)
    answer: asyncio.Future[OperatorLogin | None] = asyncio.get_running_loop().create_future()

    def on_finished(code: int) -> None:
        if not answer.done():
            answer.set_result(OperatorLogin(dialog.token_label, dialog.operator_name)
                              if code == QDialog.DialogCode.Accepted else None)

    dialog.finished.connect(on_finished)
    dialog.open()
    try:
        return await answer
    finally:
        dialog.deleteLater()


class LoginDialog(QDialog):
    """Token choice, operator identity and PIN; accepts only after a successful PKCS#11
    login. The identity is kept (``operator_name``), the PIN never."""

    def __init__(self, request: LoginRequest, parent: QWidget | None = None, *,
                 title: str = "", operator: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self._request = request
        self.token_label = ""
        self.operator_name = ""
        self.setWindowTitle(title or self.tr("Operator login — {authority}").format(
            authority=request.authority))
        self.operator = QLineEdit(self)
        self.operator.setObjectName("loginOperator")
        if operator is None:  # the start-up login; a devnet offers its documented operator
            operator = request.prefill_operator or (DEVNET_OPERATOR if request.prefill_pin
                                                    else "")
        self.operator.setText(operator)
        self.setModal(True)
        self.tokens = QComboBox(self)
        self.tokens.addItems(list(request.tokens))
        self.tokens.setEditable(True)
        self.pin = QLineEdit(self)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setText(request.prefill_pin)
        self.error = QLabel(self)
        self.error.setObjectName("loginError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._on_submit)
        self.buttons.rejected.connect(self.reject)
        self._build(request)

    def _build(self, request: LoginRequest) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Authority token:"), self.tokens)
        form.addRow(self.tr("Operator:"), self.operator)
        form.addRow(self.tr("PIN:"), self.pin)
        layout = QVBoxLayout(self)
        if request.prefill_pin:
            note = QLabel(self.tr("DEVNET: the documented devnet PIN is filled in."), self)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    @asyncSlot()
    async def _on_submit(self) -> None:
        self.buttons.setEnabled(False)
        self.error.hide()
        label, pin = self.tokens.currentText().strip(), self.pin.text()
        operator = self.operator.text().strip()
        try:
            if not operator:
                raise SignerError(self.tr("Enter your operator identity."))
            await check_login(self._request, label, pin)
        except SignerError as error:
            self._show_error(error)
        except Exception as error:  # an unexpected module failure: say it, do not crash
            log.exception("login check failed")
            self._show_error(error)
        else:
            log.info("operator %s logged in to token '%s'", operator, label)
            self.token_label, self.operator_name = label, operator
            self.accept()
        finally:
            self.pin.clear()
            self.buttons.setEnabled(True)

    def _show_error(self, error: Exception) -> None:
        if isinstance(error, WrongPin):
            text = self.tr("The token refused the PIN. Check it and try again.\n{detail}")
        elif isinstance(error, TokenNotFound):
            text = self.tr("No token with this label is present. Connect the HSM, or choose "
                           "or type the token's label, and try again.\n{detail}")
        elif isinstance(error, KeyNotFound):
            text = self.tr("The token has no signing key for this authority. Choose the "
                           "authority's token, or create its key (main.py keys init).\n"
                           "{detail}")
        else:
            text = self.tr("Login failed. Correct what the message names and try again, or "
                           "Cancel.\n{detail}")
        self.error.setText(text.format(detail=error))
        self.error.show()
