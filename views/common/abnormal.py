"""ISA-101 abnormal-state marking for labels and table cells.

Normal values use the application palette (the app sets the gray theme); only an abnormal
value gets colour, and always with a symbol too (``✗``, ``⚠``) so that it reads without
colour vision. The colours are the alarm-priority colours of the charts
(:mod:`views.charts.palette`), so a red on the status panel is the red of a critical band.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from views.charts.palette import palette_for, priority_colour

CRITICAL = "critical"
"""Consensus failing, an equivocation, a signature that does not verify: red."""
HIGH = "high"
"""Degraded but working, e.g. a peer disconnected: orange."""


def abnormal_colour(priority: str, theme: str = "light") -> QColor:
    """Colour of an abnormal state of ``priority`` in ``theme``."""
    return QColor(priority_colour(palette_for(theme), priority))


def mark_label(label: QLabel, priority: str | None, theme: str = "light") -> None:
    """Colour ``label`` bold for an abnormal ``priority``; None puts back the palette look."""
    if priority is None:
        label.setStyleSheet("")
        return
    label.setStyleSheet(f"color: {abnormal_colour(priority, theme).name()}; font-weight: bold;")
