"""Rules, deadband, on/off delays, shelve expiry, operator checks, events and sinks."""

import pytest

from node_core.control_room.alarms import (
    SYSTEM,
    AlarmArea,
    AlarmEngine,
    AlarmIdConflict,
    AlarmInputs,
    AlarmState,
    AlarmThresholds,
    ConditionFilter,
    EventHistoryTruncated,
    InvalidShelveDuration,
    InvalidThresholds,
    MissingOperator,
    MissingReason,
    Priority,
    Trigger,
    UnknownAlarm,
)
from tests.node_core.control_room.alarms.helpers import CRITICAL, HIGH, SHELVE_MS, T0, Driver

S = AlarmState


def freq(engine, hz, t):
    return engine.evaluate(AlarmInputs(frequency_hz=hz), t)


# ----- deadband ------------------------------------------------------------------------------


def test_deadband_holds_an_alarm_until_the_value_is_back_inside_limit_minus_deadband():
    driver = Driver()
    driver.run("f50.25")
    assert driver.engine.alarm(HIGH).active
    driver.run("f50.19")  # deviation 0.19 >= 0.2 - 0.02: still active
    assert driver.engine.alarm(HIGH).active
    driver.run("f49.81")  # below nominal counts the same
    assert driver.engine.alarm(HIGH).active
    driver.run("f50.17")
    assert not driver.engine.alarm(HIGH).active
    assert driver.state() == S.RTN_UNACK


def test_a_value_chattering_around_the_limit_alarms_once():
    driver = Driver()
    events = [e for hz in (50.21, 50.19, 50.21, 50.185, 50.205) for e in driver.run(f"f{hz}")]
    assert [(e.alarm_id, e.trigger) for e in events] == [(HIGH, Trigger.ALARM)]


# ----- delays ------------------------------------------------------------------------------


def delayed():
    return AlarmEngine(AlarmThresholds(frequency=ConditionFilter(0.02, 1000, 5000)))


def test_on_delay_activates_only_after_the_condition_held():
    engine = delayed()
    assert freq(engine, 50.3, T0) == []
    assert engine.next_due_ms() == T0 + 1000
    assert engine.tick(T0 + 999) == []
    events = engine.tick(T0 + 1000)
    assert [(e.alarm_id, e.new_state, e.time_ms) for e in events] == [
        (HIGH, S.UNACK_ACTIVE, T0 + 1000)]
    assert engine.next_due_ms() is None


def test_a_transient_shorter_than_the_on_delay_never_alarms():
    engine = delayed()
    freq(engine, 50.3, T0)
    freq(engine, 50.0, T0 + 500)
    assert engine.tick(T0 + 10_000) == []
    assert engine.alarms() == []


def test_off_delay_clears_only_after_the_condition_stayed_away():
    engine = delayed()
    freq(engine, 50.3, T0)
    engine.tick(T0 + 1000)
    freq(engine, 50.0, T0 + 2000)
    freq(engine, 50.3, T0 + 4000)  # back before the off-delay: no clear
    assert engine.tick(T0 + 9000) == []
    freq(engine, 50.0, T0 + 10_000)
    assert engine.tick(T0 + 14_999) == []
    events = engine.tick(T0 + 15_000)
    assert [(e.alarm_id, e.trigger) for e in events] == [(HIGH, Trigger.CLEAR)]


# ----- shelving ------------------------------------------------------------------------------


def test_shelve_expiry_returns_an_active_alarm_unacknowledged():
    driver = Driver()
    driver.run("f50.3", "ack", "shelve")
    shelf = driver.engine.alarm(HIGH).shelf
    assert shelf is not None and shelf.until_ms == driver.now + SHELVE_MS
    assert shelf.reason == "sensor work" and shelf.operator == "somchai"
    assert driver.engine.tick(shelf.until_ms - 1) == []
    events = driver.engine.tick(shelf.until_ms)
    assert [(e.old_state, e.new_state, e.trigger, e.operator) for e in events] == [
        (S.SHELVED, S.UNACK_ACTIVE, Trigger.SHELVE_EXPIRED, SYSTEM)]
    assert driver.engine.alarm(HIGH).shelf is None


def test_shelve_expiry_returns_a_normal_alarm_to_normal():
    driver = Driver()
    driver.run("f50.3", "shelve", "f50.0", "expire")
    assert driver.state() == S.NORMAL
    assert driver.engine.alarms() == []


