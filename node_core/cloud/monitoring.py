"""Custom metrics to Cloud Monitoring, batched, rate-limited and never blocking the node.

Metric types are ``custom.googleapis.com/gridtokenx/<name>`` for the names in ``METRICS``;
every series is written against the monitored resource ``generic_node`` (labels
``project_id``, ``location``, ``namespace`` = ``gridtokenx``, ``node_id`` = the authority) with
the metric label ``authority`` (plus any labels the caller adds, e.g. ``region``).

How writing works:

* ``record`` only stores the sample in memory: the latest value per series since the last
  flush. The number of series held is bounded (``max_series``); samples for new series past
  that bound are dropped and counted. It takes a short lock and never does I/O.
* A background task (``start``) flushes once per ``interval_s`` (at least 10 s): the held
  series, at most 200 per ``CreateTimeSeries`` request (more are split into several), one point
  per series, its ``end_time`` the sample's own time. Cloud Monitoring accepts a point only if
  it is newer than the series' last point, and at most one point per series every few seconds:
  a sample less than 10 s after the series' last written point waits for the next flush (a
  newer sample replaces it meanwhile); one not newer than the last written point is dropped.
* ``UNAVAILABLE`` and ``DEADLINE_EXCEEDED`` are retried with exponential backoff, a bounded
  number of times. When the API stays down, the flush's points are dropped and counted in
  ``dropped_points``; nothing accumulates and the node is never held up. Any other error
  (permission, invalid argument) drops the request's points at once.

IAM: the service account needs ``roles/monitoring.metricWriter``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final

import grpc
from google.api import metric_pb2
from google.api_core import exceptions as api_errors
from google.cloud import monitoring_v3
from google.cloud.monitoring_v3.services.metric_service.transports import (
    MetricServiceGrpcAsyncIOTransport,
)

from node_core.backoff import Backoff
from node_core.clock import now_ms

_log = logging.getLogger(__name__)

METRIC_PREFIX: Final = "custom.googleapis.com/gridtokenx/"
RESOURCE_TYPE: Final = "generic_node"
NAMESPACE: Final = "gridtokenx"
DEFAULT_LOCATION: Final = "asia-southeast1"
MAX_SERIES_PER_REQUEST: Final = 200
MIN_INTERVAL_S: Final = 10.0
MIN_POINT_SPACING_MS: Final = 10_000
AUTHORITY_LABEL: Final = "authority"


class ValueKind(Enum):
    """How a metric's points are typed on the wire."""

    INT64 = "int64_value"
    DOUBLE = "double_value"


METRICS: Final[Mapping[str, ValueKind]] = {
    "blockchain/block_height": ValueKind.INT64,
    "blockchain/consensus_health": ValueKind.DOUBLE,
    "blockchain/finality_lag_ms": ValueKind.DOUBLE,
    "node/peers_connected": ValueKind.INT64,
    "grid/frequency_deviation_hz": ValueKind.DOUBLE,
    "trading/orders_per_second": ValueKind.DOUBLE,
}
"""Every metric the exporter writes (name under ``METRIC_PREFIX`` → point type), all GAUGE."""

_RETRYABLE: Final = (api_errors.ServiceUnavailable, api_errors.DeadlineExceeded)

Labels = tuple[tuple[str, str], ...]
SeriesKey = tuple[str, Labels]
"""A series: metric name and its extra metric labels (sorted)."""



def metric_type(name: str) -> str:
    """The full Cloud Monitoring metric type of a metric name, e.g. ``blockchain/block_height``."""
    return METRIC_PREFIX + name


def monitoring_client(
    channel: grpc.aio.Channel | None = None,
) -> monitoring_v3.MetricServiceAsyncClient:
    """A metric service client: Application Default Credentials, or over ``channel`` if given
    (an insecure local channel in tests; ``client_options`` endpoints always use TLS)."""
    if channel is None:
        return monitoring_v3.MetricServiceAsyncClient()
    return monitoring_v3.MetricServiceAsyncClient(
        transport=MetricServiceGrpcAsyncIOTransport(channel=channel)
    )


@dataclass(frozen=True, slots=True)
class Sample:
    """One recorded value of one series."""

    name: str
    """Metric name, a key of ``METRICS``."""
    labels: Labels
    """Extra metric labels (beyond ``authority``), sorted by key."""
    value: float
    """The value; written as int64 or double per ``METRICS``."""
    at_ms: int
    """When the value was observed, ms since the Unix epoch (UTC): the point's end time."""

    @property
    def series(self) -> SeriesKey:
        """The series this sample belongs to."""
        return (self.name, self.labels)


@dataclass(frozen=True, slots=True)
class ExportRetry:
    """How hard one flush tries when the API is unavailable."""

    attempts: int = 4
    """Calls per request before its points are dropped (1 = no retry)."""
    backoff: Backoff = Backoff(1.0, 8.0, jitter=False)
    """The wait between two calls of one flush."""
    call_timeout_s: float = 10.0
    """Deadline of one ``CreateTimeSeries`` call."""

    def backoff_s(self, failed_calls: int) -> float:
        """The wait after ``failed_calls`` consecutive failed calls (1, 2, ...)."""
        return self.backoff.delay_s(failed_calls)


