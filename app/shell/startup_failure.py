"""What the operator reads when the console cannot start: what went wrong, and what to do.

``failure_text(error, data_dir)`` turns the exception that ended ``ConsoleRuntime.start()``
into two translated lines. A signer error here is the operator's own token (a login without
the dialog: a driven session); the authority's token is the node's, whose failure arrives as
the node's exit (``NodeExited``, with the node's last word). node_core's messages already
name the token, key, file or port (and often the fix); this adds the step the operator takes
in the console's terms. The console shows it in a message box and the status bar
(interactive) or logs it (screenshot mode). README › Troubleshooting quotes these texts.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from app.links.operator_session import KeyNotOnRoster
from node_core.api.wire import ClientError
from node_core.cloud.profile import ProfileError
from node_core.ledger.exceptions import (
    GridTokenXError,
    KeyNotFound,
    SignerError,
    StoreError,
    TokenNotFound,
    WrongPin,
)
from node_core.node.config import ConfigError

_PORT_IN_USE = ("address already in use", "Errno 98")
_OLD_DATA = ("GenesisMismatch", "belongs to chain", "StoreCorrupted", "InvalidGenesis",
             "older version")


_T = QCoreApplication  # _T.translate("StartupFailure", "…"): literal, so lupdate finds it


def failure_text(error: BaseException, data_dir: Path) -> str:
    """``"<what went wrong>: <detail>\\nWhat to do: <step>"`` for a failed start-up."""
    what, todo = _classify(error, str(error), data_dir)
    text = _T.translate("StartupFailure", "{what}: {detail}\nWhat to do: {todo}")
    return text.format(what=what, detail=error, todo=todo)


def _classify(error: BaseException, detail: str, data_dir: Path) -> tuple[str, str]:
    if isinstance(error, (SignerError, ConfigError, KeyNotOnRoster)):
        return _signer_or_config(error, data_dir)
    if isinstance(error, ClientError) and error.type == "NodeExited":
        return _node_exited(detail, data_dir)
    if isinstance(error, ClientError) and error.type == "NodeNotReady":
        return (_T.translate("StartupFailure", "An authority node did not answer in time"),
                _T.translate("StartupFailure",
                             "read the node's log named above; if the machine is busy, start "
                             "the console again."))
    if isinstance(error, ProfileError):
        return (_T.translate("StartupFailure", "The gcp profile is not valid"),
                _T.translate("StartupFailure",
                             "correct the settings listed (`main.py config check FILE` checks "
                             "them), then start the console again."))
    if isinstance(error, StoreError) or any(mark in detail for mark in _OLD_DATA):
        return _old_data(data_dir)
    if isinstance(error, OSError):
        return (_T.translate("StartupFailure", "A file, directory or port could not be used"),
                _T.translate("StartupFailure",
                             "check the path and its permissions (--data-dir), or stop the "
                             "program that holds the port, then start the console again."))
    if isinstance(error, GridTokenXError):
        return (_T.translate("StartupFailure", "Start-up failed"),
                _T.translate("StartupFailure",
                             "correct what the message names, then start the console again "
                             "(README › Troubleshooting)."))
    return (_T.translate("StartupFailure",
                         "Start-up failed unexpectedly ({kind})").format(kind=type(error).__name__),
            _T.translate("StartupFailure",
                         "start the console again; if it fails again, report it with the "
                         "console's log."))


def _signer_or_config(error: BaseException, data_dir: Path) -> tuple[str, str]:
    if isinstance(error, TokenNotFound):
        return (_T.translate("StartupFailure", "The operator's token was not found"),
                _T.translate("StartupFailure",
                             "insert the operator's card, or check the PKCS#11 module in the "
                             "node config's [signer]; on the devnet check that {conf} exists."
                             ).format(conf=data_dir / "softhsm" / "softhsm2.conf"))
    if isinstance(error, WrongPin):
        return (_T.translate("StartupFailure", "The operator's token refused the PIN"),
                _T.translate("StartupFailure",
                             "start the console again and enter your own token's PIN (devnet: "
                             "README › The devnet); a locked token must be reset by its "
                             "security officer."))
    if isinstance(error, KeyNotFound):
        return (_T.translate("StartupFailure", "The operator's key is not on their token"),
                _T.translate("StartupFailure",
                             "create it with `main.py operators init NAME` and have the "
                             "security administrator enrol it (README › Logging in at the "
                             "console)."))
    if isinstance(error, KeyNotOnRoster):
        return (_T.translate("StartupFailure", "The operator's key is not on the roster"),
                _T.translate("StartupFailure",
                             "the security administrator enrols it (`main.py roster add`), "
                             "or log in with another person's token."))
    if isinstance(error, ConfigError):
        return (_T.translate("StartupFailure", "The node config is not valid"),
                _T.translate("StartupFailure",
                             "correct the settings listed, then start the console again."))
    return (_T.translate("StartupFailure", "The HSM could not be used"),
            _T.translate("StartupFailure",
                         "correct what the message names (module path, SoftHSM2 installation, "
                         "token), then start the console again."))


def _node_exited(detail: str, data_dir: Path) -> tuple[str, str]:
    if any(mark in detail for mark in _PORT_IN_USE):
        return (_T.translate("StartupFailure", "An authority node could not open its port"),
                _T.translate("StartupFailure",
                             "another console, devnet or program uses it: stop that one, or "
                             "start this console with its own --data-dir and --base-port."))
    if any(mark in detail for mark in _OLD_DATA):
        return _old_data(data_dir)
    return (_T.translate("StartupFailure", "An authority node stopped during start-up"),
            _T.translate("StartupFailure",
                         "read the end of the node's log named above for the cause "
                         "(README › Troubleshooting), correct it, and start the console again."))


def _old_data(data_dir: Path) -> tuple[str, str]:
    what = _T.translate("StartupFailure",
                        "The data in {dir} was made by an older version or is damaged")
    todo = _T.translate("StartupFailure",
                        "for a devnet: close the console, move {dir} aside (or delete it: a new "
                        "chain is made), and start again; for a configured node, name the "
                        "network's genesis file in its config, or restore the data directory "
                        "from a backup.")
    return what.format(dir=data_dir), todo.format(dir=data_dir)
