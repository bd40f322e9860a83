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

Everything alive when the collector starts (the imported modules, Qt's wrappers: hundreds of
thousands of objects) is frozen (``gc.freeze``) and never traversed again: with the console
up, a full collection on the GUI thread then costs ~10 ms instead of ~110 ms
(``python -m tests.perf soak``: ``full_gc_ms``). A cycle among those start-up objects that
became garbage later would wait for :meth:`GuiThreadCollector.stop`. Nothing is collected
before freezing: that full collection took ~85 ms on the way to the first frame and found a
few dozen objects.

Use :func:`gui_thread_collection` around the qasync loop (the console, its tests and the soak
benchmark do).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS: Final = 500


class GuiThreadCollector(QObject):
    """While it runs, cyclic garbage is collected on the thread that created it (the GUI
    thread). :meth:`stop` restores automatic collection."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self.longest_ms = 0.0
        """The longest collection so far (it runs on the GUI thread: a UI stall)."""
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        gc.disable()
        gc.freeze()  # what is alive now (imported modules, Qt wrappers) is never traversed
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the young generation, or the oldest one whose threshold is crossed; the
        number of unreachable objects found."""
        generation = 0
        for level, (count, threshold) in enumerate(zip(gc.get_count(), self._thresholds,
                                                       strict=True)):
            if level and threshold and count > threshold:
                generation = level
        started = time.perf_counter()
        found = gc.collect(generation)
        self.longest_ms = max(self.longest_ms, (time.perf_counter() - started) * 1000)
        return found

    def stop(self) -> None:
        """Stop the timer, collect what is left here, and give collection back to CPython."""
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        gc.enable()


@contextmanager
def gui_thread_collection(parent: QObject | None = None, interval_ms: int = INTERVAL_MS
                          ) -> Iterator[GuiThreadCollector]:
    """Collect cyclic garbage on this (the GUI) thread inside the block; CPython's automatic
    collection again after it."""
    collector = GuiThreadCollector(parent, interval_ms)
    try:
        yield collector
    finally:
        collector.stop()
