"""The ledger state's commitments: the state root a block carries covers every part of the
state and nothing else, and the governed parts a store keeps beside its accounts give the
same state back."""

from dataclasses import replace
from types import MappingProxyType

import pytest

from node_core.ledger.exceptions import DecodeError
from node_core.ledger.genesis import ChainParameters
from node_core.ledger.governance import ProposalRecord, ProposalStatus
from node_core.ledger.state import (
    Account,
    governed_parts,
    initial_state,
    state_root,
    with_governed_parts,
)
from node_core.ledger.taken_endorsements import decode_taken, encode_taken
from node_core.ledger.transactions import GovernanceProposal, ProposalAction, VoteChoice
from node_core.ledger.types import Hash32
from tests.helpers.chain import make_chain, signer_from_seed

CHAIN = make_chain()
STATE = CHAIN.state
PROSUMER = CHAIN.prosumers[0].address
EGAT, MEA = (a.address for a in STATE.authorities[:2])
RECORD = ProposalRecord(
    1, EGAT, 3, 13, GovernanceProposal("Cap prices", "", ProposalAction.SIGNAL, 10),
    tuple(a.address for a in STATE.authorities), ((MEA, VoteChoice.YES, Hash32("aa" * 32)),))
TAKEN = MappingProxyType({b"\x07" * 32: STATE.tip_timestamp, b"\x01" * 32: STATE.tip_timestamp})


def governed(state):
    """``state`` with a proposal, its next id, a halted region and taken endorsements."""
    return replace(state, proposals=MappingProxyType({1: RECORD}), next_proposal_id=2,
                   halted_regions=frozenset({"PEA"}), taken_endorsements=TAKEN)


def _with_account(state, **fields):
    accounts = dict(state.accounts)
    accounts[PROSUMER] = replace(accounts[PROSUMER], **fields)
    return replace(state, accounts=MappingProxyType(accounts))


def _without_one_authority(state):
    return replace(state, authorities=state.authorities[1:])


@pytest.mark.parametrize("change", [
    lambda s: _with_account(s, balance=s.account(PROSUMER).balance + 1),
    lambda s: _with_account(s, energy_credits=0),
    lambda s: _with_account(s, nonce=1),
    _without_one_authority,
    lambda s: replace(s, authorities=tuple(reversed(s.authorities))),
    lambda s: replace(s, parameters=ChainParameters(price_cap_per_kwh=450)),
    lambda s: replace(s, proposals=MappingProxyType(
        {1: replace(RECORD, status=ProposalStatus.EXECUTED)})),
    lambda s: replace(s, halted_regions=frozenset({"PEA", "MEA"})),
    lambda s: replace(s, taken_endorsements={**TAKEN, b"\x07" * 32: s.tip_timestamp + 1}),
    lambda s: replace(s, taken_endorsements={b"\x07" * 32: s.tip_timestamp}),
], ids=["balance", "credits", "nonce", "authority-set", "authority-order", "parameter",
        "proposal-status", "halted-region", "taken-time", "taken-digest"])
def test_the_state_root_commits_to_every_part(change) -> None:
    assert state_root(change(governed(STATE))) != state_root(governed(STATE))


def test_the_state_root_does_not_depend_on_how_the_accounts_were_stored() -> None:
    reordered = replace(STATE, accounts=MappingProxyType(dict(reversed(STATE.accounts.items()))))
    assert state_root(reordered) == state_root(STATE)


def test_an_account_never_seen_reads_as_zero() -> None:
    stranger = signer_from_seed(4242).address
    assert STATE.account(stranger) == Account(stranger)


def test_governed_parts_put_back_on_the_genesis_state_give_the_same_state() -> None:
    state = replace(governed(STATE), parameters=ChainParameters(price_cap_per_kwh=450),
                    authorities=STATE.authorities[:2])
    restored = with_governed_parts(initial_state(CHAIN.genesis), governed_parts(state))
    assert restored == state and state_root(restored) == state_root(state)


def test_parts_absent_are_left_as_they_were() -> None:
    parts = governed_parts(governed(STATE))
    only_halts = with_governed_parts(STATE, {"halted_regions": parts["halted_regions"]})
    assert only_halts.halted_regions == frozenset({"PEA"})
    assert (only_halts.proposals, only_halts.next_proposal_id) == (STATE.proposals, 1)


def test_taken_endorsements_decode_only_in_ascending_digest_order() -> None:
    data = encode_taken(TAKEN)
    assert decode_taken(data) == TAKEN
    first, second = data[4:44], data[44:]
    with pytest.raises(DecodeError, match="ascending"):
        decode_taken(data[:4] + second + first)
    with pytest.raises(DecodeError, match="ascending"):
        decode_taken(data[:4] + first + first)
