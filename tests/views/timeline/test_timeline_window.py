"""The timeline's Load window button sends UTC milliseconds (past 2**31) intact."""

from __future__ import annotations

from views.timeline.timeline_view import TimelineView


def test_load_window_requests_utc_milliseconds(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = TimelineView()
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.window_requested, timeout=1000) as requested:
        view.load_button.click()
    start_ms, end_ms = requested.args
    assert start_ms > 2**31 and end_ms - start_ms == 15 * 60_000  # the default window
