"""The authority's Pub/Sub feeds on the design's topics, bridged to asyncio.

* ``GridAlertFeed`` — streaming pull on the ``grid-alerts`` subscription (``grid-monitor-sub``,
  ordered delivery). Each alert is decoded into a plain dict (``decode_grid_alert``) and handed
  to a callback on the event loop (the console adds it to the alarm list). The message is acked
  only once the callback succeeded; a failing callback nacks it (redelivered, order kept). A
  malformed alert is acked and counted: it would be malformed again on every redelivery.
* ``BlockchainEventPublisher`` — emergency actions and finalized-block notices to
  ``blockchain-events``: JSON bodies, attributes ``kind``, ``authority`` and ``height``, one
  ordering key per authority so subscribers see one authority's events in order.
* ``BoundedPublisher`` — the never-blocking publisher both feeds use (and
  ``node_core.cloud.consensus_transport``, which carries node messages over
  ``consensus-messages``).
* ``create_design_topology`` — the design's topics and subscriptions (emulator, new projects).

Threads: the Pub/Sub clients are threaded. Publishing only enqueues into the client's batcher
(no I/O on the caller's thread); the number of messages in flight is bounded (``max_pending``),
and past the bound a message is dropped and counted, so a Pub/Sub outage never holds up the
node. Subscriber callbacks run on the client's threads and hop to the loop with
``asyncio.run_coroutine_threadsafe`` / ``loop.call_soon_threadsafe``; nothing here blocks the
loop except ``aclose``'s shutdown, which runs in a worker thread.

Emulator: ``pubsub_clients(emulator_host)`` talks plain gRPC to the emulator at
``emulator_host`` or ``$PUBSUB_EMULATOR_HOST``; without either, Application Default
Credentials.

IAM: ``roles/pubsub.subscriber`` on ``grid-monitor-sub``; ``roles/pubsub.publisher`` on
``blockchain-events`` and ``consensus-messages``; creating the topology (and the per-authority
consensus subscriptions) needs ``roles/pubsub.editor`` or the design's ``roles/pubsub.admin``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import json
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import google.cloud.pubsub_v1 as pubsub_v1
import grpc
from google.api_core import exceptions as api_errors
from google.api_core import retry as api_retry
from google.cloud.pubsub_v1.publisher import exceptions as publish_errors
from google.protobuf import duration_pb2
from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

from node_core.cloud.emulators import PUBSUB_EMULATOR_HOST
from node_core.cloud.streaming_pull import ReopeningPull

_log = logging.getLogger(__name__)

BLOCKCHAIN_EVENTS: Final = "blockchain-events"
TRADING_EVENTS: Final = "trading-events"
GRID_ALERTS: Final = "grid-alerts"
CONSENSUS_MESSAGES: Final = "consensus-messages"
GRID_MONITOR_SUB: Final = "grid-monitor-sub"

ALERT_PRIORITIES: Final = ("critical", "high", "medium", "low")
MAX_MESSAGE_BYTES: Final = 10_000_000
"""Pub/Sub's limit on one message's data."""
KIND_BLOCK_FINALIZED: Final = "block_finalized"
KIND_EMERGENCY_ACTION: Final = "emergency_action"

AlertCallback = Callable[[dict[str, Any]], Awaitable[None] | None]
"""Receives one decoded alert on the event loop; raising (or a failed awaitable) nacks it."""


# --- clients and topology ----------------------------------------------------------------------


def pubsub_clients(
    emulator_host: str | None = None, *, ordered: bool = True, max_latency_s: float = 0.01,
) -> tuple[pubsub_v1.PublisherClient, pubsub_v1.SubscriberClient]:
    """A publisher (ordering keys enabled if ``ordered``) and a subscriber.

    With an emulator — ``emulator_host`` (``host:port``), else ``$PUBSUB_EMULATOR_HOST`` — both
    use an insecure local channel; otherwise Application Default Credentials.
    ``max_latency_s`` is how long the publisher batches before sending (low: consensus).
    """
    emulator_host = emulator_host or os.environ.get(PUBSUB_EMULATOR_HOST) or None
    options = pubsub_v1.types.PublisherOptions(
        enable_message_ordering=ordered,
        retry=api_retry.Retry(initial=0.1, maximum=5.0, timeout=30.0),
        timeout=10.0,
    )
    batching = pubsub_v1.types.BatchSettings(max_latency=max_latency_s)
    if emulator_host is None:
        return (pubsub_v1.PublisherClient(batching, options), pubsub_v1.SubscriberClient())
    publisher_transport = PublisherGrpcTransport(channel=grpc.insecure_channel(emulator_host))
    subscriber_transport = SubscriberGrpcTransport(channel=grpc.insecure_channel(emulator_host))
    return (pubsub_v1.PublisherClient(batching, options, transport=publisher_transport),
            pubsub_v1.SubscriberClient(transport=subscriber_transport))


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One topic of the design."""

    name: str
    retention_days: int


