"""§4 transactions: the envelope and every kind's payload, decoded."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from typing import Any

from tests.conformance.verifier.encoding import (
    Invalid,
    Reader,
    address_of,
    read_endorsement,
    tagged,
)
from tests.conformance.verifier.state import ROLES


@dataclass
class Tx:
    kind: int
    chain_id: str
    nonce: int
    key: bytes
    body: dict[str, Any]
    signed: bytes
    payload: bytes
    """The payload's bytes (a proposal record repeats them, §8.2)."""
    sender: str = ""
    hash: bytes = b""


def read_tx(data: bytes) -> Tx:
    if len(data) > 16384:
        raise Invalid("§1 transaction over 16,384 bytes")
    r = Reader(data)
    r.version()
    kind, chain_id, nonce, key = r.int(1), r.text("chain id"), r.int(8), r.take(65)
    if kind not in PAYLOADS:
        raise Invalid(f"§4 unknown kind {kind}")
    start = r.at
    body = PAYLOADS[kind](r)
    tx = Tx(kind, chain_id, nonce, key, body, data, r.since(start))
    r.take(64)
    r.end()
    tx.sender, tx.hash = address_of(key), tagged(b"GTX/tx", data[:-64])
    return tx


def choice(value: int, allowed: Container[int], what: str) -> int:
    if value not in allowed:
        raise Invalid(f"§4 unknown {what} {value}")
    return value


def read_emergency(r: Reader) -> dict[str, Any]:
    """§4.5: the order (kept for its digest), then the two endorsements."""
    start = r.at
    body = {"kind": choice(r.int(1), range(1, 5), "emergency kind"),
            "region": r.text("region"), "stage": r.int(1), "mw": r.int(4),
            "duration_s": r.int(4), "reason": r.text("emergency reason"),
            "selected_ms": r.int(8)}
    body["order"] = r.since(start)
    body["operated_by"], body["approved_by"] = read_endorsement(r), read_endorsement(r)
    return body


def read_roster_change(r: Reader) -> dict[str, Any]:
    """§4.6: the body (kept for its digest), then the security administrator's
    endorsement."""
    start = r.at
    body = {"action": choice(r.int(1), range(1, 3), "roster action"),
            "name": r.text("operator name"), "role": choice(r.int(1), ROLES.values(), "role"),
            "key": r.blob(65), "requested_ms": r.int(8)}
    body["body"] = r.since(start)
    body["requested_by"] = read_endorsement(r)
    return body


PAYLOADS = {
    1: lambda r: {"recipient": r.address(), "amount": r.int(8)},
    2: lambda r: {"seller": r.address(), "buyer": r.address(), "energy_wh": r.int(8),
                  "price": r.int(8), "region": r.text("region")},
    16: lambda r: {"title": r.text("proposal title"), "description": r.text("proposal description"),
                   "action": choice(r.int(1), range(1, 5), "action"), "period": r.int(4),
                   "name": r.text("authority name"), "key": r.blob(65),
                   "address": r.text("authority address"), "parameter": r.text("parameter name"),
                   "value": r.int(8)},
    17: lambda r: {"id": r.int(8), "choice": choice(r.int(1), range(1, 4), "choice")},
    32: read_emergency,
    48: read_roster_change,
}
