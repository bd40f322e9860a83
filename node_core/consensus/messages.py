"""Messages between authority nodes, and their canonical encoding.

Two layers:

* :class:`ConsensusMessage` — a small record signed by the sending authority's key
  (PROPOSAL, PREPARE, COMMIT, ROUND_CHANGE; see :mod:`node_core.consensus.engine`). Signed so it can
  be forwarded as justification or as equivocation evidence and still be checked by anyone.
  Digest: ``SHA-256("GTX/consensus" || genesis_hash || encoding without signature)``.
  Encoding: ``u8 version || u8 kind || u64 height || u32 round || hash32 block_hash ||
  u32 prepared_round || bytes commit_seal || address sender [|| signature]``.
* Wire messages (``encode_wire`` / ``decode_wire``): ``u8 tag || body``. They travel inside
  the peer transport's authenticated frames (:mod:`node_core.p2p`), so only consensus
  messages carry signatures of their own.

A block travels **compact** in consensus packets (:class:`CompactPacket`): its transactions
named by their leaves (:attr:`~node_core.ledger.transactions.Transaction.leaf`), which peers
already hold from gossip. A peer completes it from what it holds and asks the sender for the
rest (:class:`GetTransactions`, answered by :class:`BlockTransactions`). Final blocks
(catch-up) travel whole. ``docs/protocol.md`` §13 is the same in prose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Final

from node_core.ledger.blocks import (
    MAX_BLOCK_BYTES,
    AuthoritySignature,
    Block,
    BlockHeader,
    decode_block,
    encode_block,
    read_header,
    read_signatures,
    write_header,
    write_signatures,
)
from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.exceptions import DecodeError
from node_core.ledger.genesis import PARAMETER_LIMITS
from node_core.ledger.grid_state import GridSnapshot, read_grid_snapshot, write_grid_snapshot
from node_core.ledger.hashing import tagged_digest
from node_core.ledger.keys import DIGEST_SIZE, Signer, verify_signature
from node_core.ledger.transactions import MAX_TRANSACTION_BYTES, Transaction, encode_transaction
from node_core.ledger.types import Address, Hash32, PublicKey

NO_ROUND: Final = 2**32 - 1
"""``prepared_round`` of a round change whose sender has prepared nothing."""

CONSENSUS_DOMAIN: Final = b"GTX/consensus"
MAX_BLOCK_TRANSACTIONS: Final = PARAMETER_LIMITS["max_transactions_per_block"][1]
"""The most transactions a block may carry under any parameters: bounds the leaves of a
compact block and the transactions one message asks for."""
NO_SENDER: Final = Address("0x" + "0" * 40)
"""Placeholder sender of a message not yet signed."""


class MessageKind(IntEnum):
    PROPOSAL = 1
    PREPARE = 2
    COMMIT = 3
    ROUND_CHANGE = 4


@dataclass(frozen=True, slots=True)
class ConsensusMessage:
    """One authority's signed statement about (height, round)."""

    kind: MessageKind
    height: int
    round: int
    block_hash: Hash32
    """The proposed/prepared/committed block; for ROUND_CHANGE the prepared block or zero."""
    prepared_round: int = NO_ROUND
    """ROUND_CHANGE only: the round in which the sender prepared ``block_hash``."""
    commit_seal: bytes = b""
    """COMMIT only: the sender's signature over ``commit_digest(block_hash)``."""
    sender: Address = NO_SENDER
    signature: bytes = b""

    def signed_bytes(self) -> bytes:
        writer = Writer().u8(1).u8(self.kind).u64(self.height).u32(self.round)
        writer.hash32(self.block_hash).u32(self.prepared_round).bytes_(self.commit_seal)
        return bytes(writer.address(self.sender))

    def digest(self, genesis_hash: Hash32) -> bytes:
        return tagged_digest(CONSENSUS_DOMAIN, bytes.fromhex(genesis_hash) + self.signed_bytes())

    def conflicts_with(self, other: ConsensusMessage) -> bool:
        """Equivocation: same sender, kind, height and round, different block."""
        return (self.sender, self.kind, self.height, self.round) == (
            other.sender, other.kind, other.height, other.round
        ) and (self.block_hash, self.prepared_round) != (other.block_hash, other.prepared_round)


def sign_message(message: ConsensusMessage, signer: Signer,
                 genesis_hash: Hash32) -> ConsensusMessage:
    unsigned = replace(message, sender=signer.address, signature=b"")
    return replace(unsigned, signature=signer.sign(unsigned.digest(genesis_hash)))


def message_signature_valid(message: ConsensusMessage, public_key: PublicKey,
                            genesis_hash: Hash32) -> bool:
    return verify_signature(public_key, message.digest(genesis_hash), message.signature)


