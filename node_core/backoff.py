"""The one retry rule of node_core and the console: capped exponential backoff.

After the n-th consecutive failure (n = 1, 2, ...) the ceiling is
``min(cap_s, first_s * 2**(n - 1))``. With jitter (the default) the wait is drawn uniformly
from ``[ceiling / 2, ceiling]`` ("equal jitter"), so clients that failed together do not
retry together; without it the wait is the ceiling itself (a supervisor's restart delay an
operator reads in the log). Every retrying part of the code — peer links, Pub/Sub streams,
Cloud Monitoring, Spanner, the backend API, the token search at start, the console's child
supervision — states its policy as a :class:`Backoff` and counts failures with
:class:`Retrying`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """A capped exponential backoff policy (see the module docstring)."""

    first_s: float
    """The wait after the first failure (its ceiling, with jitter)."""
    cap_s: float
    """No wait is longer."""
    jitter: bool = True

    def ceiling_s(self, failures: int) -> float:
        """The longest wait after ``failures`` consecutive failures (1, 2, ...)."""
        return min(self.cap_s, self.first_s * 2.0 ** min(max(failures, 1) - 1, 64))

    def delay_s(self, failures: int, rng: random.Random | None = None) -> float:
        """The wait after ``failures`` consecutive failures."""
        ceiling = self.ceiling_s(failures)
        if not self.jitter:
            return ceiling
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


class Retrying:
    """Consecutive failures of one stream of attempts under a :class:`Backoff`."""

    def __init__(self, policy: Backoff, rng: random.Random | None = None) -> None:
        self.policy = policy
        self._rng = rng or random.Random()
        self.failures = 0

    def next_delay(self) -> float:
        """Count a failure; the wait before the next attempt."""
        self.failures += 1
        return self.policy.delay_s(self.failures, self._rng)

    def reset(self) -> None:
        """A success: the next failure starts from ``first_s`` again."""
        self.failures = 0
