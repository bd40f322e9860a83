"""Shared pieces for Qt benchmarks: an offscreen application and a UI-stall probe."""

from __future__ import annotations

import os
import time

import numpy as np


def offscreen_app():
    """The QApplication, created offscreen unless a platform was chosen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


class StallProbe:
    """A repeating QTimer whose lateness measures how long the event loop was blocked."""

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval_s = interval_ms / 1000.0
        self.lateness_s: list[float] = []
        self._last = 0.0
        self._timer = QTimer(interval=interval_ms)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)

    def start(self) -> None:
        self.lateness_s.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        self.lateness_s.append(max(0.0, now - self._last - self.interval_s))
        self._last = now

    def p99_ms(self) -> float:
        """99th percentile lateness in milliseconds (0 when the timer never fired)."""
        if not self.lateness_s:
            return 0.0
        return float(np.percentile(self.lateness_s, 99) * 1000.0)