def test_the_shelve_event_carries_reason_and_expiry():
    driver = Driver()
    (event,) = driver.run("f50.3", "shelve")
    assert (event.reason, event.until_ms, event.operator) == (
        "sensor work", driver.now + SHELVE_MS, "somchai")


@pytest.mark.parametrize(("reason", "duration", "error"), [
    ("", 1000, MissingReason), ("  ", 1000, MissingReason),
    ("x", 0, InvalidShelveDuration), ("x", 8 * 3_600_000 + 1, InvalidShelveDuration)])
def test_shelve_needs_a_reason_and_a_bounded_duration(reason, duration, error):
    driver = Driver()
    driver.run("f50.3")
    with pytest.raises(error):
        driver.engine.shelve(HIGH, "somchai", reason, duration, driver.now)


def test_operator_actions_need_an_operator_and_a_known_alarm():
    driver = Driver()
    driver.run("f50.3")
    with pytest.raises(MissingOperator):
        driver.engine.acknowledge(HIGH, " ", driver.now)
    with pytest.raises(UnknownAlarm):
        driver.engine.acknowledge("nope", "somchai", driver.now)
    with pytest.raises(MissingReason):
        driver.engine.set_out_of_service(HIGH, "somchai", "", driver.now)


def test_acknowledge_all_skips_acknowledged_ones_and_rejects_unknown_ids():
    driver = Driver()
    driver.run("f50.6", "f50.3")  # critical RTN_UNACK, high UNACK
    with pytest.raises(UnknownAlarm):
        driver.engine.acknowledge_all([HIGH, "nope"], "somchai", driver.now)
    assert driver.state(HIGH) == S.UNACK_ACTIVE
    events = driver.engine.acknowledge_all([HIGH, CRITICAL, HIGH], "somchai", driver.now)
    assert [(e.alarm_id, e.new_state) for e in events] == [
        (HIGH, S.ACK_ACTIVE), (CRITICAL, S.NORMAL)]


# ----- rules ------------------------------------------------------------------------------


def instant():
    zero = ConditionFilter()
    return AlarmEngine(AlarmThresholds(frequency=zero, voltage=zero, consensus=zero,
                                       peer=zero, hsm=zero))


def states(engine):
    return {a.alarm_id: (a.priority, a.state) for a in engine.alarms()}


def test_voltage_outside_5_percent_is_medium_and_10_percent_critical():
    engine = instant()
    engine.evaluate(AlarmInputs(voltages={"EGAT-BSI-500": (526.0, 500.0, "EGAT"),
                                          "MEA-BKN-115": (101.0, 115.0, "MEA"),
                                          "PEA-KKN-115": (115.0, 115.0, "PEA")}), T0)
    assert states(engine) == {
        "voltage.EGAT-BSI-500.medium": (Priority.MEDIUM, S.UNACK_ACTIVE),
        "voltage.MEA-BKN-115.medium": (Priority.MEDIUM, S.SUPPRESSED_BY_DESIGN),
        "voltage.MEA-BKN-115.critical": (Priority.CRITICAL, S.UNACK_ACTIVE)}
    alarm = engine.alarm("voltage.MEA-BKN-115.critical")
    assert alarm.area == AlarmArea("MEA", "MEA-BKN-115") and alarm.value == 101.0
    assert "-12.2 %" in alarm.message


def test_node_health_rules():
    engine = instant()
    engine.evaluate(AlarmInputs(consensus_health=0.75, peers={"MEA": False, "PEA": True},
                                hsm_present=False, last_final_ms=T0 - 6_000,
                                block_interval_ms=1000, authority="EGAT"), T0)
    assert states(engine) == {
        "consensus.health": (Priority.HIGH, S.UNACK_ACTIVE),
        "peer.MEA": (Priority.HIGH, S.UNACK_ACTIVE),
        "hsm.token": (Priority.CRITICAL, S.UNACK_ACTIVE),
        "finality.stalled": (Priority.HIGH, S.UNACK_ACTIVE)}
    assert engine.alarm("peer.MEA").area.region == "MEA"
    assert engine.alarm("hsm.token").area.region == "EGAT"
    assert engine.alarm("consensus.health").message.startswith("Consensus failure")


def test_finality_within_five_intervals_is_normal():
    engine = instant()
    engine.evaluate(AlarmInputs(last_final_ms=T0 - 5_000, block_interval_ms=1000), T0)
    assert engine.alarms() == []


