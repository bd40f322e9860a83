"""ISA-101 colours for the charts (plain data, no Qt).

Gray background, muted gray/blue-gray traces, colour reserved for abnormal: limit bands and event
markers use the alarm-priority colours (critical red, high orange, medium yellow, low cyan).
"""

from __future__ import annotations

from dataclasses import dataclass

PRIORITIES = ("critical", "high", "medium", "low")
"""Alarm priorities, most severe first; used for event markers and limit bands."""


@dataclass(frozen=True, slots=True)
class ChartPalette:
    """Colours of one theme, as ``#rrggbb`` strings."""

    background: str
    """Plot and panel background (ISA-101 gray)."""
    foreground: str
    """Axes, tick labels, titles."""
    grid: str
    """Grid lines, axis lines and ticks: opaque, one step off the background."""
    traces: tuple[str, ...]
    """Normal-state trace colours, used in turn for the series of one plot."""
    crosshair: str
    """Cursor line."""
    priority: dict[str, str]
    """Alarm-priority colour by priority name (see ``PRIORITIES``)."""


LIGHT = ChartPalette(
    background="#c8c8c8",
    foreground="#1e1e1e",
    grid="#aeaeae",
    traces=("#1f2d3a", "#4a5d70", "#5a5a5a", "#2f4858"),
    crosshair="#505050",
    # Yellow is darkened to amber: pure yellow on 78 % gray has too little contrast.
    priority={"critical": "#d00000", "high": "#e06000", "medium": "#b89000", "low": "#008ca8"},
)

DARK = ChartPalette(
    background="#3c3c3c",
    foreground="#e6e6e6",
    grid="#555555",
    traces=("#d2d8de", "#9fb2c4", "#bdbdbd", "#a8c0c8"),
    crosshair="#b4b4b4",
    priority={"critical": "#ff3030", "high": "#ff9020", "medium": "#ffd700", "low": "#00d8ff"},
)

THEMES = {"light": LIGHT, "dark": DARK}


def palette_for(theme: str) -> ChartPalette:
    """The palette of ``theme`` ("light": #c8c8c8 background, "dark": #3c3c3c)."""
    try:
        return THEMES[theme]
    except KeyError:
        raise ValueError(f"unknown theme {theme!r}; expected one of {sorted(THEMES)}") from None


def priority_colour(palette: ChartPalette, priority: str) -> str:
    """Colour of an alarm priority; raises ValueError for an unknown priority."""
    try:
        return palette.priority[priority]
    except KeyError:
        raise ValueError(f"unknown priority {priority!r}; expected one of {PRIORITIES}") from None
