"""An endorsed order or roster change is carried once on the chain.

An endorsement binds an order (:func:`node_core.ledger.transactions.emergency_digest`) or a
roster change (:func:`~node_core.ledger.transactions.roster_change_digest`), not one
transaction: without this rule an authority (a compromised node, a stolen HSM key) could carry
the same endorsed order in a second transaction — another nonce — while its endorsements are
fresh: one approval, two load sheds. So the state keeps the endorsement digests the chain has
**taken**, each with the time it was asked for, and a transaction carrying a digest already
taken breaks :class:`EndorsementReused`: a proposer leaves it out of its block, and every
authority refuses a block that carries it.

A digest is kept while its endorsements are fresh and dropped at the end of the first block
more than :data:`~node_core.ledger.endorsements.ENDORSEMENT_VALIDITY_MS` after it was asked
for: from then on freshness refuses it anyway, so the set holds only the orders and changes
of the last ten minutes. The state root commits to it (leaves ``"E" || digest || u64
asked_ms``, by digest); ``docs/protocol.md`` §8.4 and §12.1.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.endorsements import ENDORSEMENT_VALIDITY_MS
from node_core.ledger.exceptions import DecodeError, InvalidTransaction

DIGEST_SIZE: Final = 32

TakenEndorsements = Mapping[bytes, int]
"""Endorsement digest (32 raw bytes) -> when its order or change was asked for (ms UTC)."""
NONE_TAKEN: Final[TakenEndorsements] = MappingProxyType({})


class EndorsementReused(InvalidTransaction):
    """The endorsed order or roster change is already carried by an earlier transaction."""


def check_not_taken(taken: TakenEndorsements, digest: bytes, where: str) -> None:
    """Raise EndorsementReused when ``digest`` is taken."""
    if digest in taken:
        raise EndorsementReused(f"{where}: the chain already carries this endorsed request "
                                f"(asked for at {taken[digest]}); an endorsement is used once")


def taken_with(taken: TakenEndorsements, digest: bytes, asked_ms: int) -> TakenEndorsements:
    """``taken`` and ``digest`` (asked for at ``asked_ms``)."""
    return MappingProxyType({**taken, digest: asked_ms})


def still_fresh(taken: TakenEndorsements, block_ms: int) -> TakenEndorsements:
    """``taken`` without the digests no block at ``block_ms`` or later may carry (asked for
    more than the validity before it); ``taken`` itself when none is that old."""
    if all(block_ms - asked <= ENDORSEMENT_VALIDITY_MS for asked in taken.values()):
        return taken
    return MappingProxyType({digest: asked for digest, asked in taken.items()
                             if block_ms - asked <= ENDORSEMENT_VALIDITY_MS})


def _write_taken(writer: Writer, digest: bytes, asked_ms: int) -> None:
    writer.raw(digest, DIGEST_SIZE).u64(asked_ms)


def taken_leaves(taken: TakenEndorsements) -> list[bytes]:
    """``"E" || digest || u64 asked_ms`` per taken digest, by digest: state-root leaves."""
    leaves = []
    for digest in sorted(taken):
        writer = Writer()
        _write_taken(writer, digest, taken[digest])
        leaves.append(b"E" + bytes(writer))
    return leaves


def encode_taken(taken: TakenEndorsements) -> bytes:
    """``sequence<digest || u64 asked_ms>`` by digest (the store's state part)."""
    writer = Writer().u32(len(taken))
    for digest in sorted(taken):
        _write_taken(writer, digest, taken[digest])
    return bytes(writer)


def decode_taken(data: bytes) -> TakenEndorsements:
    """Inverse of :func:`encode_taken`; DecodeError unless the digests ascend."""
    reader = Reader(data)
    pairs = [(reader.raw(DIGEST_SIZE), reader.u64()) for _ in range(reader.count())]
    reader.finish()
    digests = [digest for digest, _ in pairs]
    if digests != sorted(set(digests)):
        raise DecodeError("taken endorsements are not in ascending digest order")
    return MappingProxyType(dict(pairs))
