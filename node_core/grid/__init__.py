"""A deterministic Thai grid simulator: substations, demand, frequency, scripted events."""

from node_core.grid.events import (
    LINES,
    DemandResponse,
    GeneratorTrip,
    GridEvent,
    InvalidGridEvent,
    Line,
    LineTrip,
    LoadShed,
    parse_event,
    southern_tie_incident,
)
from node_core.grid.simulator import (
    GridSample,
    GridSimulator,
    RegionBalance,
    SubstationReading,
    snapshot_of,
)
from node_core.grid.substations import AREAS, SUBSTATIONS, Substation, substation_by_id

__all__ = [
    "AREAS",
    "LINES",
    "SUBSTATIONS",
    "DemandResponse",
    "GeneratorTrip",
    "GridEvent",
    "GridSample",
    "GridSimulator",
    "InvalidGridEvent",
    "Line",
    "LineTrip",
    "LoadShed",
    "RegionBalance",
    "Substation",
    "SubstationReading",
    "parse_event",
    "snapshot_of",
    "southern_tie_incident",
    "substation_by_id",
]
