"""ECDSA P-256 keys, addresses and signatures: the rules every node applies identically.

* A **public key** is an uncompressed SEC1 P-256 point, ``0x04 || X || Y`` (65 bytes).
* An **address** is ``"0x"`` + the last 20 bytes of ``SHA-256(public_key)`` — SHA-256 over
  the 65-byte uncompressed point, prefix byte included — as lowercase hex (42 chars).
* A **signature** is 64 bytes ``r || s`` (each 32 bytes, big-endian) over a 32-byte SHA-256
  digest, with **low S**: ``0 < s <= n/2`` where ``n`` is the P-256 group order. A signer whose
  ``s`` comes out high publishes ``n - s`` instead, so each (key, digest) has one accepted
  encoding of any given signature and signatures cannot be malleated.

``verify_signature`` is the ledger's hot path: it keeps the parsed public keys in a bounded
cache and does nothing per call beyond the checks above and one OpenSSL verify; addresses
are cached the same way.

Signers: anything with ``public_key``, ``address`` and ``sign(digest)`` (see ``Signer``).
``FileSigner`` keeps the key in an encrypted PKCS#8 file and exists for tests and development
only; authority nodes sign with a hardware token (``node_core.signers.pkcs11``).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Final, Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    encode_dss_signature,
)

from node_core.ledger.types import Address, PublicKey

CURVE_ORDER: Final = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
"""n, the order of the P-256 base point."""

HALF_CURVE_ORDER: Final = CURVE_ORDER // 2
"""Largest accepted ``s`` (low-S rule)."""

PUBLIC_KEY_SIZE: Final = 65
SIGNATURE_SIZE: Final = 64
DIGEST_SIZE: Final = 32

ECDSA_PREHASHED: Final = ec.ECDSA(Prehashed(hashes.SHA256()))
CURVE: Final = ec.SECP256R1()
_KEY_CACHE_SIZE: Final = 4096


@runtime_checkable
class Signer(Protocol):
    """Holds one P-256 private key and signs 32-byte digests with it."""

    @property
    def public_key(self) -> PublicKey:
        """The 65-byte uncompressed public key."""
        ...

    @property
    def address(self) -> Address:
        """The address of ``public_key``."""
        ...

    def sign(self, digest: bytes) -> bytes:
        """Sign a 32-byte SHA-256 digest; return 64 bytes ``r || s`` with low S."""
        ...


def sha256(data: bytes) -> bytes:
    """SHA-256 of ``data`` as 32 raw bytes."""
    return hashlib.sha256(data).digest()


def public_key_address(public_key: bytes) -> Address:
    """The address of a 65-byte uncompressed P-256 public key (see the module docstring)."""
    key_bytes = bytes(public_key)
    address = _cached_address(key_bytes)
    if address is None:
        raise ValueError(
            f"not a valid 65-byte uncompressed P-256 public key ({len(key_bytes)} bytes given)"
        )
    return address


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def _cached_address(public_key: bytes) -> Address | None:
    """The address of a valid key (the same few thousand senders sign most transactions)."""
    if _cached_public_key(public_key) is None:
        return None
    return Address("0x" + sha256(public_key)[-20:].hex())


def verify_signature(public_key: bytes, digest: bytes, signature: bytes) -> bool:
    """True if ``signature`` is a strict low-S signature of ``digest`` by ``public_key``.

    Never raises for malformed input: a bad key, digest or signature is simply ``False``.
    """
    if len(signature) != SIGNATURE_SIZE or len(digest) != DIGEST_SIZE:
        return False
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < CURVE_ORDER and 0 < s <= HALF_CURVE_ORDER):
        return False
    key = _cached_public_key(public_key if type(public_key) is bytes else bytes(public_key))
    if key is None:
        return False
    try:
        key.verify(encode_dss_signature(r, s), digest, ECDSA_PREHASHED)
    except InvalidSignature:
        return False
    return True


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def _cached_public_key(public_key: bytes) -> ec.EllipticCurvePublicKey | None:
    """The parsed key for 65 uncompressed-point bytes, or None if they are not one."""
    if len(public_key) != PUBLIC_KEY_SIZE or public_key[0] != 0x04:
        return None
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(CURVE, public_key)
    except ValueError:
        return None


def parse_public_key(data: bytes) -> PublicKey:
    """Read a P-256 public key given as 65 uncompressed bytes, SPKI DER or PEM.

    Returns the 65-byte uncompressed form; raises ValueError naming what is wrong.
    """
    raw = bytes(data)
    if len(raw) == PUBLIC_KEY_SIZE and raw[0] == 0x04:
        key = _cached_public_key(raw)
        if key is None:
            raise ValueError("65-byte public key is not a point on P-256")
        return PublicKey(raw)
    return uncompressed_public_key(_load_encoded_public_key(raw))


def _load_encoded_public_key(raw: bytes) -> ec.EllipticCurvePublicKey:
    """Load SPKI DER or PEM bytes; require a P-256 key."""
    is_pem = raw.lstrip().startswith(b"-----BEGIN")
    try:
        if is_pem:
            key = serialization.load_pem_public_key(raw)
        else:
            key = serialization.load_der_public_key(raw)
    except (ValueError, UnsupportedAlgorithm) as error:
        kind = "PEM" if is_pem else "65-byte uncompressed point or SPKI DER"
        raise ValueError(f"not a P-256 public key ({kind}, {len(raw)} bytes): {error}") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != CURVE.name:
        raise ValueError(f"public key is not an EC P-256 key: {type(key).__name__}")
    return key


def uncompressed_public_key(key: ec.EllipticCurvePublicKey) -> PublicKey:
    """The 65-byte uncompressed encoding of ``key``."""
    return PublicKey(
        key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


def normalize_low_s(r: int, s: int) -> bytes:
    """Encode ``(r, s)`` as 64 bytes ``r || s``, replacing a high ``s`` by ``n - s``."""
    if not (0 < r < CURVE_ORDER and 0 < s < CURVE_ORDER):
        raise ValueError("signature component out of range")
    if s > HALF_CURVE_ORDER:
        s = CURVE_ORDER - s
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def require_digest(digest: bytes) -> None:
    """Signers sign SHA-256 digests only; anything else is a caller bug."""
    if len(digest) != DIGEST_SIZE:
        raise ValueError(f"digest must be {DIGEST_SIZE} bytes (SHA-256), got {len(digest)}")
