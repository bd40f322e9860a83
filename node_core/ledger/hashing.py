"""SHA-256 hashing with domain separation, and the RFC 6962 merkle tree.

Domain tags (ASCII, prefixed to the hashed bytes) keep objects of different kinds from ever
sharing a hash: ``GTX/tx``, ``GTX/header``, ``GTX/commit``, ``GTX/grid``, ``GTX/genesis``.

Merkle tree (RFC 6962 §2.1): ``leaf = SHA-256(0x00 || data)``,
``node = SHA-256(0x01 || left || right)``; for n > 1 leaves the tree splits at the largest
power of two smaller than n. The root of the empty list is ``SHA-256("")``. Computed bottom
up: pair neighbours level by level and carry a lone last node up unchanged, which yields the
same root as the RFC's recursive definition.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Final

from node_core.ledger.types import Hash32

TX_DOMAIN: Final = b"GTX/tx"
HEADER_DOMAIN: Final = b"GTX/header"
COMMIT_DOMAIN: Final = b"GTX/commit"
GRID_DOMAIN: Final = b"GTX/grid"
GENESIS_DOMAIN: Final = b"GTX/genesis"

EMPTY_MERKLE_ROOT: Final = Hash32(hashlib.sha256(b"").hexdigest())

_sha256 = hashlib.sha256


def tagged_digest(domain: bytes, data: bytes) -> bytes:
    """SHA-256 of ``domain || data`` as 32 raw bytes."""
    return _sha256(domain + data).digest()


def tagged_hash(domain: bytes, data: bytes) -> Hash32:
    """SHA-256 of ``domain || data`` as 64 lowercase hex chars."""
    return Hash32(_sha256(domain + data).hexdigest())


def merkle_leaf(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def merkle_root_of_leaves(leaves: list[bytes]) -> Hash32:
    """Root over already-hashed leaves (see :func:`merkle_leaf`)."""
    if not leaves:
        return EMPTY_MERKLE_ROOT
    level = leaves
    while len(level) > 1:
        paired = [
            _sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return Hash32(level[0].hex())


def merkle_root(items: Iterable[bytes]) -> Hash32:
    """RFC 6962 merkle root over the raw byte strings ``items``."""
    return merkle_root_of_leaves([merkle_leaf(item) for item in items])
