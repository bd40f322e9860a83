"""Blocks: header, body, authority commit signatures, and their canonical encoding.

A block is final when at least ``finality_quorum(n)`` distinct authorities of the set ``n``
have signed ``commit_digest(block_hash)`` — QBFT's quorum ceil(2n/3): 2 of 3, 3 of 4, 5 of 7.
The header's ``round`` is the consensus round in which the block was proposed; commit
signatures bind to it through the hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from node_core.ledger.encoding import Reader, Writer, check_u64
from node_core.ledger.exceptions import DecodeError
from node_core.ledger.genesis import AuthorityInfo
from node_core.ledger.grid_state import GridSnapshot, read_grid_snapshot, write_grid_snapshot
from node_core.ledger.hashing import COMMIT_DOMAIN, HEADER_DOMAIN, tagged_digest, tagged_hash
from node_core.ledger.transactions import Transaction, encode_transaction, read_transaction
from node_core.ledger.types import Address, Hash32

MAX_BLOCK_BYTES: Final = 64 * 1024 * 1024


def finality_quorum(authority_count: int) -> int:
    """Commit signatures needed for finality: ceil(2n/3)."""
    return (2 * authority_count + 2) // 3


def proposer_of(authorities: Sequence[AuthorityInfo], height: int, round: int) -> Address:
    """The authority that proposes at (height, round): ``A[(height + round) mod n]``, ``A``
    the parent state's authority set in its order."""
    return authorities[(height + round) % len(authorities)].address


@dataclass(frozen=True, slots=True)
class BlockHeader:
    """What the block hash commits to."""

    height: int
    previous_hash: Hash32
    timestamp: int
    """ms since epoch, UTC."""
    proposer: Address
    round: int
    """Consensus round (0 = first proposer of the height succeeded)."""
    merkle_root: Hash32
    """RFC 6962 root over the signed transaction encodings."""
    state_root: Hash32
    """Root of the state after this block (see :mod:`node_core.ledger.state`)."""
    total_energy: int
    """Wh settled by this block's energy trades."""
    grid_state_hash: Hash32
    """Hash of the carried grid snapshot."""
    hash: Hash32 = field(init=False, compare=False)
    """Derived: SHA-256("GTX/header" || encoding)."""

    def __post_init__(self) -> None:
        for name in ("height", "timestamp", "total_energy"):
            check_u64(getattr(self, name), name)
        object.__setattr__(self, "hash", tagged_hash(HEADER_DOMAIN, encode_header(self)))


@dataclass(frozen=True, slots=True)
class AuthoritySignature:
    """An authority's commit seal over the block hash."""

    authority: Address
    signature: bytes
    """64 bytes r||s over :func:`commit_digest`."""


@dataclass(frozen=True, slots=True)
class Block:
    header: BlockHeader
    grid_snapshot: GridSnapshot
    transactions: tuple[Transaction, ...]
    authority_signatures: tuple[AuthoritySignature, ...] = ()

    @property
    def height(self) -> int:
        return self.header.height

    @property
    def hash(self) -> Hash32:
        return self.header.hash


def commit_digest(block_hash: Hash32) -> bytes:
    """What authorities sign to finalize a block."""
    return tagged_digest(COMMIT_DOMAIN, bytes.fromhex(block_hash))


# --- encoding -------------------------------------------------------------------------------


def write_header(writer: Writer, h: BlockHeader) -> None:
    writer.u8(1).u64(h.height).hash32(h.previous_hash).u64(h.timestamp)
    writer.address(h.proposer).u32(h.round).hash32(h.merkle_root).hash32(h.state_root)
    writer.u64(h.total_energy).hash32(h.grid_state_hash)


def encode_header(header: BlockHeader) -> bytes:
    writer = Writer()
    write_header(writer, header)
    return bytes(writer)


def read_header(reader: Reader) -> BlockHeader:
    reader.version()
    return BlockHeader(
        height=reader.u64(), previous_hash=Hash32(reader.hash32()), timestamp=reader.u64(),
        proposer=Address(reader.address()), round=reader.u32(),
        merkle_root=Hash32(reader.hash32()), state_root=Hash32(reader.hash32()),
        total_energy=reader.u64(), grid_state_hash=Hash32(reader.hash32()),
    )


def write_signatures(writer: Writer, signatures: tuple[AuthoritySignature, ...]) -> None:
    writer.u32(len(signatures))
    for seal in signatures:
        writer.address(seal.authority).raw(seal.signature, 64)


def read_signatures(reader: Reader) -> tuple[AuthoritySignature, ...]:
    return tuple(
        AuthoritySignature(Address(reader.address()), reader.raw(64))
        for _ in range(reader.count(1024))
    )


def write_transactions(writer: Writer, transactions: tuple[Transaction, ...]) -> None:
    writer.u32(len(transactions))
    for tx in transactions:
        writer.bytes_(encode_transaction(tx))


def read_transactions(reader: Reader) -> tuple[Transaction, ...]:
    txs = []
    for _ in range(reader.count()):
        inner = Reader(reader.bytes_())
        txs.append(read_transaction(inner))
        inner.finish()
    return tuple(txs)


def encode_block(block: Block) -> bytes:
    writer = Writer()
    write_header(writer, block.header)
    write_grid_snapshot(writer, block.grid_snapshot)
    write_transactions(writer, block.transactions)
    write_signatures(writer, block.authority_signatures)
    return bytes(writer)


def decode_block(data: bytes) -> Block:
    if len(data) > MAX_BLOCK_BYTES:
        raise DecodeError(f"block of {len(data)} bytes exceeds {MAX_BLOCK_BYTES}")
    reader = Reader(data)
    block = Block(read_header(reader), read_grid_snapshot(reader), read_transactions(reader),
                  read_signatures(reader))
    reader.finish()
    return block


def encode_transactions(transactions: tuple[Transaction, ...]) -> bytes:
    writer = Writer()
    write_transactions(writer, transactions)
    return bytes(writer)


def decode_transactions(data: bytes) -> tuple[Transaction, ...]:
    reader = Reader(data)
    txs = read_transactions(reader)
    reader.finish()
    return txs


def encode_signatures(signatures: tuple[AuthoritySignature, ...]) -> bytes:
    writer = Writer()
    write_signatures(writer, signatures)
    return bytes(writer)


def decode_signatures(data: bytes) -> tuple[AuthoritySignature, ...]:
    reader = Reader(data)
    signatures = read_signatures(reader)
    reader.finish()
    return signatures
