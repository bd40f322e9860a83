"""The timeline view replays the recorded incident in order and exports a one-page-per-section
PDF report (checked with poppler's pdftoppm when it is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF

from node_core.control_room.incident import EventKind
from tests.node_core.control_room.test_incident import recorded_incident
from views.timeline.timeline_report import write_report
from views.timeline.timeline_view import TimelineView


def test_replay_shows_events_as_the_cursor_passes(qtbot, tmp_path: Path) -> None:
    record = recorded_incident(tmp_path)
    view = TimelineView()
    qtbot.addWidget(view)
    view.show_record(record)
    assert view.model.rowCount() == 0
    view.set_speed(10)
    view.play()
    assert view.play_button.isChecked()
    seen = []
    while view.cursor.playing:
        view.advance(100)  # 1 s of incident per step at 10×
        seen.append(view.model.rowCount())
    assert seen == sorted(seen) and seen[-1] == len(record.events)
    assert not view.play_button.isChecked()  # stopped at the end
    shown = view.model.shown()
    assert [e.time_ms for e in shown] == sorted(e.time_ms for e in shown)
    kinds = [e.kind for e in shown]
    assert kinds.index(EventKind.ALARM) < kinds.index(EventKind.OPERATOR) \
        < kinds.index(EventKind.EMERGENCY)
    view.seek(record.start_ms)
    assert view.model.rowCount() == 0 and view.slider.value() == 0


def test_timer_replay_at_60x(qtbot, tmp_path: Path) -> None:
    record = recorded_incident(tmp_path)
    view = TimelineView()
    qtbot.addWidget(view)
    view.show_record(record)
    view.set_speed(60)
    view.play()
    qtbot.waitUntil(lambda: not view.play_button.isChecked(), timeout=5000)  # 59 s / 60 ≈ 1 s
    assert view.model.rowCount() == len(record.events)


def test_report_has_one_page_per_section(qtbot, tmp_path: Path) -> None:
    record = recorded_incident(tmp_path)
    path = tmp_path / "incident.pdf"
    pages = write_report(record, path, authority="EGAT", chain_id="gridtokenx-test")
    assert pages == 5  # summary, frequency chart, alarms, operator actions, chain events
    assert path.stat().st_size > 10_000
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")],
                   check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == 5
    assert all(p.stat().st_size > 2000 for p in images)  # not blank pages


@pytest.mark.qt_log_ignore(r"^QPainter::begin\(\): Returned false$",  # the missing directory
                           extend=True)
def test_export_through_the_view(qtbot, tmp_path: Path) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.show_record(recorded_incident(tmp_path))
    with qtbot.waitSignal(view.report_written) as signal:
        assert view.export_report(str(tmp_path / "r.pdf")) == 5
    assert signal.args == [str(tmp_path / "r.pdf"), 5]
    assert view.export_report(str(tmp_path / "missing-dir" / "r.pdf")) == 0
    assert "was not written" in view.state_label.text()


def _assert_tidy(labels, view) -> None:
    bounds = view.boundingRect()
    boxes = labels.boxes()
    for box, text in boxes:
        assert bounds.contains(box), (text, box, bounds)
    for i, (a, text_a) in enumerate(boxes):
        for b, text_b in boxes[i + 1:]:
            assert not a.intersects(b), (text_a, text_b)


def test_marker_labels_stay_inside_the_chart_and_never_overlap(qtbot, tmp_path: Path) -> None:
    record = recorded_incident(tmp_path)
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    view.show_record(record)
    view.seek(record.end_ms)
    plot_view = view.plot.getPlotItem().getViewBox()
    labelled = [e for e in record.events if e.kind != EventKind.BLOCK]
    placed = view.mark_labels.placed()
    assert placed and sum(len(label.marks) for label in placed) == len(labelled)
    _assert_tidy(view.mark_labels, plot_view)
    frequency_top = plot_view.mapFromView(QPointF(record.start_ms / 1000,
                                                  record.frequency_extremes()[1])).y()
    assert all(box.bottom() <= frequency_top for box, _ in view.mark_labels.boxes())
    view.plot.setFixedWidth(420)  # narrower: more sharing and eliding, still tidy
    qtbot.waitUntil(lambda: plot_view.width() < 400)
    _assert_tidy(view.mark_labels, plot_view)
    assert sum(len(label.marks) for label in view.mark_labels.placed()) == len(labelled)
    view.seek(record.start_ms)
    assert view.mark_labels.boxes() == []


def test_close_events_share_a_label_that_counts_them_by_kind() -> None:
    from views.charts.mark_layout import Mark
    from views.timeline.timeline_chart import summarise_events

    marks = [Mark(1.0, "Alarm", 1), Mark(2.0, "Operator", 4), Mark(3.0, "Alarm", 0),
             Mark(4.0, "Emergency", 0), Mark(5.0, "Alarm", 2)]
    assert summarise_events(marks) == ("{label}", "Alarm ×3 · Emergency · Operator")
    assert summarise_events(marks[:1]) == ("{label}", "Alarm")
