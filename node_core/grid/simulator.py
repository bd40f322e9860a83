"""The grid simulator: deterministic given a seed and the clock it is stepped with.

``GridSimulator.step(now_ms)`` advances the model to ``now_ms`` (normally once a second) and
returns a frozen ``GridSample``. All randomness comes from one seeded generator and every step
draws the same number of values, so equal seeds and equal step times give equal samples.

The South is modelled as its own area behind the southern ties (two 500 kV circuits from
Bang Saphan to Surat Thani, two 230 kV circuits to Chumphon). When the in-service ties cannot
carry the South's import for 3 s, protection opens them; an island short of more than 15 % of
its demand collapses: southern voltages fall to zero over ~4 s, southern load and generation
drop to zero, and the main grid, suddenly relieved of its export, sees frequency spike and
then recover under governor and AGC control. The southern island's own frequency is not
reported; the blackout shows as 0 kV and 0 MW on southern substations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from node_core.grid.demand import (
    AREA_SHARE,
    RECORD_PEAK_MW,
    SOUTH_LOCAL_GENERATION_MW,
    area_demand_mw,
    rooftop_solar_mw,
)
from node_core.grid.events import (
    LINES,
    REGION_AREAS,
    GeneratorTrip,
    GridEvent,
    LineTrip,
    LoadShed,
    line_by_id,
)
from node_core.grid.frequency import FrequencyParameters, FrequencyState, advance, rebase
from node_core.grid.substations import AREAS, SUBSTATIONS, Area, Substation
from node_core.ledger.grid_state import GridSnapshot, RegionLoad
from node_core.ledger.types import REGIONS

SouthState = Literal["connected", "overloaded", "collapsing", "blackout", "island"]

_OVERLOAD_TRIP_MS: Final = 3_000
_COLLAPSE_MS: Final = 4_000
_ISLAND_SURVIVABLE_DEFICIT: Final = 0.15
_EGAT_DIRECT_SHARE: Final = 0.03
_PEA_VSPP_MW: Final = 900.0
_KV_SETPOINT_BIAS: Final = {500.0: 0.02, 230.0: 0.015, 115.0: 0.01}


@dataclass(frozen=True, slots=True)
class SubstationReading:
    """One substation at one instant."""

    substation_id: str
    voltage_kv: float
    power_flow_mw: float
    """Power through the substation's transformers, MW (positive towards load)."""


@dataclass(frozen=True, slots=True)
class RegionBalance:
    """One authority's load and generation at one instant, MW."""

    region: str
    load_mw: float
    generation_mw: float


@dataclass(frozen=True, slots=True)
class GridSample:
    """Everything the simulator reports for one instant."""

    timestamp_ms: int
    frequency_hz: float
    substations: tuple[SubstationReading, ...]
    regions: tuple[RegionBalance, ...]
    south_state: SouthState

    @property
    def total_load_mw(self) -> float:
        """Gross load of all regions, MW."""
        return sum(r.load_mw for r in self.regions)

    def reading(self, substation_id: str) -> SubstationReading:
        """The reading of one substation; ``KeyError`` if absent."""
        for reading in self.substations:
            if reading.substation_id == substation_id:
                return reading
        raise KeyError(substation_id)


def snapshot_of(sample: GridSample) -> GridSnapshot:
    """Round a sample to the integers a block carries: mHz and kW (see grid_state)."""
    regions = tuple(
        RegionLoad(r.region, max(0, round(r.load_mw * 1000)),
                   max(0, round(r.generation_mw * 1000)))
        for r in sorted(sample.regions, key=lambda r: REGIONS.index(r.region))
    )
    return GridSnapshot(sample.timestamp_ms, max(0, round(sample.frequency_hz * 1000)), regions)


