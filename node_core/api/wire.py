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
    -> {"id": 4, "method": "submit_binary", "params": {"length": 52140}}
    -> (52140 bytes: the body, see encode_submission)
    <- {"id": 4, "result": {"accepted": 224, "duplicates": 0, "refused": [], ...}}

A method with a body (``submit_binary``, for bulk clients) reads, after its line, exactly
``params.length`` raw bytes, at most :data:`MAX_REQUEST_BYTES`; a longer announced body is
refused (``RequestTooLarge``) and the connection closed.

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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.transactions import MAX_TRANSACTION_BYTES
from node_core.private_files import PRIVATE_FILE, private_directory

T = TypeVar("T")

COOKIE_FILENAME: Final = "node.cookie"
COOKIE_BYTES: Final = 32
MAX_REQUEST_BYTES: Final = 1024 * 1024
"""The longest request line an endpoint reads (UTF-8, newline included), and the longest
body after one; a client splits a bigger ``submit`` or ``submit_binary``
(:meth:`node_core.api.client.NodeClient.submit`, ``submit_binary``)."""


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


_PREFIX: Final = 4
"""Bytes of a u32 (the count, each length) in a ``submit_binary`` body."""


def encode_submission(encoded: Sequence[bytes]) -> bytes:
    """The body of a ``submit_binary``: ``u32 count || (u32 length || signed transaction)...``
    — each transaction's canonical signed encoding, as blocks store them."""
    writer = Writer().u32(len(encoded))
    for data in encoded:
        writer.bytes_(data)
    return bytes(writer)


def request_parts(items: Sequence[T], size: Callable[[T], int],
                  overhead: int) -> list[Sequence[T]]:
    """``items`` in consecutive parts, each of which fits one request of at most
    :data:`MAX_REQUEST_BYTES`: ``overhead`` bytes plus ``size(item)`` for each of its items
    (an item too large alone is a part of its own, for the node to refuse)."""
    parts: list[Sequence[T]] = []
    start, used = 0, overhead
    for index, item in enumerate(items):
        if index > start and used + size(item) > MAX_REQUEST_BYTES:
            parts.append(items[start:index])
            start, used = index, overhead
        used += size(item)
    if start < len(items):
        parts.append(items[start:])
    return parts


def submission_parts(encoded: Sequence[bytes]) -> list[Sequence[bytes]]:
    """``encoded`` in consecutive parts, each of whose ``submit_binary`` bodies is at most
    :data:`MAX_REQUEST_BYTES`."""
    return request_parts(encoded, lambda data: _PREFIX + len(data), _PREFIX)


def decode_submission(body: bytes) -> list[bytes]:
    """The transactions' encodings in a ``submit_binary`` body (each still to be decoded);
    DecodeError unless the body is exactly that sequence."""
    reader = Reader(body)
    encoded = [reader.bytes_(MAX_TRANSACTION_BYTES) for _ in range(reader.count())]
    reader.finish()
    return encoded


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
