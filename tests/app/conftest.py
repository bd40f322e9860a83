"""Fixtures for console tests: a qasync loop per test, settings in a temporary INI file.

The loop fixture follows ../shared/STYLE.md: loop errors are collected with
``set_exception_handler`` and re-raised at teardown; the loop is closed and
``asyncio.set_event_loop(None)`` runs, so no "Signal source has been deleted" noise.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QWidget

from app.shell import settings as S
from app.shell.gui_thread_gc import gui_thread_collection
from app.shell.theme import THEMES, apply_theme

T = TypeVar("T")
Run = Callable[[Awaitable[T], float], T]


@pytest.fixture
def qasync_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    qapp.setQuitOnLastWindowClosed(False)  # as run_console: closing must not stop the loop
    errors: list[dict[str, Any]] = []
    with gui_thread_collection():  # as run_console: Qt objects die on the GUI thread
        loop = qasync.QEventLoop(qapp)
        asyncio.set_event_loop(loop)
        loop.set_exception_handler(lambda _loop, context: errors.append(context))
        yield loop
        try:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()
            asyncio.set_event_loop(None)
    assert not errors, f"event loop errors: {errors}"


@pytest.fixture
def run(qasync_loop: qasync.QEventLoop) -> Run[Any]:
    """``run(coroutine, timeout_s)``: drive the qasync loop until the coroutine ends."""

    def _run(coroutine: Awaitable[T], timeout_s: float = 60.0) -> T:
        return qasync_loop.run_until_complete(asyncio.wait_for(coroutine, timeout_s))

    return _run


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Console settings in a per-test INI file (never the user's)."""
    return S.open_settings(tmp_path / "console.ini")


@pytest.fixture
def isa101(qapp: QApplication):  # type: ignore[no-untyped-def]
    apply_theme(qapp, THEMES["isa101"])
    return THEMES["isa101"]


async def console_session(console, body) -> None:  # type: ignore[no-untyped-def]
    """Run the console while ``body`` checks it; shut it down (and its devnet) whatever
    happens, so a failed check leaves no child process behind."""
    session = asyncio.ensure_future(console.run())
    try:
        await body()
    finally:
        console.leave.set()  # the window's close path, without the question
        exit_code = await asyncio.wait_for(session, 60)
    assert exit_code == 0


def alive(pid: int) -> bool:
    """True while a process with ``pid`` exists (checks that shutdown left nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def when(predicate):  # type: ignore[no-untyped-def]
    """A synchronous predicate as the async check ``wait_until`` takes."""
    async def check() -> bool:
        return bool(predicate())

    return check


def open_dialog(window: QWidget, kind: type[T]) -> T | None:
    """The visible dialog of ``kind`` the window holds, if any."""
    return next((d for d in window.findChildren(kind) if d.isVisible()), None)  # type: ignore[attr-defined]


async def dialog_with_tokens(window: QWidget, kind: type[T], timeout_s: float = 60) -> T:
    """The visible dialog of ``kind`` once it shows and lists the people's tokens."""
    from tests.helpers.devnet import wait_until

    await wait_until(when(lambda: open_dialog(window, kind) is not None), timeout_s,
                     f"the {kind.__name__}")
    dialog = open_dialog(window, kind)
    await wait_until(when(lambda: dialog.form.tokens.count() > 0), 20,  # type: ignore[union-attr]
                     "the tokens listed")
    return dialog  # type: ignore[return-value]


def press_ok(dialog: QDialog, token: str | None = None, pin: str | None = None) -> None:
    """Choose ``token``, type ``pin`` (None: as prefilled) and press the dialog's OK."""
    form = dialog.form  # type: ignore[attr-defined]
    if token is not None:
        form.tokens.setEditText(token)
    if pin is not None:
        form.pin.setText(pin)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # type: ignore[attr-defined]
