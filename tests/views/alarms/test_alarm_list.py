"""AlarmList / AlarmTableModel / AlarmBanner: rows from events, filters, intents, blink, flood."""

import time

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QColor

from node_core.control_room.alarms import (
    AlarmEngine,
    AlarmInputs,
    AlarmThresholds,
    ConditionFilter,
    Priority,
)
from views.alarms.alarm_banner import AlarmBanner
from views.alarms.alarm_list import AlarmList
from views.alarms.alarm_model import (
    ALARM_ID_ROLE,
    BLINKING_ROLE,
    PRIORITY,
    STATE,
    TIME,
    UNACKNOWLEDGED,
)
from views.charts.palette import palette_for, priority_colour

T0 = 1_764_086_400_000
"""2025-11-25 23:00:00 Bangkok."""


@pytest.fixture
def engine():
    zero = ConditionFilter()
    return AlarmEngine(AlarmThresholds(frequency=ConditionFilter(0.02, 0, 0), voltage=zero,
                                       peer=zero))


@pytest.fixture
def alarm_list(qtbot):
    widget = AlarmList()
    qtbot.addWidget(widget)
    widget.resize(1200, 500)
    widget.set_permitted(True)  # an operator is logged in
    return widget


def disturbance(engine):
    events = engine.evaluate(AlarmInputs(
        frequency_hz=49.7, peers={"PEA": False},
        voltages={"EGAT-SRT-500": (470.0, 500.0, "EGAT"),
                  "MEA-BKN-115": (100.0, 115.0, "MEA")}), T0)
    events += engine.raise_external("ext.feeder", Priority.LOW, "PEA", "Feeder trip", T0 + 500)
    return [e.to_dict() for e in events]


def shown(widget):
    return widget.proxy.alarm_ids()


def test_events_build_rows_sorted_by_priority(alarm_list, engine):
    alarm_list.on_alarm_events(disturbance(engine))
    ids = shown(alarm_list)
    assert ids[0] == "voltage.MEA-BKN-115.critical" and ids[-1] == "ext.feeder"
    assert set(ids) == {a.alarm_id for a in engine.alarms()}
    row = alarm_list.model.row_of("frequency.high")
    assert alarm_list.model.index(row, TIME).data() == "2025-11-25 23:00:00"
    assert alarm_list.model.index(row, STATE).data() == "Unacknowledged"


def test_incremental_events_match_a_full_refresh(alarm_list, engine, qtbot):
    events = disturbance(engine)
    events += [e.to_dict() for e in engine.acknowledge("peer.PEA", "somchai", T0 + 1000)]
    events += [e.to_dict() for e in engine.shelve("frequency.high", "somchai", "test",
                                                  60_000, T0 + 2000)]
    events += [e.to_dict() for e in engine.evaluate(AlarmInputs(peers={"PEA": True}),
                                                    T0 + 3000)]
    alarm_list.on_alarm_events(events)
    incremental = {i: alarm_list.model.alarm(alarm_list.model.row_of(i))["state"]
                   for i in alarm_list.model.alarm_ids()}
    other = AlarmList()
    qtbot.addWidget(other)
    other.on_alarms([a.to_dict() for a in engine.alarms()])
    full = {i: other.model.alarm(other.model.row_of(i))["state"] for i in other.model.alarm_ids()}
    assert incremental == full
    assert "peer.PEA" not in full  # acknowledged, then cleared: back to normal, removed


def test_filters(alarm_list, engine):
    alarm_list.on_alarm_events(disturbance(engine))
    alarm_list.priority_filter.setCurrentIndex(alarm_list.priority_filter.findData("critical"))
    assert shown(alarm_list) == ["voltage.MEA-BKN-115.critical"]
    alarm_list.show_priority("high")
    assert set(shown(alarm_list)) == {"frequency.high", "peer.PEA"}
    alarm_list.priority_filter.setCurrentIndex(0)
    alarm_list.region_filter.setCurrentIndex(alarm_list.region_filter.findData("PEA"))
    assert set(shown(alarm_list)) == {"peer.PEA", "ext.feeder"}
    alarm_list.region_filter.setCurrentIndex(0)
    alarm_list.substation_filter.setText("srt")
    assert shown(alarm_list) == ["voltage.EGAT-SRT-500.medium"]
    alarm_list.substation_filter.clear()
    alarm_list.state_filter.setCurrentIndex(
        alarm_list.state_filter.findData("suppressed_by_design"))
    assert shown(alarm_list) == ["voltage.MEA-BKN-115.medium"]


def select(widget, ids):
    """Select the rows of ``ids`` (as a ctrl-click on each would)."""
    widget.table.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in range(widget.proxy.rowCount()):
        index = widget.proxy.index(row, 0)
        if index.data(ALARM_ID_ROLE) in ids:
            widget.table.selectionModel().select(index, flags)


