"""Every entry of the ISA-18.2 transition table, driven through the engine; illegal moves."""

import pytest

from node_core.control_room.alarms import (
    TRANSITIONS,
    AlarmState,
    IllegalTransition,
    Trigger,
    check_transition,
    replay,
)
from tests.node_core.control_room.alarms.helpers import CRITICAL, HIGH, Driver

S, T = AlarmState, Trigger

# (old, trigger, new): steps on frequency.high; the last step makes the move.
RECIPES = {
    (S.NORMAL, T.ALARM, S.UNACK_ACTIVE): ["f50.0", "f50.3"],
    (S.NORMAL, T.SHELVE, S.SHELVED): ["f50.0", "shelve"],
    (S.NORMAL, T.SUPPRESS, S.SUPPRESSED_BY_DESIGN): ["f50.0", "f50.6"],
    (S.NORMAL, T.REMOVE_FROM_SERVICE, S.OUT_OF_SERVICE): ["f50.0", "oos"],
    (S.UNACK_ACTIVE, T.ACKNOWLEDGE, S.ACK_ACTIVE): ["f50.3", "ack"],
    (S.UNACK_ACTIVE, T.CLEAR, S.RTN_UNACK): ["f50.3", "f50.0"],
    (S.UNACK_ACTIVE, T.SHELVE, S.SHELVED): ["f50.3", "shelve"],
    (S.UNACK_ACTIVE, T.SUPPRESS, S.SUPPRESSED_BY_DESIGN): ["f50.3", "f50.6"],
    (S.UNACK_ACTIVE, T.REMOVE_FROM_SERVICE, S.OUT_OF_SERVICE): ["f50.3", "oos"],
    (S.ACK_ACTIVE, T.CLEAR, S.NORMAL): ["f50.3", "ack", "f50.0"],
    (S.ACK_ACTIVE, T.SHELVE, S.SHELVED): ["f50.3", "ack", "shelve"],
    (S.ACK_ACTIVE, T.SUPPRESS, S.SUPPRESSED_BY_DESIGN): ["f50.3", "ack", "f50.6"],
    (S.ACK_ACTIVE, T.REMOVE_FROM_SERVICE, S.OUT_OF_SERVICE): ["f50.3", "ack", "oos"],
    (S.RTN_UNACK, T.ACKNOWLEDGE, S.NORMAL): ["f50.3", "f50.0", "ack"],
    (S.RTN_UNACK, T.ALARM, S.UNACK_ACTIVE): ["f50.3", "f50.0", "f50.3"],
    (S.RTN_UNACK, T.SHELVE, S.SHELVED): ["f50.3", "f50.0", "shelve"],
    (S.RTN_UNACK, T.SUPPRESS, S.SUPPRESSED_BY_DESIGN): ["f50.3", "f50.0", "f50.6"],
    (S.RTN_UNACK, T.REMOVE_FROM_SERVICE, S.OUT_OF_SERVICE): ["f50.3", "f50.0", "oos"],
    (S.SHELVED, T.UNSHELVE, S.NORMAL): ["f50.3", "shelve", "f50.0", "unshelve"],
    (S.SHELVED, T.UNSHELVE, S.UNACK_ACTIVE): ["f50.0", "shelve", "f50.3", "unshelve"],
    (S.SHELVED, T.UNSHELVE, S.SUPPRESSED_BY_DESIGN): ["f50.0", "shelve", "f50.6", "unshelve"],
    (S.SHELVED, T.SHELVE_EXPIRED, S.NORMAL): ["f50.3", "shelve", "f50.0", "expire"],
    (S.SHELVED, T.SHELVE_EXPIRED, S.UNACK_ACTIVE): ["f50.0", "shelve", "f50.3", "expire"],
    (S.SHELVED, T.SHELVE_EXPIRED, S.SUPPRESSED_BY_DESIGN): ["f50.0", "shelve", "f50.6",
                                                            "expire"],
    (S.SHELVED, T.REMOVE_FROM_SERVICE, S.OUT_OF_SERVICE): ["f50.0", "shelve", "oos"],
    (S.SUPPRESSED_BY_DESIGN, T.UNSUPPRESS, S.NORMAL): ["f50.6", "f50.0"],
    (S.SUPPRESSED_BY_DESIGN, T.UNSUPPRESS, S.UNACK_ACTIVE): ["f50.6", "f50.3"],
    (S.SUPPRESSED_BY_DESIGN, T.REMOVE_FROM_SERVICE, S.OUT_OF_SERVICE): ["f50.6", "oos"],
    (S.OUT_OF_SERVICE, T.RETURN_TO_SERVICE, S.NORMAL): ["f50.3", "oos", "f50.0", "rts"],
    (S.OUT_OF_SERVICE, T.RETURN_TO_SERVICE, S.UNACK_ACTIVE): ["f50.0", "oos", "f50.3", "rts"],
    (S.OUT_OF_SERVICE, T.RETURN_TO_SERVICE, S.SUPPRESSED_BY_DESIGN): ["f50.0", "oos", "f50.6",
                                                                      "rts"],
}


