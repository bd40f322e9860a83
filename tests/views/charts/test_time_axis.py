"""Bangkok time axis: labels in Asia/Bangkok (UTC+7), ticks on round local times."""

from views.charts.time_axis import bangkok_text, tick_text, tick_times

T = 1_750_000_000.0  # 2025-06-15 15:06:40 UTC


def test_text_is_bangkok_time():
    assert bangkok_text(T) == "2025-06-15 22:06:40"
    assert bangkok_text(T + 0.25, with_ms=True) == "2025-06-15 22:06:40.250"


def test_tick_text_precision_follows_spacing():
    assert tick_text(T, 60) == "22:06"
    assert tick_text(T, 10) == "22:06:40"
    assert tick_text(T + 0.5, 0.1) == "22:06:40.500"
    assert tick_text(T, 86400) == "06-15"


def test_ticks_land_on_round_bangkok_times():
    hours = tick_times(T, T + 86400, 6 * 3600)
    assert [tick_text(t, 60) for t in hours] == ["00:00", "06:00", "12:00", "18:00"]
    minutes = tick_times(T, T + 300, 60)
    assert all(tick_text(t, 1).endswith(":00") for t in minutes) and len(minutes) == 5
