"""The alarm history store: every event of an engine, kept across reopening, by time window."""

import time

import pytest

from node_core.control_room.alarm_history import AlarmHistory, InvalidHistoryQuery
from node_core.control_room.alarms import AlarmEngine, AlarmInputs, Priority

T0 = 1_764_000_000_000


def flood(engine: AlarmEngine, history: AlarmHistory, minutes: int = 1) -> int:
    """1,000 alarm events a minute from external alarms, flushed once a second as the node
    does; returns the number of events."""
    produced = 0
    for second in range(60 * minutes):
        now = T0 + second * 1000
        for i in range(17):
            alarm_id = f"feeder.{second % 30}.{i}"
            if second < 30:
                produced += len(engine.raise_external(alarm_id, Priority.LOW, "PEA", "trip",
                                                      now))
            else:
                produced += len(engine.clear_external(alarm_id, now))
        history.flush()
    return produced


def test_a_flood_is_stored_whole_at_little_cost(tmp_path) -> None:
    history = AlarmHistory.open(tmp_path / "h.sqlite3", session_ms=T0)
    engine = AlarmEngine(sink=history)
    began = time.perf_counter()
    produced = flood(engine, history)
    spent = time.perf_counter() - began
    assert produced >= 1000 and history.count() == produced
    assert spent < 2.0, f"{produced} events cost {spent:.2f} s"  # measured ≈ 0.02 s
    stored = history.query(limit=100_000).events
    assert [e["seq"] for e in stored] == list(range(1, produced + 1))
    history.close()


def test_events_survive_reopening_and_keep_their_session(tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    history = AlarmHistory.open(path, session_ms=T0)
    engine = AlarmEngine(sink=history)
    engine.evaluate(AlarmInputs(frequency_hz=49.4), T0)
    engine.evaluate(AlarmInputs(frequency_hz=49.4), T0 + 1500)
    kept = [e.to_dict() for e in engine.events()]
    history.close()  # writes what is still buffered

    again = AlarmHistory.open(path, session_ms=T0 + 60_000)
    AlarmEngine(sink=again).raise_external("x", Priority.LOW, "MEA", "later", T0 + 60_000)
    events = again.query().events
    assert [{k: v for k, v in e.items() if k != "session_ms"} for e in events[:-1]] == kept
    assert {e["session_ms"] for e in events} == {T0, T0 + 60_000}
    assert [e["seq"] for e in events] == [*range(1, len(kept) + 1), 1]
    inside = again.query(since_ms=T0 + 1000, until_ms=T0 + 2000).events
    assert inside and all(T0 + 1000 <= e["time_ms"] <= T0 + 2000 for e in inside)
    again.close()


def test_a_query_over_the_limit_says_so(tmp_path) -> None:
    history = AlarmHistory.open(tmp_path / "h.sqlite3", session_ms=T0)
    engine = AlarmEngine(sink=history)
    for i in range(5):
        engine.raise_external(f"a{i}", Priority.LOW, "MEA", "x", T0 + i)
    page = history.query(limit=3)
    assert [e["alarm_id"] for e in page.events] == ["a0", "a1", "a2"] and page.truncated
    assert not history.query(limit=5).truncated
    history.close()


@pytest.mark.parametrize(("window", "message"), [
    ({"since_ms": 10, "until_ms": 5}, "ends .5. before it starts .10.: swap"),
    ({"limit": 0}, "limit must be within 1..100000, not 0"),
])
def test_bad_queries_say_what_is_wrong(tmp_path, window, message) -> None:
    history = AlarmHistory.open(tmp_path / "h.sqlite3", session_ms=T0)
    with pytest.raises(InvalidHistoryQuery, match=message):
        history.query(**window)
    history.close()
