"""What an authority node does with what its peers send: nothing is lost silently. A bad
transaction in a gossip batch is dropped alone, named and counted; a proposal travels as its
transactions' leaves and is prepared from the mempool, its missing bodies asked of its sender
(completed, never dropped); a proposal the node cannot prepare is logged with its rule; a
block a quorum committed that the node lacks is fetched at once (``NeedBlock``), not at the
next status."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from node_core.consensus.messages import (
    BlockTransactions,
    CompactPacket,
    ConsensusMessage,
    ConsensusPacket,
    GetBlocks,
    GetTransactions,
    MessageKind,
    Status,
    Transactions,
    sign_message,
)
from node_core.ledger.blocks import commit_digest
from node_core.ledger.transactions import encode_transaction, hash_of_encoded
from node_core.ledger.transition import build_block
from node_core.ledger.types import ZERO_HASH
from tests.helpers import chain as chains
from tests.helpers.chain import seal
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


def test_gossip_overtaken_by_its_block_is_no_rejection(harness, caplog) -> None:
    tx = harness.chain.transfer(0, 1, 500)
    harness.receive(Transactions.of([tx]))
    harness.receive_final(seal(proposal(harness, [tx]).block, harness.chain.authorities))
    replayed = harness.chain.transfer(0, 2, 10, nonce=tx.nonce)
    with caplog.at_level(logging.WARNING):
        harness.receive(Transactions.of([tx, replayed]), sender=2)
    assert harness.call("status")["rejected"] == {"NonceMismatch": 1}
    assert [r for r in caplog.records if tx.hash in r.getMessage()] == []
    assert any(replayed.hash in r.getMessage() for r in caplog.records)


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


def proposal(harness: NodeHarness, txs, **header) -> ConsensusPacket:  # type: ignore[no-untyped-def]
    """MEA's round-0 proposal of block 1 carrying ``txs`` whatever their signatures (header
    fields changed as given)."""
    chain = harness.chain
    state, proposer = chain.state, chain.authorities[1]
    built = build_block(state, txs, proposer=proposer.address,
                        timestamp=state.tip_timestamp + 1000,
                        verified={tx.leaf for tx in txs}).block
    assert len(built.transactions) == len(txs)
    block = replace(built, header=replace(built.header, **header))
    message = sign_message(ConsensusMessage(MessageKind.PROPOSAL, 1, 0, block.hash),
                           proposer, state.genesis_hash)
    return ConsensusPacket(message, block)


def sent(harness: NodeHarness, kind: type) -> list:  # type: ignore[type-arg]
    return [m for _, m in harness.links.sent if isinstance(m, kind)]


def prepared(harness: NodeHarness) -> list[str]:
    """The blocks this node sent a PREPARE for."""
    return [m.message.block_hash for m in sent(harness, CompactPacket)
            if m.message.kind == MessageKind.PREPARE]


def test_a_proposal_travels_as_leaves_and_is_prepared_from_the_mempool(harness) -> None:
    chain = harness.chain
    txs = [chain.transfer(0, 1, 500), chain.trade(2, 3, energy_wh=1_000)]
    harness.receive(Transactions.of(txs))
    packet = proposal(harness, txs)
    assert CompactPacket.of(packet).block.leaves == tuple(tx.leaf for tx in txs)
    harness.receive(packet)
    assert sent(harness, GetTransactions) == []
    assert prepared(harness) == [packet.block.hash]


def test_a_proposal_with_bodies_the_node_lacks_is_completed_from_its_sender(harness) -> None:
    chain = harness.chain
    held, missing = chain.transfer(0, 1, 500), chain.trade(2, 3, energy_wh=1_000)
    harness.receive(Transactions.of([held]))
    packet = proposal(harness, [held, missing])
    harness.receive(packet)
    assert sent(harness, GetTransactions) == [GetTransactions(packet.block.hash,
                                                             (missing.leaf,))]
    assert prepared(harness) == []  # waiting, not dropped
    harness.receive(BlockTransactions(packet.block.hash, (missing.encoded,)))
    assert prepared(harness) == [packet.block.hash]
    assert harness.call("status")["rejected"] == {}


def test_a_peer_asking_for_bodies_gets_those_the_node_holds(harness) -> None:
    chain = harness.chain
    held, unknown = chain.transfer(0, 1, 500), chain.transfer(2, 3, 700)
    harness.receive(Transactions.of([held]))
    harness.receive(GetTransactions(ZERO_HASH, (unknown.leaf, held.leaf)), sender=2)
    assert sent(harness, BlockTransactions) == [BlockTransactions(ZERO_HASH, (held.encoded,))]


def test_a_body_whose_signature_does_not_verify_fails_its_proposal(harness, caplog) -> None:
    chain = harness.chain
    good = chain.transfer(0, 1, 500)
    forged = replace(good, signature=chain.transfer(0, 1, 501).signature)
    packet = proposal(harness, [forged])
    with caplog.at_level(logging.WARNING):
        harness.receive(packet)
        harness.receive(BlockTransactions(packet.block.hash, (forged.encoded,)))
    assert prepared(harness) == []
    assert harness.call("status")["rejected"] == {
        "invalid proposal: BadTransactionSignature": 1}


def test_leaves_that_do_not_make_the_merkle_root_are_refused_unasked(harness, caplog) -> None:
    chain = harness.chain
    packet = proposal(harness, [chain.transfer(0, 1, 500)], merkle_root=ZERO_HASH)
    with caplog.at_level(logging.WARNING):
        harness.receive(packet)
    assert sent(harness, GetTransactions) == []
    assert harness.call("status")["rejected"] == {"MerkleRootMismatch": 1}
    assert "compact block 1" in caplog.text and "from MEA" in caplog.text


def test_a_proposal_the_node_cannot_prepare_is_logged_with_its_rule(harness, caplog) -> None:
    tx = harness.chain.transfer(0, 1, 500)
    harness.receive(Transactions.of([tx]))
    packet = proposal(harness, [tx], state_root=ZERO_HASH)
    block = packet.block
    with caplog.at_level(logging.WARNING):
        for _ in range(3):  # retransmitted: counted each time, logged once
            harness.receive(packet)
    rule = "invalid proposal: StateRootMismatch"
    assert harness.call("status")["rejected"] == {rule: 3}
    assert caplog.text.count(rule) == 1
    assert f"{rule}: consensus message from MEA: block 1 {block.hash[:16]}: " in caplog.text


def test_pipeline_tells_where_the_time_went_by_stage(harness) -> None:
    chain = harness.chain
    before = harness.call("pipeline")
    txs = [chain.transfer(0, 1, 500), chain.trade(2, 3, energy_wh=1_000)]
    harness.receive(Transactions.of(txs))
    harness.receive_final(chain.extend(txs))
    after = harness.call("pipeline")
    assert after["verified"] - before["verified"] == len(txs)
    assert after["tx_finalized"] - before["tx_finalized"] == len(txs)
    grew = {stage for stage, seconds in after["stages_s"].items()
            if seconds > before["stages_s"][stage]}
    assert {"admission", "verify", "apply", "store"} <= grew
    assert after["cpu_s"] > before["cpu_s"]


def test_a_final_block_the_node_validated_as_a_proposal_is_not_applied_again(harness) -> None:
    tx = harness.chain.transfer(0, 1, 500)
    harness.receive(Transactions.of([tx]))
    packet = proposal(harness, [tx])
    harness.receive(packet)
    validated = harness.node.engine.validated(packet.block.hash)
    assert validated is not None
    harness.receive_final(seal(packet.block, harness.chain.authorities))
    assert harness.node.state is validated  # the proposal's state, its seals checked


def test_a_peer_one_block_ahead_is_given_time_two_ahead_is_asked_at_once(harness) -> None:
    tip = harness.chain.state.tip_hash
    harness.receive(Status(1, tip, 0))
    assert sent(harness, GetBlocks) == []  # probably finishing that block's consensus
    harness.receive(Status(2, tip, 0))
    assert sent(harness, GetBlocks) == [GetBlocks(1, 2)]