def test_missing_readings_keep_the_condition():
    engine = instant()
    engine.evaluate(AlarmInputs(frequency_hz=50.3, hsm_present=False), T0)
    engine.evaluate(AlarmInputs(), T0 + 1000)
    assert engine.alarm(HIGH).active and engine.alarm("hsm.token").active


def test_peer_on_delay_rides_through_a_quick_reconnect():
    engine = AlarmEngine()
    engine.evaluate(AlarmInputs(peers={"PEA": False}), T0)
    engine.evaluate(AlarmInputs(peers={"PEA": True}), T0 + 3000)
    assert engine.tick(T0 + 60_000) == []


def test_changed_thresholds_apply_from_the_next_evaluation():
    engine = instant()
    engine.evaluate(AlarmInputs(frequency_hz=50.3), T0)
    engine.set_thresholds(AlarmThresholds(frequency_high_hz=0.4, frequency=ConditionFilter()))
    engine.evaluate(AlarmInputs(frequency_hz=50.3), T0 + 1000)
    assert engine.alarm(HIGH).state == S.RTN_UNACK


@pytest.mark.parametrize("changes", [
    {"frequency_high_hz": 0.5}, {"voltage_medium_pct": 0}, {"consensus_health_min": 1.5},
    {"max_shelve_ms": 0}, {"peer": ConditionFilter(on_delay_ms=-1)}])
def test_inconsistent_thresholds_are_refused(changes):
    with pytest.raises(InvalidThresholds):
        AlarmThresholds(**changes)


# ----- external alarms ------------------------------------------------------------------------


def test_external_alarms_raise_and_clear_without_delay():
    engine = AlarmEngine()
    (event,) = engine.raise_external("pubsub.grid-alerts.42", Priority.LOW, "PEA",
                                     "Feeder trip reported", T0)
    assert (event.kind, event.priority, event.area, event.new_state) == (
        "external", Priority.LOW, AlarmArea("PEA"), S.UNACK_ACTIVE)
    assert engine.raise_external("pubsub.grid-alerts.42", "low", "PEA", "again", T0) == []
    (event,) = engine.clear_external("pubsub.grid-alerts.42", T0 + 1000)
    assert event.new_state == S.RTN_UNACK


def test_external_and_rule_ids_do_not_mix():
    engine = instant()
    engine.evaluate(AlarmInputs(frequency_hz=50.3), T0)
    with pytest.raises(AlarmIdConflict):
        engine.raise_external(HIGH, Priority.LOW, "EGAT", "x", T0)
    with pytest.raises(AlarmIdConflict):
        engine.clear_external(HIGH, T0)


# ----- events ------------------------------------------------------------------------------


def test_events_are_numbered_kept_and_sent_to_the_sink():
    driver = Driver()
    driver.run("f50.3", "ack", "f50.6")
    seqs = [e.seq for e in driver.sink.events]
    assert seqs == list(range(1, len(seqs) + 1))
    assert driver.engine.events() == driver.sink.events
    assert driver.engine.events(since_seq=2) == driver.sink.events[2:]
    assert driver.engine.last_seq == seqs[-1]


def test_a_consumer_too_far_behind_is_told():
    engine = AlarmEngine(AlarmThresholds(frequency=ConditionFilter()), history=3)
    for i in range(4):
        freq(engine, 50.3 if i % 2 == 0 else 50.0, T0 + i * 1000)
    assert [e.seq for e in engine.events(since_seq=1)] == [2, 3, 4]
    with pytest.raises(EventHistoryTruncated):
        engine.events(since_seq=0)


def test_dict_shapes():
    driver = Driver()
    (event,) = driver.run("f50.3")
    assert event.to_dict() == {
        "seq": 1, "time_ms": driver.now, "alarm_id": HIGH, "kind": "frequency",
        "priority": "high", "region": "EGAT", "substation": None, "old_state": "normal",
        "new_state": "unack_active", "trigger": "alarm", "value": 50.3, "operator": "system",
        "message": event.message, "reason": None, "until_ms": None}
    driver.run("shelve")
    alarm = driver.engine.alarm(HIGH).to_dict()
    assert alarm["state"] == "shelved" and alarm["shelved_by"] == "somchai"
    assert alarm["shelved_until_ms"] == driver.now + SHELVE_MS
    assert set(alarm) == {
        "alarm_id", "kind", "priority", "region", "substation", "state", "active", "value",
        "message", "since_ms", "active_since_ms", "shelved_by", "shelve_reason",
        "shelved_until_ms", "out_of_service_by", "out_of_service_reason"}
