"""Each validation rule has a test that triggers exactly it."""

from dataclasses import replace

import pytest

from node_core.ledger.blocks import AuthoritySignature, Block, commit_digest, finality_quorum
from node_core.ledger.exceptions import (
    BadAuthoritySignature,
    BadTransactionSignature,
    BrokenHashLink,
    DuplicateAuthoritySignature,
    DuplicateTransaction,
    GridStateHashMismatch,
    InsufficientBalance,
    InsufficientEnergyCredits,
    InsufficientFinality,
    MalformedTransaction,
    MerkleRootMismatch,
    NonceMismatch,
    StateRootMismatch,
    TimestampBeforeParent,
    TimestampInFuture,
    TooManyTransactions,
    TotalEnergyMismatch,
    UnknownAuthority,
    WrongChain,
    WrongHeight,
    WrongProposer,
)
from node_core.ledger.genesis import ChainParameters
from node_core.ledger.grid_state import GridSnapshot, RegionLoad
from node_core.ledger.hashing import merkle_root
from node_core.ledger.transactions import (
    Transaction,
    Transfer,
    encode_transaction,
    sign_transaction,
)
from node_core.ledger.transition import apply_block, build_block, validate_transaction
from tests.helpers.chain import make_chain, seal, signer_from_seed


@pytest.fixture
def chain():
    return make_chain()


def forced(chain, txs):
    """A proposal that carries ``txs`` as given (merkle root and energy match them)."""
    block = chain.propose([], signers=0)
    header = replace(block.header,
                     merkle_root=merkle_root(encode_transaction(tx) for tx in txs),
                     total_energy=sum(tx.energy_wh for tx in txs))
    return Block(header, block.grid_snapshot, tuple(txs))


def resealed(chain, block, **header_changes):
    """The block with header fields changed, re-signed by all authorities (so only the
    changed rule can fail)."""
    return seal(replace(block, header=replace(block.header, **header_changes),
                        authority_signatures=()), chain.authorities)


