"""Scriptable grid events, each with the UTC millisecond time it happens.

``parse_event`` reads the command-line form ``KIND@SECONDS[:ARGS]`` relative to a start
time, e.g. ``generator_trip@30:1000``, ``line_trip@60:BSP-SRT-500-2``, ``southern_tie@120``,
``load_shed@30:1:PEA:300``, ``demand_response@30:MEA:200:900``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from node_core.grid.substations import Area
from node_core.ledger.exceptions import GridTokenXError


class InvalidGridEvent(GridTokenXError):
    """An event description cannot be parsed or names an unknown line or region."""


@dataclass(frozen=True, slots=True)
class Line:
    """A transmission line between two substations."""

    line_id: str
    """E.g. ``BSP-SRT-500-1``: Bang Saphan 2 to Surat Thani, 500 kV, circuit 1."""
    from_substation: str
    to_substation: str
    kv: float
    capacity_mw: float
    """Thermal / stability transfer limit."""
    southern_tie: bool
    """True for the lines that connect the South to the rest of the grid."""


LINES: Final[tuple[Line, ...]] = (
    Line("BSP-SRT-500-1", "EGAT-BSP-500", "EGAT-SRT-500", 500, 1_500.0, True),
    Line("BSP-SRT-500-2", "EGAT-BSP-500", "EGAT-SRT-500", 500, 1_500.0, True),
    Line("BSP-CPN-230-1", "EGAT-BSP-500", "EGAT-CPN-230", 230, 250.0, True),
    Line("BSP-CPN-230-2", "EGAT-BSP-500", "EGAT-CPN-230", 230, 250.0, True),
    Line("MMO-TTK-500-1", "EGAT-MMO-500", "EGAT-TTK-500", 500, 2_000.0, False),
    Line("TTK-BSI-500-1", "EGAT-TTK-500", "EGAT-BSI-500", 500, 2_000.0, False),
    Line("NPG-WNI-500-1", "EGAT-NPG-500", "EGAT-WNI-500", 500, 2_000.0, False),
    Line("WNI-NCK-500-1", "EGAT-WNI-500", "EGAT-NCK-500", 500, 2_000.0, False),
    Line("PLD-NCK-500-1", "EGAT-PLD-500", "EGAT-NCK-500", 500, 2_000.0, False),
    Line("CBG-BSP-500-1", "EGAT-CBG-500", "EGAT-BSP-500", 500, 2_000.0, False),
)

REGION_AREAS: Final[dict[str, tuple[Area, ...]]] = {
    "EGAT": ("north", "northeast", "central", "south", "bangkok"),
    "MEA": ("bangkok",),
    "PEA": ("north", "northeast", "central", "south"),
}
"""Areas whose load each authority's actions (load shed, demand response) reduce."""


@dataclass(frozen=True, slots=True)
class GeneratorTrip:
    """A generating unit trips: ``mw`` of generation is lost instantly."""

    at_ms: int
    mw: float


@dataclass(frozen=True, slots=True)
class LineTrip:
    """A transmission line opens (protection trip or planned maintenance outage)."""

    at_ms: int
    line_id: str


@dataclass(frozen=True, slots=True)
class LoadShed:
    """Under-frequency / emergency load shedding: ``mw`` of ``region`` load is dropped."""

    at_ms: int
    stage: int
    region: str
    mw: float


@dataclass(frozen=True, slots=True)
class DemandResponse:
    """Contracted demand response: ``region`` load falls by ``mw`` for ``duration_s``."""

    at_ms: int
    region: str
    mw: float
    duration_s: float


GridEvent = GeneratorTrip | LineTrip | LoadShed | DemandResponse


def line_by_id(line_id: str) -> Line:
    """The line named ``line_id``; ``InvalidGridEvent`` if unknown."""
    for line in LINES:
        if line.line_id == line_id:
            return line
    raise InvalidGridEvent(f"unknown line {line_id!r}")


def southern_tie_incident(
    at_ms: int, maintenance_from_ms: int | None = None
) -> tuple[LineTrip, ...]:
    """The southern blackout: circuit 1 out for maintenance, then circuit 2 trips at ``at_ms``.

    The South (~2,200 MW demand, ~1,600 MW local generation) then leans on the two 230 kV
    ties, which overload and trip; the southern island collapses.
    """
    outage_ms = at_ms - 3_600_000 if maintenance_from_ms is None else maintenance_from_ms
    return (LineTrip(outage_ms, "BSP-SRT-500-1"), LineTrip(at_ms, "BSP-SRT-500-2"))


def _check_region(region: str) -> str:
    if region not in REGION_AREAS:
        raise InvalidGridEvent(f"unknown region {region!r}")
    return region


def _build(kind: str, at_ms: int, args: list[str]) -> tuple[GridEvent, ...]:
    if kind == "generator_trip":
        return (GeneratorTrip(at_ms, float(args[0]) if args else 1_000.0),)
    if kind == "line_trip":
        return (LineTrip(at_ms, line_by_id(args[0]).line_id),)
    if kind == "southern_tie":
        return southern_tie_incident(at_ms)
    if kind == "load_shed":
        return (LoadShed(at_ms, int(args[0]), _check_region(args[1]), float(args[2])),)
    if kind == "demand_response":
        region = _check_region(args[0])
        return (DemandResponse(at_ms, region, float(args[1]), float(args[2])),)
    raise InvalidGridEvent(f"unknown event kind {kind!r}")


def parse_event(text: str, start_ms: int) -> tuple[GridEvent, ...]:
    """Parse ``KIND@SECONDS[:ARG...]``; SECONDS counts from ``start_ms``."""
    kind, sep, rest = text.partition("@")
    if not sep:
        raise InvalidGridEvent(f"event {text!r} lacks '@SECONDS'")
    offset, *args = rest.split(":")
    try:
        at_ms = start_ms + round(float(offset) * 1000.0)
        return _build(kind.strip(), at_ms, args)
    except (ValueError, IndexError) as exc:
        raise InvalidGridEvent(f"cannot parse event {text!r}: {exc}") from exc
