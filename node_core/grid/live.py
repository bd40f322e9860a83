"""Plain-data views of grid samples, for the live stream the console charts subscribe to."""

from __future__ import annotations

from node_core.api.answers import GridSampleView, SubstationSample
from node_core.grid.simulator import GridSample
from node_core.grid.substations import substation_by_id


def sample_view(sample: GridSample) -> GridSampleView:
    """A sample as JSON-ready data (the shape ``GridChartsPanel.on_grid_sample`` takes)."""
    substations: list[SubstationSample] = []
    for reading in sample.substations:
        station = substation_by_id(reading.substation_id)
        substations.append({
            "id": reading.substation_id, "name": station.name, "region": station.region,
            "voltage_kv": reading.voltage_kv, "nominal_kv": station.nominal_kv,
            "power_flow_mw": reading.power_flow_mw,
        })
    return {
        "timestamp_ms": sample.timestamp_ms,
        "frequency_hz": sample.frequency_hz,
        "substations": substations,
        "regions": [{"region": r.region, "load_mw": r.load_mw, "generation_mw": r.generation_mw}
                    for r in sample.regions],
        "south_state": str(sample.south_state),
    }
