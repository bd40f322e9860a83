"""Hypothesis: over random inputs, timers and operator actions no event is lost (the log
replayed gives every alarm's state) and only moves of the transition table happen."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node_core.control_room.alarms import (
    AlarmEngine,
    AlarmError,
    AlarmInputs,
    AlarmState,
    AlarmThresholds,
    ConditionFilter,
    Priority,
    replay,
)
from node_core.control_room.alarms.states import TRANSITIONS
from tests.node_core.control_room.alarms.helpers import T0, Sink

IDS = ["frequency.high", "frequency.critical", "voltage.EGAT-BSI-500.medium",
       "voltage.EGAT-BSI-500.critical", "peer.MEA", "hsm.token", "ext.1", "ext.2"]

inputs = st.builds(
    AlarmInputs,
    frequency_hz=st.none() | st.floats(49.2, 50.8),
    voltages=st.dictionaries(st.just("EGAT-BSI-500"), st.tuples(
        st.floats(430, 570), st.just(500.0), st.just("EGAT")), max_size=1),
    peers=st.dictionaries(st.just("MEA"), st.booleans(), max_size=1),
    hsm_present=st.none() | st.booleans(),
)
alarm_id = st.sampled_from(IDS)
actions = st.one_of(
    st.tuples(st.just("evaluate"), inputs),
    st.tuples(st.just("tick"), st.none()),
    st.tuples(st.just("ack"), alarm_id),
    st.tuples(st.just("ack_all"), st.lists(alarm_id, max_size=4)),
    st.tuples(st.just("shelve"), st.tuples(alarm_id, st.integers(1, 30_000))),
    st.tuples(st.just("unshelve"), alarm_id),
    st.tuples(st.just("oos"), alarm_id),
    st.tuples(st.just("rts"), alarm_id),
    st.tuples(st.just("raise"), st.tuples(st.sampled_from(["ext.1", "ext.2"]),
                                          st.sampled_from(list(Priority)))),
    st.tuples(st.just("clear"), st.sampled_from(["ext.1", "ext.2"])),
)
step = st.tuples(actions, st.integers(0, 4_000))

FILTERS = AlarmThresholds(
    frequency=ConditionFilter(0.02, 1000, 2000), voltage=ConditionFilter(0.5, 0, 1500),
    peer=ConditionFilter(0, 2000, 500), hsm=ConditionFilter(0, 0, 1000), max_shelve_ms=30_000)


def apply(engine, action, argument, now):
    op = "somchai"
    calls = {
        "evaluate": lambda: engine.evaluate(argument, now),
        "tick": lambda: engine.tick(now),
        "ack": lambda: engine.acknowledge(argument, op, now),
        "ack_all": lambda: engine.acknowledge_all(argument, op, now),
        "shelve": lambda: engine.shelve(argument[0], op, "test", argument[1], now),
        "unshelve": lambda: engine.unshelve(argument, op, now),
        "oos": lambda: engine.set_out_of_service(argument, op, "maintenance", now),
        "rts": lambda: engine.return_to_service(argument, op, now),
        "raise": lambda: engine.raise_external(argument[0], argument[1], "PEA", "x", now),
        "clear": lambda: engine.clear_external(argument, now),
    }
    return calls[action]()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, max_size=60))
def test_no_event_is_lost_and_only_legal_moves_happen(steps):
    sink = Sink()
    engine = AlarmEngine(FILTERS, sink=sink)
    returned, now = [], T0
    for (action, argument), dt in steps:
        now += dt
        before = engine.last_seq
        try:
            returned += apply(engine, action, argument, now)
        except AlarmError:
            assert engine.last_seq == before  # a refused action changes nothing
    assert returned == sink.events == engine.events()
    for event in sink.events:
        assert event.new_state in TRANSITIONS[event.old_state, event.trigger]
    final = {a.alarm_id: a.state for a in engine.alarms(include_normal=True)}
    replayed = replay(sink.events)
    assert {k: replayed.get(k, AlarmState.NORMAL) for k in final} == final
    assert set(replayed) <= set(final)
    for alarm in engine.alarms(include_normal=True):
        assert (alarm.shelf is not None) == (alarm.state is AlarmState.SHELVED)
        assert (alarm.out_of_service is not None) == (alarm.state is AlarmState.OUT_OF_SERVICE)
        if alarm.state in (AlarmState.UNACK_ACTIVE, AlarmState.ACK_ACTIVE):
            assert alarm.active
        if alarm.state in (AlarmState.NORMAL, AlarmState.RTN_UNACK):
            assert not alarm.active
