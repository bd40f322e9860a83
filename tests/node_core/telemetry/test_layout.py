"""The Bigtable layout as an outsider reads it: keys, cells, families, retention, format file."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from node_core.cloud.profile import ProfileError, load_gcp_profile
from node_core.telemetry import (
    NODE_METRICS,
    TABLE_FAMILIES,
    TRADING_COLUMNS,
    InvalidSeries,
    Retention,
    Series,
    node_metric_series,
    system_frequency,
    trading_series,
    voltage_series,
)
from node_core.telemetry.layout import (
    ROLLUP_STATS,
    cbt_format_yaml,
    column_type,
    decode,
    encode,
    hour_ms,
    minute_ms,
    raw_qualifier,
    raw_row_key,
    rollup_qualifier,
    rollup_row_key,
    table_families,
    trading_row_key,
)

ROOT = Path(__file__).resolve().parents[3]
FORMAT_FILE = ROOT / "resources" / "telemetry" / "cbt-format.yaml"
EXAMPLE = ROOT / "resources" / "gcp-profile.example.toml"
T = 1_716_285_607_250  # 2024-05-21 10:00:07.250 UTC


def test_row_keys_name_the_scope_the_series_and_the_utc_minute() -> None:
    assert raw_row_key(system_frequency("EGAT"), T) == b"EGAT#frequency#system#raw#202405211000"
    assert rollup_row_key(voltage_series("MEA", "MEA-CDL-69"), "max", T) == (
        b"MEA#voltage#MEA-CDL-69#1m#max#2024052110")
    assert rollup_qualifier(T) == "00"
    assert hour_ms(rollup_row_key(system_frequency("EGAT"), "min", T)) == T - 7_250
    assert raw_row_key(node_metric_series("PEA", "height"), T).startswith(b"PEA#consensus#height#")
    assert trading_row_key("PEA", T) == b"PEA#1m#202405211000"
    assert minute_ms(raw_row_key(system_frequency("EGAT"), T)) == T - 7_250
    assert raw_qualifier(T) == "07250"


def test_keys_of_one_series_sort_in_time_order_across_days_and_years() -> None:
    times = [T, T + 59_000, T + 86_400_000, 1_735_689_540_000, 1_735_689_600_000]  # 2024→2025
    keys = [raw_row_key(system_frequency("EGAT"), t) for t in times]
    assert keys == sorted(keys)


def test_each_gauge_family_has_a_rollup_family_and_trading_is_per_minute() -> None:
    assert table_families("GridMetrics") == {
        "frequency": "raw", "frequency_1m": "minute", "voltage": "raw", "voltage_1m": "minute",
        "power_flow": "raw", "power_flow_1m": "minute"}
    assert set(table_families("NodeMetrics")) == {
        "performance", "performance_1m", "network", "network_1m", "consensus", "consensus_1m"}
    assert table_families("TradingMetrics") == {
        "price": "minute", "volume": "minute", "liquidity": "minute"}


def test_cells_are_plain_big_endian_numbers_of_their_columns_type() -> None:
    assert encode(49.987, column_type("frequency", "07250")) == struct.pack(">d", 49.987)
    assert column_type("frequency_1m", "07") == "float64"
    assert encode(12_000, column_type("volume", "energy_wh")) == (12_000).to_bytes(8, "big")
    assert column_type("volume", "energy_wh") == "int64"
    assert column_type("price", "vwap_satang_per_kwh") == "float64"
    assert decode(encode(412.5, "float64"), "float64") == 412.5


def test_the_committed_cbt_format_file_is_the_layouts() -> None:
    assert FORMAT_FILE.read_text(encoding="utf-8") == cbt_format_yaml()


def test_series_outside_the_design_are_refused_with_the_rule() -> None:
    with pytest.raises(InvalidSeries, match="not a NodeMetrics metric"):
        node_metric_series("EGAT", "blocks")
    with pytest.raises(InvalidSeries, match="not a TradingMetrics price column"):
        trading_series("PEA", "price", "energy_wh")
    with pytest.raises(InvalidSeries, match="without '#' or '/'"):
        system_frequency("EG#AT")
    with pytest.raises(InvalidSeries, match="not in the design"):
        Series("GridMetrics", "price", "EGAT", "system")
    with pytest.raises(InvalidSeries, match="table/family/scope/key"):
        Series.parse("GridMetrics/frequency/system")
    series = voltage_series("MEA", "MEA-CDL-69")
    assert Series.parse(series.name) == series


def test_retention_comes_from_the_profile_with_defaults(tmp_path: Path) -> None:
    profile = tmp_path / "gcp.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    profile.write_text(text, encoding="utf-8")
    assert load_gcp_profile(profile, {}).bigtable_retention == Retention(35, 2557)
    profile.write_text(text.replace('instance = "gridtokenx-metrics"',
                                    'instance = "gridtokenx-metrics"\nraw_retention_days = 7'),
                       encoding="utf-8")
    target = load_gcp_profile(profile, {"BIGTABLE_EMULATOR_HOST": "127.0.0.1:8086"}
                              ).bigtable_target
    assert (target.project, target.instance, target.emulator_host, target.retention) == (
        "gridtokenx-prod", "gridtokenx-metrics", "127.0.0.1:8086", Retention(7, 2557))


@pytest.mark.parametrize(("lines", "problem"), [
    ("raw_retention_days = 0", "[bigtable] raw_retention_days must be within 1..36600 days, "
                               "not 0"),
    ("raw_retention_days = 40\nrollup_retention_days = 30",
     "[bigtable] rollup_retention_days (30) must not be shorter than raw_retention_days (40)"),
    ('raw_retention_days = "7d"', "[bigtable] raw_retention_days must be an integer, "
                                  "not string"),
])
def test_bad_retention_is_refused_naming_the_rule(tmp_path: Path, lines: str,
                                                  problem: str) -> None:
    profile = tmp_path / "gcp.toml"
    profile.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        'instance = "gridtokenx-metrics"', f'instance = "gridtokenx-metrics"\n{lines}'),
        encoding="utf-8")
    with pytest.raises(ProfileError) as raised:
        load_gcp_profile(profile, {})
    assert raised.value.problems == [problem]


def test_the_readme_documents_every_family_metric_and_column() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Reading the telemetry", 1)[1].split("\n## ", 1)[0]
    names = [family for table in TABLE_FAMILIES for family in table_families(table)
             if not family.endswith("_1m")]
    names += [*NODE_METRICS, *ROLLUP_STATS]
    names += [column for columns in TRADING_COLUMNS.values() for column in columns]
    assert [name for name in names if f"`{name}`" not in section] == []
    assert "resources/telemetry/cbt-format.yaml" in section