def write_message(writer: Writer, message: ConsensusMessage) -> None:
    writer.u8(1).u8(message.kind).u64(message.height).u32(message.round)
    writer.hash32(message.block_hash).u32(message.prepared_round).bytes_(message.commit_seal)
    writer.address(message.sender).raw(message.signature, 64)


def read_message(reader: Reader) -> ConsensusMessage:
    reader.version()
    kind = reader.u8()
    if kind not in MessageKind._value2member_map_:
        raise DecodeError(f"unknown consensus message kind {kind}")
    return ConsensusMessage(
        MessageKind(kind), reader.u64(), reader.u32(), Hash32(reader.hash32()), reader.u32(),
        reader.bytes_(64), Address(reader.address()), reader.raw(64),
    )


# --- wire messages --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsensusPacket:
    """A consensus message with what it needs to be acted on: the block (PROPOSAL, or the
    prepared block of a ROUND_CHANGE) and the justification (round changes and prepares)."""

    message: ConsensusMessage
    block: Block | None = None
    justification: tuple[ConsensusMessage, ...] = ()


@dataclass(frozen=True, slots=True)
class CompactBlock:
    """A block as consensus packets carry it: its transactions as their leaves, in order."""

    header: BlockHeader
    grid_snapshot: GridSnapshot
    leaves: tuple[bytes, ...]
    authority_signatures: tuple[AuthoritySignature, ...] = ()

    @classmethod
    def of(cls, block: Block) -> CompactBlock:
        return cls(block.header, block.grid_snapshot,
                   tuple(tx.leaf for tx in block.transactions), block.authority_signatures)

    @property
    def hash(self) -> Hash32:
        return self.header.hash

    def missing(self, held: Mapping[bytes, Transaction]) -> list[bytes]:
        """The leaves of transactions not in ``held`` (transactions by leaf)."""
        return [leaf for leaf in self.leaves if leaf not in held]

    def complete(self, held: Mapping[bytes, Transaction]) -> Block:
        """The block, its transactions taken from ``held``, which must hold them all."""
        return Block(self.header, self.grid_snapshot, tuple(held[leaf] for leaf in self.leaves),
                     self.authority_signatures)


@dataclass(frozen=True, slots=True)
class CompactPacket:
    """A :class:`ConsensusPacket` as it travels: its block compact."""

    message: ConsensusMessage
    block: CompactBlock | None = None
    justification: tuple[ConsensusMessage, ...] = ()

    @classmethod
    def of(cls, packet: ConsensusPacket) -> CompactPacket:
        block = CompactBlock.of(packet.block) if packet.block is not None else None
        return cls(packet.message, block, packet.justification)

    def with_block(self, block: Block | None) -> ConsensusPacket:
        """The packet the engine takes, with this packet's block completed."""
        return ConsensusPacket(self.message, block, self.justification)


@dataclass(frozen=True, slots=True)
class GetTransactions:
    """Ask the sender of a compact block for the transactions of ``leaves`` it lists."""

    block_hash: Hash32
    leaves: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class BlockTransactions:
    """The answer to :class:`GetTransactions`: the signed encodings of the transactions
    asked for that the sender holds, in the order asked."""

    block_hash: Hash32
    encoded: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class Status:
    """Heartbeat: where the sender is."""

    height: int
    tip_hash: Hash32
    round: int


@dataclass(frozen=True, slots=True)
class GetBlocks:
    """Ask for final blocks ``start..end`` inclusive."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class FinalBlocks:
    """Final (sealed) blocks, ascending: a sync answer or a new-block announcement."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Transactions:
    """Transactions to gossip into peers' mempools, each in its signed encoding. They are
    decoded one by one by the receiver, so one it cannot decode is dropped alone, never the
    batch it came in."""

    encoded: tuple[bytes, ...] = field(default=())

    @classmethod
    def of(cls, transactions: Iterable[Transaction]) -> Transactions:
        return cls(tuple(encode_transaction(tx) for tx in transactions))


WireMessage = (CompactPacket | Status | GetBlocks | FinalBlocks | Transactions
               | GetTransactions | BlockTransactions)
MAX_SYNC_BLOCKS: Final = 64


class WireTag(IntEnum):
    CONSENSUS = 1
    STATUS = 2
    GET_BLOCKS = 3
    FINAL_BLOCKS = 4
    TRANSACTIONS = 5
    GET_TRANSACTIONS = 6
    BLOCK_TRANSACTIONS = 7


