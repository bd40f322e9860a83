"""What authorities say to each other: every wire message survives the trip, a consensus
message's signature binds every field and the chain, equivocation is recognised, and bytes a
peer sends are either a canonical message or refused with DecodeError — nothing else."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node_core.consensus.messages import (
    MAX_SYNC_BLOCKS,
    ConsensusMessage,
    ConsensusPacket,
    FinalBlocks,
    GetBlocks,
    MessageKind,
    Status,
    Transactions,
    WireTag,
    decode_wire,
    encode_wire,
    message_signature_valid,
    sign_message,
)
from node_core.ledger.blocks import commit_digest
from node_core.ledger.encoding import Writer
from node_core.ledger.exceptions import DecodeError
from node_core.ledger.genesis import genesis_hash
from node_core.ledger.types import Hash32
from tests.helpers.chain import make_chain

CHAIN = make_chain()
GENESIS = genesis_hash(CHAIN.genesis)
EGAT, MEA = CHAIN.authorities[0], CHAIN.authorities[1]
TXS = [CHAIN.transfer(0, 1, 500), CHAIN.trade(2, 3, energy_wh=1_000)]
BLOCK = CHAIN.extend(TXS)
OTHER_BLOCK = Hash32("ab" * 32)


def signed(kind: MessageKind = MessageKind.PREPARE, signer=EGAT, **fields) -> ConsensusMessage:
    message = ConsensusMessage(kind, BLOCK.header.height, 0, **{"block_hash": BLOCK.hash, **fields})
    return sign_message(message, signer, GENESIS)


def commit(signer=EGAT) -> ConsensusMessage:
    return signed(MessageKind.COMMIT, signer, commit_seal=signer.sign(commit_digest(BLOCK.hash)))


WIRE_MESSAGES = {
    "proposal": ConsensusPacket(signed(MessageKind.PROPOSAL), BLOCK),
    "round-change": ConsensusPacket(
        signed(MessageKind.ROUND_CHANGE, prepared_round=0), BLOCK,
        (signed(MessageKind.PREPARE), signed(MessageKind.PREPARE, MEA))),
    "commit": ConsensusPacket(commit()),
    "status": Status(BLOCK.header.height, BLOCK.hash, 3),
    "get-blocks": GetBlocks(1, MAX_SYNC_BLOCKS),
    "final-blocks": FinalBlocks((BLOCK,)),
    "transactions": Transactions.of(TXS),
}


@pytest.mark.parametrize("message", WIRE_MESSAGES.values(), ids=WIRE_MESSAGES.keys())
def test_every_wire_message_arrives_as_sent(message) -> None:
    assert decode_wire(encode_wire(message)) == message


def test_a_signed_message_verifies_on_its_own_chain_only() -> None:
    message = commit()
    assert message.sender == EGAT.address
    assert message_signature_valid(message, EGAT.public_key, GENESIS)
    assert not message_signature_valid(message, MEA.public_key, GENESIS)
    assert not message_signature_valid(message, EGAT.public_key, Hash32("cd" * 32))


@pytest.mark.parametrize("change", [
    {"kind": MessageKind.PREPARE}, {"height": BLOCK.header.height + 1}, {"round": 1},
    {"block_hash": OTHER_BLOCK}, {"prepared_round": 0}, {"commit_seal": b"\x01" * 64},
    {"sender": MEA.address},
], ids=lambda change: next(iter(change)))
def test_changing_any_field_breaks_the_signature(change) -> None:
    assert not message_signature_valid(replace(commit(), **change), EGAT.public_key, GENESIS)


def test_equivocation_is_two_blocks_for_one_sender_kind_height_and_round() -> None:
    prepare = signed()
    assert prepare.conflicts_with(replace(prepare, block_hash=OTHER_BLOCK))
    assert not prepare.conflicts_with(signed())  # the same statement again
    assert not prepare.conflicts_with(replace(prepare, round=1, block_hash=OTHER_BLOCK))
    assert not prepare.conflicts_with(signed(signer=MEA, block_hash=OTHER_BLOCK))
    assert not prepare.conflicts_with(replace(commit(), block_hash=OTHER_BLOCK))


@pytest.mark.parametrize("name", WIRE_MESSAGES)
def test_a_cut_or_padded_message_is_refused(name: str) -> None:
    data = encode_wire(WIRE_MESSAGES[name])
    with pytest.raises(DecodeError):
        decode_wire(data + b"\x00")
    for length in range(len(data)):
        with pytest.raises(DecodeError):
            decode_wire(data[:length])


def test_unknown_tags_kinds_and_oversized_syncs_are_refused() -> None:
    with pytest.raises(DecodeError, match="unknown wire message tag"):
        decode_wire(bytes([max(WireTag) + 1]))
    proposal = bytearray(encode_wire(WIRE_MESSAGES["proposal"]))
    proposal[2] = max(MessageKind) + 1  # tag, version, kind
    with pytest.raises(DecodeError, match="unknown consensus message kind"):
        decode_wire(bytes(proposal))
    too_many = Writer().u8(WireTag.FINAL_BLOCKS).u32(MAX_SYNC_BLOCKS + 1)
    with pytest.raises(DecodeError, match=f"exceeds the limit of {MAX_SYNC_BLOCKS}"):
        decode_wire(bytes(too_many))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(WIRE_MESSAGES.values())), st.data())
def test_bytes_from_a_peer_are_a_canonical_message_or_a_decode_error(message, data) -> None:
    raw = bytearray(encode_wire(message))
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    try:
        decoded = decode_wire(bytes(raw))
    except DecodeError:
        return
    assert encode_wire(decoded) == bytes(raw)
