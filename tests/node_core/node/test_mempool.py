"""The mempool as a node and its block builder see it: what it admits and refuses (each
refusal naming its rule, the pool left as it was), what a block takes from it and in which
order, and what a final block or a failed build removes. Real signed transactions on a real
test chain (tests.helpers.chain)."""

from dataclasses import replace

import pytest

from node_core.ledger.exceptions import (
    BadTransactionSignature,
    InsufficientBalance,
    InsufficientEnergyCredits,
    MalformedTransaction,
    MempoolFull,
    NonceMismatch,
    NonceOutOfWindow,
    WrongChain,
)
from node_core.ledger.transactions import Transaction
from node_core.node.mempool import Mempool
from tests.helpers.chain import make_chain

A, B, C = 0, 1, 2
"""Prosumers of the test chain (each starts with 1,000,000 satang and 100,000 Wh)."""


@pytest.fixture
def chain():
    return make_chain()


@pytest.fixture
def pool() -> Mempool:
    return Mempool()


def held(pool: Mempool, chain) -> list[Transaction]:
    """Everything the pool would give a block built now (no limit)."""
    return pool.select(chain.state, limit=1_000)


def admitted(pool: Mempool, chain, *txs: Transaction) -> None:
    for tx in txs:
        assert pool.add(tx, chain.state), f"tx nonce {tx.nonce} refused"


# ----- admission ----------------------------------------------------------------------------


def test_a_valid_transfer_is_held_with_its_signature_remembered(chain, pool) -> None:
    tx = chain.transfer(A, B, 1_000)
    assert pool.add(tx, chain.state)
    assert tx in pool and len(pool) == 1
    assert tx.leaf in pool.verified  # block validation skips this signature
    assert held(pool, chain) == [tx]


def test_the_same_transaction_twice_is_held_once(chain, pool) -> None:
    tx = chain.transfer(A, B, 1_000)
    pool.add(tx, chain.state)
    assert not pool.add(tx, chain.state)
    resigned = replace(tx, signature=chain.prosumers[A].sign(tx.digest))
    assert resigned.signature != tx.signature
    assert not pool.add(resigned, chain.state)  # same transaction, another ECDSA signature
    assert len(pool) == 1


def test_a_second_transaction_for_a_held_nonce_does_not_replace_the_first(chain, pool) -> None:
    first = chain.transfer(A, B, 1_000, nonce=0)
    other = chain.transfer(A, C, 2_000, nonce=0)
    pool.add(first, chain.state)
    assert not pool.add(other, chain.state)
    assert other not in pool and len(pool) == 1
    assert held(pool, chain) == [first]


@pytest.mark.parametrize(("make", "rule"), [
    (lambda chain: chain.transfer(A, B, 1_000, chain_id="another-chain"), WrongChain),
    (lambda chain: chain.transfer(A, B, 0), MalformedTransaction),
    (lambda chain: chain.transfer(A, A, 1_000), MalformedTransaction),
    (lambda chain: chain.transfer(A, B, 1_000_001), InsufficientBalance),
    (lambda chain: replace(chain.transfer(A, B, 1_000),
                           signature=chain.transfer(A, B, 2_000).signature),
     BadTransactionSignature),
], ids=["wrong-chain", "zero-amount", "to-self", "over-balance", "bad-signature"])
def test_a_broken_rule_is_refused_by_name_and_nothing_is_held(chain, pool, make, rule) -> None:
    tx = make(chain)
    with pytest.raises(rule):
        pool.add(tx, chain.state)
    assert len(pool) == 0 and tx not in pool and tx.leaf not in pool.verified


def test_a_used_nonce_is_refused(chain, pool) -> None:
    chain.extend([chain.transfer(A, B, 1_000)])
    with pytest.raises(NonceMismatch, match="already used"):
        pool.add(chain.transfer(A, B, 1_000, nonce=0), chain.state)


def test_nonces_are_admitted_only_inside_the_window(chain) -> None:
    pool = Mempool(nonce_window=4)
    last_inside = chain.transfer(A, B, 1_000, nonce=3)
    assert pool.add(last_inside, chain.state)
    with pytest.raises(NonceOutOfWindow, match="more than 4 ahead"):
        pool.add(chain.transfer(A, B, 1_000, nonce=4), chain.state)
    chain.extend([chain.transfer(A, C, 5, nonce=0)])
    assert pool.add(chain.transfer(A, B, 1_000, nonce=4), chain.state)  # the window moved


def test_a_transaction_runnable_now_is_checked_in_full_against_the_state(chain, pool) -> None:
    too_much_energy = chain.trade(A, B, energy_wh=200_000, nonce=0)  # B holds 100,000 Wh
    with pytest.raises(InsufficientEnergyCredits):
        pool.add(too_much_energy, chain.state)
    later = chain.trade(A, B, energy_wh=200_000, nonce=1)
    assert pool.add(later, chain.state)  # checked in full when it becomes runnable


