"""The grid simulator behaves like a believable Thai grid, deterministically."""

from __future__ import annotations

import datetime as dt

import pytest

from node_core.grid import (
    SUBSTATIONS,
    DemandResponse,
    GeneratorTrip,
    GridSample,
    GridSimulator,
    InvalidGridEvent,
    LineTrip,
    LoadShed,
    parse_event,
    southern_tie_incident,
)
from node_core.grid.demand import bangkok_hour, net_demand_mw

BANGKOK = dt.timezone(dt.timedelta(hours=7))


def bangkok_ms(hour: int, minute: int = 0) -> int:
    """UTC ms of a Bangkok wall-clock time on 21 May 2024."""
    return int(dt.datetime(2024, 5, 21, hour, minute, tzinfo=BANGKOK).timestamp() * 1000)


def region_load(sample: GridSample, region: str) -> float:
    return {r.region: r.load_mw for r in sample.regions}[region]


def run(sim: GridSimulator, start_ms: int, seconds: int) -> list[float]:
    return [sim.step(start_ms + i * 1000).frequency_hz for i in range(seconds)]


def test_frequency_stays_within_100_mhz_over_an_hour_of_normal_operation() -> None:
    start = bangkok_ms(17, 30)  # includes the evening ramp
    frequencies = run(GridSimulator(seed=7, start_ms=start), start, 3600)
    assert max(abs(f - 50.0) for f in frequencies) < 0.1


def test_1000_mw_generator_trip_dips_and_recovers_within_a_minute() -> None:
    start = bangkok_ms(10)
    trip_s = 60
    sim = GridSimulator(seed=3, start_ms=start, events=[GeneratorTrip(start + trip_s * 1000, 1000)])
    frequencies = run(sim, start, 400)
    nadir = min(frequencies[trip_s:])
    assert 50.0 - nadir >= 0.2
    assert 50.0 - nadir < 1.0  # several tenths, not a collapse
    outside = [i for i, f in enumerate(frequencies) if abs(f - 50.0) >= 0.05]
    recovery_s = max(outside) - trip_s
    assert 0 < recovery_s < 60


def test_southern_tie_incident_blacks_out_the_south_and_spikes_frequency() -> None:
    start = bangkok_ms(18, 50)
    incident_s = 120
    sim = GridSimulator(seed=11, start_ms=start, events=southern_tie_incident(start + 120_000))
    samples = [sim.step(start + i * 1000) for i in range(incident_s + 180)]
    before, after = samples[incident_s - 1], samples[incident_s + 30]
    south = [s for s in SUBSTATIONS if s.area == "south"]
    assert all(before.reading(s.substation_id).voltage_kv > 0.9 * s.nominal_kv for s in south)
    assert all(after.reading(s.substation_id).voltage_kv == 0.0 for s in south)
    assert all(after.reading(s.substation_id).power_flow_mw == 0.0 for s in south)
    north = [s for s in SUBSTATIONS if s.area != "south"]
    assert all(after.reading(s.substation_id).voltage_kv > 0.9 * s.nominal_kv for s in north)
    assert after.south_state == "blackout"
    assert before.total_load_mw - after.total_load_mw > 1_500  # ~2,200 MW of southern load
    assert max(s.frequency_hz for s in samples[incident_s:]) > 50.15
    assert abs(samples[-1].frequency_hz - 50.0) < 0.05


def test_loss_of_one_southern_500_kv_circuit_alone_keeps_the_south_up() -> None:
    start = bangkok_ms(18, 50)
    sim = GridSimulator(seed=5, start_ms=start, events=[LineTrip(start + 10_000, "BSP-SRT-500-1")])
    last = [sim.step(start + i * 1000) for i in range(60)][-1]
    assert last.south_state == "connected"
    assert last.reading("EGAT-SRT-500").voltage_kv > 450


