"""The control desk: select-before-operate, expiry, two-person approval, roles; and the
consensus rules of emergency actions (halts reject trades)."""

import pytest

from node_core.control_room.desk import (
    SELECTION_TIMEOUT_MS,
    ControlDesk,
    Role,
    RoleRefused,
    SelectionExpired,
    Step,
    WrongStep,
)
from node_core.ledger.exceptions import MalformedTransaction, TradingHalted
from node_core.ledger.governance import NotAnAuthority
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
    Transaction,
    sign_transaction,
)
from node_core.ledger.transition import validate_transaction
from tests.helpers.chain import make_chain

OPERATORS = {"somchai": Role.OPERATOR, "malee": Role.SUPERVISOR, "niran": Role.SUPERVISOR,
             "auditor1": Role.AUDITOR}
HALT_MEA = EmergencyAction(EmergencyKind.TRADING_HALT, "MEA", reason="frequency collapse")
SHED = EmergencyAction(EmergencyKind.LOAD_SHED, "PEA", stage=1, mw=300)
DEMAND = EmergencyAction(EmergencyKind.DEMAND_RESPONSE, "MEA", mw=200, duration_s=900)


@pytest.fixture
def desk():
    submitted = []

    def submit(action):
        submitted.append(action)
        return f"{len(submitted):064x}"

    desk = ControlDesk(OPERATORS, submit)
    desk.submitted = submitted
    return desk


def test_non_critical_action_is_submitted_on_operate(desk):
    selection = desk.select("somchai", DEMAND, 0)
    assert selection.step == Step.SELECTED and "200 MW reduction" in selection.consequence()
    operated = desk.operate(selection.selection_id, "somchai", 1000)
    assert operated.step == Step.SUBMITTED
    assert len(desk.submitted) == 1 and desk.submitted[0].operator == "somchai"


def test_critical_action_needs_another_supervisors_approval(desk):
    selection = desk.select("somchai", HALT_MEA, 0)
    waiting = desk.operate(selection.selection_id, "somchai", 5_000)
    assert waiting.step == Step.AWAITING_APPROVAL and desk.submitted == []
    approved = desk.approve(selection.selection_id, "malee", 9_000)
    assert approved.step == Step.SUBMITTED
    assert desk.submitted[0].operator == "somchai" and desk.submitted[0].approver == "malee"
    assert desk.record_final(approved.tx_hash, 42).outcome == "final in block 42"


def test_a_supervisor_cannot_approve_their_own_selection(desk):
    selection = desk.select("malee", SHED, 0)
    desk.operate(selection.selection_id, "malee", 100)
    with pytest.raises(RoleRefused, match="two-person rule"):
        desk.approve(selection.selection_id, "malee", 200)
    assert desk.approve(selection.selection_id, "niran", 300).step == Step.SUBMITTED


def test_an_operator_cannot_approve(desk):
    selection = desk.select("malee", SHED, 0)
    desk.operate(selection.selection_id, "malee", 100)
    with pytest.raises(RoleRefused, match="not a supervisor"):
        desk.approve(selection.selection_id, "somchai", 200)


def test_auditor_and_unknown_operator_are_refused(desk):
    with pytest.raises(RoleRefused, match="auditor"):
        desk.select("auditor1", HALT_MEA, 0)
    with pytest.raises(RoleRefused, match="not registered"):
        desk.select("mallory", HALT_MEA, 0)


def test_a_selection_older_than_30_s_cannot_be_operated(desk):
    selection = desk.select("somchai", DEMAND, 0)
    with pytest.raises(SelectionExpired, match="select the action again"):
        desk.operate(selection.selection_id, "somchai", SELECTION_TIMEOUT_MS + 1)
    assert desk.selections(SELECTION_TIMEOUT_MS + 2)[0].step == Step.EXPIRED
    assert desk.submitted == []


def test_only_the_selecting_operator_operates(desk):
    selection = desk.select("somchai", DEMAND, 0)
    with pytest.raises(WrongStep):
        desk.operate(selection.selection_id, "malee", 10)


def test_cancel_at_any_step_before_submission(desk):
    first = desk.select("somchai", HALT_MEA, 0)
    assert desk.cancel(first.selection_id, "somchai", 10).step == Step.CANCELLED
    second = desk.select("somchai", HALT_MEA, 20)
    desk.operate(second.selection_id, "somchai", 30)
    assert desk.cancel(second.selection_id, "malee", 40).step == Step.CANCELLED
    with pytest.raises(WrongStep, match="cancelled"):
        desk.operate(second.selection_id, "somchai", 50)
    assert desk.submitted == []


# --- consensus rules ------------------------------------------------------------------------


def emergency_tx(chain, action, signer):
    nonce = chain.state.account(signer.address).nonce
    return sign_transaction(Transaction(chain.genesis.chain_id, nonce, signer.public_key,
                                        action), signer)


def test_a_halt_rejects_trades_in_that_region_until_resumed():
    chain = make_chain()
    halt = EmergencyAction(EmergencyKind.TRADING_HALT, "MEA", operator="somchai",
                           approver="malee")
    chain.extend([emergency_tx(chain, halt, chain.authorities[0])])
    assert chain.state.trading_halted("MEA") and not chain.state.trading_halted("PEA")
    with pytest.raises(TradingHalted, match="MEA is halted"):
        validate_transaction(chain.state, chain.trade(0, 1, 1000, region="MEA"))
    validate_transaction(chain.state, chain.trade(0, 1, 1000, region="PEA", nonce=0))
    resume = EmergencyAction(EmergencyKind.TRADING_RESUME, "MEA", operator="somchai")
    chain.extend([emergency_tx(chain, resume, chain.authorities[1])])
    validate_transaction(chain.state, chain.trade(0, 1, 1000, region="MEA", nonce=0))


def test_a_halted_region_makes_a_block_with_such_a_trade_invalid():
    chain = make_chain()
    halt = EmergencyAction(EmergencyKind.TRADING_HALT, "ALL", operator="a", approver="b")
    chain.extend([emergency_tx(chain, halt, chain.authorities[0])])
    built = chain.propose([chain.trade(0, 1, 1000, region="PEA")])
    assert built.transactions == ()


def test_emergency_actions_are_signed_by_authorities_only():
    chain = make_chain()
    action = EmergencyAction(EmergencyKind.DEMAND_RESPONSE, "MEA", mw=5, duration_s=60,
                             operator="x")
    with pytest.raises(NotAnAuthority, match="signed by an authority"):
        validate_transaction(chain.state, emergency_tx(chain, action, chain.prosumers[0]))


def test_a_critical_action_without_a_second_person_is_malformed():
    chain = make_chain()
    halt = EmergencyAction(EmergencyKind.TRADING_HALT, "MEA", operator="somchai",
                           approver="somchai")
    with pytest.raises(MalformedTransaction, match="another person"):
        validate_transaction(chain.state, emergency_tx(chain, halt, chain.authorities[0]))
