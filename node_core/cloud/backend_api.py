"""Async client for the shared GridTokenX backend REST API (``/api/v1/...``), made for a
control room: bounded waits, bounded retries, and a circuit breaker so a dead backend costs
the console nothing but a status line.

Every call is a GET (idempotent, so safe to retry) with ``Authorization: Bearer <token>``; the
token comes from an async ``TokenProvider`` asked before every attempt, so a refreshed token
(e.g. Application Default Credentials) is picked up.

Failure handling, per attempt:

* connection errors, dropped connections, timeouts (``connect_timeout_s``/``read_timeout_s``)
  and 5xx: retried after a jittered exponential backoff, up to ``BackendRetry.attempts``
  attempts in all, then ``BackendUnavailable``; each counts as a failure for the breaker;
* 429 (and 503) with ``Retry-After`` (seconds or an HTTP date): the wait it asks for is
  honoured (``BackendRateLimited`` at once if it exceeds ``max_retry_after_s``); a 429 is not a
  breaker failure — the backend is up;
* other 4xx: ``BackendRejected`` at once, not retried;
* a 2xx body that is not the documented JSON shape: ``BackendResponseInvalid``.

The breaker (``node_core.cloud.circuit``) opens after ``failure_threshold`` consecutive failed
attempts; while open, calls raise ``CircuitOpen`` without touching the network; after the
cool-down one trial call decides whether it closes again. ``state`` tells the console.

Response shapes this client reads (extra fields are ignored; times are ms since the Unix
epoch, UTC; prices in satang per kWh, energy in Wh, as everywhere in the node):

* ``GET /api/v1/trading/overview`` → ``{"orders_per_second": float, "price_by_region":
  {"EGAT": int, "MEA": int, "PEA": int}, "volume_wh": int, "market_halted": bool,
  "as_of_ms": int}``
* ``GET /api/v1/grid/status`` → ``{"frequency_hz": float, "regions": [{"region": str,
  "load_kw": int, "generation_kw": int}, ...], "as_of_ms": int}``
* ``GET /api/v1/blockchain/status`` → ``{"height": int, "tip_hash": str, "authorities": int,
  "finality_p50_ms": int | null, "consensus_health": float | null, "as_of_ms": int}``
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, TracebackType
from typing import Any, Final

import httpx

from node_core.backoff import Backoff
from node_core.cloud.circuit import CircuitBreaker, CircuitState
from node_core.cloud.errors import (
    BackendRateLimited,
    BackendRejected,
    BackendResponseInvalid,
    BackendUnavailable,
)

_log = logging.getLogger(__name__)

TokenProvider = Callable[[], Awaitable[str]]
"""Returns a current OAuth 2 access token (without the ``Bearer`` prefix)."""

TRADING_OVERVIEW_PATH: Final = "/api/v1/trading/overview"
GRID_STATUS_PATH: Final = "/api/v1/grid/status"
BLOCKCHAIN_STATUS_PATH: Final = "/api/v1/blockchain/status"
_RETRY_AFTER_STATUSES: Final = frozenset({429, 503})


def fixed_token(token: str) -> TokenProvider:
    """A token provider that always returns ``token`` (tests, devnets)."""

    async def provide() -> str:
        return token

    return provide


# --- what the console receives ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TradingOverview:
    """The energy market at a glance."""

    orders_per_second: float
    """Orders placed per second (recent average)."""
    price_by_region: Mapping[str, int]
    """Last clearing price per grid region, satang per kWh (read-only)."""
    volume_wh: int
    """Energy traded in the backend's current window, Wh."""
    market_halted: bool
    """True while trading is halted (e.g. by a grid emergency)."""
    as_of_ms: int
    """When the backend computed this, ms since the Unix epoch (UTC)."""


@dataclass(frozen=True, slots=True)
class RegionStatus:
    """Load and generation of one grid region."""

    region: str
    load_kw: int
    generation_kw: int


@dataclass(frozen=True, slots=True)
class GridStatus:
    """The grid as the backend sees it."""

    frequency_hz: float
    """System frequency (50 Hz nominal)."""
    regions: tuple[RegionStatus, ...]
    as_of_ms: int


@dataclass(frozen=True, slots=True)
class BlockchainStatus:
    """The chain as the backend's validators see it."""

    height: int
    tip_hash: str
    authorities: int
    finality_p50_ms: int | None
    consensus_health: float | None
    as_of_ms: int


