"""Python's cyclic garbage collector runs on the GUI thread only.

Left alone, CPython collects in whichever thread happens to allocate when a generation's
threshold is crossed: the console's worker threads (``asyncio.to_thread``, asyncio's child
watcher, gRPC) would then destroy unreachable Qt objects off the thread that owns them. Qt
cannot stop a timer from another thread ("QObject::~QObject: Timers cannot be stopped from
another thread"); the timer stays registered and later fires at freed memory, a segfault in
``QApplication::notify``. This happened in the console tests once in a few runs.

:class:`GuiThreadCollector` therefore turns automatic collection off and, every half second on
the GUI thread, collects the young generation, and an older one when the counts have crossed its
threshold — the decision CPython makes, taken on the right thread (calibre and pyzo do the
same). With the default thresholds that is a middle collection every 5 s and a full one about
every 8 minutes. Reference counting is untouched: only objects in reference cycles wait for the
timer.
"""

from __future__ import annotations

import gc
from typing import Final

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS: Final = 500


class GuiThreadCollector(QObject):
    """While it runs, cyclic garbage is collected on the thread that created it (the GUI
    thread). :meth:`stop` restores automatic collection."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        gc.disable()
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the young generation, or the oldest one whose threshold is crossed; the
        number of unreachable objects found."""
        generation = 0
        for level, (count, threshold) in enumerate(zip(gc.get_count(), self._thresholds,
                                                       strict=True)):
            if level and threshold and count > threshold:
                generation = level
        return gc.collect(generation)

    def stop(self) -> None:
        """Stop the timer, collect what is left here, and give collection back to CPython."""
        self._timer.stop()
        gc.collect()
        gc.enable()
