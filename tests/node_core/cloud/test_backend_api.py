"""BackendApi against a local HTTP server that injects latency, 5xx, 429 and dropped
connections."""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import random
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import pytest

from node_core.backoff import Backoff
from node_core.cloud.backend_api import (
    BLOCKCHAIN_STATUS_PATH,
    GRID_STATUS_PATH,
    TRADING_OVERVIEW_PATH,
    BackendApi,
    BackendRetry,
    RegionStatus,
    fixed_token,
    retry_after_s,
)
from node_core.cloud.circuit import CircuitBreaker, CircuitState
from node_core.cloud.errors import (
    BackendRateLimited,
    BackendRejected,
    BackendResponseInvalid,
    BackendUnavailable,
    CircuitOpen,
)
from tests.node_core.cloud.fake_backend import Drop, FakeBackend, Reply

OVERVIEW = {"orders_per_second": 42.5, "price_by_region": {"EGAT": 312, "MEA": 355, "PEA": 340},
            "volume_wh": 1_250_000, "market_halted": False, "as_of_ms": 1_750_000_000_000}
GRID = {"frequency_hz": 49.97, "as_of_ms": 1_750_000_000_000,
        "regions": [{"region": "MEA", "load_kw": 9_100_000, "generation_kw": 2_400_000},
                    {"region": "PEA", "load_kw": 14_000_000, "generation_kw": 9_800_000}]}
CHAIN = {"height": 81_234, "tip_hash": "ab" * 32, "authorities": 3, "finality_p50_ms": 910,
         "consensus_health": None, "as_of_ms": 1_750_000_000_000}
FAST = BackendRetry(attempts=4, backoff=Backoff(0.05, 0.4), max_retry_after_s=5)


