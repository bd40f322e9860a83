"""Operator signatures on endpoint requests: what a client signs and what a node checks.

Every state-changing request of a person or a machine (the methods of
:mod:`node_core.api.methods` with ``roles``) carries, next to its ``params``, an ``auth``
object::

    {"key": hex of the signer's 65-byte public key, "issued_ms": UTC ms, "nonce": 32 hex,
     "signature": hex of 64 bytes r || s over the request digest}

The **request digest** is ``SHA-256("GTX/request" || u8 1 || str chain_id || address
authority || str method || u64 issued_ms || 16-byte nonce || bytes params)`` in the ledger's
encoding (:mod:`node_core.ledger.encoding`), where ``params`` is the canonical JSON of the
request's parameters (:func:`canonical_params`: keys sorted, no spaces, UTF-8 kept) — so the
signature covers the chain, the authority the request is for, the method and the exact
parameters, and a fresh nonce and time. The node refuses a request that is unsigned, whose
signature does not verify, whose time is more than :data:`REQUEST_WINDOW_MS` from its clock,
whose nonce it has seen within that window (a replay), or whose key is not on its authority's
roster with a role the method allows (:mod:`node_core.api.operator_auth`).

The signature is made with the operator's own key on their own token (a smart card; SoftHSM2
on the devnet), so a request proves who made it; the audit trail keeps it
(:mod:`node_core.control_room.audit`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Final

from node_core.ledger.encoding import Writer
from node_core.ledger.fields import CHAIN_ID, TextField
from node_core.ledger.hashing import tagged_digest
from node_core.ledger.keys import PUBLIC_KEY_SIZE, SIGNATURE_SIZE, Signer, parse_public_key
from node_core.ledger.types import Address, PublicKey

REQUEST_DOMAIN: Final = b"GTX/request"
REQUEST_WINDOW_MS: Final = 30_000
"""How far a request's time may be from the node's clock, either way."""
NONCE_SIZE: Final = 16
METHOD_NAME: Final = TextField("method name", 64)


class MalformedAuth(ValueError):
    """An ``auth`` object that is not the shape above."""


@dataclass(frozen=True, slots=True)
class RequestAuth:
    """The ``auth`` of one signed request."""

    public_key: PublicKey
    issued_ms: int
    nonce: bytes
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        return {"key": bytes(self.public_key).hex(), "issued_ms": self.issued_ms,
                "nonce": self.nonce.hex(), "signature": self.signature.hex()}

    @classmethod
    def from_json(cls, data: object) -> RequestAuth:
        """Parse an ``auth`` object; MalformedAuth says what is wrong."""
        if not isinstance(data, dict) or set(data) != {"key", "issued_ms", "nonce",
                                                          "signature"}:
            raise MalformedAuth("auth must be {key, issued_ms, nonce, signature}")
        try:
            key = parse_public_key(bytes.fromhex(str(data["key"])))
            nonce, signature = bytes.fromhex(data["nonce"]), bytes.fromhex(data["signature"])
        except (ValueError, TypeError) as error:
            raise MalformedAuth(f"auth: {error}") from None
        issued = data["issued_ms"]
        if not isinstance(issued, int) or isinstance(issued, bool) or issued < 0:
            raise MalformedAuth("auth.issued_ms must be a time in ms")
        if len(nonce) != NONCE_SIZE or len(signature) != SIGNATURE_SIZE:
            raise MalformedAuth(f"auth: the nonce is {NONCE_SIZE} bytes, the signature "
                                f"{SIGNATURE_SIZE}")
        return cls(key, issued, nonce, signature)


def canonical_params(params: Any) -> bytes:
    """The canonical JSON of a request's parameters (what is signed)."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def request_digest(chain_id: str, authority: Address, method: str, params: Any,
                   issued_ms: int, nonce: bytes) -> bytes:
    """The digest an operator signs (see the module docstring)."""
    writer = Writer().u8(1).str_(chain_id, CHAIN_ID).address(authority)
    writer.str_(method, METHOD_NAME).u64(issued_ms).raw(nonce, NONCE_SIZE)
    return tagged_digest(REQUEST_DOMAIN, bytes(writer.bytes_(canonical_params(params))))


@dataclass(frozen=True, slots=True)
class RequestSigner:
    """An operator's (or machine's) key, bound to the node it talks to."""

    signer: Signer
    chain_id: str
    authority: Address
    """The address of the authority whose node the requests are for."""

    def auth(self, method: str, params: Any, now_ms: int) -> RequestAuth:
        """Sign one request now, with a fresh random nonce."""
        nonce = os.urandom(NONCE_SIZE)
        digest = request_digest(self.chain_id, self.authority, method, params, now_ms, nonce)
        assert len(self.signer.public_key) == PUBLIC_KEY_SIZE
        return RequestAuth(self.signer.public_key, now_ms, nonce, self.signer.sign(digest))
