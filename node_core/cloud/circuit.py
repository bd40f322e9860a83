"""A circuit breaker: stop calling a backend that keeps failing, and probe it for recovery.

* **closed** — calls pass; ``failure_threshold`` consecutive failures open the circuit.
* **open** — calls fail fast with ``CircuitOpen`` until ``cool_down_s`` has passed.
* **half-open** — one trial call passes (others still fail fast); its success closes the
  circuit, its failure opens it again for another cool-down.

The breaker is driven by its owner: ``admit()`` before each attempt, then ``succeeded()`` or
``failed()``. It is used from one asyncio loop; it does no I/O and never blocks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from node_core.cloud.errors import CircuitOpen


class CircuitState(StrEnum):
    """The breaker's state, as the console shows it."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Counts consecutive failures of one backend and fails fast while it is down."""

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        cool_down_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if cool_down_s <= 0:
            raise ValueError("cool_down_s must be positive")
        self.name = name
        self._threshold = failure_threshold
        self._cool_down_s = cool_down_s
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> CircuitState:
        """The current state; an open circuit whose cool-down has passed reads half-open."""
        if self._state is CircuitState.OPEN and self._cool_down_over():
            return CircuitState.HALF_OPEN
        return self._state

    @property
    def consecutive_failures(self) -> int:
        """Failures since the last success."""
        return self._failures

    def admit(self) -> None:
        """Allow one attempt, or raise ``CircuitOpen`` if the circuit is open."""
        if self._state is CircuitState.OPEN:
            if not self._cool_down_over():
                raise CircuitOpen(f"{self.name}: circuit open, {self._cool_down_left():.1f} s "
                                  f"left of the cool-down after {self._failures} failures")
            self._state = CircuitState.HALF_OPEN
        if self._state is CircuitState.HALF_OPEN:
            if self._trial_in_flight:
                raise CircuitOpen(f"{self.name}: circuit half-open, a trial call is in flight")
            self._trial_in_flight = True

    def succeeded(self) -> None:
        """Record a successful attempt: close the circuit."""
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._trial_in_flight = False

    def failed(self) -> None:
        """Record a failed attempt: open the circuit at the threshold or after a failed trial."""
        self._failures += 1
        trial_failed = self._state is CircuitState.HALF_OPEN
        self._trial_in_flight = False
        if trial_failed or self._failures >= self._threshold:
            self._state = CircuitState.OPEN
            self._opened_at = self._clock()

    def released(self) -> None:
        """Record an attempt that proved nothing either way (e.g. cancelled)."""
        if self._state is CircuitState.HALF_OPEN:
            self._trial_in_flight = False

    def _cool_down_over(self) -> bool:
        return self._cool_down_left() <= 0

    def _cool_down_left(self) -> float:
        return self._opened_at + self._cool_down_s - self._clock()
