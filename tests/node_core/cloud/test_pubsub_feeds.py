"""Pub/Sub feeds against the real Pub/Sub emulator (started once per session by this module).

Each test gets its own project id, so topics and subscriptions never leak between tests.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from node_core.cloud.emulators import PubSubEmulator
from node_core.cloud.pubsub_feeds import (
    BLOCKCHAIN_EVENTS,
    DESIGN_SUBSCRIPTIONS,
    GRID_ALERTS,
    GRID_MONITOR_SUB,
    BlockchainEventPublisher,
    GridAlertFeed,
    MalformedAlert,
    SubscriptionSpec,
    create_design_topology,
    create_subscription,
    decode_grid_alert,
    pubsub_clients,
)
from tests.helpers.logs import expect_logged
from tests.node_core.cloud.emulated import Estate, new_project, wait_for

T0 = 1_764_086_400_000
GRID_MONITOR = next(s for s in DESIGN_SUBSCRIPTIONS if s.name == GRID_MONITOR_SUB)
"""The grid-alerts subscription as the design creates it (re-created by the reopen tests)."""


def alert(i: int, priority: str = "high") -> bytes:
    return json.dumps({"id": f"A-{i}", "priority": priority, "area": "PEA South",
                       "message": f"230 kV tie overload step {i}", "time": T0 + i}).encode()


def publish_alerts(estate: Estate, bodies: list[bytes], key: str = "south") -> None:
    topic = estate.publisher.topic_path(estate.project, GRID_ALERTS)
    futures = [estate.publisher.publish(topic, body, ordering_key=key) for body in bodies]
    for future in futures:
        future.result(timeout=10)


# --- decoding (no emulator) --------------------------------------------------------------------


def test_alert_decodes_into_a_plain_dict() -> None:
    assert decode_grid_alert(alert(3, "critical")) == {
        "id": "A-3", "priority": "critical", "area": "PEA South",
        "message": "230 kV tie overload step 3", "time_ms": T0 + 3}
    iso = json.dumps({"id": "x", "priority": "low", "area": "MEA", "message": "m",
                      "time": "2025-11-25T16:00:00Z"}).encode()
    assert decode_grid_alert(iso)["time_ms"] == T0


@pytest.mark.parametrize("body, reason", [
    (b"\xff\xfe", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"id": "x", "priority": "urgent", "area": "a", "message": "m", "time": 1}', "priority"),
    (b'{"priority": "low", "area": "a", "message": "m", "time": 1}', "id must be"),
    (b'{"id": "x", "priority": "low", "area": "a", "message": "m", "time": "noon"}', "ISO"),
    (b'{"id": "x", "priority": "low", "area": "a", "message": "m", "time": true}', "time"),
])
def test_malformed_alerts_name_the_problem(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedAlert, match=reason):
        decode_grid_alert(body)


# --- against the emulator ----------------------------------------------------------------------


def test_ordered_alerts_arrive_in_order_and_are_acked(estate: Estate) -> None:
    received: list[dict[str, Any]] = []

    async def main() -> None:
        feed = GridAlertFeed(estate.subscriber, estate.project, received.append)
        feed.start()
        publish_alerts(estate, [alert(i) for i in range(30)])
        await wait_for(lambda: len(received) == 30)
        await wait_for(lambda: feed.status().delivered == 30)
        status = feed.status()
        await feed.aclose()
        assert status.running and status.malformed == 0 and status.callback_failures == 0

    asyncio.run(main())
    assert [a["id"] for a in received] == [f"A-{i}" for i in range(30)]


def test_malformed_alerts_are_counted_acked_and_never_redelivered(
        estate: Estate, caplog: pytest.LogCaptureFixture) -> None:
    received: list[dict[str, Any]] = []

    async def main() -> GridAlertFeed:
        feed = GridAlertFeed(estate.subscriber, estate.project, received.append)
        feed.start()
        publish_alerts(estate, [alert(0), b"not json", b'{"id": 7}', alert(1)])
        await wait_for(lambda: len(received) == 2 and feed.status().malformed == 2)
        await asyncio.sleep(1.5)  # a nacked/unacked message would come back by now
        await feed.aclose()
        return feed

    feed = asyncio.run(main())
    assert [a["id"] for a in received] == ["A-0", "A-1"]
    status = feed.status()
    assert (status.received, status.malformed, status.delivered) == (4, 2, 2)
    expect_logged(caplog, "acked and dropped: not JSON", "acked and dropped: id must be")


def test_alert_is_acked_only_after_the_async_callback_succeeded(
        estate: Estate, caplog: pytest.LogCaptureFixture) -> None:
    attempts: list[str] = []

    async def flaky(alert_: dict[str, Any]) -> None:
        attempts.append(alert_["id"])
        await asyncio.sleep(0)
        if attempts.count(alert_["id"]) == 1:
            raise RuntimeError("alarm list busy")

    async def main() -> GridAlertFeed:
        feed = GridAlertFeed(estate.subscriber, estate.project, flaky)
        feed.start()
        publish_alerts(estate, [alert(5)])
        await wait_for(lambda: feed.status().delivered == 1, timeout_s=30.0)
        await feed.aclose()
        return feed

    feed = asyncio.run(main())
    assert attempts == ["A-5", "A-5"]
    assert feed.status().callback_failures == 1
    expect_logged(caplog, "alert callback failed: RuntimeError('alarm list busy')")


def test_a_feed_whose_subscription_was_re_created_opens_again_by_itself(
        estate: Estate, caplog: pytest.LogCaptureFixture) -> None:
    """The client ends the stream for good on NOT_FOUND; the feed reopens it with backoff
    and alerts published after the subscription is back arrive without a restart."""
    received: list[dict[str, Any]] = []

    async def main() -> list[Any]:
        feed = GridAlertFeed(estate.subscriber, estate.project, received.append)
        feed.start()
        publish_alerts(estate, [alert(0)])
        await wait_for(lambda: len(received) == 1)
        estate.subscriber.delete_subscription(subscription=feed.subscription_path)
        await wait_for(lambda: not feed.status().running)
        ended = feed.status()
        create_subscription(estate.subscriber, estate.project, GRID_MONITOR)
        await wait_for(lambda: feed.status().running and feed.status().reopened >= 1, 20.0)
        publish_alerts(estate, [alert(1)])
        await wait_for(lambda: "A-1" in [a["id"] for a in received]
                       and feed.status().delivered == len(received))  # counted after the call
        status = feed.status()
        await feed.aclose()
        return [ended, status]

    ended, status = asyncio.run(main())
    assert "404" in (ended.last_error or "") and "does not exist" in (ended.last_error or "")
    assert status.running and status.delivered == len(received)
    # at least once: the emulator hands the re-created subscription A-0 again
    assert {a["id"] for a in received} == {"A-0", "A-1"}
    expect_logged(caplog, "404 Subscription does not exist")


def test_a_closed_feed_does_not_open_again(
        estate: Estate, caplog: pytest.LogCaptureFixture) -> None:

    async def main() -> Any:
        feed = GridAlertFeed(estate.subscriber, estate.project, lambda _alert: None)
        feed.start()
        await wait_for(lambda: feed.status().running)
        estate.subscriber.delete_subscription(subscription=feed.subscription_path)
        await wait_for(lambda: not feed.status().running)
        await feed.aclose()  # while its reopening waits
        create_subscription(estate.subscriber, estate.project, GRID_MONITOR)
        await asyncio.sleep(2.5)
        return feed.status()

    status = asyncio.run(main())
    assert not status.running and status.reopened == 0
    expect_logged(caplog, "404 Subscription does not exist")


def test_block_notices_and_emergency_actions_reach_a_subscriber(estate: Estate) -> None:
    create_subscription(estate.subscriber, estate.project,
                        SubscriptionSpec("audit-tap", BLOCKCHAIN_EVENTS, 10, ordered=True))
    publisher, subscriber = estate.clients()
    seen: list[Any] = []

    async def main() -> BlockchainEventPublisher:
        events = BlockchainEventPublisher(publisher, estate.project, "EGAT")
        for height in (1, 2, 3):
            assert events.publish_block_finalized({"height": height, "hash": f"{height:064x}",
                                                   "tx_count": 0})
        assert events.publish_emergency_action({"action": "halt_trading", "region": "PEA"}, 3)
        stream = subscriber.subscribe(subscriber.subscription_path(estate.project, "audit-tap"),
                                      lambda m: (seen.append(m), m.ack()))
        await wait_for(lambda: len(seen) == 4 and events.status().published == 4)
        stream.cancel()
        await events.aclose()
        return events

    events = asyncio.run(main())
    kinds = [(m.attributes["kind"], m.attributes["height"], m.attributes["authority"],
              m.ordering_key) for m in seen]
    assert kinds == [("block_finalized", "1", "EGAT", "EGAT"),
                     ("block_finalized", "2", "EGAT", "EGAT"),
                     ("block_finalized", "3", "EGAT", "EGAT"),
                     ("emergency_action", "3", "EGAT", "EGAT")]
    assert json.loads(seen[0].data)["hash"] == f"{1:064x}"
    assert json.loads(seen[3].data)["action"] == "halt_trading"
    status = events.status()
    assert (status.failed, status.dropped, status.pending) == (0, 0, 0)


def test_publisher_past_its_bound_drops_and_counts_instead_of_blocking(estate: Estate) -> None:
    publisher, _ = estate.clients()
    events = BlockchainEventPublisher(publisher, estate.project, "MEA", max_pending=2)
    started = time.monotonic()
    accepted = [events.publish_block_finalized({"height": h}) for h in range(50)]
    assert time.monotonic() - started < 1.0
    assert accepted.count(False) == events.status().dropped >= 1
    asyncio.run(events.aclose())


def test_publish_to_a_missing_topic_is_counted_as_a_failure(
        estate: Estate, caplog: pytest.LogCaptureFixture) -> None:
    publisher, _ = estate.clients()
    events = BlockchainEventPublisher(publisher, estate.project, "PEA", topic="no-such-topic")
    assert events.publish_block_finalized({"height": 1})

    async def main() -> None:
        await wait_for(lambda: events.status().failed == 1, timeout_s=40.0)
        await events.aclose()

    asyncio.run(main())
    assert "NotFound" in (events.status().last_error or "")
    expect_logged(caplog, "topics/no-such-topic failed: NotFound")


def test_clients_honour_pubsub_emulator_host(pubsub_emulator: PubSubEmulator,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator.host_port)
    publisher, subscriber = pubsub_clients()
    try:
        project = new_project()
        create_design_topology(publisher, subscriber, project)
        topics = {t.name for t in publisher.list_topics(request={"project": f"projects/{project}"})}
        assert f"projects/{project}/topics/{GRID_ALERTS}" in topics
    finally:
        publisher.stop()
        subscriber.close()

