"""Governance: proposals, votes, quorum, execution, expiry — each rule with its error."""

from dataclasses import replace

import pytest

from node_core.ledger.blocks import finality_quorum
from node_core.ledger.exceptions import InsufficientFinality, MalformedTransaction, PriceAboveCap
from node_core.ledger.genesis import ChainParameters
from node_core.ledger.governance import (
    DuplicateVote,
    NotAnAuthority,
    ProposalStatus,
    UnknownProposal,
    VotingClosed,
)
from node_core.ledger.state import state_root
from node_core.ledger.transactions import (
    GovernanceProposal,
    GovernanceVote,
    ProposalAction,
    Transaction,
    VoteChoice,
    sign_transaction,
)
from node_core.ledger.transition import apply_block, validate_transaction
from tests.helpers.chain import make_chain, signer_from_seed


def authority_tx(chain, index, payload, *, signer=None):
    signer = signer or chain.authorities[index]
    nonce = max(chain.state.account(signer.address).nonce,
                chain.issued_nonces.get(signer.address, 0))
    chain.issued_nonces[signer.address] = nonce + 1
    return sign_transaction(Transaction(chain.genesis.chain_id, nonce, signer.public_key,
                                        payload), signer)


def propose(chain, index=0, **fields):
    defaults = {"title": "Add Ratchaburi as an authority", "description": "RATCH joins",
                "action": ProposalAction.SIGNAL, "voting_period": 10}
    return authority_tx(chain, index, GovernanceProposal(**{**defaults, **fields}))


def vote(chain, index, proposal_id, choice=VoteChoice.YES, signer=None):
    return authority_tx(chain, index, GovernanceVote(proposal_id, choice), signer=signer)


NEWCOMER = signer_from_seed(7777)


def add_newcomer(chain):
    return propose(chain, action=ProposalAction.ADD_AUTHORITY, authority_name="RATCH",
                   authority_public_key=NEWCOMER.public_key,
                   authority_address=NEWCOMER.address)


@pytest.fixture
def chain():
    return make_chain()


def test_a_proposal_is_recorded_with_its_electorate_and_deadline(chain):
    chain.extend([propose(chain)])
    record = chain.state.proposals[1]
    assert record.status == ProposalStatus.OPEN
    assert record.created_height == 1 and record.deadline_height == 11
    assert record.electorate == tuple(a.address for a in chain.authorities)
    assert record.quorum == 2


def test_two_of_three_yes_add_an_authority_and_quorum_becomes_three_of_four(chain):
    chain.extend([add_newcomer(chain)])
    chain.extend([vote(chain, 0, 1)])
    assert chain.state.proposals[1].status == ProposalStatus.OPEN
    executed = chain.extend([vote(chain, 1, 1)])
    record = chain.state.proposals[1]
    assert record.status == ProposalStatus.EXECUTED
    assert record.closed_height == executed.height
    assert [a.name for a in chain.state.authorities] == ["EGAT", "MEA", "PEA", "RATCH"]
    assert finality_quorum(len(chain.state.authorities)) == 3
    chain.authorities.append(NEWCOMER)
    with pytest.raises(InsufficientFinality, match="2 of 4 authorities signed, quorum is 3"):
        apply_block(chain.state, chain.propose([], signers=2))
    chain.extend([], signers=3)


def test_removing_an_authority_takes_effect_from_the_next_block(chain):
    chain.extend([propose(chain, action=ProposalAction.REMOVE_AUTHORITY,
                          authority_address=chain.authorities[2].address)])
    chain.extend([vote(chain, 0, 1), vote(chain, 1, 1)])
    assert [a.name for a in chain.state.authorities] == ["EGAT", "MEA"]
    assert finality_quorum(2) == 2


def test_a_block_interval_change_takes_effect_at_the_executing_height(chain):
    chain.extend([propose(chain, action=ProposalAction.PARAMETER_CHANGE,
                          parameter="block_interval_ms", value=2500)])
    before = chain.state
    executed = chain.extend([vote(chain, 0, 1), vote(chain, 2, 1)])
    assert before.parameters.block_interval_ms == 1000
    assert chain.state.parameters.block_interval_ms == 2500
    assert executed.header.state_root == state_root(chain.state)


