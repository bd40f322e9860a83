"""The ``[alarms]`` section of a node configuration, and thresholds from chain parameters."""

from pathlib import Path

import pytest

from node_core.control_room.alarms import (
    AlarmTuning,
    ConditionFilter,
    InvalidThresholds,
    thresholds_for,
)
from node_core.ledger.genesis import ChainParameters
from node_core.node.config import ConfigError, load_node_config

BASE = """
[node]
authority = "EGAT"
data_dir = "egat"
genesis = "genesis.json"
listen = "127.0.0.1:30301"
client = "127.0.0.1:30401"

[signer]
backend = "file"
"""


def load(tmp_path: Path, alarms: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "node.toml"
    path.write_text(BASE + alarms)
    return load_node_config(path)


def test_without_an_alarms_section_the_built_in_filters_apply(tmp_path) -> None:
    assert load(tmp_path, "").alarms == AlarmTuning()


def test_the_documented_example_loads(tmp_path) -> None:
    tuning = load(tmp_path, """
[alarms]
finality_stall_intervals = 5
max_shelve_minutes = 480
frequency = {deadband = 0.02, on_delay_ms = 1000, off_delay_ms = 5000}
voltage = {deadband = 0.5, on_delay_ms = 2000}
hsm = {off_delay_ms = 0}
""").alarms
    assert tuning.frequency == ConditionFilter(0.02, 1000, 5000)
    assert tuning.voltage == ConditionFilter(0.5, 2000, 5000)
    assert tuning.hsm == ConditionFilter(0.0, 0, 0)
    assert tuning.max_shelve_ms == 8 * 3_600_000


def test_every_problem_is_named_once(tmp_path) -> None:
    with pytest.raises(ConfigError) as error:
        load(tmp_path, """
[alarms]
frequency_high_hz = 0.3
finality_stall_intervals = 0
max_shelve_minutes = 20000
frequency = {deadband = -0.1, on_delay_ms = 1.5, hysteresis = 2}
peer = {deadband = 0.1}
hsm = 3
colour = "red"
""")
    lines = str(error.value).splitlines()[1:]
    assert [line.strip() for line in lines] == [
        "[alarms] frequency_high_hz is set by governance (chain parameter frequency_high_mhz), "
        "not by the node: propose a parameter_change with `main.py gov propose`",
        "[alarms] finality_stall_intervals must be a number > 0",
        "[alarms] max_shelve_minutes must be a whole number in 1..10080",
        "[alarms] frequency.deadband must be a number >= 0",
        "[alarms] frequency.on_delay_ms must be a whole number of ms >= 0",
        "[alarms] frequency.hysteresis unknown (allowed: deadband, on_delay_ms, off_delay_ms)",
        "[alarms] peer.deadband unknown (allowed: on_delay_ms, off_delay_ms)",
        "[alarms] hsm must be a table with on_delay_ms, off_delay_ms",
        "[alarms] unknown key 'colour' (known: frequency, voltage, consensus, peer, hsm, "
        "finality_stall_intervals, max_shelve_minutes)",
    ]


def test_an_alarms_value_that_is_not_a_table_is_refused(tmp_path) -> None:
    path = tmp_path / "node.toml"
    path.write_text("alarms = 1\n" + BASE)
    with pytest.raises(ConfigError, match=r"\[alarms\] must be a table of settings"):
        load_node_config(path)


def test_chain_parameters_set_the_limits_in_the_engines_units() -> None:
    parameters = ChainParameters(frequency_high_mhz=150, frequency_critical_mhz=400,
                                 voltage_high_permille=60, voltage_critical_permille=120,
                                 consensus_health_min_permille=0)
    thresholds = thresholds_for(parameters, AlarmTuning(finality_stall_intervals=3))
    assert (thresholds.frequency_high_hz, thresholds.frequency_critical_hz) == (0.15, 0.4)
    assert (thresholds.voltage_medium_pct, thresholds.voltage_critical_pct) == (6.0, 12.0)
    assert thresholds.consensus_health_min == 0.0  # 0: consensus never alarms
    assert thresholds.finality_stall_intervals == 3


def test_limits_that_do_not_fit_together_are_refused() -> None:
    with pytest.raises(InvalidThresholds, match="frequency_high_hz < frequency_critical_hz"):
        thresholds_for(ChainParameters(frequency_high_mhz=600), AlarmTuning())
