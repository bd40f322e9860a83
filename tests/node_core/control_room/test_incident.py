"""The incident record: a recorded devnet incident (generator trip → frequency dip → alarm →
operator acknowledges and sheds load under two-person approval → emergency action on chain)
merged from the real engine, desk, audit log and chain objects, and the replay cursor."""

from __future__ import annotations

from pathlib import Path

import pytest

from node_core.control_room.alarms import AlarmEngine, AlarmInputs, AlarmThresholds
from node_core.control_room.audit import AuditLog
from node_core.control_room.desk import ControlDesk, Member
from node_core.control_room.incident import (
    EventKind,
    IncidentRecord,
    ReplayCursor,
    block_view,
    build_incident,
    grid_event,
)
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
    Transaction,
    emergency_digest,
    sign_transaction,
)
from node_core.signers.file import FileSigner
from tests.helpers.chain import GENESIS_TIME, make_chain

T0 = GENESIS_TIME + 60_000
TRIP_MS = T0 + 10_000
SHED = EmergencyAction(EmergencyKind.LOAD_SHED, "PEA", stage=1, mw=300,
                       reason="under-frequency after generator trip")


def frequency_dip() -> list[tuple[int, float]]:
    """50 Hz, a trip at +10 s drops it to 49.35 Hz, recovering by +40 s (1 sample/s)."""
    out = []
    for i in range(60):
        t = T0 + i * 1000
        if t < TRIP_MS:
            hz = 50.0
        elif t < TRIP_MS + 5000:
            hz = 50.0 - 0.13 * ((t - TRIP_MS) // 1000 + 1)
        elif t < TRIP_MS + 30_000:
            hz = 49.35 + 0.65 * (t - TRIP_MS - 5000) / 25_000
        else:
            hz = 50.0
        out.append((t, round(hz, 3)))
    return out


def recorded_incident(tmp_path: Path) -> IncidentRecord:
    freq = frequency_dip()
    engine = AlarmEngine(AlarmThresholds())
    alarm_events = []
    for t, hz in freq:
        alarm_events += engine.evaluate(AlarmInputs(frequency_hz=hz), t)
        alarm_events += engine.tick(t)
    active = [e for e in alarm_events if e.new_state.name.startswith("UNACK")]
    assert active, "the dip raised no alarm"
    chain = make_chain()
    submitted: list[Transaction] = []

    def submit(action: EmergencyAction) -> str:
        tx = sign_transaction(Transaction(chain.genesis.chain_id, len(submitted),
                                          chain.authorities[0].public_key, action),
                              chain.authorities[0])
        submitted.append(tx)
        return tx.hash

    audit = AuditLog.open(tmp_path / "audit.sqlite3")
    ack_ms = active[0].time_ms + 4000
    alarm_events += engine.acknowledge_all([active[0].alarm_id], "operator1", ack_ms)
    audit.append(ack_ms, "operator1", "operator", "acknowledge", active[0].alarm_id, "ok")
    authority = chain.authorities[0].address

    def digest(action: EmergencyAction) -> bytes:
        return emergency_digest(chain.genesis.chain_id, authority, action)

    def person(name: str) -> tuple[Member, FileSigner]:
        key = chain.people[name]
        return Member(name, key.public_key), key

    desk = ControlDesk(submit, digest)
    (operator, operator_key), (supervisor, supervisor_key) = (person("operator1"),
                                                              person("supervisor1"))
    sel = desk.select(operator, SHED, ack_ms + 2000)
    audit.append(ack_ms + 2000, "operator1", "operator", "select", "load_shed", sel.step.value)
    sel = desk.operate(sel.selection_id, operator, operator_key.sign(digest(sel.action)),
                       ack_ms + 5000)
    audit.append(ack_ms + 5000, "operator1", "operator", "operate",
                 f"selection {sel.selection_id}", sel.step.value)
    sel = desk.approve(sel.selection_id, supervisor, supervisor_key.sign(digest(sel.action)),
                       ack_ms + 9000)
    audit.append(ack_ms + 9000, "supervisor1", "supervisor", "approve",
                 f"selection {sel.selection_id}", sel.step.value,
                 {"selection": sel.selection_id, "tx_hash": sel.tx_hash})
    assert submitted and sel.tx_hash == submitted[0].hash
    blocks = [chain.extend([], timestamp=T0 + 5000)]
    blocks.append(chain.extend([chain.transfer(0, 1, 100)], timestamp=TRIP_MS + 2000))
    blocks.append(chain.extend(submitted, timestamp=ack_ms + 10_000))
    actions = [e.to_record() for e in audit.entries()]
    audit.close()
    return build_incident(
        T0, T0 + 59_000, frequency=freq, alarms=alarm_events, actions=actions,
        blocks=[block_view(b) for b in blocks],
        extra=[grid_event(TRIP_MS, "generator_trip 1000 MW", "gridsim event")])


def test_recorded_incident_is_in_causal_order(tmp_path: Path) -> None:
    record = recorded_incident(tmp_path)
    times = [e.time_ms for e in record.events]
    assert times == sorted(times)
    kinds = [e.kind for e in record.events]
    first = {k: kinds.index(k) for k in EventKind if k in kinds}
    assert first[EventKind.GRID] < first[EventKind.ALARM] < first[EventKind.OPERATOR] \
        < first[EventKind.EMERGENCY]
    ops = [e.title for e in record.of_kind(EventKind.OPERATOR)]
    assert [o.split(": ")[1].split()[0] for o in ops] == ["acknowledge", "select", "operate",
                                                           "approve"]
    emergency = record.of_kind(EventKind.EMERGENCY)
    assert len(emergency) == 1 and "load shed PEA stage 1 300 MW" in emergency[0].title
    assert len(record.of_kind(EventKind.BLOCK)) == 3
    summary = record.summary()
    assert summary["frequency_min_hz"] == pytest.approx(49.35)
    assert summary["counts"]["operator"] == 4


def test_replay_passes_events_in_order(tmp_path: Path) -> None:
    record = recorded_incident(tmp_path)
    cursor = ReplayCursor.over(record, speed=60)
    cursor.play()
    seen: list[int] = []
    while cursor.playing:
        cursor.advance(50)  # 50 ms ticks at 60×: 3 s of incident per tick
        seen.append(record.passed(cursor.position_ms))
    assert seen == sorted(seen) and seen[-1] == len(record.events)
    assert cursor.at_end and cursor.position_ms == record.end_ms
    assert len(seen) == -(-record.duration_ms // 3000)


def test_cursor_math() -> None:
    cursor = ReplayCursor(1000, 11_000, speed=500)
    assert cursor.speed == 60
    cursor.set_speed(0.1)
    assert cursor.speed == 1
    cursor.advance(5000)
    assert cursor.position_ms == 1000  # paused: no movement
    cursor.play()
    assert cursor.advance(2500) == 3500
    cursor.seek_fraction(0.5)
    assert cursor.position_ms == 6000 and cursor.fraction == 0.5
    cursor.seek(99_999)
    assert cursor.at_end
    cursor.play()  # at the end, play starts over
    assert cursor.position_ms == 1000 and cursor.remaining_wall_ms() == 10_000


def test_window_filters_and_rejects_reversed() -> None:
    record = build_incident(100, 200, frequency=[(50, 50.0), (150, 49.9)],
                            actions=[{"time_ms": 250, "operator": "x", "action": "ack"}])
    assert record.frequency == ((150, 49.9),) and record.events == ()
    with pytest.raises(ValueError, match="before it starts"):
        IncidentRecord(10, 5)


def test_executed_proposal_at_its_block_time() -> None:
    blocks = [{"height": 7, "hash": "ab" * 32, "timestamp": 5000, "tx_count": 0}]
    record = build_incident(0, 10_000, blocks=blocks, proposals=[
        {"id": 3, "title": "raise gas", "status": "executed", "closed_height": 7,
         "action": "parameter_change"},
        {"id": 4, "title": "open", "status": "open", "closed_height": None}])
    gov = record.of_kind(EventKind.GOVERNANCE)
    assert [(e.time_ms, e.title) for e in gov] == [(5000, "proposal 3 executed: raise gas")]
