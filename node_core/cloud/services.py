"""The node's optional cloud side, started only with a ``gcp`` profile (``[cloud] profile`` in
the node TOML). Without it the node is a devnet node and nothing here is imported.

Parts (each optional, each independent, none ever holding up the node):

* **monitoring** — ``MetricsExporter``: every ``status_every_s`` the node's status summary
  (height, consensus health, finality lag, peers) and the chain's orders per second are
  recorded; the exporter flushes once per ``interval_s`` in the background.
* **pubsub** — ``BlockchainEventPublisher``: a notice of each final block, and each emergency
  action a final block carries, to ``blockchain-events``; ``GridAlertFeed``: alerts on
  ``grid-alerts`` become external alarms of the node's engine (``raise_external``) and are
  pushed to the console like the node's own alarm events. A feed whose stream ended
  (subscription missing, permission) is re-opened after a backoff.
* **spanner** — ``BlockSink`` (only with ``[spanner] block_sink = true``): each final block is
  offered (a bounded queue; full = dropped and counted); a conflicting block at a stored
  height is raised as a critical alarm.

With ``[pubsub] consensus_transport = "pubsub"`` the node's links to the other authorities are
a ``PubSubPeerNetwork`` (``build_peer_network``, made before the node starts its links); its
counters appear under ``details.consensus_relay``.

``state()`` is what the console shows in degraded mode, one string per part:
``ok``, ``retrying``, ``down since <time>``, ``rejected: …`` or ``off``, plus ``since_ms``
(when each failing part started failing). ``backend`` is always ``off`` here: the node does
not call the REST API — the console does (``app.links.backend_link``) and fills that part in.

Emulators: the clients honour ``PUBSUB_EMULATOR_HOST`` / ``SPANNER_EMULATOR_HOST`` (the
profile has read them). Cloud Monitoring has no emulator: Application Default Credentials, or
the plaintext local fake of ``$MONITORING_EMULATOR_HOST`` (tests). Metrics go out every
``[monitoring] interval_s``; the status is recorded every ``min(10 s, interval)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import grpc

from node_core.api.node_queries import transaction_view
from node_core.backoff import Backoff
from node_core.clock import now_ms
from node_core.cloud.consensus_transport import PubSubPeerNetwork
from node_core.cloud.monitoring import MetricsExporter
from node_core.cloud.profile import GcpProfile
from node_core.cloud.pubsub_feeds import BlockchainEventPublisher, GridAlertFeed, PublishStatus
from node_core.cloud.spanner_sink import BlockSink, ConflictingBlock
from node_core.control_room.alarms import AlarmEngine, AlarmEvent
from node_core.control_room.alarms.records import AlarmArea, Priority
from node_core.ledger.blocks import Block
from node_core.ledger.roster import Roster
from node_core.ledger.state import State
from node_core.ledger.transactions import EmergencyAction, Transaction
from node_core.ledger.types import REGIONS

if TYPE_CHECKING:
    from node_core.node.authority_node import AuthorityNode

_log = logging.getLogger(__name__)

OK: Final = "ok"
RETRYING: Final = "retrying"
OFF: Final = "off"
PARTS: Final = ("monitoring", "pubsub", "spanner", "backend")
GRID_ALERT_PREFIX: Final = "grid-alert/"
SPANNER_CONFLICT_ALARM: Final = "cloud/spanner-conflict"
FEED_RESTART: Final = Backoff(5.0, 60.0, jitter=False)

StatusSource = Callable[[], Mapping[str, Any]]
EventSink = Callable[[str, Any], None]
FeedFactory = Callable[[Callable[[dict[str, Any]], None]], GridAlertFeed]


@dataclass(slots=True)
class PartHealth:
    """One part's health over time: when it started failing, and how it reads."""

    enabled: bool = True
    state: str = OK
    since_ms: int | None = None

    def update(self, healthy: bool, failing_now: bool, now: int, rejected: str | None = None
               ) -> None:
        """``healthy``: working; ``failing_now``: the last attempt failed and it is being
        retried (``retrying``), else the failure persists (``down since``)."""
        if not self.enabled:
            self.state, self.since_ms = OFF, None
        elif healthy:
            self.state, self.since_ms = OK, None
        else:
            if self.since_ms is None:
                self.since_ms = now
            if rejected is not None:
                self.state = f"rejected: {rejected}"
            elif failing_now:
                self.state = RETRYING
            else:
                self.state = f"down since {utc_text(self.since_ms)}"