class GridSimulator:
    """A believable Thai grid: demand curve, frequency dynamics, voltages, scripted events."""

    def __init__(
        self,
        seed: int,
        start_ms: int,
        events: Iterable[GridEvent] = (),
        params: FrequencyParameters | None = None,
    ) -> None:
        self._rng = np.random.default_rng(seed)
        self._params = params or FrequencyParameters()
        self._last_ms = start_ms
        self._pending: list[GridEvent] = sorted(events, key=lambda e: e.at_ms)
        self._frequency = FrequencyState()
        self._base_mw = sum(area_demand_mw(start_ms).values())
        self._disturbance_mw = 0.0
        self._lines_out: set[str] = set()
        self._shed_mw: dict[Area, float] = dict.fromkeys(AREAS, 0.0)
        self._demand_response: list[tuple[int, dict[Area, float]]] = []
        self._load_noise_mw: dict[Area, float] = dict.fromkeys(AREAS, 0.0)
        self._south: SouthState = "connected"
        self._south_since_ms = start_ms
        self._last_sample: GridSample | None = None

    @property
    def lines_out(self) -> frozenset[str]:
        """Ids of lines currently open."""
        return frozenset(self._lines_out)

    def schedule(self, event: GridEvent) -> None:
        """Add an event (e.g. an emergency action) to happen at ``event.at_ms``."""
        self._pending.append(event)
        self._pending.sort(key=lambda e: e.at_ms)

    def step(self, now_ms: int) -> GridSample:
        """Advance the model to ``now_ms`` and return the sample for that instant."""
        dt_s = max(0.0, (now_ms - self._last_ms) / 1000.0)
        self._last_ms = max(self._last_ms, now_ms)
        self._apply_due_events(now_ms)
        self._expire_demand_response(now_ms)
        self._advance_load_noise()
        loads = self._area_loads(now_ms)
        self._update_south(now_ms, loads)
        loads = self._area_loads(now_ms)
        self._advance_frequency(loads, dt_s)
        sample = self._sample(now_ms, loads)
        self._last_sample = sample
        return sample

    def grid_snapshot(self) -> GridSnapshot:
        """Integer snapshot of the latest sample (steps at the start time if never stepped)."""
        sample = self._last_sample or self.step(self._last_ms)
        return snapshot_of(sample)

    # --- events -------------------------------------------------------------------------

    def _apply_due_events(self, now_ms: int) -> None:
        while self._pending and self._pending[0].at_ms <= now_ms:
            self._apply(self._pending.pop(0))

    def _apply(self, event: GridEvent) -> None:
        if isinstance(event, GeneratorTrip):
            self._disturbance_mw += event.mw
        elif isinstance(event, LineTrip):
            self._lines_out.add(line_by_id(event.line_id).line_id)
        elif isinstance(event, LoadShed):
            for area, mw in _spread(event.region, event.mw).items():
                self._shed_mw[area] += mw
            self._disturbance_mw -= event.mw
        else:
            end_ms = event.at_ms + round(event.duration_s * 1000)
            self._demand_response.append((end_ms, _spread(event.region, event.mw)))
            self._disturbance_mw -= event.mw

    def _expire_demand_response(self, now_ms: int) -> None:
        for end_ms, by_area in [d for d in self._demand_response if d[0] <= now_ms]:
            self._demand_response.remove((end_ms, by_area))
            self._disturbance_mw += sum(by_area.values())

    # --- load ---------------------------------------------------------------------------

    def _advance_load_noise(self) -> None:
        draws = self._rng.standard_normal(len(AREAS))
        for area, draw in zip(AREAS, draws, strict=True):
            sigma = 0.0008 * AREA_SHARE[area] * 20_000.0
            self._load_noise_mw[area] = 0.98 * self._load_noise_mw[area] + sigma * float(draw)

    def _area_loads(self, now_ms: int) -> dict[Area, float]:
        loads = area_demand_mw(now_ms)
        for area in AREAS:
            responding = sum(d[1].get(area, 0.0) for d in self._demand_response)
            reduction = self._shed_mw[area] + responding
            loads[area] = max(0.0, loads[area] - reduction + self._load_noise_mw[area])
        if self._south == "blackout":
            loads["south"] = 0.0
        elif self._south == "collapsing":
            loads["south"] *= 1.0 - self._collapse_progress(self._last_ms)
        return loads

    # --- the South ----------------------------------------------------------------------

    def _tie_capacity_mw(self) -> float:
        return sum(
            line.capacity_mw for line in LINES
            if line.southern_tie and line.line_id not in self._lines_out
        )

    def _south_import_mw(self, loads: dict[Area, float]) -> float:
        return loads["south"] - _south_generation_mw(loads["south"])

    def _update_south(self, now_ms: int, loads: dict[Area, float]) -> None:
        if self._south == "collapsing" and self._collapse_progress(now_ms) >= 1.0:
            self._south = "blackout"
        if self._south not in ("connected", "overloaded"):
            return
        import_mw = self._south_import_mw(loads)
        capacity = self._tie_capacity_mw()
        if capacity <= 0.0:
            self._separate_south(now_ms, loads)
        elif import_mw <= capacity:
            self._south = "connected"
        elif self._south == "connected":
            self._south, self._south_since_ms = "overloaded", now_ms
        elif now_ms - self._south_since_ms >= _OVERLOAD_TRIP_MS:
            self._lines_out.update(line.line_id for line in LINES if line.southern_tie)
            self._separate_south(now_ms, loads)

    def _separate_south(self, now_ms: int, loads: dict[Area, float]) -> None:
        import_mw = self._south_import_mw(loads)
        self._disturbance_mw -= import_mw  # the main grid loses its export to the South
        if import_mw / max(loads["south"], 1.0) > _ISLAND_SURVIVABLE_DEFICIT:
            self._south, self._south_since_ms = "collapsing", now_ms
        else:
            self._south = "island"
            self._shed_mw["south"] += import_mw  # under-frequency load shedding balances it

    def _collapse_progress(self, now_ms: int) -> float:
        if self._south == "blackout":
            return 1.0
        return min(1.0, (now_ms - self._south_since_ms) / _COLLAPSE_MS)

    # --- frequency ----------------------------------------------------------------------

    def _main_grid_load_mw(self, loads: dict[Area, float]) -> float:
        separated = self._south in ("collapsing", "blackout", "island")
        return sum(mw for area, mw in loads.items() if not (separated and area == "south"))

    def _advance_frequency(self, loads: dict[Area, float], dt_s: float) -> None:
        base = max(self._main_grid_load_mw(loads), 1.0)
        self._frequency = rebase(self._frequency, self._base_mw, base)
        self._base_mw = base
        noise_mw = sum(self._load_noise_mw.values())
        disturbance_pu = (self._disturbance_mw + noise_mw) / base
        self._frequency = advance(self._frequency, disturbance_pu, dt_s, self._params)

    def _imbalance_mw(self) -> float:
        f = self._frequency
        noise_mw = sum(self._load_noise_mw.values())
        return (f.governor_response + f.agc_response) * self._base_mw - (
            self._disturbance_mw + noise_mw
        )

    # --- the sample ---------------------------------------------------------------------

    def _sample(self, now_ms: int, loads: dict[Area, float]) -> GridSample:
        frequency_hz = self._frequency.frequency_hz + 0.003 * float(self._rng.standard_normal())
        volt_noise = self._rng.standard_normal(len(SUBSTATIONS))
        flow_noise = self._rng.standard_normal(len(SUBSTATIONS))
        readings = tuple(
            self._reading(s, loads, float(vn), float(fn))
            for s, vn, fn in zip(SUBSTATIONS, volt_noise, flow_noise, strict=True)
        )
        regions = self._regions(now_ms, loads)
        return GridSample(now_ms, frequency_hz, readings, regions, self._south)

    def _voltage_factor(self, substation: Substation, loading: float, noise: float) -> float:
        factor = 1.0 + _KV_SETPOINT_BIAS.get(substation.nominal_kv, 0.0) - 0.04 * loading
        factor += 2.0 * min(0.0, self._frequency.frequency_deviation) + 0.002 * noise
        factor -= 0.015 * sum(
            1 for line in LINES if line.line_id in self._lines_out
            and substation.substation_id in (line.from_substation, line.to_substation)
        )
        if substation.area == "south":
            factor *= self._south_voltage_factor()
        return factor

    def _south_voltage_factor(self) -> float:
        if self._south == "overloaded":
            return 0.92
        if self._south == "collapsing":
            return 0.85 * (1.0 - self._collapse_progress(self._last_ms)) ** 2
        return 0.0 if self._south == "blackout" else 1.0

    def _reading(
        self, substation: Substation, loads: dict[Area, float], volt_noise: float, flow_noise: float
    ) -> SubstationReading:
        area_peak = AREA_SHARE[substation.area] * RECORD_PEAK_MW
        loading = loads[substation.area] / area_peak
        voltage = substation.nominal_kv * self._voltage_factor(substation, loading, volt_noise)
        flow = loads[substation.area] * substation.load_weight / _AREA_WEIGHT[substation.area]
        return SubstationReading(
            substation.substation_id, max(0.0, voltage), max(0.0, flow * (1 + 0.005 * flow_noise))
        )

    def _regions(self, now_ms: int, loads: dict[Area, float]) -> tuple[RegionBalance, ...]:
        solar = rooftop_solar_mw(now_ms)
        provincial = sum(mw for area, mw in loads.items() if area != "bangkok")
        mea_load, egat_load = loads["bangkok"], _EGAT_DIRECT_SHARE * provincial
        pea_load = provincial - egat_load
        mea_gen = 0.3 * solar * (mea_load > 0)
        pea_gen = (0.7 * solar + _PEA_VSPP_MW) * (pea_load > 0)
        total_gen = mea_load + pea_load + egat_load + self._imbalance_mw()
        return (
            RegionBalance("EGAT", egat_load, max(0.0, total_gen - mea_gen - pea_gen)),
            RegionBalance("MEA", mea_load, mea_gen),
            RegionBalance("PEA", pea_load, pea_gen),
        )


def _south_generation_mw(south_load_mw: float) -> float:
    """Local southern generation: up to 1,600 MW, importing at least a fifth of demand."""
    return min(SOUTH_LOCAL_GENERATION_MW, 0.8 * south_load_mw)


def _spread(region: str, mw: float) -> dict[Area, float]:
    """Split ``mw`` of a region's load reduction over its areas by demand share."""
    areas = REGION_AREAS[region]
    total = sum(AREA_SHARE[a] for a in areas)
    return {a: mw * AREA_SHARE[a] / total for a in areas}


_AREA_WEIGHT: Final[dict[Area, float]] = {
    area: sum(s.load_weight for s in SUBSTATIONS if s.area == area) for area in AREAS
}
