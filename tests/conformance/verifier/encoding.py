"""§1 primitives, §2 hashes, §3 keys, signatures and endorsements."""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature


class Invalid(Exception):
    """The chain breaks the protocol: the message says where, and the section's rule."""


def require(condition: bool, where: str, rule: str) -> None:
    if not condition:
        raise Invalid(f"{where}: {rule}")


# --- §1 primitives ------------------------------------------------------------------------

LIMITS = {"chain id": 64, "authority name": 32, "region": 8, "parameter name": 64,
          "authority address": 42, "proposal title": 360, "proposal description": 12000,
          "proposal outcome": 64, "emergency reason": 600, "operator name": 64}
REGIONS = ("EGAT", "MEA", "PEA")


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise Invalid(f"§1 truncated at byte {self.at}")
        self.at += n
        return self.data[self.at - n:self.at]

    def int(self, n: int) -> int:
        return int.from_bytes(self.take(n), "big")

    def blob(self, limit: int = 1 << 24) -> bytes:
        n = self.int(4)
        if n > limit:
            raise Invalid(f"§1 field of {n} bytes over its limit {limit}")
        return self.take(n)

    def text(self, name: str) -> str:
        try:
            return self.blob(LIMITS[name]).decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid(f"§1 {name} is not UTF-8") from None

    def hash(self) -> str:
        return self.take(32).hex()

    def address(self) -> str:
        return "0x" + self.take(20).hex()

    def many(self, limit: int, read: Any) -> list[Any]:
        n = self.int(4)
        if n > limit:
            raise Invalid(f"§1 sequence of {n} over its limit {limit}")
        return [read() for _ in range(n)]

    def version(self) -> None:
        if self.int(1) != 1:
            raise Invalid("§1 unknown version")

    def end(self) -> None:
        if self.at != len(self.data):
            raise Invalid(f"§1 {len(self.data) - self.at} trailing bytes")

    def since(self, start: int) -> bytes:
        """The bytes read from ``start`` on (a part a digest or a record repeats)."""
        return self.data[start:self.at]


def u(value: int, n: int) -> bytes:
    return value.to_bytes(n, "big")


def text(value: str) -> bytes:
    data = value.encode("utf-8")
    return u(len(data), 4) + data


def addr(value: str) -> bytes:
    return bytes.fromhex(value[2:])


# --- §2 hashes, §3 keys and signatures -------------------------------------------------------


def tagged(tag: bytes, data: bytes) -> bytes:
    return hashlib.sha256(tag + data).digest()


def merkle(items: list[bytes]) -> str:
    level = [hashlib.sha256(b"\x00" + item).digest() for item in items]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        paired = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
                  for i in range(0, len(level) - 1, 2)]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    return level[0].hex()


N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@cache
def point(key: bytes) -> ec.EllipticCurvePublicKey:
    if len(key) != 65 or key[0] != 4:
        raise Invalid("§3 a public key is 65 bytes 04 || X || Y")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
    except ValueError:
        raise Invalid("§3 public key not on P-256") from None


def address_of(key: bytes) -> str:
    point(key)
    return "0x" + hashlib.sha256(key).digest()[-20:].hex()


def verifies(key: bytes, digest: bytes, signature: bytes) -> bool:
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if len(signature) != 64 or not (0 < r < N and 0 < s <= N // 2):
        return False
    try:
        point(key).verify(encode_dss_signature(r, s), digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        return False
    return True


Endorsement = tuple[bytes, bytes]
"""(public key, signature) of a roster member."""


def read_endorsement(r: Reader) -> Endorsement | None:
    """``u8 present`` (0: none), then ``public_key || signature``."""
    present = r.int(1)
    if present == 0:
        return None
    if present != 1:
        raise Invalid(f"§3 endorsement presence {present}")
    key = r.take(65)
    point(key)
    return key, r.take(64)


def endorsement_digest(domain: bytes, chain_id: str, authority: str, body: bytes) -> bytes:
    return tagged(domain, u(1, 1) + text(chain_id) + addr(authority) + body)