@dataclass(slots=True)
class _PublishWatch:
    """Counter deltas of a publisher between two health checks."""

    published: int = 0
    failed: int = 0
    dropped: int = 0
    failing: bool = False

    def check(self, status: PublishStatus) -> bool:
        """True while healthy: something published since a failure, or no failure at all."""
        progressed = status.published > self.published
        failed = status.failed > self.failed or status.dropped > self.dropped
        if failed and not progressed:
            self.failing = True
        elif progressed:
            self.failing = False
        self.published, self.failed, self.dropped = (status.published, status.failed,
                                                     status.dropped)
        return not self.failing


@dataclass
class CloudServices:
    """The node's cloud parts; ``start()`` on the node's loop, ``aclose()`` at shutdown."""

    authority: str
    alarms: AlarmEngine
    publish_event: EventSink
    """The node's ``endpoint.publish``: alarm events reach the console this way."""
    status_source: StatusSource
    """``NodeQueries.status_summary``."""
    overview_source: StatusSource | None = None
    """The chain's trading overview (orders per second for Monitoring)."""
    exporter: MetricsExporter | None = None
    events: BlockchainEventPublisher | None = None
    feed_factory: FeedFactory | None = None
    sink: BlockSink | None = None
    relay: PubSubPeerNetwork | None = None
    """The node's links when they run over Pub/Sub (its counters are in ``details``)."""
    status_every_s: float = 10.0
    clock: Callable[[], int] = now_ms
    feed: GridAlertFeed | None = field(default=None, init=False)
    health: dict[str, PartHealth] = field(default_factory=dict, init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)
    _publish_watch: _PublishWatch = field(default_factory=_PublishWatch, init=False)
    _feed_failures: int = field(default=0, init=False)
    _feed_restart_at: float | None = field(default=None, init=False)
    _conflict: str | None = field(default=None, init=False)
    _closing: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        pubsub = self.events is not None or self.feed_factory is not None
        self.health = {"monitoring": PartHealth(self.exporter is not None),
                       "pubsub": PartHealth(pubsub),
                       "spanner": PartHealth(self.sink is not None),
                       "backend": PartHealth(False)}
        for part in self.health.values():
            part.update(True, False, 0)

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start every configured part on the running loop; returns at once."""
        if self.exporter is not None:
            self.exporter.start()
        if self.sink is not None:
            self.sink.start()
        self._open_feed()
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._run(), name=f"cloud-{self.authority}"))

    async def aclose(self) -> None:
        """Stop every part (bounded waits: each client's own shutdown limits)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        closers = [c for c in (self.feed, self.events, self.sink, self.exporter)
                   if c is not None]
        for closer in closers:
            try:
                await asyncio.wait_for(closer.aclose(), 15.0)
            except Exception as error:  # shutting down: log and go on with the rest
                _log.warning("cloud: closing %s failed: %r", type(closer).__name__, error)

    async def _run(self) -> None:
        while True:
            try:
                self.record_status()
                self.check_health()
                self._maybe_reopen_feed()
            except Exception:  # a bug here must not stop the cloud side for the node's life
                _log.exception("cloud services: periodic work failed")
            await asyncio.sleep(self.status_every_s)

    # --- what the node hands over --------------------------------------------------------------

    def record_status(self) -> None:
        """Record the node's status (and orders per second) for Monitoring. Never blocks."""
        if self.exporter is None:
            return
        at = self.clock()
        self.exporter.record_node_status(self.status_source(), at)
        if self.overview_source is not None:
            overview = self.overview_source()
            self.exporter.record("trading/orders_per_second",
                                 float(overview["orders_per_second"]), at)

    def on_final_block(self, block: Block, state_after: State, summary: Mapping[str, Any]
                       ) -> None:
        """Offer a final block to Spanner; publish its notice and its emergency actions."""
        if self.sink is not None:
            self.sink.offer(block, state_after)
        if self.events is not None:
            self.events.publish_block_finalized(summary)
            for tx in block.transactions:
                if isinstance(tx.payload, EmergencyAction):
                    self.events.publish_emergency_action(
                        emergency_view(tx, state_after.roster), block.height)

    def on_grid_alert(self, alert: dict[str, Any]) -> None:
        """A decoded ``grid-alerts`` message → an external alarm of the node's engine."""
        events = self.alarms.raise_external(
            GRID_ALERT_PREFIX + alert["id"], Priority(alert["priority"]),
            alert_area(alert["area"]), alert["message"], self.clock())
        self._publish_alarm_events(events)

    def on_spanner_conflict(self, conflict: ConflictingBlock) -> None:
        """Spanner holds another block at a height this node finalized: a critical alarm."""
        self._conflict = str(conflict)
        events = self.alarms.raise_external(
            SPANNER_CONFLICT_ALARM, Priority.CRITICAL, AlarmArea(self.authority),
            f"Spanner block sink: {conflict}", self.clock(), float(conflict.height))
        self._publish_alarm_events(events)

    def _publish_alarm_events(self, events: list[AlarmEvent]) -> None:
        if events:
            self.publish_event("alarm_events", [e.to_dict() for e in events])

    # --- degraded mode -------------------------------------------------------------------------

    def check_health(self) -> None:
        """Re-read each part's counters into ``health`` (called every ``status_every_s``)."""
        now = self.clock()
        if self.exporter is not None:
            state = self.exporter.state
            self.health["monitoring"].update(
                state == OK, state == RETRYING, now,
                state.removeprefix("rejected: ") if state.startswith("rejected") else None)
        self._check_pubsub(now)
        if self.sink is not None:
            sink = self.sink.status()
            self.health["spanner"].update(sink.last_error is None, sink.queued > 0, now,
                                          "conflicting block" if self._conflict else None)

    def _check_pubsub(self, now: int) -> None:
        if not self.health["pubsub"].enabled:
            return
        healthy = True
        if self.events is not None:
            healthy = self._publish_watch.check(self.events.status())
        feed_down = self.feed_factory is not None and (
            self.feed is None or not self.feed.status().running)
        feed_down = feed_down or (self.relay is not None and not self.relay.status().receiving)
        retrying = self.events is not None and self.events.status().pending > 0
        self.health["pubsub"].update(healthy and not feed_down, retrying, now)

    def state(self) -> dict[str, Any]:
        """``{part: state string}`` for ``PARTS``, plus ``since_ms`` ``{part: ms}`` of the
        failing parts (the console shows it as local time) and ``details`` counters."""
        self.check_health()
        view: dict[str, Any] = {name: part.state for name, part in self.health.items()}
        view["since_ms"] = {name: part.since_ms for name, part in self.health.items()
                            if part.since_ms is not None}
        view["details"] = self._details()
        return view

    def _details(self) -> dict[str, Any]:
        details: dict[str, Any] = {}
        if self.exporter is not None:
            status = self.exporter.status()
            details["monitoring"] = {"sent_points": status.sent_points,
                                     "dropped_points": status.dropped_points,
                                     "last_error": status.last_error}
        if self.events is not None:
            pub = self.events.status()
            details["pubsub"] = {"published": pub.published, "failed": pub.failed,
                                 "dropped": pub.dropped, "pending": pub.pending,
                                 "last_error": pub.last_error}
        if self.feed is not None:
            feed = self.feed.status()
            details["grid_alerts"] = {"running": feed.running, "delivered": feed.delivered,
                                      "malformed": feed.malformed, "reopened": feed.reopened,
                                      "last_error": feed.last_error}
        if self.relay is not None:
            relay = self.relay.status()
            details["consensus_relay"] = {
                "receiving": relay.receiving, "accepted": relay.accepted,
                "refused": {k: v for k, v in relay.refused.items() if v},
                "published": relay.outgoing.published, "dropped": relay.outgoing.dropped,
                "reopened": relay.reopened, "last_error": relay.outgoing.last_error}
        if self.sink is not None:
            sink = self.sink.status()
            details["spanner"] = {"written": sink.written, "dropped": sink.dropped,
                                  "queued": sink.queued, "last_height": sink.last_height,
                                  "last_error": sink.last_error}
        return details

    # --- the grid-alerts feed ------------------------------------------------------------------

    def _open_feed(self) -> None:
        if self.feed_factory is None:
            return
        try:
            self.feed = self.feed_factory(self.on_grid_alert)
            self.feed.start()
        except Exception as error:  # e.g. no credentials: degraded, retried later
            _log.warning("cloud: grid-alerts feed not opened: %r", error)
            self.feed = None

    def _maybe_reopen_feed(self) -> None:
        """Re-open a feed whose stream ended, after a growing backoff."""
        if self.feed_factory is None:
            return
        if self.feed is not None and self.feed.status().running:
            self._feed_failures, self._feed_restart_at = 0, None
            return
        loop = asyncio.get_running_loop()
        if self._feed_restart_at is None:
            delay = FEED_RESTART.delay_s(self._feed_failures + 1)
            self._feed_restart_at = loop.time() + delay
            return
        if loop.time() < self._feed_restart_at:
            return
        self._feed_failures += 1
        self._feed_restart_at = None
        old, self.feed = self.feed, None
        if old is not None:
            closing = loop.create_task(old.aclose())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        _log.info("cloud: re-opening the grid-alerts feed")
        self._open_feed()


