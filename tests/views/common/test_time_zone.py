"""Time headers and axes name the display time zone the operator set (``ui/time_zone``),
not Bangkok whatever the setting: tables, captions, chart axes and the timeline."""

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.shell import i18n
from views.alarms.alarm_model import TIME, AlarmTableModel
from views.charts.telemetry_plot import TelemetryPlot
from views.charts.time_axis import bangkok_text, tick_times
from views.common import formatting as fmt
from views.emergency.emergency_panel import EmergencyPanel
from views.explorer.block_detail import BlockDetailPane
from views.explorer.block_table_model import BlockTableModel
from views.node.node_status import NodeStatusPanel
from views.timeline.timeline_model import header_text
from views.timeline.timeline_view import TimelineView

JAN_1_2026_UTC = 1_767_225_600.0
"""2026-01-01 00:00:00 UTC: 07:00 in Bangkok, 00:00 in London (winter), 19:00 in New York."""


@pytest.fixture
def zone() -> Iterator[None]:
    """The display zone is a process-wide setting: put Bangkok back after each test."""
    yield
    fmt.set_time_display()


def _texts(qtbot, widget) -> list[str]:
    qtbot.addWidget(widget)
    return [label.text() for label in widget.findChildren(QLabel)]


def _time_headers(qtbot) -> dict[str, str]:
    """The time column header or caption of every view that shows one."""
    horizontal = Qt.Orientation.Horizontal
    emergency = EmergencyPanel()
    qtbot.addWidget(emergency)
    timeline = TimelineView()
    plot = TelemetryPlot("Frequency", "Hz", frame_interval_ms=0)
    qtbot.addWidget(plot)
    return {
        "alarms": AlarmTableModel().headerData(TIME, horizontal),
        "blocks": BlockTableModel().headerData(2, horizontal),
        "block detail": next(t for t in _texts(qtbot, BlockDetailPane()) if t.startswith("Time")),
        "node status": next(t for t in _texts(qtbot, NodeStatusPanel())
                            if t.startswith("Last block")),
        "emergency": emergency.table.horizontalHeaderItem(5).text(),
        "timeline table": header_text(0),
        "timeline window": next(t for t in _texts(qtbot, timeline) if t.startswith("From")),
        "timeline axis": timeline.plot.getPlotItem().getAxis("bottom").labelText,
        "telemetry axis": plot.plot_item.getAxis("bottom").labelText,
    }


def test_headers_say_bangkok_by_default(qtbot, zone) -> None:
    headers = _time_headers(qtbot)
    assert all("Bangkok" in text for text in headers.values()), headers
    assert headers["alarms"] == "Time (Bangkok)"
    assert headers["telemetry axis"] == "Time (Bangkok, UTC+7)"


def test_headers_follow_the_configured_zone(qtbot, zone) -> None:
    fmt.set_time_display("America/New_York")
    headers = _time_headers(qtbot)
    assert not any("Bangkok" in text for text in headers.values()), headers
    assert all("New York" in text for text in headers.values()), headers
    assert headers["alarms"] == "Time (New York)"
    assert headers["emergency"] == "Selected (New York)"
    assert headers["telemetry axis"] in ("Time (New York, UTC-5)", "Time (New York, UTC-4)")


def test_chart_times_are_on_the_configured_clock_too(zone) -> None:
    assert bangkok_text(JAN_1_2026_UTC) == "2026-01-01 07:00:00"
    fmt.set_time_display("Europe/London")
    assert bangkok_text(JAN_1_2026_UTC) == "2026-01-01 00:00:00"
    midnights = tick_times(JAN_1_2026_UTC - 3600, JAN_1_2026_UTC + 3600, 86400)
    assert midnights == [JAN_1_2026_UTC]
    assert fmt.utc_offset_text(JAN_1_2026_UTC) == "UTC"
    fmt.set_time_display("Asia/Kolkata")
    assert fmt.utc_offset_text(JAN_1_2026_UTC) == "UTC+5:30"
    assert fmt.zone_name() == "Kolkata"


def test_the_zone_name_is_translated_in_thai(qtbot, qapp, zone) -> None:
    i18n.install_translators(qapp, "th")
    try:
        assert AlarmTableModel().headerData(TIME, Qt.Orientation.Horizontal) == "เวลา (กรุงเทพฯ)"
        fmt.set_time_display("Europe/London")
        assert AlarmTableModel().headerData(TIME, Qt.Orientation.Horizontal) == "เวลา (London)"
    finally:
        i18n.install_translators(qapp, "en")
