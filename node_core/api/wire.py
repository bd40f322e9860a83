"""The client endpoint's wire: JSON lines over TCP on loopback, and its local credential.

One JSON object per line each way. A connection starts with the **cookie**, the credential
only the node's Unix user can read, then carries requests, answers and pushed events::

    -> {"cookie": "<64 hex>"}
    <- {"authenticated": true}
    -> {"id": 1, "method": "status", "params": {}}
    <- {"id": 1, "result": {...}}
       or {"id": 1, "error": {"type": "...", "message": "..."}}
    -> {"id": 2, "method": "emergency_select", "params": {...}, "auth": {...}}
    -> {"id": 3, "method": "subscribe", "params": {}}
    <- {"id": 3, "result": "subscribed"}
    <- {"event": "block", "data": {...}}

Methods, their parameters and answers are :mod:`node_core.api.methods`; ``auth`` is an
operator's signature (:mod:`node_core.api.signed_requests`). Errors carry the class name of
the rule broken (``NonceMismatch``, ``RoleRefused``, ``RequestTooLarge``), so scripts can act
on them.

**The cookie**, as Bitcoin Core does it: at start the node writes 32 random bytes (hex) to
``node.cookie`` in its data directory, readable by its own Unix user only (0600, in a 0700
directory), and deletes it when it stops. Whoever can read that file may use the endpoint; a
process of another user cannot (the kernel refuses the read), and a stale cookie from an
earlier run is worthless. Chosen over a Unix-domain socket because the endpoint stays TCP on
loopback, which the console, the CLI, the bundle and the tests already use and a remote
client could later use with TLS; the file permissions carry the same guarantee.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, Final

from node_core.ledger.exceptions import GridTokenXError
from node_core.private_files import PRIVATE_FILE, private_directory

COOKIE_FILENAME: Final = "node.cookie"
COOKIE_BYTES: Final = 32
MAX_REQUEST_BYTES: Final = 1024 * 1024
"""The longest request line an endpoint reads (UTF-8, newline included); a client splits a
bigger ``submit`` (:meth:`node_core.api.client.NodeClient.submit`)."""


class ClientError(GridTokenXError):
    """The node answered a request with an error, or could not be asked; ``type`` names the
    rule (the node's error class, or ``Unreachable``, ``Disconnected``, ``Timeout``...)."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(f"{type_}: {message}")
        self.type = type_


def line(obj: Any) -> bytes:
    return (json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def error_line(request_id: Any, type_: str, message: str) -> bytes:
    return line({"id": request_id, "error": {"type": type_, "message": message}})


def cookie_path(data_dir: Path) -> Path:
    """Where the node of ``data_dir`` keeps its cookie."""
    return Path(data_dir) / COOKIE_FILENAME


def write_cookie(path: Path) -> str:
    """A fresh cookie in ``path``, readable by this user only (any old one replaced)."""
    private_directory(path.parent)
    cookie = secrets.token_hex(COOKIE_BYTES)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(descriptor, "w") as file:
        file.write(cookie)
    return cookie


def read_cookie(path: Path) -> str:
    """The cookie of a running node; ClientError says why it cannot be read."""
    try:
        return Path(path).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ClientError("NoCredential", f"no node credential at {path}: is the node "
                          "running (it writes the file when it starts)?") from None
    except OSError as error:
        raise ClientError("NoCredential", f"cannot read the node credential {path}: "
                          f"{error.strerror}; run as the node's own user") from None
