"""The timeline view replays the recorded incident in order and exports a one-page-per-section
PDF report (checked with poppler's pdftoppm when it is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from node_core.incident import EventKind
from tests.node_core.test_incident import recorded_incident
from views.timeline import TimelineView, write_report


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


def test_export_through_the_view(qtbot, tmp_path: Path) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.show_record(recorded_incident(tmp_path))
    with qtbot.waitSignal(view.report_written) as signal:
        assert view.export_report(str(tmp_path / "r.pdf")) == 5
    assert signal.args == [str(tmp_path / "r.pdf"), 5]
    assert view.export_report(str(tmp_path / "missing-dir" / "r.pdf")) == 0
    assert "was not written" in view.state_label.text()