def test_daily_load_curve_peaks_in_the_evening_with_a_midday_solar_dip() -> None:
    start = bangkok_ms(0)
    sim = GridSimulator(seed=1, start_ms=start)
    by_minute = [(start + m * 60_000, sim.step(start + m * 60_000)) for m in range(24 * 60)]
    peak_ms = max(by_minute, key=lambda p: net_demand_mw(p[0]))[0]
    assert 19.0 <= bangkok_hour(peak_ms) <= 20.5
    gross_peak_ms = max(by_minute, key=lambda p: p[1].total_load_mw)[0]
    assert 18.5 <= bangkok_hour(gross_peak_ms) <= 20.5
    trough_ms = min(by_minute, key=lambda p: p[1].total_load_mw)[0]
    assert 1.0 <= bangkok_hour(trough_ms) <= 6.0
    assert net_demand_mw(bangkok_ms(12, 30)) < net_demand_mw(bangkok_ms(10, 0))
    assert 24_000 < max(p[1].total_load_mw for p in by_minute) < 27_500


def test_same_seed_same_samples_and_other_seed_differs() -> None:
    start = bangkok_ms(9)
    events = [GeneratorTrip(start + 30_000, 800), LoadShed(start + 90_000, 1, "PEA", 300)]
    one = [GridSimulator(4, start, events).step(start)]
    a, b, c = (GridSimulator(seed, start, events) for seed in (4, 4, 5))
    series_a = [a.step(start + i * 1000) for i in range(200)]
    assert series_a == [b.step(start + i * 1000) for i in range(200)]
    assert series_a != [c.step(start + i * 1000) for i in range(200)]
    assert one[0] == series_a[0]


def test_load_shed_and_demand_response_reduce_region_load() -> None:
    start = bangkok_ms(14)
    events = [
        LoadShed(start + 10_000, 1, "MEA", 400),
        DemandResponse(start + 10_000, "PEA", 300, 30),
    ]
    plain, acted = GridSimulator(9, start), GridSimulator(9, start, events)
    for i in range(20):
        p, a = plain.step(start + i * 1000), acted.step(start + i * 1000)
    mea = region_load(p, "MEA") - region_load(a, "MEA")
    pea = region_load(p, "PEA") - region_load(a, "PEA")
    assert mea == pytest.approx(400, abs=1)
    assert pea == pytest.approx(300 * 0.97, abs=10)
    for i in range(20, 60):
        p, a = plain.step(start + i * 1000), acted.step(start + i * 1000)
    pea_after = region_load(p, "PEA") - region_load(a, "PEA")
    assert pea_after == pytest.approx(0, abs=1)


def test_grid_snapshot_is_integers_in_mhz_and_kw() -> None:
    start = bangkok_ms(12)
    sim = GridSimulator(2, start)
    sample = sim.step(start)
    snapshot = sim.grid_snapshot()
    assert snapshot.frequency_mhz == round(sample.frequency_hz * 1000)
    assert [r.region for r in snapshot.regions] == ["EGAT", "MEA", "PEA"]
    assert all(isinstance(r.load_kw, int) for r in snapshot.regions)
    assert all(isinstance(r.generation_kw, int) for r in snapshot.regions)


def test_parse_event_forms() -> None:
    assert parse_event("generator_trip@30:1000", 1_000) == (GeneratorTrip(31_000, 1000.0),)
    assert parse_event("line_trip@1:BSP-SRT-500-2", 0) == (LineTrip(1_000, "BSP-SRT-500-2"),)
    assert parse_event("southern_tie@60", 0)[-1] == LineTrip(60_000, "BSP-SRT-500-2")
    assert parse_event("load_shed@5:2:PEA:250", 0) == (LoadShed(5_000, 2, "PEA", 250.0),)
    assert parse_event("demand_response@5:MEA:100:60", 0) == (
        DemandResponse(5_000, "MEA", 100.0, 60.0),
    )
    for bad in ("generator_trip", "volcano@3", "line_trip@3:NOPE", "load_shed@1:1:XYZ:5"):
        with pytest.raises(InvalidGridEvent):
            parse_event(bad, 0)