def test_a_price_cap_rejects_trades_above_it(chain):
    chain.extend([propose(chain, action=ProposalAction.PARAMETER_CHANGE,
                          parameter="price_cap_per_kwh", value=500)])
    chain.extend([vote(chain, 0, 1), vote(chain, 1, 1)])
    validate_transaction(chain.state, chain.trade(0, 1, 1000, price_per_kwh=500))
    with pytest.raises(PriceAboveCap, match="above the cap of 500"):
        validate_transaction(chain.state, chain.trade(0, 1, 1000, price_per_kwh=501, nonce=0))


def test_a_changed_vote_replaces_the_earlier_one(chain):
    chain.extend([propose(chain)])
    chain.extend([vote(chain, 0, 1, VoteChoice.NO)])
    chain.extend([vote(chain, 0, 1, VoteChoice.YES)])
    assert chain.state.proposals[1].tally()[VoteChoice.YES] == 1
    assert chain.state.proposals[1].tally()[VoteChoice.NO] == 0


def test_double_vote_is_rejected(chain):
    chain.extend([propose(chain)])
    chain.extend([vote(chain, 0, 1)])
    with pytest.raises(DuplicateVote, match="already voted yes on proposal 1"):
        validate_transaction(chain.state, vote(chain, 0, 1))


def test_late_vote_is_rejected_and_the_proposal_expires(chain):
    chain.extend([propose(chain, voting_period=2)])
    chain.extend([])
    chain.extend([])
    assert chain.state.proposals[1].status == ProposalStatus.EXPIRED
    with pytest.raises(VotingClosed, match="proposal 1 closed"):
        validate_transaction(chain.state, vote(chain, 1, 1))


def test_vote_by_non_authority_is_rejected(chain):
    chain.extend([propose(chain)])
    outsider = chain.prosumers[0]
    with pytest.raises(NotAnAuthority, match="may not vote on proposal 1"):
        validate_transaction(chain.state, vote(chain, 0, 1, signer=outsider))


def test_proposal_by_non_authority_is_rejected(chain):
    proposal = GovernanceProposal("t", "", ProposalAction.SIGNAL, 5)
    with pytest.raises(NotAnAuthority, match="is not an authority"):
        validate_transaction(chain.state,
                             authority_tx(chain, 0, proposal, signer=chain.prosumers[1]))


def test_vote_on_unknown_proposal_is_rejected(chain):
    with pytest.raises(UnknownProposal, match="no proposal 42"):
        validate_transaction(chain.state, vote(chain, 0, 42))


@pytest.mark.parametrize("fields, message", [
    ({"title": ""}, "title"),
    ({"voting_period": 0}, "voting period"),
    ({"action": ProposalAction.ADD_AUTHORITY, "authority_name": "X",
      "authority_public_key": b"\x04" + b"\x01" * 64, "authority_address": "0x" + "1" * 40},
     "public key"),
    ({"action": ProposalAction.ADD_AUTHORITY, "authority_name": "X",
      "authority_public_key": NEWCOMER.public_key, "authority_address": "0x" + "1" * 40},
     "does not match"),
    ({"action": ProposalAction.PARAMETER_CHANGE, "parameter": "block_interval_ms",
      "value": 5}, "within 100..60000"),
    ({"action": ProposalAction.PARAMETER_CHANGE, "parameter": "colour", "value": 5},
     "unknown parameter"),
])
def test_malformed_proposals_are_rejected(chain, fields, message):
    with pytest.raises(MalformedTransaction, match=message):
        validate_transaction(chain.state, propose(chain, **fields))


def test_a_proposal_is_rejected_once_quorum_is_out_of_reach(chain):
    chain.extend([propose(chain)])
    chain.extend([vote(chain, 0, 1, VoteChoice.NO), vote(chain, 1, 1, VoteChoice.ABSTAIN)])
    assert chain.state.proposals[1].status == ProposalStatus.REJECTED


def test_governance_state_is_committed_by_the_state_root(chain):
    chain.extend([propose(chain)])
    changed = replace(chain.state, proposals={
        1: replace(chain.state.proposals[1], deadline_height=99)})
    assert state_root(changed) != state_root(chain.state)


def test_adding_an_existing_authority_closes_as_rejected():
    chain = make_chain(parameters=ChainParameters())
    first, second = add_newcomer(chain), add_newcomer(chain)
    chain.extend([first, second])
    chain.extend([vote(chain, 0, 1), vote(chain, 1, 1), vote(chain, 0, 2), vote(chain, 1, 2)])
    assert chain.state.proposals[1].status == ProposalStatus.EXECUTED
    assert chain.state.proposals[2].status == ProposalStatus.REJECTED
    assert chain.state.proposals[2].reason == "already an authority"