def encode_wire(message: WireMessage) -> bytes:
    writer = Writer()
    if isinstance(message, CompactPacket):
        writer.u8(WireTag.CONSENSUS)
        write_message(writer, message.message)
        writer.bytes_(_compact_bytes(message.block) if message.block else b"")
        writer.u32(len(message.justification))
        for item in message.justification:
            write_message(writer, item)
    elif isinstance(message, GetTransactions):
        writer.u8(WireTag.GET_TRANSACTIONS).hash32(message.block_hash)
        writer.u32(len(message.leaves)).raw(b"".join(message.leaves),
                                            DIGEST_SIZE * len(message.leaves))
    elif isinstance(message, BlockTransactions):
        writer.u8(WireTag.BLOCK_TRANSACTIONS).hash32(message.block_hash)
        _write_encoded(writer, message.encoded)
    elif isinstance(message, Status):
        writer.u8(WireTag.STATUS).u64(message.height).hash32(message.tip_hash).u32(message.round)
    elif isinstance(message, GetBlocks):
        writer.u8(WireTag.GET_BLOCKS).u64(message.start).u64(message.end)
    elif isinstance(message, FinalBlocks):
        writer.u8(WireTag.FINAL_BLOCKS).u32(len(message.blocks))
        for block in message.blocks:
            writer.bytes_(encode_block(block))
    else:
        _write_encoded(writer.u8(WireTag.TRANSACTIONS), message.encoded)
    return bytes(writer)


def _write_encoded(writer: Writer, encoded: tuple[bytes, ...]) -> None:
    writer.u32(len(encoded))
    for data in encoded:
        writer.bytes_(data)


def _compact_bytes(block: CompactBlock) -> bytes:
    writer = Writer()
    write_header(writer, block.header)
    write_grid_snapshot(writer, block.grid_snapshot)
    writer.u32(len(block.leaves)).raw(b"".join(block.leaves), DIGEST_SIZE * len(block.leaves))
    write_signatures(writer, block.authority_signatures)
    return bytes(writer)


def _read_compact(data: bytes) -> CompactBlock:
    reader = Reader(data)
    header, snapshot = read_header(reader), read_grid_snapshot(reader)
    block = CompactBlock(header, snapshot, _read_leaves(reader), read_signatures(reader))
    reader.finish()
    return block


def _read_leaves(reader: Reader) -> tuple[bytes, ...]:
    count = reader.count(MAX_BLOCK_TRANSACTIONS)
    data = reader.raw(DIGEST_SIZE * count)
    return tuple(data[i:i + DIGEST_SIZE] for i in range(0, len(data), DIGEST_SIZE))


def decode_wire(data: bytes) -> WireMessage:
    """Raise DecodeError on anything but a canonical wire message."""
    reader = Reader(data)
    tag = reader.u8()
    message = _WIRE_READERS.get(tag, _unknown_tag)(reader)
    reader.finish()
    return message


def _unknown_tag(reader: Reader) -> WireMessage:
    raise DecodeError("unknown wire message tag")


def _read_consensus(reader: Reader) -> CompactPacket:
    message = read_message(reader)
    block_bytes = reader.bytes_(MAX_BLOCK_BYTES)
    block = _read_compact(block_bytes) if block_bytes else None
    justification = tuple(read_message(reader) for _ in range(reader.count(256)))
    return CompactPacket(message, block, justification)


def _read_get_transactions(reader: Reader) -> GetTransactions:
    return GetTransactions(Hash32(reader.hash32()), _read_leaves(reader))


def _read_block_transactions(reader: Reader) -> BlockTransactions:
    block_hash = Hash32(reader.hash32())
    count = reader.count(MAX_BLOCK_TRANSACTIONS)
    return BlockTransactions(block_hash, tuple(reader.bytes_(MAX_TRANSACTION_BYTES)
                                               for _ in range(count)))


def _read_final_blocks(reader: Reader) -> FinalBlocks:
    return FinalBlocks(tuple(decode_block(reader.bytes_(MAX_BLOCK_BYTES))
                             for _ in range(reader.count(MAX_SYNC_BLOCKS))))


def _read_status(reader: Reader) -> Status:
    return Status(reader.u64(), Hash32(reader.hash32()), reader.u32())


def _read_get_blocks(reader: Reader) -> GetBlocks:
    return GetBlocks(reader.u64(), reader.u64())


def _read_transactions(reader: Reader) -> Transactions:
    return Transactions(tuple(reader.bytes_() for _ in range(reader.count())))


_WIRE_READERS: dict[int, Callable[[Reader], WireMessage]] = {
    WireTag.CONSENSUS: _read_consensus,
    WireTag.STATUS: _read_status,
    WireTag.GET_BLOCKS: _read_get_blocks,
    WireTag.FINAL_BLOCKS: _read_final_blocks,
    WireTag.TRANSACTIONS: _read_transactions,
    WireTag.GET_TRANSACTIONS: _read_get_transactions,
    WireTag.BLOCK_TRANSACTIONS: _read_block_transactions,
}

