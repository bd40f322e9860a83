"""AlarmBanner: counts of standing alarms per priority, always visible above the docks.

Fed by ``AlarmTableModel.counts_changed`` (connect it to :meth:`AlarmBanner.on_counts`).
A priority with standing alarms is filled with its colour and shows how many are still
unacknowledged; a priority with none is plain gray (ISA-101: colour only for abnormal).
Clicking a priority asks the alarm list to show only that priority.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from views.alarms.alarm_model import SHELVED_COLOURS, text_on
from views.charts.palette import PRIORITIES, palette_for, priority_colour


class AlarmBanner(QWidget):
    """One button per priority plus a shelved/suppressed/out-of-service summary.

    Signals:
        priority_clicked(str): the operator clicked a priority ("critical"...).
    """

    priority_clicked = Signal(str)

    def __init__(self, *, theme: str = "light", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmBanner")
        palette = palette_for(theme)
        self._colours = {p: QColor(priority_colour(palette, p)) for p in PRIORITIES}
        self._purple = QColor(SHELVED_COLOURS.get(theme, SHELVED_COLOURS["light"]))
        self._buttons: dict[str, QPushButton] = {}
        self._counts: dict[str, Any] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for priority in PRIORITIES:
            button = QPushButton(self)
            button.setObjectName(f"alarmBanner_{priority}")
            button.setMinimumWidth(110)
            button.clicked.connect(lambda _=False, p=priority: self.priority_clicked.emit(p))
            layout.addWidget(button)
            self._buttons[priority] = button
        self._held = QLabel(self)
        self._held.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._held.setMinimumWidth(120)
        layout.addWidget(self._held, 1)
        layout.addStretch(1)
        self.on_counts({})

    def _names(self) -> dict[str, str]:
        return {"critical": self.tr("Critical"), "high": self.tr("High"),
                "medium": self.tr("Medium"), "low": self.tr("Low")}

    @Slot(dict)
    def on_counts(self, counts: dict[str, Any]) -> None:
        """``AlarmTableModel.counts()`` shape; missing keys count as 0."""
        self._counts = counts
        names = self._names()
        for priority, button in self._buttons.items():
            per = counts.get(priority) or {}
            active, unack = int(per.get("active", 0)), int(per.get("unack", 0))
            text = self.tr("{name} {n}").format(name=names[priority], n=active)
            if unack:
                text += " " + self.tr("({n} unack.)").format(n=unack)
            button.setText(text)
            button.setToolTip(self.tr("Show only {name} alarms").format(name=names[priority]))
            self._paint(button, self._colours[priority] if active else None)
        held = [(counts.get("shelved", 0), self.tr("shelved")),
                (counts.get("suppressed", 0), self.tr("suppressed")),
                (counts.get("out_of_service", 0), self.tr("out of service"))]
        self._held.setText("  ".join(f"{n} {word}" for n, word in held))
        any_held = any(n for n, _ in held)
        self._held.setStyleSheet(f"color: {self._purple.name()}; font-weight: bold;"
                                 if any_held else "")

    @staticmethod
    def _paint(button: QPushButton, colour: QColor | None) -> None:
        if colour is None:
            button.setStyleSheet("")
            return
        button.setStyleSheet(f"QPushButton {{ background: {colour.name()}; "
                             f"color: {text_on(colour).name()}; font-weight: bold; "
                             "border: 2px solid #1e1e1e; padding: 4px 10px; }")

    def counts(self) -> dict[str, Any]:
        return self._counts

    def button_text(self, priority: str) -> str:
        return self._buttons[priority].text()