@dataclass(frozen=True, slots=True)
class SubscriptionSpec:
    """One subscription of the design."""

    name: str
    topic: str
    ack_deadline_s: int
    ordered: bool = False
    filter: str = ""


DESIGN_TOPICS: Final = (
    TopicSpec(BLOCKCHAIN_EVENTS, 7), TopicSpec(TRADING_EVENTS, 1),
    TopicSpec(GRID_ALERTS, 30), TopicSpec(CONSENSUS_MESSAGES, 1),
)
DESIGN_SUBSCRIPTIONS: Final = (
    SubscriptionSpec("validator-consensus-sub", CONSENSUS_MESSAGES, 10),
    SubscriptionSpec("trading-engine-sub", TRADING_EVENTS, 10),
    SubscriptionSpec(GRID_MONITOR_SUB, GRID_ALERTS, 30, ordered=True),
)
"""The design's subscriptions. ``trading-engine-sub`` asks for a 5 s ack deadline; Pub/Sub's
minimum is 10 s. ``grid-monitor-sub`` is ordered because ``grid-alerts`` is."""


def create_topic(publisher: pubsub_v1.PublisherClient, project: str, spec: TopicSpec) -> bool:
    """Create one topic; False if it already existed."""
    retention = duration_pb2.Duration(seconds=spec.retention_days * 86_400)
    try:
        publisher.create_topic(request={"name": publisher.topic_path(project, spec.name),
                                        "message_retention_duration": retention})
    except api_errors.AlreadyExists:
        return False
    return True


def create_subscription(subscriber: pubsub_v1.SubscriberClient, project: str,
                        spec: SubscriptionSpec) -> bool:
    """Create one subscription; False if it already existed."""
    request: dict[str, Any] = {
        "name": subscriber.subscription_path(project, spec.name),
        "topic": f"projects/{project}/topics/{spec.topic}",
        "ack_deadline_seconds": spec.ack_deadline_s,
        "enable_message_ordering": spec.ordered,
    }
    if spec.filter:
        request["filter"] = spec.filter
    try:
        subscriber.create_subscription(request=request)
    except api_errors.AlreadyExists:
        return False
    return True


def create_design_topology(publisher: pubsub_v1.PublisherClient,
                           subscriber: pubsub_v1.SubscriberClient, project: str) -> None:
    """Create the design's topics and subscriptions that do not exist yet (idempotent)."""
    for topic in DESIGN_TOPICS:
        create_topic(publisher, project, topic)
    for subscription in DESIGN_SUBSCRIPTIONS:
        create_subscription(subscriber, project, subscription)


# --- grid alerts -------------------------------------------------------------------------------


class MalformedAlert(ValueError):
    """A ``grid-alerts`` message is not the documented JSON shape."""


def decode_grid_alert(data: bytes) -> dict[str, Any]:
    """Decode a grid alert: a JSON object with ``id``, ``priority`` (critical|high|medium|low),
    ``area``, ``message`` (strings) and ``time`` (ms since the Unix epoch, or ISO 8601 with an
    offset). Returns ``{"id", "priority", "area", "message", "time_ms"}``; raises
    ``MalformedAlert`` naming the first problem."""
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedAlert(f"not JSON: {error}") from None
    if not isinstance(body, dict):
        raise MalformedAlert("not a JSON object")
    alert = {key: _text_field(body, key) for key in ("id", "priority", "area", "message")}
    if alert["priority"] not in ALERT_PRIORITIES:
        raise MalformedAlert(f"priority {alert['priority']!r} is not one of {ALERT_PRIORITIES}")
    return {**alert, "time_ms": _time_ms(body.get("time"))}


