"""Node messages over the ``consensus-messages`` Pub/Sub topic: the alternative to direct TCP
links, for authorities that cannot reach each other directly (profile
``[pubsub] consensus_transport = "pubsub"``).

Two layers:

* ``ConsensusTransport`` — raw bytes over Pub/Sub, shaped like ``PeerNetwork``:
  ``broadcast(payload)`` and an ``on_message(sender hint, payload)`` handler on the loop.
* ``PubSubPeerNetwork`` — the node's ``PeerLinks`` (``node_core.p2p.links``) on top of it: every
  payload travels in an envelope signed for its authority, checked and replay-filtered on
  receipt (``node_core.cloud.consensus_envelope``). The node hands it *everything* it would
  send over TCP — consensus packets, status heartbeats, sync requests and their final blocks
  (addressed to one authority; the others ignore them), and transaction gossip — so an
  authority on Pub/Sub alone proposes, votes, catches up and fills its mempool as on TCP.

All authorities of one chain use the same transport: a node on ``pubsub`` does not listen on
or dial its ``[peers]`` TCP addresses, and a node on ``tcp`` does not read the topic.

IAM: ``roles/pubsub.publisher`` on ``consensus-messages`` and ``roles/pubsub.subscriber`` on
the authority's subscription ``consensus-<authority>``; creating that subscription at start
needs ``roles/pubsub.editor`` (without it, create it once beforehand: ``consensus_subscription``
says how; the node logs the refusal and uses the existing one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import google.cloud.pubsub_v1 as pubsub_v1
from google.api_core import exceptions as api_errors

from node_core.clock import now_ms
from node_core.cloud.consensus_envelope import EnvelopeGate, EnvelopeSealer
from node_core.cloud.pubsub_feeds import (
    CONSENSUS_MESSAGES,
    BoundedPublisher,
    PublishStatus,
    SubscriptionSpec,
    create_subscription,
)
from node_core.cloud.streaming_pull import ReopeningPull
from node_core.ledger.genesis import AuthorityInfo
from node_core.ledger.keys import Signer
from node_core.ledger.types import Address, Hash32
from node_core.p2p import MessageHandler, PeerAddresses
from node_core.p2p.stats import DropLog

_log = logging.getLogger(__name__)

SENDER_ATTRIBUTE: Final = "sender"
PRESENCE_MS: Final = 5_000
"""An authority heard from within this long counts as connected (status is sent each 1 s)."""

ConsensusHandler = Callable[[str, bytes], None]
"""``(sender address, payload)``, called on the event loop like ``PeerNetwork``'s handler."""


def consensus_subscription(authority_name: str, authority_address: str,
                           topic: str = CONSENSUS_MESSAGES) -> SubscriptionSpec:
    """The consensus subscription of one authority: every authority needs its own (a shared
    subscription such as ``validator-consensus-sub`` would deal each message to one of them),
    ordered by sender, filtering out the authority's own messages."""
    return SubscriptionSpec(
        f"consensus-{authority_name.lower()}", topic, 10, ordered=True,
        filter=f'attributes.{SENDER_ATTRIBUTE} != "{authority_address}"')


class ConsensusTransport:
    """Opaque payloads over ``consensus-messages``, shaped like ``PeerNetwork``:
    ``broadcast(payload)`` and an ``on_message(sender, payload)`` handler called on the loop.

    Each payload is published with attribute ``sender`` = this authority's address and ordering
    key = that address, so one sender's payloads arrive in the order sent. Each authority reads
    its own subscription (``consensus_subscription``), whose filter excludes its own messages;
    they are also dropped on receipt, as the emulator does not apply filters.

    What it adds: reachability — authorities without a direct TCP link reach each other through
    Google's network, with IAM deciding who may publish and read, TLS to Google, per-sender
    order, and at-least-once delivery.

    What it does not add: sender authentication. The ``sender`` attribute is whatever the
    publishing principal wrote, a routing hint only; ``PubSubPeerNetwork`` authenticates every
    payload (signed envelopes, replay window). Pub/Sub also adds latency (batching,
    ``max_latency_s`` of ``pubsub_clients``) and a 10 MB limit per payload (larger ones are
    dropped and counted).
    """

    def __init__(self, publisher: pubsub_v1.PublisherClient,
                 subscriber: pubsub_v1.SubscriberClient, project: str, address: str,
                 subscription: str, on_message: ConsensusHandler, *,
                 topic: str = CONSENSUS_MESSAGES, max_pending: int = 1000) -> None:
        self.address: Final = address
        self.subscription_path: Final = subscriber.subscription_path(project, subscription)
        self._out = BoundedPublisher(publisher, publisher.topic_path(project, topic),
                                     max_pending)
        self._on_message = on_message
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pull = ReopeningPull(subscriber, self.subscription_path, self._receive,
                                   name="consensus-messages")
        self.received = 0
        self.own_dropped = 0

    def start(self) -> None:
        """Start receiving on the running loop (the pull reopens if it ends by itself)."""
        self._loop = asyncio.get_running_loop()
        self._pull.start()

    @property
    def receiving(self) -> bool:
        """The streaming pull is open."""
        return self._pull.open

    @property
    def reopened(self) -> int:
        """How many times the streaming pull was opened again after ending by itself."""
        return self._pull.reopened

    def broadcast(self, payload: bytes) -> int:
        """Publish ``payload`` to every other authority; 1 if handed to Pub/Sub, 0 if dropped
        (the number of receivers is not known on this transport)."""
        accepted = self._out.publish(bytes(payload), self.address,
                                     {SENDER_ATTRIBUTE: self.address})
        return 1 if accepted else 0

    def status(self) -> PublishStatus:
        """Counters of the outgoing side."""
        return self._out.status()

    async def aclose(self) -> None:
        """Stop receiving, flush and stop publishing."""
        await self._pull.aclose()
        await self._out.aclose()

    def _receive(self, message: Any) -> None:
        """Subscriber thread: ack (redelivery is the consensus layer's job), hop to the loop."""
        message.ack()
        sender = message.attributes.get(SENDER_ATTRIBUTE, "")
        if sender == self.address:
            self.own_dropped += 1
            return
        self.received += 1
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._dispatch, sender, bytes(message.data))

    def _dispatch(self, sender: str, payload: bytes) -> None:
        try:
            self._on_message(sender, payload)
        except Exception:  # the handler's bug must not stop the transport
            _log.exception("consensus transport: on_message failed for a payload from %s", sender)


