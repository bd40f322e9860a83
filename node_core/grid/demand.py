"""Thai system demand: a daily load curve, rooftop solar, and its split over areas and regions.

The gross curve is EGAT's hot-season shape in GW by Bangkok hour: a night trough (~17.6 GW
at 04:00), a daytime plateau, and the evening peak at 19:00-20:00 (~25.6 GW; the 2015 record
was ~27 GW). Behind-the-meter rooftop solar (up to 2.8 GW at 12:30) is subtracted from what
the transmission system sees, which carves the midday dip of the "duck curve".
"""

from __future__ import annotations

import math
from typing import Final

from node_core.grid.substations import Area

BANGKOK_UTC_OFFSET_H: Final = 7
RECORD_PEAK_MW: Final = 27_000.0

_GROSS_GW: Final = (
    19.5, 18.8, 18.2, 17.8, 17.6, 17.8, 18.5, 19.8, 21.5, 22.8, 23.6, 24.0,
    23.2, 24.0, 24.4, 24.3, 23.8, 23.4, 24.2, 25.6, 25.4, 24.2, 22.4, 20.8, 19.5,
)
"""Gross demand in GW at each Bangkok hour 0..24 (24 repeats 0)."""

ROOFTOP_SOLAR_PEAK_MW: Final = 2_800.0

AREA_SHARE: Final[dict[Area, float]] = {
    "bangkok": 0.30, "central": 0.34, "north": 0.12, "northeast": 0.15, "south": 0.09,
}
"""Share of national demand per area (sums to 1)."""

SOUTH_LOCAL_GENERATION_MW: Final = 1_600.0
"""Khanom, Chana and Krabi plants: what the South can generate on its own."""


def bangkok_hour(now_ms: int) -> float:
    """Fractional hour of day in Bangkok (UTC+7) for a UTC millisecond timestamp."""
    return (now_ms / 3_600_000.0 + BANGKOK_UTC_OFFSET_H) % 24.0


def gross_demand_mw(now_ms: int) -> float:
    """National gross demand (before rooftop solar) at ``now_ms``, linearly interpolated."""
    hour = bangkok_hour(now_ms)
    low = int(hour)
    frac = hour - low
    return 1000.0 * (_GROSS_GW[low] * (1.0 - frac) + _GROSS_GW[low + 1] * frac)


def rooftop_solar_mw(now_ms: int) -> float:
    """Rooftop solar output: a half-sine from 06:30 to 18:30 Bangkok time."""
    hour = bangkok_hour(now_ms)
    if not 6.5 < hour < 18.5:
        return 0.0
    return ROOFTOP_SOLAR_PEAK_MW * math.sin(math.pi * (hour - 6.5) / 12.0)


def net_demand_mw(now_ms: int) -> float:
    """Demand the transmission system sees: gross demand minus rooftop solar."""
    return gross_demand_mw(now_ms) - rooftop_solar_mw(now_ms)


def area_demand_mw(now_ms: int) -> dict[Area, float]:
    """Gross demand per area at ``now_ms``."""
    total = gross_demand_mw(now_ms)
    return {area: total * share for area, share in AREA_SHARE.items()}