def _text_field(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedAlert(f"{key} must be a non-empty string")
    return value


def _time_ms(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise MalformedAlert(f"time {value!r} is not ISO 8601") from None
        if moment.tzinfo is None:
            raise MalformedAlert(f"time {value!r} has no UTC offset")
        return int(moment.timestamp() * 1000)
    raise MalformedAlert("time must be ms since the epoch or an ISO 8601 string")


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """What the console shows about the grid-alerts feed."""

    running: bool
    received: int
    delivered: int
    """Alerts the callback accepted (acked)."""
    malformed: int
    """Messages acked without delivery because they did not decode."""
    callback_failures: int
    """Deliveries the callback refused (nacked, so redelivered)."""
    last_error: str | None
    """Why the stream last ended by itself."""
    reopened: int = 0
    """How many times the stream was opened again after ending by itself."""


class GridAlertFeed:
    """Streaming pull on the grid-alerts subscription, delivering alerts to ``on_alert`` on the
    loop (see the module docstring). ``start`` and ``aclose`` run on that loop."""

    def __init__(self, subscriber: pubsub_v1.SubscriberClient, project: str,
                 on_alert: AlertCallback, *, subscription: str = GRID_MONITOR_SUB,
                 max_outstanding: int = 100) -> None:
        self.subscription_path: Final = subscriber.subscription_path(project, subscription)
        self._on_alert = on_alert
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pull = ReopeningPull(subscriber, self.subscription_path, self._on_message,
                                   name="grid-alerts",
                                   flow_control=pubsub_v1.types.FlowControl(
                                       max_messages=max_outstanding))
        self._lock = threading.Lock()
        self._counts = {"received": 0, "delivered": 0, "malformed": 0, "callback_failures": 0}

    def start(self) -> None:
        """Open the streaming pull (reopened if it ends by itself); alerts then arrive on the
        running loop."""
        self._loop = asyncio.get_running_loop()
        self._pull.start()

    async def aclose(self) -> None:
        """Stop pulling; wait (in a worker thread) until the stream has shut down."""
        await self._pull.aclose()

    def status(self) -> FeedStatus:
        """A snapshot of the counters."""
        with self._lock:
            return FeedStatus(self._pull.open, last_error=self._pull.last_error,
                              reopened=self._pull.reopened, **self._counts)

    # --- client threads ------------------------------------------------------------------------

    def _on_message(self, message: Any) -> None:
        """Called on a subscriber thread for each message."""
        self._count("received")
        try:
            alert = decode_grid_alert(message.data)
        except MalformedAlert as error:
            self._note_malformed(message, error)
            return
        loop = self._loop
        if loop is None or loop.is_closed():
            message.nack()
            return
        delivery = asyncio.run_coroutine_threadsafe(self._deliver(alert), loop)
        delivery.add_done_callback(lambda done: self._settle(message, done))

    def _note_malformed(self, message: Any, error: MalformedAlert) -> None:
        self._count("malformed")
        _log.warning("grid-alerts: malformed message %s acked and dropped: %s",
                     message.message_id, error)
        message.ack()

    async def _deliver(self, alert: dict[str, Any]) -> None:
        """Runs on the loop: hand the alert to the callback, awaiting it if it is async."""
        outcome = self._on_alert(alert)
        if inspect.isawaitable(outcome):
            await outcome

    def _settle(self, message: Any, delivery: concurrent.futures.Future[None]) -> None:
        """Ack a delivered alert; nack one the callback refused (it will come again)."""
        error = None if delivery.cancelled() else delivery.exception()
        if error is None and not delivery.cancelled():
            self._count("delivered")
            message.ack()
            return
        self._count("callback_failures")
        self._last_error = f"alert callback failed: {error!r}"
        _log.warning("grid-alerts: %s; message %s nacked", self._last_error, message.message_id)
        message.nack()

    def _count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1


# --- publishing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublishStatus:
    """What the console shows about one outgoing feed."""

    published: int
    """Messages Pub/Sub accepted."""
    failed: int
    """Messages whose publish failed after the client's retries."""
    dropped: int
    """Messages given up before publishing: too many in flight, or too large."""
    pending: int
    """Messages handed to the client and not yet settled."""
    last_error: str | None


class BoundedPublisher:
    """Publishes to one topic without ever blocking: a bound on messages in flight."""

    def __init__(self, publisher: pubsub_v1.PublisherClient, topic_path: str,
                 max_pending: int) -> None:
        if max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        self.topic_path: Final = topic_path
        self._publisher = publisher
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self._pending = 0
        self._published = self._failed = self._dropped = 0
        self._last_error: str | None = None

    def publish(self, data: bytes, ordering_key: str, attributes: Mapping[str, str]) -> bool:
        """Hand one message to the client's batcher; False if it was dropped instead."""
        if len(data) > MAX_MESSAGE_BYTES or not self._reserve():
            self._note_dropped(len(data))
            return False
        try:
            future = self._publisher.publish(self.topic_path, data, ordering_key=ordering_key,
                                             **attributes)
        except (publish_errors.PublishToPausedOrderingKeyException, RuntimeError) as error:
            self._settle_failure(ordering_key, error)
            return False
        future.add_done_callback(lambda done: self._settle(ordering_key, done))
        return True

    def status(self) -> PublishStatus:
        with self._lock:
            return PublishStatus(self._published, self._failed, self._dropped, self._pending,
                                 self._last_error)

    async def aclose(self, drain_timeout_s: float = 5.0) -> None:
        """Send what is batched, stop the client, and wait (bounded) for the outcomes."""
        with contextlib.suppress(RuntimeError):  # already stopped
            self._publisher.stop()
        deadline = asyncio.get_running_loop().time() + drain_timeout_s
        while self.status().pending and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)

    def _reserve(self) -> bool:
        with self._lock:
            if self._pending >= self._max_pending:
                return False
            self._pending += 1
            return True

    def _note_dropped(self, size: int) -> None:
        with self._lock:
            self._dropped += 1
            self._last_error = (f"message of {size} bytes over the {MAX_MESSAGE_BYTES}-byte limit"
                                if size > MAX_MESSAGE_BYTES else "too many messages in flight")

    def _settle(self, ordering_key: str, future: Any) -> None:
        error = future.exception()
        if error is not None:
            self._settle_failure(ordering_key, error)
            return
        with self._lock:
            self._pending -= 1
            self._published += 1

    def _settle_failure(self, ordering_key: str, error: BaseException) -> None:
        """Count the failure and resume the ordering key (a failed publish pauses it)."""
        with self._lock:
            self._pending -= 1
            self._failed += 1
            self._last_error = f"{type(error).__name__}: {error}"
        _log.warning("Pub/Sub publish to %s failed: %s", self.topic_path, self._last_error)
        with contextlib.suppress(Exception):
            self._publisher.resume_publish(self.topic_path, ordering_key)


class BlockchainEventPublisher:
    """Emergency actions and finalized-block notices of one authority to ``blockchain-events``.

    Every message: a JSON object body; attributes ``kind`` (``block_finalized`` or
    ``emergency_action``), ``authority`` (the authority's name) and ``height`` (decimal); the
    ordering key is the authority, so each authority's events arrive in order. Callable from
    any thread; never blocks; see ``status()`` for failures and drops.
    """

    def __init__(self, publisher: pubsub_v1.PublisherClient, project: str, authority: str, *,
                 topic: str = BLOCKCHAIN_EVENTS, max_pending: int = 1000) -> None:
        self.authority: Final = authority
        self._out = BoundedPublisher(publisher, publisher.topic_path(project, topic),
                                      max_pending)

    def publish_block_finalized(self, summary: Mapping[str, Any]) -> bool:
        """Publish a finalized-block notice: ``summary`` is ``NodeQueries.block_summary``'s dict
        (it must hold ``height``). False if the notice was dropped."""
        return self._publish(KIND_BLOCK_FINALIZED, int(summary["height"]), summary)

    def publish_emergency_action(self, action: Mapping[str, Any], height: int) -> bool:
        """Publish an emergency action taken at chain ``height`` (JSON-serializable mapping)."""
        return self._publish(KIND_EMERGENCY_ACTION, height, action)

    def status(self) -> PublishStatus:
        """Counters of the feed."""
        return self._out.status()

    async def aclose(self) -> None:
        """Flush and stop the publisher client."""
        await self._out.aclose()

    def _publish(self, kind: str, height: int, body: Mapping[str, Any]) -> bool:
        data = json.dumps({"kind": kind, "authority": self.authority, **body},
                          separators=(",", ":"), sort_keys=True).encode("utf-8")
        attributes = {"kind": kind, "authority": self.authority, "height": str(height)}
        return self._out.publish(data, self.authority, attributes)
