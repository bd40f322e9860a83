"""The circuit breaker's states, driven by a fake monotonic clock."""

from __future__ import annotations

import pytest

from node_core.cloud.circuit import CircuitBreaker, CircuitState
from node_core.cloud.errors import BackendUnavailable, CircuitOpen


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("grid API", failure_threshold=3, cool_down_s=30, clock=clock)


def test_opens_after_consecutive_failures_only() -> None:
    clock = Clock()
    circuit = breaker(clock)
    for _ in range(2):
        circuit.admit()
        circuit.failed()
    circuit.admit()
    circuit.succeeded()  # a success resets the count
    for _ in range(2):
        circuit.admit()
        circuit.failed()
    assert circuit.state is CircuitState.CLOSED
    circuit.admit()
    circuit.failed()
    assert state_of(circuit) is CircuitState.OPEN
    with pytest.raises(CircuitOpen, match=r"grid API: circuit open, 30\.0 s left") as caught:
        circuit.admit()
    assert isinstance(caught.value, BackendUnavailable)


def test_half_open_lets_one_trial_through_and_closes_on_success() -> None:
    clock = Clock()
    circuit = breaker(clock)
    for _ in range(3):
        circuit.failed()
    clock.now += 30
    assert circuit.state is CircuitState.HALF_OPEN
    circuit.admit()
    with pytest.raises(CircuitOpen, match="trial"):
        circuit.admit()
    circuit.succeeded()
    assert state_of(circuit) is CircuitState.CLOSED
    assert circuit.consecutive_failures == 0


def test_failed_trial_opens_for_another_cool_down() -> None:
    clock = Clock()
    circuit = breaker(clock)
    for _ in range(3):
        circuit.failed()
    clock.now += 31
    circuit.admit()
    circuit.failed()
    assert circuit.state is CircuitState.OPEN
    clock.now += 29
    with pytest.raises(CircuitOpen):
        circuit.admit()
    clock.now += 1
    circuit.admit()
    circuit.released()  # a cancelled trial proves nothing: the next caller may try
    circuit.admit()


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker("x", failure_threshold=0)
    with pytest.raises(ValueError):
        CircuitBreaker("x", cool_down_s=0)


def state_of(circuit: CircuitBreaker) -> CircuitState:
    """The state, read afresh (keeps mypy from narrowing across calls that change it)."""
    return circuit.state
