"""The console's theme: a control that cannot be used looks unusable (ISA-101 keeps colour
for abnormal states, so grey text is how a disabled button tells the operator)."""

from PySide6.QtWidgets import QPushButton

from app.shell.theme import THEMES, apply_theme


def test_a_disabled_button_is_drawn_in_a_lighter_grey_than_an_enabled_one(qapp) -> None:
    for theme in THEMES.values():
        apply_theme(qapp, theme)
        enabled, disabled = QPushButton("Operate…"), QPushButton("Approve…")
        disabled.setEnabled(False)
        colour = {button: button.palette().color(button.foregroundRole()).lightness()
                  for button in (enabled, disabled)}
        assert colour[disabled] - colour[enabled] > 80, theme.name