def test_the_recipes_cover_the_whole_table():
    table = {(old, trig, new) for (old, trig), targets in TRANSITIONS.items() for new in targets}
    assert set(RECIPES) == table


@pytest.mark.parametrize(("move", "steps"), RECIPES.items(),
                         ids=[f"{o}-{t}-{n}" for o, t, n in RECIPES])
def test_each_transition(move, steps):
    driver = Driver()
    events = [e for e in driver.run(*steps) if e.alarm_id == HIGH]
    assert [(e.old_state, e.trigger, e.new_state) for e in events] == [move]
    assert driver.state() == move[2]
    assert replay(driver.sink.events)[HIGH] == move[2]


OPERATOR_TRIGGERS = {T.ACKNOWLEDGE: "ack", T.SHELVE: "shelve", T.UNSHELVE: "unshelve",
                     T.REMOVE_FROM_SERVICE: "oos", T.RETURN_TO_SERVICE: "rts"}
INTO = {S.NORMAL: ["f50.0"], S.UNACK_ACTIVE: ["f50.3"], S.ACK_ACTIVE: ["f50.3", "ack"],
        S.RTN_UNACK: ["f50.3", "f50.0"], S.SHELVED: ["f50.3", "shelve"],
        S.SUPPRESSED_BY_DESIGN: ["f50.6"], S.OUT_OF_SERVICE: ["f50.3", "oos"]}
ILLEGAL = [(state, trigger) for state in S for trigger in OPERATOR_TRIGGERS
           if (state, trigger) not in TRANSITIONS]


@pytest.mark.parametrize(("state", "trigger"), ILLEGAL, ids=[f"{s}-{t}" for s, t in ILLEGAL])
def test_an_illegal_operator_action_raises_and_changes_nothing(state, trigger):
    driver = Driver()
    driver.run(*INTO[state])
    assert driver.state() == state
    before = driver.engine.last_seq
    with pytest.raises(IllegalTransition, match=f"alarm {HIGH}: cannot {trigger}"):
        driver.run(OPERATOR_TRIGGERS[trigger])
    assert driver.state() == state
    assert driver.engine.last_seq == before


def test_check_transition_refuses_moves_outside_the_table():
    with pytest.raises(IllegalTransition):
        check_transition("x", S.NORMAL, T.CLEAR, S.NORMAL)
    with pytest.raises(IllegalTransition):
        check_transition("x", S.ACK_ACTIVE, T.ALARM, S.UNACK_ACTIVE)
    assert check_transition("x", S.NORMAL, T.ALARM, S.UNACK_ACTIVE) is S.UNACK_ACTIVE


def test_critical_suppresses_high_and_releases_it():
    driver = Driver()
    driver.run("f50.3", "f50.6")
    assert driver.state(HIGH) == S.SUPPRESSED_BY_DESIGN
    assert driver.state(CRITICAL) == S.UNACK_ACTIVE
    driver.run("f50.3")
    assert driver.state(CRITICAL) == S.RTN_UNACK
    assert driver.state(HIGH) == S.UNACK_ACTIVE


def test_an_out_of_service_critical_does_not_suppress():
    driver = Driver()
    driver.run("f50.6", "oos", alarm_id=CRITICAL)
    assert driver.state(HIGH) == S.UNACK_ACTIVE
    driver.run("rts", alarm_id=CRITICAL)
    assert driver.state(HIGH) == S.SUPPRESSED_BY_DESIGN
