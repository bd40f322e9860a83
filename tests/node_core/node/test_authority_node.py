"""What an authority node does with what its peers send: nothing is lost silently. A bad
transaction in a gossip batch is dropped alone, named and counted; a proposal the node cannot
prepare is logged with its rule; a block a quorum committed that the node lacks is fetched at
once (``NeedBlock``), not at the next status."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from node_core.consensus.messages import (
    ConsensusMessage,
    ConsensusPacket,
    GetBlocks,
    MessageKind,
    Transactions,
    sign_message,
)
from node_core.ledger.blocks import commit_digest
from node_core.ledger.transactions import encode_transaction, hash_of_encoded
from node_core.ledger.transition import build_block
from node_core.ledger.types import ZERO_HASH
from tests.helpers import chain as chains
from tests.helpers.node import NodeHarness


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[NodeHarness]:
    harness = NodeHarness(tmp_path, chains.make_chain())
    yield harness
    harness.close()


def over_limit_copy(data: bytes) -> bytes:
    """A transfer's bytes with the chain id's length prefix raised past its 64-byte limit."""
    return data[:2] + (65).to_bytes(4, "big") + data[6:]


def test_a_bad_transaction_is_dropped_alone_named_and_counted(harness, caplog) -> None:
    chain = harness.chain
    good, other = chain.transfer(0, 1, 500), chain.transfer(2, 3, 700)
    bad = over_limit_copy(encode_transaction(chain.transfer(1, 2, 100)))
    with caplog.at_level(logging.WARNING):
        harness.receive(Transactions((encode_transaction(good), bad,
                                      encode_transaction(other))))
    assert good in harness.node.mempool and other in harness.node.mempool
    assert len(harness.node.mempool) == 2
    assert harness.call("status")["rejected"] == {"FieldTooLong": 1}
    warning = caplog.records[-1]
    assert warning.levelno == logging.WARNING
    assert f"tx {hash_of_encoded(bad)} gossiped by MEA" in warning.getMessage()
    assert "chain id is 65 bytes in UTF-8; the limit is 64 bytes" in warning.getMessage()


def test_repeated_drops_of_one_rule_are_counted_but_warned_once_a_minute(harness, caplog):
    bad = over_limit_copy(encode_transaction(harness.chain.transfer(1, 2, 100)))
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            harness.receive(Transactions((bad,)))
    assert harness.call("status")["rejected"] == {"FieldTooLong": 5}
    assert len([r for r in caplog.records if "FieldTooLong" in r.getMessage()]) == 1


def commit(harness: NodeHarness, signer: int, block_hash: str, height: int) -> ConsensusPacket:
    chain = harness.chain
    authority = chain.authorities[signer]
    message = ConsensusMessage(MessageKind.COMMIT, height, 0, block_hash,
                               commit_seal=authority.sign(commit_digest(block_hash)))
    return ConsensusPacket(sign_message(message, authority, chain.state.genesis_hash))


def test_a_committed_block_the_node_never_saw_is_fetched_at_once(harness) -> None:
    chain = harness.chain
    block = chain.propose([chain.transfer(0, 1, 500)])
    for signer in (1, 2):
        harness.receive(commit(harness, signer, block.hash, block.height), sender=signer)
    harness.advance(500)  # past the commit grace
    asks = [m for _, m in harness.links.sent if isinstance(m, GetBlocks)]
    assert asks == [GetBlocks(block.height, block.height)]
    harness.receive_final(block)
    assert harness.node.state.height == block.height


def test_a_proposal_the_node_cannot_prepare_is_logged_with_its_rule(harness, caplog) -> None:
    chain = harness.chain
    state = chain.state
    proposer = chain.authorities[1]
    built = build_block(state, [chain.transfer(0, 1, 500)], proposer=proposer.address,
                        timestamp=state.tip_timestamp + 1000).block
    block = replace(built, header=replace(built.header, state_root=ZERO_HASH))
    message = sign_message(ConsensusMessage(MessageKind.PROPOSAL, 1, 0, block.hash),
                           proposer, state.genesis_hash)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):  # retransmitted: counted each time, logged once
            harness.receive(ConsensusPacket(message, block))
    rule = "invalid proposal: StateRootMismatch"
    assert harness.call("status")["rejected"] == {rule: 3}
    assert caplog.text.count(rule) == 1
    assert f"{rule}: consensus message from MEA: block 1 {block.hash[:16]}: " in caplog.text