@dataclass(frozen=True, slots=True)
class RelayStatus:
    """What ``PubSubPeerNetwork`` counts (``cloud_status`` details)."""

    receiving: bool
    accepted: int
    refused: dict[str, int]
    """Envelopes dropped, by reason (``consensus_envelope.REFUSALS``)."""
    outgoing: PublishStatus
    reopened: int = 0
    """How many times the consensus subscription's stream was opened again."""


class PubSubPeerNetwork:
    """``PeerLinks`` over Pub/Sub with authenticated, replay-protected envelopes (see the
    module docstring). ``start``, ``stop`` and every other method run on the node's loop."""

    def __init__(self, publisher: pubsub_v1.PublisherClient,
                 subscriber: pubsub_v1.SubscriberClient, project: str, *, signer: Signer,
                 genesis_hash: Hash32, authorities: Sequence[AuthorityInfo],
                 subscription: SubscriptionSpec, on_message: MessageHandler,
                 create: bool = True, clock: Callable[[], int] = now_ms) -> None:
        self._subscriber = subscriber
        self._project = project
        self._signer = signer
        self._genesis_hash = genesis_hash
        self._subscription = subscription
        self._create = create
        self._clock = clock
        self._on_message = on_message
        self._gate = EnvelopeGate(genesis_hash, signer.address, list(authorities))
        self._transport = ConsensusTransport(publisher, subscriber, project, signer.address,
                                             subscription.name, self._on_envelope,
                                             topic=subscription.topic)
        self._sealer: EnvelopeSealer | None = None
        self._heard: dict[str, int] = {}
        self._accepted = 0
        self._drops = DropLog()

    async def start(self) -> None:
        """Make sure the subscription exists, certify a session key (one authority signature,
        in a worker thread: it may be a Cloud KMS call), then receive."""
        if self._create:
            await asyncio.to_thread(self._ensure_subscription)
        self._sealer = await asyncio.to_thread(
            EnvelopeSealer.issue, self._signer, self._genesis_hash, self._clock())
        self._transport.start()
        _log.info("consensus over Pub/Sub: reading %s", self._transport.subscription_path)

    async def stop(self) -> None:
        """Stop receiving, flush what is being published, close the subscriber's channel."""
        await self._transport.aclose()
        with contextlib.suppress(Exception):
            self._subscriber.close()

    def broadcast(self, payload: bytes) -> int:
        if self._sealer is None:
            return 0
        sent = self._transport.broadcast(self._sealer.seal(payload, self._clock()))
        return len(self.connected()) if sent else 0

    def send(self, address: str, payload: bytes) -> bool:
        if self._sealer is None:
            return False
        envelope = self._sealer.seal(payload, self._clock(), Address(address))
        return self._transport.broadcast(envelope) == 1

    def update_authorities(self, authorities: Sequence[AuthorityInfo],
                           peer_addresses: PeerAddresses | None = None) -> None:
        """Adopt a new authority set; ``peer_addresses`` (TCP) do not apply here."""
        self._gate.update_authorities(list(authorities))

    def connected(self) -> list[str]:
        since = self._clock() - PRESENCE_MS
        return sorted(address for address, heard in self._heard.items() if heard >= since)

    def status(self) -> RelayStatus:
        return RelayStatus(self._transport.receiving, self._accepted, dict(self._gate.refused),
                           self._transport.status(), self._transport.reopened)

    def _ensure_subscription(self) -> None:
        """Worker thread: create the subscription unless it exists or we may not."""
        try:
            create_subscription(self._subscriber, self._project, self._subscription)
        except (api_errors.PermissionDenied, api_errors.Forbidden) as error:
            _log.warning("consensus over Pub/Sub: may not create %s (%s); using it as it is",
                         self._subscription.name, error.message)

    def _on_envelope(self, hint: str, data: bytes) -> None:
        """On the loop: deliver an envelope's payload if the gate accepts it."""
        opened = self._gate.open(data, self._clock())
        if opened is None:
            if self._gate.last_refusal != "not_for_us":
                self._drops.warn(hint or "unknown", f"Pub/Sub envelope refused "
                                 f"({self._gate.last_refusal}; so far: {self._refusals()})")
            return
        sender, payload = opened
        self._accepted += 1
        self._heard[sender] = self._clock()
        try:
            self._on_message(sender, payload)
        except Exception:
            _log.exception("consensus over Pub/Sub: on_message failed for a payload from %s",
                           sender)

    def _refusals(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self._gate.refused.items() if v) or "none"