@dataclass(frozen=True, slots=True)
class BackendRetry:
    """How the client waits and retries."""

    attempts: int = 4
    """Attempts per call in all (1 = no retry)."""
    backoff: Backoff = Backoff(0.5, 8.0)
    """Jittered: clients that failed together do not retry together."""
    max_retry_after_s: float = 30.0
    """Longest ``Retry-After`` the client will wait; longer is ``BackendRateLimited``."""

    def backoff_s(self, failed_attempts: int, rng: random.Random) -> float:
        """The wait after ``failed_attempts`` (1, 2, ...)."""
        return self.backoff.delay_s(failed_attempts, rng)


# --- the client --------------------------------------------------------------------------------


class BackendApi:
    """One long-lived connection pool to the backend; close it with ``aclose``."""

    def __init__(
        self,
        base_url: str,
        token_provider: TokenProvider,
        *,
        connect_timeout_s: float = 3.0,
        read_timeout_s: float = 10.0,
        retry: BackendRetry = BackendRetry(),
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, transport=transport,
            headers={"Accept": "application/json", "User-Agent": "gridtokenx-console"})
        self._token_provider = token_provider
        self._retry = retry
        self.breaker: Final = breaker or CircuitBreaker("backend API")
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._wall_clock = wall_clock
        self._last_error: str | None = None

    async def __aenter__(self) -> BackendApi:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    @property
    def state(self) -> CircuitState:
        """The circuit breaker's state: closed (healthy), open (failing fast), half-open."""
        return self.breaker.state

    @property
    def last_error(self) -> str | None:
        """The last failure seen (cleared by a success)."""
        return self._last_error

    # --- endpoints -------------------------------------------------------------------------------

    async def trading_overview(self) -> TradingOverview:
        """Orders per second, price by region, volume and whether the market is halted."""
        body = _Body(TRADING_OVERVIEW_PATH, await self.get_json(TRADING_OVERVIEW_PATH))
        prices = body.mapping("price_by_region")
        return TradingOverview(
            orders_per_second=body.number("orders_per_second"),
            price_by_region=MappingProxyType(
                {str(k): _int_field(body.path, f"price_by_region.{k}", v)
                 for k, v in prices.items()}),
            volume_wh=body.integer("volume_wh"),
            market_halted=body.boolean("market_halted"),
            as_of_ms=body.integer("as_of_ms"),
        )

    async def grid_status(self) -> GridStatus:
        """System frequency and per-region load and generation."""
        body = _Body(GRID_STATUS_PATH, await self.get_json(GRID_STATUS_PATH))
        regions = tuple(
            RegionStatus(region.text("region"), region.integer("load_kw"),
                         region.integer("generation_kw"))
            for region in body.objects("regions"))
        return GridStatus(body.number("frequency_hz"), regions, body.integer("as_of_ms"))

    async def blockchain_status(self) -> BlockchainStatus:
        """Height, tip, finality and consensus health as the backend sees the chain."""
        body = _Body(BLOCKCHAIN_STATUS_PATH, await self.get_json(BLOCKCHAIN_STATUS_PATH))
        return BlockchainStatus(
            height=body.integer("height"), tip_hash=body.text("tip_hash"),
            authorities=body.integer("authorities"),
            finality_p50_ms=body.optional_integer("finality_p50_ms"),
            consensus_health=body.optional_number("consensus_health"),
            as_of_ms=body.integer("as_of_ms"),
        )

    # --- one call, retried -----------------------------------------------------------------------

    async def get_json(self, path: str) -> Any:
        """GET ``path`` with retries and the breaker; return the decoded JSON body."""
        response: httpx.Response | None = None
        for attempt in range(1, self._retry.attempts + 1):
            headers = {"Authorization": f"Bearer {await self._token_provider()}"}
            self.breaker.admit()
            response = await self._attempt(path, headers)
            if response is not None and response.is_success:
                return _json_of(path, response)
            delay = self._delay_after(path, response, attempt)
            if attempt < self._retry.attempts:
                await self._sleep(delay)
        raise self._gave_up(path, response)

    async def _attempt(self, path: str, headers: dict[str, str]) -> httpx.Response | None:
        """One request; feeds the breaker. None if the request failed at the transport level."""
        try:
            response = await self._http.get(path, headers=headers)
        except httpx.TransportError as error:
            self._failed(f"{path}: {type(error).__name__}: {error or 'no detail'}")
            return None
        except BaseException:
            self.breaker.released()
            raise
        if response.status_code >= 500:
            self._failed(f"{path}: HTTP {response.status_code}")
        else:
            self.breaker.succeeded()
        if response.is_success:
            self._last_error = None
        return response

    def _delay_after(self, path: str, response: httpx.Response | None, attempt: int) -> float:
        """How long to wait before the next attempt; raise if retrying cannot help."""
        status = 0 if response is None else response.status_code
        asked = self._retry_after(response) if status in _RETRY_AFTER_STATUSES else None
        if status == 429:
            self._last_error = f"{path}: HTTP 429 Too Many Requests"
        elif 400 <= status < 500:
            raise BackendRejected(f"{path}: HTTP {status}: {_short_text(response)}", status)
        if asked is None:
            return self._retry.backoff_s(attempt, self._rng)
        if asked > self._retry.max_retry_after_s:
            raise BackendRateLimited(
                f"{path}: HTTP {status} asks to retry after {asked:.0f} s "
                f"(more than {self._retry.max_retry_after_s:.0f} s)")
        return asked

    def _retry_after(self, response: httpx.Response | None) -> float | None:
        value = None if response is None else response.headers.get("Retry-After")
        return None if value is None else retry_after_s(value, self._wall_clock())

    def _failed(self, problem: str) -> None:
        self._last_error = problem
        self.breaker.failed()
        _log.debug("backend attempt failed: %s", problem)

    def _gave_up(self, path: str, response: httpx.Response | None) -> BackendUnavailable:
        message = (f"{path}: gave up after {self._retry.attempts} attempts; "
                   f"last: {self._last_error or 'no answer'}")
        if response is not None and response.status_code == 429:
            return BackendRateLimited(message)
        return BackendUnavailable(message)


