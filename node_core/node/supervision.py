"""Keeping child processes alive: a child that dies is restarted, with the one backoff rule.

Used by the console (its devnet nodes and grid simulator, or its configured node) and by the
headless devnet, so a node that crashes comes back by itself in both. An authority that stays
down stops signing and slows the chain for every authority, so restarts are automatic; each
one is reported (``SupervisionEvents``) so the operator sees it. The wait before a restart
grows with consecutive failures (:data:`RESTART`: 1, 2, 4 ... 30 s) and goes back to the
start once the child has stayed up for :data:`HEALTHY_AFTER_S`. A child that exits with status
2 (a usage error: restarting cannot help) is not restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from node_core.backoff import Backoff
from node_core.node.process import ChildProcess

log = logging.getLogger(__name__)

RESTART: Final = Backoff(1.0, 30.0, jitter=False)
HEALTHY_AFTER_S: Final = 60.0
CHECK_EVERY_S: Final = 1.0
USAGE_ERROR: Final = 2


class SupervisionEvents(Protocol):
    """What a supervisor reports (the console turns these into status-bar messages)."""

    def died(self, name: str, restart_in_s: float | None) -> None:
        """``name`` exited unexpectedly; restarted in ``restart_in_s`` (None: it will not
        be, a usage error)."""
        ...

    def restarted(self, name: str) -> None:
        """``name`` was started again."""
        ...


class LoggedEvents:
    """Supervision events for a headless run: the log is the operator's view."""

    def died(self, name: str, restart_in_s: float | None) -> None:
        if restart_in_s is None:
            log.error("%s exited with a usage error; not restarting it (see its log)", name)
        else:
            log.error("%s died unexpectedly; restarting in %.0f s", name, restart_in_s)

    def restarted(self, name: str) -> None:
        log.warning("restarted %s", name)


@dataclass(slots=True)
class _Watch:
    """Supervision state of one child."""

    child: ChildProcess
    started_at: float
    failures: int = 0
    restart_at: float | None = None
    given_up: bool = False


class Supervisor:
    """Watches started children on the running loop and restarts the ones that die."""

    def __init__(self, events: SupervisionEvents | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._events: SupervisionEvents = events or LoggedEvents()
        self._clock = clock
        self._watches: list[_Watch] = []
        self._task: asyncio.Task[None] | None = None
        self.restarts: Counter[str] = Counter()
        """Restarts per child name."""

    def watch(self, child: ChildProcess) -> None:
        """Supervise ``child`` (already started); checking begins on the first watch."""
        self._watches.append(_Watch(child, self._clock()))
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop supervising (the children are left as they are)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(CHECK_EVERY_S)
            now = self._clock()
            for watch in self._watches:
                self._check(watch, now)

    def _check(self, watch: _Watch, now: float) -> None:
        child = watch.child
        if child.running:
            if watch.failures and now - watch.started_at > HEALTHY_AFTER_S:
                watch.failures = 0
            return
        if watch.given_up:
            return
        if watch.restart_at is None:
            self._on_died(watch, now)
        elif now >= watch.restart_at:
            watch.restart_at, watch.started_at = None, now
            child.start()
            self.restarts[child.name] += 1
            self._events.restarted(child.name)

    def _on_died(self, watch: _Watch, now: float) -> None:
        if watch.child.returncode == USAGE_ERROR:
            watch.given_up = True
            self._events.died(watch.child.name, None)
            return
        watch.failures += 1
        delay = RESTART.delay_s(watch.failures)
        watch.restart_at = now + delay
        self._events.died(watch.child.name, delay)
