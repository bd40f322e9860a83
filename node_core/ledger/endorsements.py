"""Endorsements: a roster member's own signature inside an authority's transaction.

An authority signs its transactions with its HSM key; some of them must also show which
people asked for them, provably, on the chain: an emergency action carries the signature of
the operator who operated it and, for a critical action, of the supervisor who approved it (the
two-person rule); a roster change carries the signature of the security administrator who
requested it. Each is an :class:`Endorsement`: the member's public key and their signature over
``SHA-256(domain || u8 version || str chain_id || address authority || body)``, where the body
is the action's or the change's encoding and includes the time it was asked for. Binding the
chain and the authority keeps an endorsement from being used on another chain or by another
authority; the time keeps an old endorsement from being used again later (it must be within
:data:`ENDORSEMENT_VALIDITY_MS` before the block that carries it, and not in its future), and
the chain carries each endorsed order or change once
(:mod:`node_core.ledger.taken_endorsements`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.exceptions import DecodeError, InvalidTransaction
from node_core.ledger.fields import CHAIN_ID
from node_core.ledger.hashing import tagged_digest
from node_core.ledger.keys import (
    PUBLIC_KEY_SIZE,
    SIGNATURE_SIZE,
    Signer,
    parse_public_key,
    verify_signature,
)
from node_core.ledger.types import Address, PublicKey

EMERGENCY_DOMAIN: Final = b"GTX/emergency"
ROSTER_DOMAIN: Final = b"GTX/roster"
ENDORSEMENT_VALIDITY_MS: Final = 600_000
"""How long after it was asked for an endorsed action may still enter a block (10 min)."""


class BadEndorsement(InvalidTransaction):
    """An endorsement is missing, does not verify, or is too old or in the future."""


@dataclass(frozen=True, slots=True)
class Endorsement:
    """A roster member's public key and signature (64 bytes r || s, low S)."""

    public_key: PublicKey
    signature: bytes


NO_ENDORSEMENT: Final = Endorsement(PublicKey(b""), b"")
"""Where an optional endorsement is absent (a non-critical emergency action's approval)."""


def endorsement_digest(domain: bytes, chain_id: str, authority: Address, body: bytes) -> bytes:
    """What an endorsing member signs (see the module docstring)."""
    writer = Writer().u8(1).str_(chain_id, CHAIN_ID).address(authority)
    return tagged_digest(domain, bytes(writer) + body)


def endorse(signer: Signer, digest: bytes) -> Endorsement:
    """The endorsement of ``digest`` by ``signer`` (a member's own token)."""
    return Endorsement(signer.public_key, signer.sign(digest))


def check_endorsement(endorsement: Endorsement, digest: bytes, what: str) -> None:
    """Raise BadEndorsement unless ``endorsement`` is present and signs ``digest``."""
    if endorsement == NO_ENDORSEMENT:
        raise BadEndorsement(f"{what}: the endorsement is missing")
    if not verify_signature(endorsement.public_key, digest, endorsement.signature):
        raise BadEndorsement(f"{what}: the endorsement does not verify")


def check_endorsed_time(asked_ms: int, block_ms: int, what: str) -> None:
    """Raise BadEndorsement unless ``asked_ms`` is within the validity before ``block_ms``."""
    if asked_ms > block_ms:
        raise BadEndorsement(f"{what}: asked for at {asked_ms}, after the block ({block_ms})")
    if block_ms - asked_ms > ENDORSEMENT_VALIDITY_MS:
        raise BadEndorsement(f"{what}: asked for {block_ms - asked_ms} ms before the block; "
                             f"an endorsement is valid for {ENDORSEMENT_VALIDITY_MS} ms")


def write_endorsement(writer: Writer, endorsement: Endorsement) -> None:
    """``u8 present`` then, if 1, ``public_key || signature``."""
    if endorsement == NO_ENDORSEMENT:
        writer.u8(0)
        return
    writer.u8(1).raw(endorsement.public_key, PUBLIC_KEY_SIZE)
    writer.raw(endorsement.signature, SIGNATURE_SIZE)


def read_endorsement(reader: Reader) -> Endorsement:
    present = reader.u8()
    if present == 0:
        return NO_ENDORSEMENT
    if present != 1:
        raise DecodeError(f"endorsement presence flag {present}")
    key = reader.raw(PUBLIC_KEY_SIZE)
    try:
        parse_public_key(key)
    except ValueError as error:
        raise DecodeError(f"endorsement key: {error}") from None
    return Endorsement(PublicKey(key), reader.raw(SIGNATURE_SIZE))