def test_acknowledge_selected_and_all_visible(alarm_list, engine, qtbot):
    alarm_list.on_alarm_events(disturbance(engine))
    select(alarm_list, {"peer.PEA", "voltage.MEA-BKN-115.medium"})  # suppressed: not acked
    with qtbot.waitSignal(alarm_list.acknowledge_requested) as signal:
        alarm_list.ack_button.click()
    assert signal.args == [["peer.PEA"]]
    alarm_list.region_filter.setCurrentIndex(alarm_list.region_filter.findData("PEA"))
    with qtbot.waitSignal(alarm_list.acknowledge_requested) as signal:
        alarm_list.ack_all_button.click()
    assert sorted(signal.args[0]) == ["ext.feeder", "peer.PEA"]


def test_read_only_for_a_role_that_may_not_acknowledge(alarm_list, engine):
    alarm_list.on_alarm_events(disturbance(engine))
    select(alarm_list, {"peer.PEA", "ext.feeder"})
    buttons = (alarm_list.ack_button, alarm_list.ack_all_button, alarm_list.shelve_button)
    assert all(button.isEnabled() for button in buttons)
    alarm_list.set_permitted(False)  # an auditor logged in
    assert not any(button.isEnabled() for button in buttons)
    alarm_list.set_permitted(True)
    assert all(button.isEnabled() for button in buttons)


def test_shelve_dialog_is_opened_not_executed(alarm_list, engine, qtbot):
    alarm_list.on_alarm_events(disturbance(engine))
    select(alarm_list, {"ext.feeder"})
    dialog = alarm_list.open_shelve_dialog()
    assert dialog is not None and dialog.isVisible()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # no reason yet
    dialog.reason.setEditText("Recloser work")
    dialog.duration.setCurrentIndex(dialog.duration.findData(1800))
    with qtbot.waitSignal(alarm_list.shelve_requested) as signal:
        ok.click()
    assert signal.args == ["ext.feeder", "Recloser work", 1800]


def test_unshelve_asks_for_the_shelved_ones_of_the_selection(alarm_list, engine, qtbot):
    events = disturbance(engine)
    events += [e.to_dict() for e in engine.shelve("ext.feeder", "somchai", "Recloser work",
                                                  600_000, T0 + 1000)]
    alarm_list.on_alarm_events(events)
    select(alarm_list, {"peer.PEA"})
    assert not alarm_list.unshelve_button.isEnabled()
    select(alarm_list, {"peer.PEA", "ext.feeder"})
    assert alarm_list.unshelve_button.isEnabled()
    with qtbot.waitSignal(alarm_list.unshelve_requested) as signal:
        alarm_list.unshelve_button.click()
    assert signal.args == ["ext.feeder"]


def test_unacknowledged_rows_blink_and_acknowledged_ones_do_not(alarm_list, engine, qtbot):
    events = disturbance(engine)
    events += [e.to_dict() for e in engine.acknowledge("peer.PEA", "somchai", T0 + 1000)]
    alarm_list.on_alarm_events(events)
    model = alarm_list.model
    unacked = model.index(model.row_of("frequency.high"), PRIORITY)
    acked = model.index(model.row_of("peer.PEA"), PRIORITY)
    assert unacked.data(BLINKING_ROLE) and not acked.data(BLINKING_ROLE)
    seen_unacked, seen_acked = set(), set()
    for _ in range(4):
        phase = model.blink_on
        qtbot.waitUntil(lambda p=phase: model.blink_on != p, timeout=2000)
        seen_unacked.add(unacked.data(Qt.ItemDataRole.BackgroundRole).name())
        seen_acked.add(acked.data(Qt.ItemDataRole.BackgroundRole).name())
    assert len(seen_unacked) == 2 and len(seen_acked) == 1  # blinks / steady


def _style(index):
    return (index.data(Qt.ItemDataRole.BackgroundRole), index.data(Qt.ItemDataRole.ForegroundRole),
            index.data(Qt.ItemDataRole.FontRole))


def _hue_family(colour: QColor) -> int:
    """Hue in 30° steps: a tint keeps the family of its colour."""
    return round(colour.hslHueF() * 12) % 12