class Waits:
    """An injected sleep that records the waits asked for and really waits them."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(seconds)


@asynccontextmanager
async def backend_and_api(**options: Any) -> AsyncIterator[tuple[FakeBackend, BackendApi]]:
    backend = FakeBackend({TRADING_OVERVIEW_PATH: OVERVIEW, GRID_STATUS_PATH: GRID,
                           BLOCKCHAIN_STATUS_PATH: CHAIN})
    url = await backend.start()
    options.setdefault("retry", FAST)
    options.setdefault("token_provider", fixed_token("tok-1"))
    api = BackendApi(url, rng=random.Random(7), **options)
    try:
        yield backend, api
    finally:
        await api.aclose()
        await backend.stop()


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(test())


# --- endpoints and auth ------------------------------------------------------------------------


def test_trading_overview_with_bearer_token() -> None:
    async def body() -> None:
        tokens = iter(["tok-1", "tok-2"])

        async def provider() -> str:
            return next(tokens)

        async with backend_and_api(token_provider=provider) as (backend, api):
            overview = await api.trading_overview()
            assert overview.orders_per_second == 42.5
            assert dict(overview.price_by_region) == {"EGAT": 312, "MEA": 355, "PEA": 340}
            assert overview.volume_wh == 1_250_000 and overview.market_halted is False
            await api.trading_overview()
            assert [r.path for r in backend.received] == [TRADING_OVERVIEW_PATH] * 2
            assert [r.headers["authorization"] for r in backend.received] == [
                "Bearer tok-1", "Bearer tok-2"]  # asked per attempt: refreshed tokens are used
            assert api.state is CircuitState.CLOSED
    run(body)


def test_grid_and_blockchain_status() -> None:
    async def body() -> None:
        async with backend_and_api() as (_, api):
            grid = await api.grid_status()
            assert grid.frequency_hz == 49.97
            assert grid.regions[0] == RegionStatus("MEA", 9_100_000, 2_400_000)
            chain = await api.blockchain_status()
            assert (chain.height, chain.authorities, chain.finality_p50_ms) == (81_234, 3, 910)
            assert chain.consensus_health is None
    run(body)


def test_malformed_body_names_the_field() -> None:
    async def body() -> None:
        async with backend_and_api() as (backend, api):
            backend.script.append(Reply(200, {**OVERVIEW, "market_halted": "no"}))
            with pytest.raises(BackendResponseInvalid, match="market_halted"):
                await api.trading_overview()
            backend.script.append(Reply(200, b"<html>maintenance</html>"))
            with pytest.raises(BackendResponseInvalid, match="not JSON"):
                await api.grid_status()
    run(body)


def test_client_errors_are_not_retried() -> None:
    async def body() -> None:
        async with backend_and_api() as (backend, api):
            backend.script.append(Reply(403, {"error": "missing gridtokenx.market.read"}))
            with pytest.raises(BackendRejected, match="HTTP 403") as caught:
                await api.trading_overview()
            assert caught.value.status_code == 403
            assert len(backend.received) == 1
            assert api.state is CircuitState.CLOSED
    run(body)


# --- retries -------------------------------------------------------------------------------------


def test_5xx_is_retried_with_jittered_exponential_backoff() -> None:
    async def body() -> None:
        waits = Waits()
        async with backend_and_api(sleep=waits) as (backend, api):
            backend.script.extend([Reply(500), Reply(502), Reply(503)])
            overview = await api.trading_overview()
            assert overview.volume_wh == 1_250_000
            assert len(backend.received) == 4
            assert len(waits.asked) == 3
            for ceiling, waited in zip([0.05, 0.1, 0.2], waits.asked, strict=True):
                assert ceiling / 2 <= waited <= ceiling
            arrivals = [r.at for r in backend.received]
            gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
            assert all(g >= w * 0.9 for g, w in zip(gaps, waits.asked, strict=True))
    run(body)


def test_dropped_connections_are_retried() -> None:
    async def body() -> None:
        async with backend_and_api() as (backend, api):
            backend.script.extend([Drop(), Drop()])
            assert (await api.grid_status()).frequency_hz == 49.97
            assert len(backend.received) == 3
    run(body)


def test_latency_past_the_read_timeout_is_retried() -> None:
    async def body() -> None:
        async with backend_and_api(read_timeout_s=0.2) as (backend, api):
            backend.script.append(Reply(200, CHAIN, delay_s=2.0))
            began = time.monotonic()
            assert (await api.blockchain_status()).height == 81_234
            assert 0.2 <= time.monotonic() - began < 1.5
            assert len(backend.received) == 2
    run(body)


def test_retries_are_bounded() -> None:
    async def body() -> None:
        async with backend_and_api() as (backend, api):
            backend.script.extend([Reply(503)] * 4)
            with pytest.raises(BackendUnavailable, match=r"gave up after 4 attempts.*HTTP 503"):
                await api.trading_overview()
            assert len(backend.received) == 4
    run(body)


def test_nothing_listening_is_unavailable() -> None:
    async def body() -> None:
        backend = FakeBackend()
        url = await backend.start()
        await backend.stop()
        async with BackendApi(url, fixed_token("t"), retry=FAST) as api:
            with pytest.raises(BackendUnavailable, match="ConnectError"):
                await api.grid_status()
    run(body)


# --- 429 -----------------------------------------------------------------------------------------


def test_429_retry_after_seconds_is_honoured() -> None:
    async def body() -> None:
        waits = Waits()
        async with backend_and_api(sleep=waits) as (backend, api):
            backend.script.append(Reply(429, {}, {"Retry-After": "1"}))
            began = time.monotonic()
            await api.trading_overview()
            assert time.monotonic() - began >= 1.0
            assert waits.asked == [1.0]
            assert backend.received[1].at - backend.received[0].at >= 1.0
            assert api.state is CircuitState.CLOSED  # 429 is not a breaker failure
    run(body)


def test_429_retry_after_http_date_is_honoured() -> None:
    async def body() -> None:
        waits = Waits()
        async with backend_and_api(sleep=waits) as (backend, api):
            when = email.utils.formatdate(time.time() + 2, usegmt=True)
            backend.script.append(Reply(429, {}, {"Retry-After": when}))
            began = time.monotonic()
            await api.trading_overview()
            assert time.monotonic() - began >= 1.0  # HTTP dates have 1 s resolution
            assert 1.0 <= waits.asked[0] <= 2.0
    run(body)


def test_429_asking_too_long_fails_at_once() -> None:
    async def body() -> None:
        async with backend_and_api() as (backend, api):
            backend.script.append(Reply(429, {}, {"Retry-After": "3600"}))
            with pytest.raises(BackendRateLimited, match="3600 s"):
                await api.trading_overview()
            assert len(backend.received) == 1
    run(body)


def test_retry_after_parsing() -> None:
    now = 1_750_000_000.0
    assert retry_after_s("120", now) == 120.0
    assert retry_after_s(email.utils.formatdate(now + 30, usegmt=True), now) == 30.0
    assert retry_after_s(email.utils.formatdate(now - 30, usegmt=True), now) == 0.0
    assert retry_after_s("soon", now) is None


# --- circuit breaker -----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.timing
def test_breaker_opens_fails_fast_and_recovers_half_open() -> None:
    async def body() -> None:
        clock = Clock()
        circuit = CircuitBreaker("backend API", failure_threshold=3, cool_down_s=30, clock=clock)
        async with backend_and_api(breaker=circuit) as (backend, api):
            backend.script.extend([Reply(500), Drop(), Reply(503)])
            with pytest.raises(CircuitOpen):
                await api.trading_overview()  # 3 failed attempts open it; the 4th is not made
            assert len(backend.received) == 3
            assert api.state is CircuitState.OPEN
            began = time.monotonic()
            with pytest.raises(CircuitOpen, match="circuit open"):
                await api.grid_status()
            assert time.monotonic() - began < 0.05 and len(backend.received) == 3
            clock.now += 30
            assert state_of(api) is CircuitState.HALF_OPEN
            assert (await api.grid_status()).frequency_hz == 49.97  # the trial succeeds
            assert state_of(api) is CircuitState.CLOSED and api.last_error is None
    run(body)


def test_failed_trial_reopens_the_breaker() -> None:
    async def body() -> None:
        clock = Clock()
        circuit = CircuitBreaker("backend API", failure_threshold=2, cool_down_s=10, clock=clock)
        async with backend_and_api(breaker=circuit) as (backend, api):
            backend.script.extend([Reply(500), Reply(500), Reply(500)])
            with pytest.raises(CircuitOpen):
                await api.trading_overview()
            clock.now += 10
            with pytest.raises(CircuitOpen):
                await api.trading_overview()  # trial fails: open again, no second attempt
            assert len(backend.received) == 3
            assert api.state is CircuitState.OPEN
    run(body)


def state_of(api: BackendApi) -> CircuitState:
    """The breaker state, read afresh (keeps mypy from narrowing across clock changes)."""
    return api.state
