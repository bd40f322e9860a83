"""MetricsExporter against a local gRPC MetricService, through the real async client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
import pytest
from google.api import metric_pb2
from google.cloud import monitoring_v3

from node_core.backoff import Backoff
from node_core.cloud.monitoring import (
    METRIC_PREFIX,
    METRICS,
    ExportRetry,
    MetricsExporter,
    monitoring_client,
)
from tests.helpers.logs import expect_logged
from tests.node_core.cloud.fake_metric_service import FakeMetricService

START_MS = 1_750_000_000_000  # 2025-06-15 15:06:40 UTC
FAST_RETRY = ExportRetry(attempts=4, backoff=Backoff(1.0, 8.0, jitter=False))


class FakeTime:
    """A UTC clock in ms that ``sleep`` advances; sleeps are recorded, not waited."""

    def __init__(self) -> None:
        self.now_ms = START_MS
        self.sleeps: list[float] = []

    def clock(self) -> int:
        return self.now_ms

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now_ms += int(seconds * 1000)
        await asyncio.sleep(0)


@asynccontextmanager
async def metric_service() -> AsyncIterator[tuple[FakeMetricService, Any]]:
    fake = FakeMetricService()
    await fake.start()
    client, channel = fake.client()
    try:
        yield fake, client
    finally:
        await channel.close()
        await fake.stop()


def exporter_for(client: Any, fake_time: FakeTime, **options: Any) -> MetricsExporter:
    return MetricsExporter("gtx-prod", "EGAT", client, clock=fake_time.clock,
                           sleep=fake_time.sleep, retry=FAST_RETRY, **options)


def run(test: Callable[[FakeMetricService, Any, FakeTime], Awaitable[None]]) -> None:
    async def main() -> None:
        async with metric_service() as (fake, client):
            await test(fake, client, FakeTime())
    asyncio.run(main())


def end_ms(series: monitoring_v3.TimeSeries) -> int:
    point = monitoring_v3.TimeSeries.pb(series).points[0]
    return int(point.interval.end_time.ToMilliseconds())


def by_type(fake: FakeMetricService) -> dict[str, monitoring_v3.TimeSeries]:
    return {ts.metric.type: ts for ts in fake.series}


# --- what is sent ---------------------------------------------------------------------------


def test_metric_types_labels_resource_and_points() -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        exporter = exporter_for(client, t)
        values = {name: float(i + 1) + 0.25 for i, name in enumerate(METRICS)}
        for name, value in values.items():
            exporter.record(name, value, START_MS - 500)
        assert await exporter.flush() == len(METRICS)
        assert len(fake.requests) == 1
        assert fake.requests[0].name == "projects/gtx-prod"
        sent = by_type(fake)
        assert set(sent) == {f"custom.googleapis.com/gridtokenx/{n}" for n in METRICS}
        for series in sent.values():
            assert series.resource.type == "generic_node"
            assert dict(series.resource.labels) == {
                "project_id": "gtx-prod", "location": "asia-southeast1",
                "namespace": "gridtokenx", "node_id": "EGAT"}
            assert dict(series.metric.labels) == {"authority": "EGAT"}
            assert series.metric_kind == metric_pb2.MetricDescriptor.MetricKind.GAUGE
            assert len(series.points) == 1
            assert end_ms(series) == START_MS - 500
        height = sent["custom.googleapis.com/gridtokenx/blockchain/block_height"].points[0]
        assert height.value.int64_value == 1  # int64 metric: 1.25 truncated
        health = sent["custom.googleapis.com/gridtokenx/blockchain/consensus_health"].points[0]
        assert health.value.double_value == pytest.approx(2.25)
        assert exporter.sent_points == len(METRICS) and exporter.state == "ok"
    run(body)


def test_node_status_summary_maps_to_metrics() -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        exporter = exporter_for(client, t)
        summary = {"height": 1234, "consensus_health": 0.97, "finality_p50_ms": 850,
                   "peers": [{"name": "MEA", "connected": True},
                             {"name": "PEA", "connected": False}]}
        exporter.record_node_status(summary, START_MS)
        await exporter.flush()
        sent = {k.removeprefix(METRIC_PREFIX): s.points[0].value for k, s in by_type(fake).items()}
        assert sent["blockchain/block_height"].int64_value == 1234
        assert sent["blockchain/consensus_health"].double_value == pytest.approx(0.97)
        assert sent["blockchain/finality_lag_ms"].double_value == 850
        assert sent["node/peers_connected"].int64_value == 1
    run(body)


def test_only_the_latest_value_per_series_is_sent() -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        exporter = exporter_for(client, t)
        for i in range(5):
            exporter.record("trading/orders_per_second", float(i), START_MS + i * 1000)
        exporter.record("trading/orders_per_second", 99.0, START_MS - 1000)  # older: ignored
        await exporter.flush()
        [series] = fake.series
        assert series.points[0].value.double_value == 4.0
        assert end_ms(series) == START_MS + 4000
    run(body)


def test_250_series_are_split_into_requests_of_at_most_200() -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        exporter = exporter_for(client, t)
        for i in range(250):
            exporter.record("grid/frequency_deviation_hz", 0.01 * i, START_MS,
                            labels={"substation": f"S{i:03d}"})
        assert await exporter.flush() == 250
        assert [len(r.time_series) for r in fake.requests] == [200, 50]
        keys = [(ts.metric.type, tuple(sorted(ts.metric.labels.items())))
                for ts in fake.series]
        assert len(set(keys)) == 250  # one point per series, none repeated
        assert dict(fake.series[0].metric.labels) == {"authority": "EGAT", "substation": "S000"}
    run(body)


def test_points_of_a_series_are_at_least_10_s_apart_and_newer() -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        exporter = exporter_for(client, t)
        exporter.record("node/peers_connected", 2, START_MS)
        await exporter.flush()
        exporter.record("node/peers_connected", 3, START_MS + 4_000)  # too soon: held back
        assert await exporter.flush() == 0
        assert len(fake.requests) == 1
        exporter.record("node/peers_connected", 1, START_MS + 10_000)  # replaces the held one
        assert await exporter.flush() == 1
        assert [end_ms(s) for s in fake.series] == [START_MS, START_MS + 10_000]
        assert fake.series[1].points[0].value.int64_value == 1
        exporter.record("node/peers_connected", 1, START_MS + 9_000)  # older than written
        assert await exporter.flush() == 0
        assert exporter.dropped_points == 1
    run(body)


def test_held_back_sample_goes_out_with_the_next_flush() -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        exporter = exporter_for(client, t)
        exporter.record("blockchain/block_height", 10, START_MS)
        await exporter.flush()
        exporter.record("blockchain/block_height", 11, START_MS + 10_500)
        exporter.record("blockchain/block_height", 12, START_MS + 9_000)  # older than held
        await exporter.flush()
        assert [s.points[0].value.int64_value for s in fake.series] == [10, 11]
    run(body)


def test_interval_below_10_s_is_refused() -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        with pytest.raises(ValueError, match="at least 10"):
            MetricsExporter("gtx-prod", "EGAT", client, interval_s=5)
    run(body)


def test_unknown_metric_and_reserved_label_are_caller_errors() -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        exporter = exporter_for(client, t)
        with pytest.raises(ValueError, match="unknown metric"):
            exporter.record("grid/voltage", 1.0, START_MS)
        with pytest.raises(ValueError, match="authority"):
            exporter.record("grid/frequency_deviation_hz", 1.0, START_MS, {"authority": "MEA"})
        exporter.record("grid/frequency_deviation_hz", float("nan"), START_MS)
        assert exporter.dropped_points == 1
    run(body)


# --- one flush per interval, in the background ----------------------------------------------


def test_background_task_flushes_once_per_interval() -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        ticks: asyncio.Queue[None] = asyncio.Queue()
        sleeps: list[float] = []

        async def gated_sleep(seconds: float) -> None:
            sleeps.append(seconds)
            await ticks.get()

        exporter = MetricsExporter("gtx-prod", "EGAT", client, interval_s=30,
                                   clock=t.clock, sleep=gated_sleep)
        exporter.start()
        exporter.record("blockchain/block_height", 1, START_MS)
        exporter.record("node/peers_connected", 2, START_MS)
        await asyncio.sleep(0.05)
        assert fake.requests == []  # nothing before the interval has passed
        ticks.put_nowait(None)
        await wait_for(lambda: len(fake.requests) == 1)
        assert len(fake.requests[0].time_series) == 2
        assert sleeps == [30, 30]
        exporter.record("blockchain/block_height", 2, START_MS + 30_000)
        await exporter.aclose()  # final flush of what is held
        assert len(fake.requests) == 2
    run(body)


async def wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


# --- the API failing -------------------------------------------------------------------------


def test_unavailable_is_retried_with_exponential_backoff(caplog: pytest.LogCaptureFixture) -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        exporter = exporter_for(client, t)
        fake.failures.extend([grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED])
        exporter.record("blockchain/block_height", 7, START_MS)
        assert await exporter.flush() == 1
        assert fake.failed_calls == 2 and len(fake.requests) == 1
        assert t.sleeps == [1.0, 2.0]
        assert exporter.state == "ok" and exporter.dropped_points == 0
        assert exporter.status().last_error is not None
    run(body)
    expect_logged(caplog, "Cloud Monitoring unavailable, retrying")


def test_api_down_drops_points_with_a_count_and_recovers(caplog: pytest.LogCaptureFixture) -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        exporter = exporter_for(client, t)
        fake.always_fail = grpc.StatusCode.UNAVAILABLE
        for i in range(250):
            exporter.record("grid/frequency_deviation_hz", 0.0, START_MS, {"feeder": str(i)})
        assert await exporter.flush() == 0
        assert fake.failed_calls == 4  # the first request's attempts; the second is not tried
        assert t.sleeps == [1.0, 2.0, 4.0]
        assert exporter.dropped_points == 250
        assert exporter.state == "down since 2025-06-15 15:06:40 UTC"
        fake.always_fail = None
        exporter.record("blockchain/block_height", 8, t.now_ms)
        assert await exporter.flush() == 1
        assert exporter.state == "ok"
    run(body)
    expect_logged(caplog, "Cloud Monitoring unavailable, retrying", "Cloud Monitoring down since")


def test_server_gone_counts_drops_and_record_stays_instant(
        caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        t = FakeTime()
        fake = FakeMetricService()
        address = await fake.start()
        await fake.stop()  # nothing listens any more: the channel reports UNAVAILABLE
        channel = grpc.aio.insecure_channel(address)
        exporter = exporter_for(monitoring_client(channel), t)
        exporter.record("blockchain/block_height", 1, START_MS)
        flush = asyncio.create_task(exporter.flush())
        began = time.perf_counter()
        for i in range(1000):
            exporter.record("blockchain/block_height", i, START_MS + i)
        assert time.perf_counter() - began < 0.5
        assert await flush == 0
        assert exporter.dropped_points >= 1
        assert exporter.state.startswith("down since")
        await channel.close()
    asyncio.run(main())
    expect_logged(caplog, "Cloud Monitoring unavailable, retrying", "Cloud Monitoring down since")


def test_other_errors_drop_at_once_without_retry(caplog: pytest.LogCaptureFixture) -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        exporter = exporter_for(client, t)
        fake.failures.append(grpc.StatusCode.PERMISSION_DENIED)
        exporter.record("blockchain/block_height", 1, START_MS)
        assert await exporter.flush() == 0
        assert fake.failed_calls == 1 and t.sleeps == []
        assert exporter.dropped_points == 1
        assert exporter.state.startswith("rejected: PermissionDenied")
    run(body)
    expect_logged(caplog, "Cloud Monitoring rejected metric points: PermissionDenied")


def test_series_bound_drops_new_series_not_updates() -> None:
    async def body(fake: FakeMetricService, client: Any, t: FakeTime) -> None:
        exporter = exporter_for(client, t, max_series=3)
        for i in range(5):
            exporter.record("grid/frequency_deviation_hz", 0.1, START_MS, {"feeder": str(i)})
        exporter.record("grid/frequency_deviation_hz", 0.2, START_MS + 1, {"feeder": "0"})
        assert exporter.dropped_points == 2
        assert await exporter.flush() == 3
    run(body)
