"""A pyqtgraph time axis that labels UTC epoch seconds on the display clock.

The display clock is the console's time zone (:func:`views.common.formatting.time_display`:
Asia/Bangkok unless the operator set another); the names keep "Bangkok", the default.
"""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import pyqtgraph as pg

from views.common.formatting import time_display

_STEPS_S = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30,
            60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
            2 * 86400, 7 * 86400)
"""Tick spacings (seconds) that land on round clock times."""


def _zone() -> ZoneInfo:
    return time_display().zone


def bangkok_text(t: float, with_ms: bool = False) -> str:
    """``YYYY-MM-DD HH:MM:SS[.mmm]`` of UTC epoch seconds ``t`` on the display clock."""
    local = datetime.fromtimestamp(t, _zone())
    text = local.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text}.{local.microsecond // 1000:03d}" if with_ms else text


def tick_text(t: float, spacing: float) -> str:
    """Display-clock text of a tick, as precise as the tick spacing needs."""
    local = datetime.fromtimestamp(t, _zone())
    if spacing >= 86400:
        return local.strftime("%m-%d")
    if spacing >= 60:
        return local.strftime("%H:%M")
    if spacing >= 1:
        return local.strftime("%H:%M:%S")
    return f"{local:%H:%M:%S}.{local.microsecond // 1000:03d}"


def tick_times(t_min: float, t_max: float, spacing: float) -> list[float]:
    """Epoch times in ``[t_min, t_max]`` at multiples of ``spacing`` on the display clock."""
    offset = datetime.fromtimestamp(t_min, _zone()).utcoffset().total_seconds()
    first = math.ceil((t_min + offset) / spacing)
    last = math.floor((t_max + offset) / spacing)
    if last - first > 1000:
        return []
    return [k * spacing - offset for k in range(first, last + 1)]


class BangkokTimeAxis(pg.AxisItem):
    """Bottom axis over UTC epoch seconds, ticks at round display-clock (default Bangkok)
    times, labelled on that clock."""

    def __init__(self, label_px: int = 90, **kwargs) -> None:
        """``label_px``: room one tick label needs; sets how dense major ticks may be."""
        super().__init__(orientation="bottom", **kwargs)
        self._label_px = label_px

    def tickValues(self, minVal: float, maxVal: float, size: float):  # pyqtgraph override
        """Major ticks about one label width apart, minor ticks one step finer."""
        if not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal <= minVal or size <= 0:
            return []
        wanted = (maxVal - minVal) * self._label_px / size
        i = next((i for i, s in enumerate(_STEPS_S) if s >= wanted), len(_STEPS_S) - 1)
        major = _STEPS_S[i]
        minor = _STEPS_S[max(0, i - 1)]
        return [(major, tick_times(minVal, maxVal, major)),
                (minor, tick_times(minVal, maxVal, minor))]

    def tickStrings(self, values, scale, spacing):  # pyqtgraph override
        """Display-clock text for each tick, precise enough for the spacing."""
        return [tick_text(v, spacing) for v in values]
