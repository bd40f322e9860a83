"""views.common.formatting: Bangkok time, ages, durations, kWh, THB, hashes (exact, grouped)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from views.common import formatting as fmt


def test_bangkok_time_is_utc_plus_7():
    # 1764086400 s = 2025-11-25 16:00:00 UTC, so 23:00 in Bangkok the same day.
    assert datetime.fromtimestamp(1_764_086_400, UTC).hour == 16
    assert fmt.bangkok_time(1_764_086_400_000) == "2025-11-25 23:00:00"
    # Crossing midnight: 17:00 UTC is 00:00 the next day in Bangkok.
    assert fmt.bangkok_time(1_764_090_000_000) == "2025-11-26 00:00:00"


def test_bangkok_time_truncates_milliseconds_and_handles_missing():
    assert fmt.bangkok_time(1_764_086_400_999) == "2025-11-25 23:00:00"
    assert fmt.bangkok_time(None) == fmt.MISSING


def test_bangkok_time_matches_a_fixed_plus_7_offset_over_a_year():
    plus7 = timezone(timedelta(hours=7))
    for day in range(0, 365, 29):
        ms = 1_767_225_600_000 + day * 86_400_000 + 12_345_000
        expected = datetime.fromtimestamp(ms / 1000, plus7).strftime("%Y-%m-%d %H:%M:%S")
        assert fmt.bangkok_time(ms) == expected


@pytest.mark.parametrize(("ms_ago", "text"), [
    (0, "0 s ago"), (3_200, "3 s ago"), (59_999, "59 s ago"), (60_000, "1 min ago"),
    (3_599_999, "59 min ago"), (7_200_000, "2 h ago"), (3 * 86_400_000, "3 d ago"),
    (-500, "0 s ago"), (None, fmt.MISSING),
])
def test_age_text(ms_ago, text):
    assert fmt.age_text(ms_ago) == text


@pytest.mark.parametrize(("ms", "text"), [
    (850, "850 ms"), (0, "0 ms"), (3_250, "3.3 s"), (59_949, "59.9 s"),
    (245_000, "4 min 05 s"), (7_700_000, "2 h 08 min"), (-120, "-120 ms"),
    (None, fmt.MISSING),
])
def test_duration_text(ms, text):
    assert fmt.duration_text(ms) == text


@pytest.mark.parametrize(("wh", "text"), [
    (0, "0.000"), (1, "0.001"), (12_345_675, "12,345.675"), (1_000_000_000, "1,000,000.000"),
    (-2_500, "-2.500"), (None, fmt.MISSING),
])
def test_kwh_is_exact_with_three_decimals_and_grouping(wh, text):
    assert fmt.kwh(wh) == text


@pytest.mark.parametrize(("satang", "text"), [
    (0, "0.00"), (5, "0.05"), (123_456_789, "1,234,567.89"), (450, "4.50"), (None, fmt.MISSING),
])
def test_thb_is_exact_with_two_decimals_and_grouping(satang, text):
    assert fmt.thb(satang) == text


def test_grid_units_and_counts():
    assert fmt.hz(50_012) == "50.012"
    assert fmt.mw(9_512_340) == "9,512.3"
    assert fmt.mw(9_512_350) == "9,512.4"  # half-up, not banker's rounding
    assert fmt.integer(1_234_567) == "1,234,567"
    assert fmt.percent(0.5) == "50.0 %"
    assert fmt.percent(None) == fmt.MISSING


def test_short_hash_keeps_both_ends_and_the_address_prefix():
    block_hash = "3fa9c2d1" + "0" * 52 + "b41c"
    assert fmt.short_hash(block_hash) == "3fa9c2d1…b41c"
    assert fmt.short_hash("0x1a2b3c4d" + "0" * 28 + "9f0e") == "0x1a2b3c4d…9f0e"
    assert fmt.short_hash("abc") == "abc"
    assert fmt.short_hash(None) == fmt.MISSING
