"""The two-person rule on the chain: every authority checks who operated and who approved an
emergency action against the issuing authority's roster, and the chain alone proves it; one
approval orders one action."""

from __future__ import annotations

from dataclasses import replace

import pytest

from node_core.ledger.emergency_rules import SamePersonApproval
from node_core.ledger.endorsements import ENDORSEMENT_VALIDITY_MS, BadEndorsement, endorse
from node_core.ledger.exceptions import MalformedTransaction
from node_core.ledger.governance import NotAnAuthority
from node_core.ledger.roster import NotOnRoster, endorser_name
from node_core.ledger.state import state_root
from node_core.ledger.taken_endorsements import EndorsementReused
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
    emergency_digest,
    sign_transaction,
)
from node_core.ledger.transition import apply_block, build_block, validate_transaction
from tests.helpers import chain as chains
from tests.helpers.chain import signer_from_seed

SHED = EmergencyAction(EmergencyKind.LOAD_SHED, "MEA", stage=1, mw=300, reason="drill")
HALT = EmergencyAction(EmergencyKind.TRADING_HALT, "PEA", reason="drill")
DEMAND = EmergencyAction(EmergencyKind.DEMAND_RESPONSE, "EGAT", mw=50, duration_s=600)


@pytest.fixture
def chain() -> chains.TestChain:
    return chains.make_chain()


def test_a_load_shed_operated_and_approved_by_two_members_is_final(chain) -> None:
    tx = chain.emergency(SHED)
    block = chain.extend([tx])
    carried = block.transactions[0].payload
    assert isinstance(carried, EmergencyAction)
    egat = chain.authorities[0].address
    assert endorser_name(chain.state.roster, egat, carried.operated_by.public_key) == "operator1"
    assert endorser_name(chain.state.roster, egat, carried.approved_by.public_key) == \
        "supervisor1"


def test_an_approval_by_a_key_not_on_the_roster_is_refused(chain) -> None:
    outsider = signer_from_seed(9999)
    tx = chain.emergency(SHED)
    action = tx.payload
    assert isinstance(action, EmergencyAction)
    digest = emergency_digest(chain.genesis.chain_id, tx.sender, action)
    forged = replace(action, approved_by=endorse(outsider, digest))
    forged_tx = sign_transaction(replace(tx, payload=forged, signature=b""),
                                 chain.authorities[0])
    with pytest.raises(NotOnRoster, match="approved"):
        validate_transaction(chain.state, forged_tx)
    assert not chain.propose([forged_tx]).transactions  # an honest proposer leaves it out
    with pytest.raises(NotOnRoster):  # and every authority refuses a block that carries it
        apply_block(chain.state, chains.forged_block(chain, forged_tx))


@pytest.mark.parametrize(("operator", "approver", "rule"), [
    ("supervisor1", "supervisor1", SamePersonApproval),
    ("operator1", "operator2", NotOnRoster),      # an operator may not approve
    ("auditor1", "supervisor1", NotOnRoster),     # an auditor may not operate
])
def test_who_may_operate_and_approve(chain, operator, approver, rule) -> None:
    with pytest.raises(rule):
        validate_transaction(chain.state, chain.emergency(SHED, operator=operator,
                                                          approver=approver))


def test_a_critical_action_needs_an_approval_and_a_normal_one_carries_none(chain) -> None:
    with pytest.raises(MalformedTransaction, match="two-person"):
        validate_transaction(chain.state, chain.emergency(HALT, approver=None, nonce=0))
    demand = chain.emergency(DEMAND, nonce=0)
    validate_transaction(chain.state, demand)
    action = demand.payload
    assert isinstance(action, EmergencyAction)
    approved = replace(action, approved_by=action.operated_by)
    with pytest.raises(MalformedTransaction, match="only a critical"):
        validate_transaction(chain.state, chain._signed(chain.authorities[0], approved, 0,
                                                        chains.CHAIN_ID))


def test_an_endorsement_of_another_order_or_authority_does_not_verify(chain) -> None:
    tx = chain.emergency(SHED)
    action = tx.payload
    assert isinstance(action, EmergencyAction)
    changed = replace(action, mw=900)  # the endorsements signed 300 MW
    with pytest.raises(BadEndorsement):
        validate_transaction(chain.state, chain._signed(chain.authorities[0], changed, 0,
                                                        chains.CHAIN_ID))
    with pytest.raises(BadEndorsement):  # endorsed for EGAT, issued by MEA
        validate_transaction(chain.state, chain._signed(chain.authorities[1], action, 0,
                                                        chains.CHAIN_ID))


def test_an_old_endorsement_cannot_be_used_again_later(chain) -> None:
    selected = chain.state.tip_timestamp
    old = chain.emergency(replace(SHED, selected_ms=selected))
    late = selected + ENDORSEMENT_VALIDITY_MS + 1
    assert not chain.propose([old], timestamp=late).transactions
    with pytest.raises(BadEndorsement, match="valid for"):
        apply_block(chain.state, chains.forged_block(chain, old, timestamp=late))
    chain.extend([old], timestamp=selected + ENDORSEMENT_VALIDITY_MS)  # still in time


def test_only_an_authority_issues_emergency_actions(chain) -> None:
    tx = chain.emergency(DEMAND)
    by_prosumer = sign_transaction(replace(tx, sender_public_key=chain.prosumers[0].public_key,
                                           signature=b""), chain.prosumers[0])
    with pytest.raises(NotAnAuthority):
        validate_transaction(chain.state, by_prosumer)


def test_an_approved_order_is_carried_once(chain) -> None:
    shed = chain.emergency(SHED)
    chain.extend([shed])
    again = chain.reissued(shed)  # the same approval, another nonce: a second load shed
    with pytest.raises(EndorsementReused, match="already carries this endorsed request"):
        validate_transaction(chain.state, again)  # a node's mempool and its desk refuse it
    assert not chain.propose([again]).transactions  # an honest proposer leaves it out
    with pytest.raises(EndorsementReused):  # and every authority refuses a block with it
        apply_block(chain.state, chains.forged_block(chain, again))


def test_an_order_carried_twice_in_one_block_is_left_out_the_second_time(chain) -> None:
    shed = chain.emergency(SHED)
    again = chain.reissued(shed)
    built = build_block(chain.state, [shed, again], proposer=chain.authorities[1].address,
                        timestamp=chain.state.tip_timestamp + 1000)
    assert built.block.transactions == (shed,)
    assert [(tx, type(error)) for tx, error in built.rejected] == [(again, EndorsementReused)]
    with pytest.raises(EndorsementReused):
        apply_block(chain.state, chains.forged_block(chain, shed, again))


def test_a_taken_order_is_kept_while_it_could_be_carried_fresh_and_no_longer(chain) -> None:
    selected = chain.state.tip_timestamp
    shed = chain.emergency(replace(SHED, selected_ms=selected))
    chain.extend([shed])
    taken = dict(chain.state.taken_endorsements)
    assert list(taken.values()) == [selected]
    assert state_root(replace(chain.state, taken_endorsements={})) != state_root(chain.state)
    chain.extend([], timestamp=selected + ENDORSEMENT_VALIDITY_MS)
    assert dict(chain.state.taken_endorsements) == taken
    chain.extend([], timestamp=selected + ENDORSEMENT_VALIDITY_MS + 1)
    assert not chain.state.taken_endorsements
    with pytest.raises(BadEndorsement, match="valid for"):  # freshness refuses it from then on
        apply_block(chain.state, chains.forged_block(chain, chain.reissued(shed)))
