"""The control desk: select-before-operate, expiry, the two-person rule and each person's
endorsement of the order; and what a final halt does to trades."""

from dataclasses import replace

import pytest

from node_core.control_room.desk import (
    SELECTION_TIMEOUT_MS,
    ControlDesk,
    Member,
    SelectionExpired,
    Step,
    WrongStep,
)
from node_core.ledger.emergency_rules import SamePersonApproval
from node_core.ledger.endorsements import BadEndorsement
from node_core.ledger.exceptions import TradingHalted
from node_core.ledger.transactions import EmergencyAction, EmergencyKind, emergency_digest
from node_core.ledger.transition import validate_transaction
from tests.helpers.chain import CHAIN_ID, make_chain, signer_from_seed

AUTHORITY = signer_from_seed(1000).address
KEYS = {name: signer_from_seed(3000 + i)
        for i, name in enumerate(("somchai", "malee", "niran"))}
HALT_MEA = EmergencyAction(EmergencyKind.TRADING_HALT, "MEA", reason="frequency collapse")
SHED = EmergencyAction(EmergencyKind.LOAD_SHED, "PEA", stage=1, mw=300)
DEMAND = EmergencyAction(EmergencyKind.DEMAND_RESPONSE, "MEA", mw=200, duration_s=900)


def member(name: str) -> Member:
    return Member(name, KEYS[name].public_key)


def digest(action: EmergencyAction) -> bytes:
    return emergency_digest(CHAIN_ID, AUTHORITY, action)


def endorsement(desk: ControlDesk, selection_id: int, name: str) -> bytes:
    """``name`` signs the order of the selection, as their console does."""
    action = next(s.action for s in desk.selections(0) if s.selection_id == selection_id)
    return KEYS[name].sign(digest(action))


@pytest.fixture
def desk():
    submitted = []

    def submit(action):
        submitted.append(action)
        return f"{len(submitted):064x}"

    desk = ControlDesk(submit, digest)
    desk.submitted = submitted
    return desk


def operate(desk, selection_id, name, now):
    return desk.operate(selection_id, member(name), endorsement(desk, selection_id, name), now)


def approve(desk, selection_id, name, now):
    return desk.approve(selection_id, member(name), endorsement(desk, selection_id, name), now)


def test_non_critical_action_is_submitted_on_operate_with_the_operators_endorsement(desk):
    selection = desk.select(member("somchai"), DEMAND, 0)
    assert selection.step == Step.SELECTED and "200 MW reduction" in selection.consequence()
    operated = operate(desk, selection.selection_id, "somchai", 1000)
    assert operated.step == Step.SUBMITTED
    [action] = desk.submitted
    assert action.operated_by.public_key == KEYS["somchai"].public_key
    assert action.selected_ms == 0


def test_critical_action_needs_another_supervisors_approval(desk):
    selection = desk.select(member("somchai"), HALT_MEA, 0)
    waiting = operate(desk, selection.selection_id, "somchai", 5_000)
    assert waiting.step == Step.AWAITING_APPROVAL and desk.submitted == []
    approved = approve(desk, selection.selection_id, "malee", 9_000)
    assert approved.step == Step.SUBMITTED
    [action] = desk.submitted
    assert action.approved_by.public_key == KEYS["malee"].public_key
    assert desk.record_final(approved.tx_hash, 42).outcome == "final in block 42"


def test_nobody_approves_their_own_selection(desk):
    selection = desk.select(member("malee"), SHED, 0)
    operate(desk, selection.selection_id, "malee", 100)
    with pytest.raises(SamePersonApproval, match="two-person rule"):
        approve(desk, selection.selection_id, "malee", 200)
    assert approve(desk, selection.selection_id, "niran", 300).step == Step.SUBMITTED


def test_an_endorsement_of_something_else_is_refused(desk):
    selection = desk.select(member("somchai"), SHED, 0)
    other = KEYS["somchai"].sign(digest(replace(SHED, mw=1, selected_ms=0)))
    with pytest.raises(BadEndorsement):
        desk.operate(selection.selection_id, member("somchai"), other, 10)
    assert desk.selections(20)[0].step == Step.SELECTED


def test_a_selection_older_than_30_s_cannot_be_operated(desk):
    selection = desk.select(member("somchai"), DEMAND, 0)
    with pytest.raises(SelectionExpired, match="select the action again"):
        operate(desk, selection.selection_id, "somchai", SELECTION_TIMEOUT_MS + 1)
    assert desk.selections(SELECTION_TIMEOUT_MS + 2)[0].step == Step.EXPIRED
    assert desk.submitted == []


def test_only_the_selecting_operator_operates(desk):
    selection = desk.select(member("somchai"), DEMAND, 0)
    with pytest.raises(WrongStep):
        operate(desk, selection.selection_id, "malee", 10)


def test_cancel_at_any_step_before_submission(desk):
    first = desk.select(member("somchai"), HALT_MEA, 0)
    assert desk.cancel(first.selection_id, member("somchai"), 10).step == Step.CANCELLED
    second = desk.select(member("somchai"), HALT_MEA, 20)
    operate(desk, second.selection_id, "somchai", 30)
    assert desk.cancel(second.selection_id, member("malee"), 40).step == Step.CANCELLED
    with pytest.raises(WrongStep, match="cancelled"):
        operate(desk, second.selection_id, "somchai", 50)
    assert desk.submitted == []


# --- what a final halt does ------------------------------------------------------------------


def test_a_halt_rejects_trades_in_that_region_until_resumed():
    chain = make_chain()
    chain.extend([chain.emergency(HALT_MEA)])
    assert chain.state.trading_halted("MEA") and not chain.state.trading_halted("PEA")
    with pytest.raises(TradingHalted, match="MEA is halted"):
        validate_transaction(chain.state, chain.trade(0, 1, 1000, region="MEA"))
    validate_transaction(chain.state, chain.trade(0, 1, 1000, region="PEA", nonce=0))
    resume = EmergencyAction(EmergencyKind.TRADING_RESUME, "MEA")
    chain.extend([chain.emergency(resume, authority=1)])
    validate_transaction(chain.state, chain.trade(0, 1, 1000, region="MEA", nonce=0))


def test_a_halted_region_makes_a_block_with_such_a_trade_invalid():
    chain = make_chain()
    chain.extend([chain.emergency(EmergencyAction(EmergencyKind.TRADING_HALT, "ALL"))])
    built = chain.propose([chain.trade(0, 1, 1000, region="PEA")])
    assert built.transactions == ()


def test_two_selections_of_the_same_action_in_one_millisecond_are_two_orders(desk):
    """An order's endorsement is carried once on the chain (EndorsementReused): the second
    selection of the same action must not endorse the same order as the first."""
    first = desk.select(member("somchai"), SHED, 5_000)
    second = desk.select(member("niran"), SHED, 5_000)
    assert second.action.selected_ms > first.action.selected_ms
    assert digest(first.action) != digest(second.action)
