"""ISA-101 high-performance theme: gray, muted when normal, colour only for abnormal states.

* Background 60–70 % gray (``#c4c4c4``), dark gray text, no decorative colour: a normal
  plant looks calm, so an abnormal state stands out.
* Alarm colours are reserved for abnormal states (ISA-101 / ISA-18.2 priorities): critical red,
  high orange, medium yellow, low cyan; shelved/suppressed purple. Each abnormal label also
  gets a border and bold text so the state does not depend on colour vision alone.
* Fonts readable at 3 m on a wall screen: 14 pt application font, 14 pt bold status bar.

``light`` is the optional day-office theme: same rules on a lighter background.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel

APP_FONT_PT: Final = 14
STATUS_FONT_PT: Final = 14

PRIORITY_COLOURS: Final = {
    "critical": "#e0201b",
    "high": "#ff8c00",
    "medium": "#f2d400",
    "low": "#3fbcd4",
    "shelved": "#9a5fc2",
}
"""Alarm colours (abnormal only)."""


@dataclass(frozen=True, slots=True)
class Theme:
    """Colours of one theme."""

    name: str
    window: str
    """Background of windows and panels."""
    base: str
    """Background of tables and inputs."""
    text: str
    muted: str
    """Secondary text (labels of values)."""
    border: str
    highlight: str
    """Selection: a darker gray, never a hue."""
    charts: str
    """Theme name for ``views.charts`` (``light``/``dark``)."""


THEMES: Final = {
    "isa101": Theme("isa101", "#c4c4c4", "#d4d4d4", "#1c1c1c", "#4a4a4a", "#8c8c8c",
                    "#7a7a7a", "light"),
    "light": Theme("light", "#e6e6e6", "#f4f4f4", "#111111", "#505050", "#a0a0a0",
                   "#9a9a9a", "light"),
}


def theme_named(name: str) -> Theme:
    """The theme ``name``, falling back to ISA-101 for an unknown name."""
    return THEMES.get(name, THEMES["isa101"])


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Set the palette, the 3 m font and the style sheet on the whole application."""
    app.setStyle("Fusion")
    app.setPalette(_palette(theme))
    font = QFont(app.font())
    font.setPointSize(APP_FONT_PT)
    app.setFont(font)
    app.setStyleSheet(_style_sheet(theme))


def _palette(theme: Theme) -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window, QPalette.ColorRole.Base: theme.base,
        QPalette.ColorRole.AlternateBase: theme.window, QPalette.ColorRole.Button: theme.base,
        QPalette.ColorRole.WindowText: theme.text, QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.ButtonText: theme.text, QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.ToolTipBase: theme.base, QPalette.ColorRole.Highlight:
        theme.highlight, QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: theme.muted,
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.Text):  # a control that cannot be used looks it
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.border))
    return palette


def _style_sheet(theme: Theme) -> str:
    return f"""
QMainWindow, QDialog {{ background: {theme.window}; }}
QDockWidget {{ font-weight: bold; }}
QDockWidget::title {{ background: {theme.border}; color: {theme.text}; padding: 4px 8px; }}
QStatusBar {{ background: {theme.border}; font-size: {STATUS_FONT_PT}pt; }}
QStatusBar QLabel {{ color: {theme.text}; padding: 1px 5px; font-size: {STATUS_FONT_PT}pt; }}
QStatusBar::item {{ border: none; }}
QLabel#devnetMarker {{ background: {PRIORITY_COLOURS['low']}; color: #000000;
    font-weight: bold; padding: 2px 10px; border: 2px solid #000000; }}
QLabel#loginError {{ color: #000000; background: {PRIORITY_COLOURS['high']};
    font-weight: bold; padding: 4px; }}
"""


def mark_state(label: QLabel, priority: str | None) -> None:
    """Show ``label`` as normal (``None``: muted, no colour) or abnormal at ``priority``."""
    if priority is None:
        label.setStyleSheet("")
        return
    colour = PRIORITY_COLOURS[priority]
    label.setStyleSheet(f"background: {colour}; color: #000000; font-weight: bold;"
                        " border: 2px solid #000000;")