@pytest.mark.parametrize("count,quorum", [(1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (7, 5)])
def test_quorum_is_ceil_two_thirds(count, quorum):
    assert finality_quorum(count) == quorum


def test_a_valid_block_applies(chain):
    block = chain.extend([chain.transfer(0, 1, 100), chain.trade(1, 2, 5000, 450)])
    assert chain.state.height == 1 and chain.state.tip_hash == block.hash
    assert block.header.total_energy == 5000
    assert chain.state.account(chain.prosumers[1].address).energy_credits == 105_000
    assert chain.state.account(chain.prosumers[2].address).balance == 1_000_000 + 2250


def test_wrong_height(chain):
    block = chain.propose([])
    with pytest.raises(WrongHeight, match="block 2: height must be 1"):
        apply_block(chain.state, resealed(chain, block, height=2))


def test_broken_hash_link(chain):
    block = chain.propose([])
    with pytest.raises(BrokenHashLink, match="block 1"):
        apply_block(chain.state, resealed(chain, block, previous_hash="00" * 32))


def test_merkle_mismatch(chain):
    block = chain.propose([chain.transfer(0, 1, 100)])
    other = chain.propose([chain.transfer(0, 1, 200)])
    forged = replace(block, transactions=other.transactions)
    with pytest.raises(MerkleRootMismatch, match="block 1"):
        apply_block(chain.state, forged)


def test_state_root_mismatch(chain):
    block = chain.propose([chain.transfer(0, 1, 100)])
    with pytest.raises(StateRootMismatch, match="block 1"):
        apply_block(chain.state, resealed(chain, block, state_root="11" * 32))


def test_total_energy_mismatch(chain):
    block = chain.propose([chain.trade(0, 1, 1000)])
    with pytest.raises(TotalEnergyMismatch, match="1001 Wh"):
        apply_block(chain.state, resealed(chain, block, total_energy=1001))


def test_grid_state_hash_mismatch(chain):
    block = chain.propose([])
    snapshot = GridSnapshot(1, 49_950, (RegionLoad("EGAT", 1, 1),))
    with pytest.raises(GridStateHashMismatch, match="block 1"):
        apply_block(chain.state, replace(block, grid_snapshot=snapshot))


def test_timestamp_before_parent(chain):
    block = chain.propose([])
    with pytest.raises(TimestampBeforeParent, match="block 1"):
        apply_block(chain.state, resealed(chain, block, timestamp=chain.state.tip_timestamp - 1))


def test_timestamp_too_far_in_future(chain):
    block = chain.propose([])
    now = block.header.timestamp - chain.state.parameters.timestamp_drift_ms - 1
    with pytest.raises(TimestampInFuture, match="block 1"):
        apply_block(chain.state, block, now_ms=now)
    apply_block(chain.state, block, now_ms=now + 1)


def test_unknown_proposer(chain):
    block = chain.propose([])
    with pytest.raises(UnknownAuthority, match="proposer"):
        apply_block(chain.state, resealed(chain, block, proposer=chain.prosumers[0].address))


def test_the_proposer_must_be_the_one_of_its_height_and_round(chain):
    """proposer(h, r) = A[(h + r) mod n]: block 1 round 0 is MEA's, round 1 PEA's."""
    block = chain.propose([])
    assert block.header.proposer == chain.authorities[1].address
    egat, pea = chain.authorities[0].address, chain.authorities[2].address
    with pytest.raises(WrongProposer, match=f"block 1: proposer {egat} is not the proposer "
                                            f"of round 0, {chain.authorities[1].address}"):
        apply_block(chain.state, resealed(chain, block, proposer=egat))
    assert apply_block(chain.state, resealed(chain, block, proposer=pea, round=1)).height == 1


def test_signature_by_non_authority(chain):
    block = chain.propose([], signers=2)
    outsider = chain.prosumers[0]
    extra = AuthoritySignature(outsider.address, outsider.sign(commit_digest(block.hash)))
    with pytest.raises(UnknownAuthority, match="non-authority"):
        apply_block(chain.state, replace(block, authority_signatures=(
            *block.authority_signatures, extra)))


def test_bad_authority_signature(chain):
    block = chain.propose([])
    first = block.authority_signatures[0]
    forged = replace(first, signature=block.authority_signatures[1].signature)
    with pytest.raises(BadAuthoritySignature, match="does not verify"):
        apply_block(chain.state, replace(block, authority_signatures=(
            forged, *block.authority_signatures[1:])))


def test_duplicate_authority_signature(chain):
    block = chain.propose([], signers=1)
    seal_ = block.authority_signatures[0]
    with pytest.raises(DuplicateAuthoritySignature, match="signed twice"):
        apply_block(chain.state, replace(block, authority_signatures=(seal_, seal_)))


def test_not_enough_signatures_for_finality(chain):
    block = chain.propose([], signers=1)
    with pytest.raises(InsufficientFinality, match="1 of 3 authorities signed, quorum is 2"):
        apply_block(chain.state, block)
    apply_block(chain.state, chain.propose([], signers=2))


def test_proposal_without_signatures_validates_when_finality_not_required(chain):
    block = chain.propose([chain.transfer(0, 1, 5)], signers=0)
    assert apply_block(chain.state, block, require_finality=False).height == 1


def test_too_many_transactions():
    chain = make_chain(parameters=ChainParameters(max_transactions_per_block=1))
    txs = [chain.transfer(0, 1, 1), chain.transfer(1, 0, 1)]
    built = build_block(chain.state, txs, proposer=chain.authorities[1].address,
                        timestamp=chain.state.tip_timestamp + 1)
    assert len(built.block.transactions) == 1
    forged = replace(built.block, transactions=tuple(txs))
    with pytest.raises(TooManyTransactions):
        apply_block(chain.state, forged, require_finality=False)


def test_duplicate_transaction_in_block(chain):
    tx = chain.transfer(0, 1, 1)
    with pytest.raises(DuplicateTransaction):
        apply_block(chain.state, forced(chain, [tx, tx]), require_finality=False)


# --- transaction rules (validate_transaction, mempool-independent) --------------------------


def test_bad_transaction_signature(chain):
    tx = chain.transfer(0, 1, 100)
    other = chain.transfer(0, 1, 101)
    with pytest.raises(BadTransactionSignature, match="does not verify"):
        validate_transaction(chain.state, replace(tx, signature=other.signature))


def test_a_verdict_is_for_the_signed_copy_checked_not_for_its_transaction(chain):
    tx = chain.transfer(0, 1, 100)
    forged = replace(tx, signature=chain.transfer(0, 1, 101).signature)
    assert forged.hash == tx.hash and forged.leaf != tx.leaf
    validate_transaction(chain.state, tx, verified={tx.leaf})
    with pytest.raises(BadTransactionSignature, match="does not verify"):
        apply_block(chain.state, forced(chain, [forged]), verified={tx.leaf},
                    require_finality=False)


def test_high_s_signature_is_rejected(chain):
    from node_core.ledger.keys import CURVE_ORDER
    tx = chain.transfer(0, 1, 100)
    r, s = tx.signature[:32], int.from_bytes(tx.signature[32:], "big")
    high = replace(tx, signature=r + (CURVE_ORDER - s).to_bytes(32, "big"))
    with pytest.raises(BadTransactionSignature):
        validate_transaction(chain.state, high)


def test_wrong_nonce_replay(chain):
    tx = chain.transfer(0, 1, 100)
    chain.extend([tx])
    with pytest.raises(NonceMismatch, match="nonce 0, account expects 1"):
        validate_transaction(chain.state, tx)
    with pytest.raises(NonceMismatch, match="block 2"):
        apply_block(chain.state, forced(chain, [tx]), require_finality=False)


def test_nonce_gap(chain):
    with pytest.raises(NonceMismatch):
        validate_transaction(chain.state, chain.transfer(0, 1, 100, nonce=5))


def test_insufficient_balance(chain):
    with pytest.raises(InsufficientBalance, match="needs 1000001"):
        validate_transaction(chain.state, chain.transfer(0, 1, 1_000_001))


def test_insufficient_energy_credits(chain):
    with pytest.raises(InsufficientEnergyCredits, match="100001 Wh"):
        validate_transaction(chain.state, chain.trade(0, 1, 100_001, 1))


def test_wrong_chain(chain):
    with pytest.raises(WrongChain):
        validate_transaction(chain.state, chain.transfer(0, 1, 1, chain_id="other-chain"))


def test_malformed_transactions(chain):
    with pytest.raises(MalformedTransaction, match="amount must be positive"):
        validate_transaction(chain.state, chain.transfer(0, 1, 0))
    with pytest.raises(MalformedTransaction, match="same account"):
        validate_transaction(chain.state, chain.trade(0, 0, 10))
    signer = chain.prosumers[0]
    to_self = sign_transaction(Transaction("gridtokenx-test", 0, signer.public_key,
                                           Transfer(signer.address, 5)), signer)
    with pytest.raises(MalformedTransaction, match="to self"):
        validate_transaction(chain.state, to_self)


def test_build_block_skips_invalid_candidates(chain):
    good, bad = chain.transfer(0, 1, 10), chain.transfer(2, 1, 10**9)
    built = build_block(chain.state, [bad, good], proposer=chain.authorities[1].address,
                        timestamp=chain.state.tip_timestamp + 5)
    assert built.block.transactions == (good,)
    assert isinstance(built.rejected[0][1], InsufficientBalance)
    assert apply_block(chain.state, seal(built.block, chain.authorities)) == built.state


def test_apply_is_deterministic(chain):
    block = chain.propose([chain.transfer(0, 1, 10), chain.trade(2, 3, 700, 333, "PEA")])
    assert apply_block(chain.state, block) == apply_block(chain.state, block)


def test_unknown_authority_key_never_finalizes():
    chain = make_chain()
    impostors = [signer_from_seed(9000 + i) for i in range(3)]
    block = seal(chain.propose([], signers=0), impostors)
    with pytest.raises(UnknownAuthority):
        apply_block(chain.state, block)