def test_each_transaction_is_paid_for_on_its_own(chain, pool) -> None:
    first, second = chain.transfer(A, B, 600_000), chain.transfer(A, C, 600_000)
    admitted(pool, chain, first, second)  # 1.2 M pending against 1 M: the builder decides
    assert held(pool, chain) == [first, second]


def test_a_full_pool_refuses_new_transactions_until_a_block_frees_room(chain) -> None:
    pool = Mempool(max_size=2)
    first, second = chain.transfer(A, B, 1_000), chain.transfer(B, C, 1_000)
    admitted(pool, chain, first, second)
    third = chain.transfer(C, A, 1_000)
    with pytest.raises(MempoolFull, match="2 transactions"):
        pool.add(third, chain.state)
    assert not pool.add(first, chain.state)  # a duplicate is no error, full or not
    pool.remove_final(chain.extend([first]).transactions, chain.state)
    assert pool.add(third, chain.state)


# ----- what a block takes -------------------------------------------------------------------


def test_blocks_take_each_sender_in_nonce_order_with_senders_interleaved(chain, pool) -> None:
    a1, a0 = chain.transfer(A, B, 10, nonce=1), chain.transfer(A, B, 10, nonce=0)
    b0, b1 = chain.transfer(B, C, 10), chain.transfer(B, C, 10)
    c0, a2 = chain.transfer(C, A, 10), chain.transfer(A, C, 10, nonce=2)
    admitted(pool, chain, a1, a0, b0, b1, c0, a2)  # arrival order: A, B, C
    assert held(pool, chain) == [a0, b0, c0, a1, b1, a2]
    assert pool.select(chain.state, limit=4) == [a0, b0, c0, a1]


def test_a_nonce_gap_holds_back_the_sender_behind_it(chain, pool) -> None:
    a0, a2 = chain.transfer(A, B, 10, nonce=0), chain.transfer(A, B, 10, nonce=2)
    b1 = chain.transfer(B, C, 10, nonce=1)
    admitted(pool, chain, a0, a2, b1)
    assert held(pool, chain) == [a0]


def test_selection_starts_at_each_account_s_nonce(chain, pool) -> None:
    a0, a1 = chain.transfer(A, B, 10), chain.transfer(A, B, 10)
    admitted(pool, chain, a0, a1)
    chain.extend([a0])  # final elsewhere; not yet removed here
    assert held(pool, chain) == [a1]


# ----- what leaves the pool -----------------------------------------------------------------


def test_a_final_block_removes_its_transactions_and_the_ones_it_made_stale(chain, pool) -> None:
    a0, a1, b0 = chain.transfer(A, B, 10), chain.transfer(A, B, 10), chain.transfer(B, C, 10)
    rival = chain.transfer(C, A, 10, nonce=0)
    admitted(pool, chain, a0, a1, b0, rival)
    block = chain.extend([a0, b0, chain.transfer(C, B, 20, nonce=0)])  # C's other nonce 0
    pool.remove_final(block.transactions, chain.state)
    assert len(pool) == 1 and held(pool, chain) == [a1]
    assert {a0.digest, b0.digest, rival.digest}.isdisjoint(pool.verified)
    assert pool.add(chain.transfer(C, A, 10, nonce=1), chain.state)


def test_a_transaction_the_builder_drops_is_gone_and_may_come_back(chain, pool) -> None:
    a0, a1 = chain.transfer(A, B, 10), chain.transfer(A, B, 10)
    admitted(pool, chain, a0, a1)
    pool.drop(a0)
    assert a0 not in pool and a0.digest not in pool.verified
    assert held(pool, chain) == []  # a1 waits for a nonce-0 transaction again
    assert pool.add(a0, chain.state)
    assert held(pool, chain) == [a0, a1]


def test_dropping_a_rival_leaves_the_held_transaction(chain, pool) -> None:
    a0, rival = chain.transfer(A, B, 10, nonce=0), chain.transfer(A, C, 20, nonce=0)
    admitted(pool, chain, a0)
    pool.drop(rival)
    pool.drop(chain.transfer(B, C, 10))  # a sender the pool never saw
    assert held(pool, chain) == [a0]


def test_next_nonce_counts_the_pending_run_of_a_sender(chain, pool) -> None:
    sender = chain.prosumers[A].address
    assert pool.next_nonce(sender, chain.state) == 0
    admitted(pool, chain, chain.transfer(A, B, 10), chain.transfer(A, B, 10))
    assert pool.next_nonce(sender, chain.state) == 2
    admitted(pool, chain, chain.transfer(A, B, 10, nonce=5))
    assert pool.next_nonce(sender, chain.state) == 2  # the gap at 2 comes first
    assert pool.next_nonce(chain.prosumers[B].address, chain.state) == 0
