"""What a node refused, by rule: counted for ``status`` and logged, never silently lost.

Every transaction, proposal, block or message the node drops is recorded here with the rule
it broke (the error's class name, e.g. ``FieldTooLong``, ``NonceMismatch``) and a message
naming the transaction or block. The counts by rule are part of ``status``
(``rejected``). Each drop is logged at WARNING, at most once per rule per minute: under load
the same rule can break thousands of times a second, so the next warning of a rule says how
many were not logged in between.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Final

from node_core.clock import now_ms

WARNING_INTERVAL_MS: Final = 60_000


class Rejections:
    """Counts by rule and rate-limited warnings (see the module docstring)."""

    def __init__(self, log: logging.Logger, *, clock: Callable[[], int] = now_ms,
                 interval_ms: int = WARNING_INTERVAL_MS) -> None:
        self._log, self._clock, self._interval_ms = log, clock, interval_ms
        self.counts: Counter[str] = Counter()
        """Drops by rule since the node started."""
        self._next_warning: dict[str, int] = {}
        self._unlogged: Counter[str] = Counter()

    def record(self, rule: str, message: str = "") -> None:
        """Count one drop of ``rule``; warn with ``message`` unless this rule warned within
        the interval. An empty message counts only (a repeat the caller already reported)."""
        self.counts[rule] += 1
        if not message:
            return
        now = self._clock()
        if now < self._next_warning.get(rule, 0):
            self._unlogged[rule] += 1
            return
        self._next_warning[rule] = now + self._interval_ms
        skipped = self._unlogged.pop(rule, 0)
        more = f" ({skipped} more {rule} since the last warning)" if skipped else ""
        self._log.warning("dropped: %s: %s%s", rule, message, more)