@pytest.mark.parametrize("returned", [False, True], ids=["active", "returned"])
def test_blinking_never_takes_the_priority_colour_away(alarm_list, engine, returned):
    """Both phases of the blink show each unacknowledged alarm's priority colour (a picture
    taken in either phase still tells a critical from a medium); only the intensity changes."""
    events = disturbance(engine)
    if returned:
        events += [e.to_dict() for e in engine.evaluate(AlarmInputs(
            frequency_hz=50.0, peers={"PEA": True},
            voltages={"EGAT-SRT-500": (500.0, 500.0, "EGAT"),
                      "MEA-BKN-115": (115.0, 115.0, "MEA")}), T0 + 2000)]
    alarm_list.on_alarm_events(events)
    model = alarm_list.model
    wanted = "rtn_unack" if returned else "unack_active"
    rows = [r for r in range(model.rowCount()) if model.alarm(r)["state"] == wanted]
    assert len(rows) >= 3 and wanted in UNACKNOWLEDGED
    phases = {}
    for on in (True, False):
        model.set_blink_phase(on)
        phases[on] = {r: _style(model.index(r, PRIORITY)) for r in rows}
    for r in rows:
        priority = model.alarm(r)["priority"]
        full = QColor(priority_colour(palette_for("light"), priority))
        (lit, lit_text, lit_font), (dim, dim_text, dim_font) = phases[True][r], phases[False][r]
        assert lit == full and dim is not None and dim != full, priority
        assert _hue_family(dim) == _hue_family(full), priority
        assert lit_text is not None and dim_text is not None
        assert lit_font.bold() and dim_font.bold()
        state_cell = model.index(r, STATE).data(Qt.ItemDataRole.BackgroundRole)
        assert (state_cell is None) == returned  # the condition active: the state cell too


def test_priorities_stay_distinct_in_the_blink_off_phase(alarm_list, engine):
    alarm_list.on_alarm_events(disturbance(engine))
    model = alarm_list.model
    model.set_blink_phase(False)
    fills = {}
    for r in (r for r in range(model.rowCount()) if model.alarm(r)["state"] in UNACKNOWLEDGED):
        fills.setdefault(model.alarm(r)["priority"], set()).add(
            model.index(r, PRIORITY).data(Qt.ItemDataRole.BackgroundRole).name())
    assert all(len(f) == 1 for f in fills.values())
    assert len({f.pop() for f in fills.values()}) == len(fills) >= 3


def test_a_gap_in_seq_asks_for_a_resync(alarm_list, engine, qtbot):
    events = disturbance(engine)
    with qtbot.waitSignal(alarm_list.resync_requested):
        alarm_list.on_alarm_events(events[:2] + events[3:])
    alarm_list.on_alarm_events(events)  # duplicates by seq are ignored
    assert alarm_list.model.events_applied == len(events) - 1


def test_banner_counts_per_priority(qtbot, engine, alarm_list):
    banner = AlarmBanner()
    qtbot.addWidget(banner)
    alarm_list.counts_changed.connect(banner.on_counts)
    events = disturbance(engine)
    events += [e.to_dict() for e in engine.acknowledge("peer.PEA", "somchai", T0 + 1000)]
    alarm_list.on_alarm_events(events)
    assert banner.button_text("critical") == "Critical 1 (1 unack.)"
    assert banner.button_text("high") == "High 2 (1 unack.)"
    assert banner.counts()["suppressed"] == 1
    with qtbot.waitSignal(banner.priority_clicked) as signal:
        banner._buttons["low"].click()
    assert signal.args == ["low"]


def flood_events(count=1000, batches=20):
    """``count`` alarm events as one minute of a flood delivers them: ``batches`` batches,
    3 s of simulated time apart."""
    engine = AlarmEngine()
    per_batch = count // batches
    out = []
    for b in range(batches):
        now = T0 + b * 3000
        batch = []
        for i in range(per_batch):
            n = b * per_batch + i
            batch += engine.raise_external(f"flood.{n}", list(Priority)[n % 4],
                                           ("EGAT", "MEA", "PEA")[n % 3],
                                           f"Flood alarm {n}", now + i)
        out.append([e.to_dict() for e in batch])
    return out


@pytest.mark.timing
def test_an_alarm_flood_of_1000_events_does_not_stall_the_ui(alarm_list, qtbot):
    alarm_list.show()
    qtbot.waitExposed(alarm_list)
    batches = flood_events()
    lateness, last = [], [time.perf_counter()]

    def probe():
        now = time.perf_counter()
        lateness.append(max(0.0, now - last[0] - 0.010))
        last[0] = now

    timer = QTimer(interval=10)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(probe)
    timer.start()
    feed = iter(batches)

    def next_batch():
        batch = next(feed, None)
        if batch is not None:
            alarm_list.on_alarm_events(batch)

    feeder = QTimer(interval=50)
    feeder.timeout.connect(next_batch)
    feeder.start()
    qtbot.waitUntil(lambda: alarm_list.model.events_applied == 1000, timeout=10_000)
    qtbot.wait(300)  # let the blink timer and repaints run over the full list
    timer.stop()
    feeder.stop()
    assert alarm_list.model.rowCount() == 1000 and alarm_list.proxy.rowCount() == 1000
    assert alarm_list.model.last_seq == 1000
    assert sum(alarm_list.model.counts()[p]["unack"] for p in
               ("critical", "high", "medium", "low")) == 1000
    p99_ms = float(np.percentile(lateness, 99) * 1000)
    print(f"alarm flood: {len(lateness)} probe ticks, stall p99 {p99_ms:.1f} ms")
    assert p99_ms < 100, f"event-loop stall p99 {p99_ms:.1f} ms"
