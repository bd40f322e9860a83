"""Malformed and mis-signed messages: never a crash, never anything applied."""

import contextlib
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node_core.consensus.engine import Decide, Rejected
from node_core.consensus.messages import (
    ConsensusMessage,
    ConsensusPacket,
    MessageKind,
    Status,
    decode_wire,
    encode_wire,
    sign_message,
)
from node_core.ledger.exceptions import DecodeError
from tests.node_core.consensus.consensus_sim import Network, heartbeat_chain

NET = Network(heartbeat_chain())
ENGINE = NET.engines[1]
START = ENGINE.state

hashes = st.binary(min_size=32, max_size=32).map(bytes.hex)
messages = st.builds(
    ConsensusMessage,
    kind=st.sampled_from(MessageKind),
    height=st.sampled_from([0, 1, 2, 2**63]),
    round=st.integers(0, 5),
    block_hash=hashes,
    prepared_round=st.integers(0, 2**32 - 1),
    commit_seal=st.binary(max_size=64),
    sender=st.sampled_from([a.address for a in NET.chain.authorities]
                           + [p.address for p in NET.chain.prosumers]),
    signature=st.binary(min_size=64, max_size=64),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(messages, st.booleans())
def test_unsigned_or_mis_signed_packets_are_rejected(message, with_block):
    block = NET.final_blocks.get(1) if with_block else None
    actions = ENGINE.on_packet(ConsensusPacket(message, block), NET.now)
    assert not any(isinstance(a, Decide) for a in actions)
    assert ENGINE.state is START
    if message.height == ENGINE.height:
        assert actions and all(isinstance(a, Rejected) for a in actions)


@settings(max_examples=100)
@given(st.sampled_from(MessageKind), hashes, st.binary(min_size=64, max_size=64))
def test_a_valid_signature_by_a_non_authority_is_rejected(kind, block_hash, seal):
    outsider = NET.chain.prosumers[0]
    message = sign_message(ConsensusMessage(kind, ENGINE.height, 0, block_hash, commit_seal=seal),
                           outsider, START.genesis_hash)
    actions = ENGINE.on_packet(ConsensusPacket(message), NET.now)
    assert actions == [Rejected(outsider.address, "sender is not an authority")]


def test_a_signed_message_with_a_changed_field_is_rejected():
    authority = NET.chain.authorities[0]
    message = sign_message(ConsensusMessage(MessageKind.PREPARE, ENGINE.height, 0, "ab" * 32),
                           authority, START.genesis_hash)
    forged = replace(message, round=1)
    actions = ENGINE.on_packet(ConsensusPacket(forged), NET.now)
    assert actions == [Rejected(authority.address, "bad message signature")]


@settings(max_examples=500)
@given(st.binary(max_size=300))
def test_random_wire_bytes_only_ever_raise_decode_error(data):
    with contextlib.suppress(DecodeError):
        decode_wire(data)


@settings(max_examples=200)
@given(st.integers(0, 2**64 - 1), hashes, st.integers(0, 2**32 - 1), st.data())
def test_mutated_wire_messages_decode_or_fail_cleanly(height, tip, round_, data):
    encoded = bytearray(encode_wire(Status(height, tip, round_)))
    position = data.draw(st.integers(0, len(encoded) - 1))
    encoded[position] ^= data.draw(st.integers(1, 255))
    with contextlib.suppress(DecodeError):
        decode_wire(bytes(encoded))