@dataclass(frozen=True, slots=True)
class ExporterStatus:
    """What the console shows about metric export."""

    state: str
    """``ok``, ``retrying``, ``down since <UTC time>`` or ``rejected: <reason>``."""
    sent_points: int
    """Points Cloud Monitoring accepted since the exporter started."""
    dropped_points: int
    """Points given up (API down or refusing, stale, or over the series bound)."""
    last_error: str | None
    """The last error the API returned, if any."""


class MetricsExporter:
    """Writes one authority's node metrics to Cloud Monitoring (see the module docstring).

    ``record`` may be called from any thread; ``start``, ``flush`` and ``aclose`` run on the
    asyncio loop that owns ``client``.
    """

    def __init__(
        self,
        project_id: str,
        authority: str,
        client: monitoring_v3.MetricServiceAsyncClient,
        *,
        interval_s: float = 60.0,
        location: str = DEFAULT_LOCATION,
        clock: Callable[[], int] = now_ms,
        retry: ExportRetry = ExportRetry(),
        max_series: int = 1000,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if interval_s < MIN_INTERVAL_S:
            raise ValueError(f"interval_s must be at least {MIN_INTERVAL_S} s, got {interval_s}")
        if not project_id or not authority:
            raise ValueError("project_id and authority must not be empty")
        self.project_id: Final = project_id
        self.authority: Final = authority
        self.interval_s: Final = interval_s
        self._client = client
        self._resource = _monitored_resource(project_id, location, authority)
        self._clock = clock
        self._retry = retry
        self._max_series = max_series
        self._sleep = sleep
        self._lock = threading.Lock()
        self._pending: dict[SeriesKey, Sample] = {}
        self._last_written_ms: dict[SeriesKey, int] = {}
        self._sent = 0
        self._dropped = 0
        self._state = "ok"
        self._failing_since_ms: int | None = None
        self._last_error: str | None = None
        self._task: asyncio.Task[None] | None = None

    # --- what the console reads ----------------------------------------------------------------

    @property
    def state(self) -> str:
        """``ok``, ``retrying``, ``down since <UTC time>`` or ``rejected: <reason>``."""
        return self._state

    @property
    def dropped_points(self) -> int:
        """Points given up since the exporter started."""
        return self._dropped

    @property
    def sent_points(self) -> int:
        """Points accepted by Cloud Monitoring since the exporter started."""
        return self._sent

    def status(self) -> ExporterStatus:
        """A snapshot of state and counters."""
        return ExporterStatus(self._state, self._sent, self._dropped, self._last_error)

    # --- recording -----------------------------------------------------------------------------

    def record(
        self, name: str, value: float, at_ms: int, labels: Mapping[str, str] | None = None
    ) -> None:
        """Hold ``value`` of metric ``name`` observed at ``at_ms`` for the next flush.

        Keeps the latest sample per series; never blocks. Raises ValueError for an unknown
        metric name or a reserved label (caller bugs); a non-finite value is dropped.
        """
        sample = Sample(name, _label_tuple(labels), float(value), int(at_ms))
        _check_sample(sample)
        with self._lock:
            if not math.isfinite(sample.value):
                self._dropped += 1
                return
            self._hold(sample)

    def record_node_status(self, summary: Mapping[str, Any], at_ms: int) -> None:
        """Record the blockchain and node metrics of a ``NodeQueries.status_summary()`` dict."""
        self.record("blockchain/block_height", summary["height"], at_ms)
        if summary.get("consensus_health") is not None:
            self.record("blockchain/consensus_health", summary["consensus_health"], at_ms)
        if summary.get("finality_p50_ms") is not None:
            self.record("blockchain/finality_lag_ms", summary["finality_p50_ms"], at_ms)
        peers = summary.get("peers") or []
        self.record("node/peers_connected", sum(1 for p in peers if p.get("connected")), at_ms)

    def _hold(self, sample: Sample) -> None:
        """Keep ``sample`` unless an as-new one is held; count it if the series bound is hit."""
        held = self._pending.get(sample.series)
        if held is None and len(self._pending) >= self._max_series:
            self._dropped += 1
        elif held is None or held.at_ms <= sample.at_ms:
            self._pending[sample.series] = sample

    # --- flushing ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start flushing every ``interval_s`` on the running loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"metrics-exporter-{self.authority}"
            )

    async def aclose(self) -> None:
        """Stop the background task and flush what is held, once, without retrying."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush(attempts=1)

    async def _run(self) -> None:
        while True:
            await self._sleep(self.interval_s)
            try:
                await self.flush()
            except Exception:  # a bug here must not stop metrics for the node's life
                _log.exception("metrics flush failed unexpectedly")

    async def flush(self, *, attempts: int | None = None) -> int:
        """Write the held samples that may be written now; return how many points were accepted.

        ``attempts`` overrides the retry policy's number of calls per request.
        """
        ready = self._take_ready()
        accepted = 0
        for start in range(0, len(ready), MAX_SERIES_PER_REQUEST):
            batch = ready[start : start + MAX_SERIES_PER_REQUEST]
            outcome = await self._write(batch, attempts or self._retry.attempts)
            if outcome is _Outcome.WRITTEN:
                self._mark_written(batch)
                accepted += len(batch)
            else:
                self._dropped += len(batch)
            if outcome is _Outcome.DOWN:  # do not hammer an API that is down: drop the rest
                self._dropped += len(ready) - start - len(batch)
                break
        return accepted

    def _take_ready(self) -> list[Sample]:
        """Take the samples to write now; keep back those too close to their series' last point."""
        with self._lock:
            held, self._pending = self._pending, {}
            ready: list[Sample] = []
            for sample in held.values():
                last = self._last_written_ms.get(sample.series)
                if last is None or sample.at_ms >= last + MIN_POINT_SPACING_MS:
                    ready.append(sample)
                elif sample.at_ms <= last:
                    self._dropped += 1  # not newer than the written point: the API refuses it
                else:
                    self._hold(sample)
            return ready

    def _mark_written(self, batch: Sequence[Sample]) -> None:
        with self._lock:
            for sample in batch:
                self._last_written_ms[sample.series] = sample.at_ms
            self._sent += len(batch)

    async def _write(self, batch: Sequence[Sample], attempts: int) -> _Outcome:
        """One ``CreateTimeSeries`` request, retried on UNAVAILABLE / DEADLINE_EXCEEDED."""
        request = monitoring_v3.CreateTimeSeriesRequest(
            name=f"projects/{self.project_id}", time_series=[self._series(s) for s in batch]
        )
        for call in range(1, attempts + 1):
            try:
                await self._client.create_time_series(
                    request=request, retry=None, timeout=self._retry.call_timeout_s
                )
            except _RETRYABLE as error:
                self._note_unavailable(error)
                if call == attempts:
                    self._note_down()
                    return _Outcome.DOWN
                await self._sleep(self._retry.backoff_s(call))
            except api_errors.GoogleAPICallError as error:
                self._note_rejected(error)
                return _Outcome.REJECTED
            else:
                self._note_written()
                return _Outcome.WRITTEN
        raise AssertionError("unreachable: attempts must be at least 1")

    def _series(self, sample: Sample) -> monitoring_v3.TimeSeries:
        """The wire form of one sample."""
        kind = METRICS[sample.name]
        value = int(sample.value) if kind is ValueKind.INT64 else sample.value
        return monitoring_v3.TimeSeries(
            metric={"type": metric_type(sample.name),
                    "labels": {AUTHORITY_LABEL: self.authority, **dict(sample.labels)}},
            resource=self._resource,
            metric_kind=metric_pb2.MetricDescriptor.MetricKind.GAUGE,
            points=[{"interval": {"end_time": _timestamp(sample.at_ms)},
                     "value": {kind.value: value}}],
        )

    # --- state ---------------------------------------------------------------------------------

    def _note_unavailable(self, error: api_errors.GoogleAPICallError) -> None:
        self._last_error = f"{type(error).__name__}: {error.message}"
        if self._failing_since_ms is None:
            self._failing_since_ms = self._clock()
            self._state = "retrying"
            _log.warning("Cloud Monitoring unavailable, retrying: %s", self._last_error)

    def _note_down(self) -> None:
        since = self._failing_since_ms if self._failing_since_ms is not None else self._clock()
        state = f"down since {_utc_text(since)}"
        if state != self._state:
            _log.warning("Cloud Monitoring %s; dropping metric points", state)
        self._state = state

    def _note_rejected(self, error: api_errors.GoogleAPICallError) -> None:
        self._last_error = f"{type(error).__name__}: {error.message}"
        self._state = f"rejected: {self._last_error}"
        _log.warning("Cloud Monitoring rejected metric points: %s", self._last_error)

    def _note_written(self) -> None:
        if self._state != "ok":
            _log.info("Cloud Monitoring accepting metric points again")
        self._state = "ok"
        self._failing_since_ms = None


class _Outcome(Enum):
    WRITTEN = "written"
    DOWN = "down"
    REJECTED = "rejected"


def _monitored_resource(project_id: str, location: str, authority: str) -> dict[str, Any]:
    return {
        "type": RESOURCE_TYPE,
        "labels": {"project_id": project_id, "location": location, "namespace": NAMESPACE,
                   "node_id": authority},
    }


def _label_tuple(labels: Mapping[str, str] | None) -> Labels:
    return tuple(sorted((str(k), str(v)) for k, v in (labels or {}).items()))


def _check_sample(sample: Sample) -> None:
    if sample.name not in METRICS:
        raise ValueError(f"unknown metric {sample.name!r}; known: {', '.join(METRICS)}")
    if any(key == AUTHORITY_LABEL for key, _ in sample.labels):
        raise ValueError(f"label {AUTHORITY_LABEL!r} is set by the exporter")


def _timestamp(at_ms: int) -> dict[str, int]:
    return {"seconds": at_ms // 1000, "nanos": (at_ms % 1000) * 1_000_000}


def _utc_text(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
