"""Scalar types and units shared by the whole node.

Consensus state never holds a float:

* money is in **satang** (1 THB = 100 satang), ``int``;
* energy is in **Wh**, ``int`` (the explorer shows kWh = Wh / 1000);
* prices are **satang per kWh**, ``int``;
* times are **milliseconds since the Unix epoch, UTC**, ``int``;
* grid frequency is in **mHz** (50 Hz = 50_000), power in **kW**, voltage in **V**.
"""

from __future__ import annotations

import re
from typing import Final, NewType

Address = NewType("Address", str)
"""``0x`` + 40 lowercase hex chars (42 chars), derived from a P-256 public key."""

Hash32 = NewType("Hash32", str)
"""A SHA-256 digest as 64 lowercase hex chars."""

PublicKey = NewType("PublicKey", bytes)
"""An uncompressed SEC1 P-256 point: ``0x04 || X || Y`` (65 bytes)."""

ZERO_HASH: Final = Hash32("0" * 64)

REGIONS: Final = ("EGAT", "MEA", "PEA")
"""Grid regions: EGAT transmission, MEA Bangkok metro, PEA provincial distribution."""

_ADDRESS_RE: Final = re.compile(r"0x[0-9a-f]{40}")
_HASH_RE: Final = re.compile(r"[0-9a-f]{64}")


def is_address(value: object) -> bool:
    """True if ``value`` is a well-formed address (lowercase, 42 chars)."""
    return isinstance(value, str) and _ADDRESS_RE.fullmatch(value) is not None


def is_hash32(value: object) -> bool:
    """True if ``value`` is 64 lowercase hex chars."""
    return isinstance(value, str) and _HASH_RE.fullmatch(value) is not None
