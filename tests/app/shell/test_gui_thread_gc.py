"""Qt objects in reference cycles die on the GUI thread, however busy the worker threads are
(app.shell.gui_thread_gc). Without it, a worker thread's allocation can trigger the collection that
destroys a timer-owning QObject off its thread: Qt warns and later crashes."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject, QTimer

from app.shell.gui_thread_gc import gui_thread_collection


class _Cycle(QObject):
    """A QObject with a running timer, kept alive only by a reference cycle."""

    def __init__(self, destroyed_on: list[int]) -> None:
        super().__init__()
        self.myself = self
        self.timer = QTimer(self)
        self.timer.start(60_000)
        weakref.finalize(self, lambda: destroyed_on.append(threading.get_ident()))


def _allocate_in_worker() -> None:
    def allocate() -> None:
        keep = [[index] for index in range(200_000)]  # crosses every generation threshold
        del keep

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()


def test_cyclic_qt_garbage_is_collected_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    destroyed_on: list[int] = []
    with gui_thread_collection(interval_ms=20):
        _Cycle(destroyed_on)
        _allocate_in_worker()
        assert destroyed_on == []  # the worker's allocations did not collect it
        qtbot.waitUntil(lambda: destroyed_on != [], timeout=5_000)
        assert destroyed_on == [threading.get_ident()]
    assert gc.isenabled()


def test_collect_due_finds_new_cycles_and_nothing_twice(qtbot) -> None:  # type: ignore[no-untyped-def]
    with gui_thread_collection(interval_ms=60_000) as collector:
        destroyed_on: list[int] = []
        _Cycle(destroyed_on)
        assert collector.collect_due() >= 1
        assert destroyed_on == [threading.get_ident()]
        assert collector.collect_due() == 0