def retry_after_s(value: str, now_s: float) -> float | None:
    """Seconds to wait for a ``Retry-After`` value (delta-seconds or an HTTP date), or None if
    it is neither. A date in the past means 0."""
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT
        return None
    return max(0.0, when.timestamp() - now_s)


# --- reading JSON bodies -----------------------------------------------------------------------


def _json_of(path: str, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise BackendResponseInvalid(f"{path}: body is not JSON: {error}") from None


def _short_text(response: httpx.Response | None) -> str:
    return "" if response is None else response.text[:200]


def _int_field(path: str, name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BackendResponseInvalid(f"{path}: {name} must be an integer, got {value!r}")
    return value


class _Body:
    """Typed reads of one JSON object; each raises ``BackendResponseInvalid`` naming the field."""

    def __init__(self, path: str, data: object) -> None:
        if not isinstance(data, dict):
            raise BackendResponseInvalid(f"{path}: expected a JSON object, got {data!r:.80}")
        self.path = path
        self._data: dict[str, Any] = data

    def _field(self, name: str) -> Any:
        if name not in self._data:
            raise BackendResponseInvalid(f"{self.path}: field {name!r} is missing")
        return self._data[name]

    def integer(self, name: str) -> int:
        return _int_field(self.path, name, self._field(name))

    def optional_integer(self, name: str) -> int | None:
        return None if self._data.get(name) is None else self.integer(name)

    def number(self, name: str) -> float:
        value = self._field(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BackendResponseInvalid(f"{self.path}: {name} must be a number, got {value!r}")
        return float(value)

    def optional_number(self, name: str) -> float | None:
        return None if self._data.get(name) is None else self.number(name)

    def boolean(self, name: str) -> bool:
        value = self._field(name)
        if not isinstance(value, bool):
            raise BackendResponseInvalid(f"{self.path}: {name} must be true or false")
        return value

    def text(self, name: str) -> str:
        value = self._field(name)
        if not isinstance(value, str):
            raise BackendResponseInvalid(f"{self.path}: {name} must be a string, got {value!r}")
        return value

    def mapping(self, name: str) -> dict[str, Any]:
        value = self._field(name)
        if not isinstance(value, dict):
            raise BackendResponseInvalid(f"{self.path}: {name} must be an object")
        return value

    def objects(self, name: str) -> list[_Body]:
        value = self._field(name)
        if not isinstance(value, list):
            raise BackendResponseInvalid(f"{self.path}: {name} must be a list")
        return [_Body(f"{self.path} {name}[{i}]", item) for i, item in enumerate(value)]
