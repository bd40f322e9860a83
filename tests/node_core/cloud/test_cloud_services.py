"""The node's cloud side against the wire-level fake MetricService and the Pub/Sub and Spanner
emulators the other cloud tests use (started once per session)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import grpc
import pytest

from node_core.backoff import Backoff
from node_core.cloud.monitoring import ExportRetry, MetricsExporter, metric_type
from node_core.cloud.pubsub_feeds import (
    BLOCKCHAIN_EVENTS,
    BlockchainEventPublisher,
    GridAlertFeed,
    SubscriptionSpec,
    create_subscription,
)
from node_core.cloud.services import (
    GRID_ALERT_PREFIX,
    CloudServices,
    PartHealth,
    alert_area,
)
from node_core.cloud.spanner_sink import BlockSink, read_account, read_block
from node_core.control_room.alarms import AlarmEngine, AlarmThresholds
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
)
from tests.helpers.chain import make_chain
from tests.helpers.logs import expect_logged
from tests.node_core.cloud.emulated import Estate, wait_for
from tests.node_core.cloud.fake_metric_service import FakeMetricService
from tests.node_core.cloud.test_pubsub_feeds import alert, publish_alerts

T0 = 1_764_086_400_000


class Clock:
    def __init__(self, ms: int = T0) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def status_summary(height: int = 7) -> dict[str, Any]:
    return {"height": height, "consensus_health": 0.97, "finality_p50_ms": 850,
            "peers": [{"name": "MEA", "connected": True}, {"name": "PEA", "connected": False}]}


def services(**parts: Any) -> tuple[CloudServices, list[tuple[str, Any]]]:
    pushed: list[tuple[str, Any]] = []
    made = CloudServices("EGAT", AlarmEngine(AlarmThresholds()),
                         lambda kind, data: pushed.append((kind, data)), status_summary,
                         lambda: {"orders_per_second": 2.5}, **parts)
    return made, pushed


def chain_with_trades_and_a_halt():
    chain = make_chain()
    states = []
    chain.extend([chain.trade(0, 1, 1_000, 400, "MEA"), chain.transfer(2, 3, 5_000)])
    states.append(chain.state)
    halt = EmergencyAction(EmergencyKind.TRADING_HALT, "MEA", reason="frequency collapse")
    chain.extend([chain.emergency(halt), chain.trade(2, 3, 2_000, 450, "PEA")])
    states.append(chain.state)
    return chain, states


def summary(block) -> dict[str, Any]:
    return {"height": block.height, "hash": block.hash, "tx_count": len(block.transactions)}


# --- without clients ---------------------------------------------------------------------------


def test_a_devnet_style_services_object_reports_every_part_off() -> None:
    made, _ = services()
    state = made.state()
    assert {k: state[k] for k in ("monitoring", "pubsub", "spanner", "backend")} == {
        "monitoring": "off", "pubsub": "off", "spanner": "off", "backend": "off"}
    assert state["since_ms"] == {}


def test_part_health_reads_retrying_then_down_since_then_ok() -> None:
    part = PartHealth()
    part.update(False, True, T0)
    assert part.state == "retrying" and part.since_ms == T0
    part.update(False, False, T0 + 60_000)
    assert part.state == "down since 2025-11-25 16:00 UTC" and part.since_ms == T0
    part.update(True, False, T0 + 120_000)
    assert (part.state, part.since_ms) == ("ok", None)
    part.update(False, False, T0, rejected="PermissionDenied: no")
    assert part.state == "rejected: PermissionDenied: no"


def test_alert_area_keeps_the_region_when_it_leads() -> None:
    assert alert_area("PEA South").region == "PEA"
    assert alert_area("PEA South").substation == "PEA South"
    assert alert_area("mea").region == "MEA"
    assert alert_area("Laos interconnector").region == "Laos interconnector"


# --- Cloud Monitoring (wire-level fake) ---------------------------------------------------------


def test_status_and_orders_per_second_reach_the_fake_metric_service() -> None:
    async def main() -> list[Any]:
        fake = FakeMetricService()
        await fake.start()
        metric_client, channel = fake.client()
        clock = Clock()
        exporter = MetricsExporter("gridtokenx-test", "EGAT", metric_client, clock=clock)
        made, _ = services(exporter=exporter, clock=clock)
        made.record_status()
        assert await exporter.flush() == 5
        assert made.state()["monitoring"] == "ok"
        await channel.close()
        await fake.stop()
        return fake.series

    series = asyncio.run(main())
    by_type = {ts.metric.type: ts for ts in series}
    assert set(by_type) == {metric_type(n) for n in (
        "blockchain/block_height", "blockchain/consensus_health", "blockchain/finality_lag_ms",
        "node/peers_connected", "trading/orders_per_second")}
    assert by_type[metric_type("blockchain/block_height")].points[0].value.int64_value == 7
    assert by_type[metric_type("node/peers_connected")].points[0].value.int64_value == 1
    orders = by_type[metric_type("trading/orders_per_second")]
    assert orders.points[0].value.double_value == 2.5
    assert orders.metric.labels["authority"] == "EGAT"
    assert orders.resource.type == "generic_node"


@pytest.mark.timing
def test_monitoring_down_is_reported_never_blocks_and_recovers_by_itself(
        caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> dict[str, Any]:
        fake = FakeMetricService()
        await fake.start()
        fake.always_fail = grpc.StatusCode.UNAVAILABLE
        metric_client, channel = fake.client()
        clock = Clock()
        exporter = MetricsExporter(
            "gridtokenx-test", "EGAT", metric_client, clock=clock,
            retry=ExportRetry(attempts=3, backoff=Backoff(0.2, 8.0, jitter=False),
                              call_timeout_s=2.0))
        made, _ = services(exporter=exporter, clock=clock)
        started = time.monotonic()
        made.record_status()
        assert time.monotonic() - started < 0.05  # recording never waits on the API
        flushing = asyncio.get_running_loop().create_task(exporter.flush())
        await wait_for(lambda: made.state()["monitoring"] == "retrying", 10.0)
        assert made.state()["since_ms"]["monitoring"] == T0
        await flushing
        seen = {"down": made.state()}
        fake.always_fail = None
        clock.ms += 60_000
        made.record_status()
        await exporter.flush()
        seen["after"] = made.state()
        await channel.close()
        await fake.stop()
        return seen

    seen = asyncio.run(main())
    assert seen["down"]["monitoring"].startswith("down since ")
    assert seen["down"]["details"]["monitoring"]["dropped_points"] == 5
    assert seen["after"]["monitoring"] == "ok" and "monitoring" not in seen["after"]["since_ms"]
    expect_logged(caplog, "Cloud Monitoring unavailable, retrying", "Cloud Monitoring down since")


# --- Pub/Sub and Spanner (emulators) ------------------------------------------------------------


def test_final_blocks_reach_spanner_and_notices_reach_a_subscriber(
        estate: Estate,
        database: Any,
) -> None:
    create_subscription(estate.subscriber, estate.project,
                        SubscriptionSpec("audit-tap", BLOCKCHAIN_EVENTS, 10, ordered=True))
    publisher, subscriber = estate.clients()
    chain, states = chain_with_trades_and_a_halt()
    seen: list[Any] = []

    async def main() -> dict[str, Any]:
        events = BlockchainEventPublisher(publisher, estate.project, "EGAT")
        made, _ = services(events=events, sink=BlockSink(database))
        made.start()
        started = time.monotonic()
        for block, state in zip(chain.blocks, states, strict=True):
            made.on_final_block(block, state, summary(block))
        assert time.monotonic() - started < 0.2  # offering and publishing never wait
        stream = subscriber.subscribe(
            subscriber.subscription_path(estate.project, "audit-tap"),
            lambda m: (seen.append(m), m.ack()))
        await made.sink.join()
        await wait_for(lambda: len(seen) == 3 and events.status().published == 3)
        stream.cancel()
        state = made.state()
        await made.aclose()
        return state

    state = asyncio.run(main())
    assert (state["pubsub"], state["spanner"]) == ("ok", "ok")
    assert state["details"]["spanner"]["written"] == 2
    for block in chain.blocks:
        assert read_block(database, block.height).hash == block.hash
    buyer = chain.prosumers[0].address
    assert read_account(database, buyer).balance == chain.state.account(buyer).balance
    kinds = [(m.attributes["kind"], m.attributes["height"]) for m in seen]
    assert kinds == [("block_finalized", "1"), ("block_finalized", "2"),
                     ("emergency_action", "2")]
    action = json.loads(seen[2].data)
    assert (action["action"], action["region"], action["approver"]) == (
        "trading_halt", "MEA", "supervisor1")
    assert action["tx_hash"] == chain.blocks[1].transactions[0].hash


def test_a_grid_alert_becomes_an_external_alarm_in_the_engine(
        estate: Estate,
) -> None:
    _, subscriber = estate.clients()

    async def main() -> tuple[CloudServices, list[tuple[str, Any]]]:
        made, pushed = services(feed_factory=lambda on_alert: GridAlertFeed(
            subscriber, estate.project, on_alert))
        made.start()
        publish_alerts(estate, [alert(1, "critical")])
        await wait_for(lambda: any(a.alarm_id == GRID_ALERT_PREFIX + "A-1"
                                   for a in made.alarms.alarms()))
        await wait_for(lambda: made.feed is not None and made.feed.status().delivered == 1)
        assert made.state()["pubsub"] == "ok"
        await made.aclose()
        return made, pushed

    made, pushed = asyncio.run(main())
    (raised,) = [a for a in made.alarms.alarms() if a.alarm_id == "grid-alert/A-1"]
    assert raised.kind == "external" and str(raised.priority) == "critical"
    assert raised.area.region == "PEA" and raised.message == "230 kV tie overload step 1"
    assert raised.active
    (kind, events), = pushed
    assert kind == "alarm_events" and events[0]["alarm_id"] == "grid-alert/A-1"


def test_a_feed_on_a_missing_subscription_reads_down_and_the_node_goes_on(
        estate: Estate, caplog: pytest.LogCaptureFixture
) -> None:
    _, subscriber = estate.clients()

    async def main() -> dict[str, Any]:
        made, _ = services(feed_factory=lambda on_alert: GridAlertFeed(
            subscriber, estate.project, on_alert, subscription="no-such-sub"))
        started = time.monotonic()
        made.start()
        assert time.monotonic() - started < 0.5
        await wait_for(lambda: made.state()["pubsub"] != "ok", 20.0)
        state = made.state()
        await made.aclose()
        return state

    state = asyncio.run(main())
    assert state["pubsub"].startswith("down since") and "pubsub" in state["since_ms"]
    expect_logged(caplog, "404 Subscription does not exist (resource=no-such-sub)")