def utc_text(ms: int) -> str:
    """``2025-11-25 10:40 UTC`` (the console shows ``since_ms`` in local time instead)."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def alert_area(area: str) -> AlarmArea:
    """A grid alert's free-text area → an alarm area: its leading region name if it has one
    (``PEA South`` → region PEA, substation ``PEA South``), else the text as the region."""
    head = area.split(maxsplit=1)[0] if area.strip() else area
    if head.upper() in REGIONS:
        return AlarmArea(head.upper(), area if area != head else None)
    return AlarmArea(area)


def emergency_view(tx: Transaction, roster: Roster) -> dict[str, Any]:
    """The JSON body of an emergency action notice on ``blockchain-events``: the order, and
    the roster names of who operated and approved it."""
    view = transaction_view(tx, roster)
    return {"tx_hash": tx.hash, "action": view["emergency"], "region": view["region"],
            "stage": view["stage"], "mw": view["mw"], "duration_s": view["duration_s"],
            "reason": view["reason"], "operator": view["operator"],
            "approver": view["approver"]}


# --- building from a profile ----------------------------------------------------------------------


def build_peer_network(profile: GcpProfile, node: AuthorityNode,
                       on_message: Callable[[str, bytes], None]) -> PubSubPeerNetwork:
    """The node's links over Pub/Sub (``[pubsub] consensus_transport = "pubsub"``), reading
    the authority's own subscription ``consensus-<authority>`` of the profile's topic."""
    from node_core.cloud import consensus_transport, pubsub_feeds

    publisher, subscriber = pubsub_feeds.pubsub_clients(profile.emulators.pubsub)
    subscription = consensus_transport.consensus_subscription(
        node.authority_name, node.signer.address, profile.pubsub.consensus_topic)
    return consensus_transport.PubSubPeerNetwork(
        publisher, subscriber, profile.project, signer=node.signer,
        genesis_hash=node.state.genesis_hash, authorities=node.state.authorities,
        subscription=subscription, on_message=on_message)


def build_cloud_services(profile: GcpProfile, node: AuthorityNode) -> CloudServices:
    """Every part the profile asks for, on real clients (Application Default Credentials, or
    the emulators the profile read from ``*_EMULATOR_HOST``). A part whose client cannot be
    created (no credentials) is logged and left out: the node runs without it."""
    from node_core.cloud import monitoring, pubsub_feeds, spanner_sink

    authority = node.authority_name
    exporter = events = sink = None
    feed_factory: FeedFactory | None = None
    try:
        channel = (grpc.aio.insecure_channel(profile.emulators.monitoring)
                   if profile.emulators.monitoring else None)
        exporter = monitoring.MetricsExporter(
            profile.project, authority, monitoring.monitoring_client(channel),
            interval_s=profile.monitoring_interval_s)
    except Exception as error:
        _log.warning("cloud: Cloud Monitoring not available: %r", error)
    try:
        publisher, subscriber = pubsub_feeds.pubsub_clients(profile.emulators.pubsub)
        events = pubsub_feeds.BlockchainEventPublisher(
            publisher, profile.project, authority, topic=profile.pubsub.blockchain_events_topic)

        def feed_factory(on_alert: Callable[[dict[str, Any]], None]) -> GridAlertFeed:
            return pubsub_feeds.GridAlertFeed(
                subscriber, profile.project, on_alert,
                subscription=profile.pubsub.grid_alerts_subscription)
    except Exception as error:
        _log.warning("cloud: Pub/Sub not available: %r", error)
    services = CloudServices(authority, node.control.alarms, node.endpoint.publish,
                             node.queries.status_summary, node.queries.trading_overview,
                             exporter=exporter, events=events, feed_factory=feed_factory,
                             status_every_s=min(10.0, profile.monitoring_interval_s))
    if isinstance(node.network, PubSubPeerNetwork):
        services.relay = node.network
    if profile.spanner.block_sink:
        try:
            client = spanner_sink.spanner_client(profile.project, profile.emulators.spanner)
            database = client.instance(profile.spanner.instance).database(  # type: ignore[no-untyped-call]
                profile.spanner.database)
            sink = spanner_sink.BlockSink(database, on_conflict=services.on_spanner_conflict)
        except Exception as error:
            _log.warning("cloud: Spanner block sink not available: %r", error)
    services.sink = sink
    services.health["spanner"].enabled = sink is not None
    services.health["spanner"].update(True, False, 0)
    return services

