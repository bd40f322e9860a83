"""Admission of inbound connections while they handshake: no flood of connections that
never authenticate can keep a real authority from linking, or make the node's memory grow.

Layers, from the kernel in (limits in :class:`~node_core.p2p.NetworkSettings`):

* The kernel queues up to ``listen_queue`` (1024) connections for the peer port, and on Linux
  (``TCP_DEFER_ACCEPT``) hands one over only once its first bytes have arrived, or after the
  Hello deadline. The loop takes at most ``accept_batch`` (64) per iteration.
* A connection handed over is *pending* until its handshake ends: the dialer's Auth verified
  (an authority's session from then on, never evicted) or the handshake failed. Pending
  connections are bounded in all (``max_pending_handshakes``, 64) and per source
  (``max_pending_per_source``, 16; a source is an IPv4 address or an IPv6 /64). A new
  connection is never refused for want of room: one pending connection is **evicted**
  instead (counted as ``evicted`` of its source) — a *silent* one before one that has
  *spoken*; among those, from the most crowded source, the oldest. A connection has spoken
  once its first whole frame of at most 512 bytes has reached this host, read by the loop
  (:class:`~node_core.p2p.framing.FirstFrameReader`) or still in the kernel (peeked).
* Deadlines (absolute, not idle timeouts): the Hello within ``hello_timeout_s`` (2 s), the
  whole handshake within ``handshake_timeout_s`` (5 s).
* The first frame is read with a 512-byte limit, a larger announced length refused before
  its body is read (``oversized``); the responder reads the dialer's Hello before it makes a
  key or sends a byte.

Why this holds — a real authority sends its Hello right behind its TCP connection, so it
has spoken by the time the node sees the connection (or very soon after), and its handshake
then takes one round trip and two signatures:

(a) Many idle connections from one source (on the devnet every authority and the attacker
    are 127.0.0.1: the source tells nothing). On Linux they do not reach the node at all
    while the kernel queue has room; after that, or after the defer time, they are silent
    pending connections, and silent connections only ever evict each other: 16 of them, or
    16,000 reconnecting as fast as they can, never evict an authority that has spoken.
(b) Slowloris (a byte every few seconds): the deadlines are absolute, so trickling buys no
    time, and a trickler has not sent a whole first frame, so it is silent (a).
(c) Oversized length prefixes: refused before the body is read, and never counted as
    spoken. Memory: the node holds at most the pending connections plus the few accept
    batches asyncio has in flight, each with at most what one socket read returns, however
    much a flood sends and however long it runs.
(d) Many sources: the total bound holds however many sources there are; silent connections
    go first wherever they come from, and among connections that have spoken, those of the
    most crowded source (an authority has one or two pending connections from its host).

What this does not stop: an attacker who sends well-formed first frames (a Hello needs only
the chain id, genesis hash and an authority address, all public) competes with an
authority's connection by age: more than 16 such connections from the authority's source,
or more than 64 from as many sources, arriving during one handshake (milliseconds) evict it.
That is a connection-rate flood, for the host's firewall (open the peer port only to the
other authorities' hosts). It never makes the node sign: the responder signs only after the
dialer's Auth has verified.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import os
import socket
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from node_core.p2p.framing import LENGTH_PREFIX_SIZE, FirstFrameReader

Item = TypeVar("Item", bound=Hashable)


@dataclass(slots=True)
class PendingHandshake(Generic[Item]):
    """One inbound connection that has not authenticated yet."""

    item: Item
    """What the network knows the connection by."""
    source: str
    order: int
    """Accepted as the ``order``-th connection (older connections have lower numbers)."""
    close: Callable[[], object]
    """Ends its handshake (called when it is evicted)."""


class PendingHandshakes(Generic[Item]):
    """The inbound connections still handshaking, bounded in all and per source.

    ``has_spoken(item)`` tells whether the connection's first whole frame has arrived: such
    a connection is evicted only if no silent one can go."""

    def __init__(self, max_total: int, max_per_source: int,
                 has_spoken: Callable[[Item], bool]) -> None:
        self._max_total = max_total
        self._max_per_source = max_per_source
        self._has_spoken = has_spoken
        self._pending: dict[Item, PendingHandshake[Item]] = {}
        self._per_source: Counter[str] = Counter()
        self._accepted = itertools.count()

    def __len__(self) -> int:
        return len(self._pending)

    def admit(self, item: Item, source: str, close: Callable[[], object]
              ) -> PendingHandshake[Item] | None:
        """Add a connection from ``source``; if a bound was reached, evict (close) a pending
        one to make room and return it."""
        victim = self._victim(source)
        if victim is not None:
            self.settle(victim.item)
            victim.close()
        self._pending[item] = PendingHandshake(item, source, next(self._accepted), close)
        self._per_source[source] += 1
        return victim

    def settle(self, item: Item) -> None:
        """The handshake ended (either way) or was evicted; forget it. Idempotent."""
        pending = self._pending.pop(item, None)
        if pending is None:
            return
        self._per_source[pending.source] -= 1
        if not self._per_source[pending.source]:
            del self._per_source[pending.source]

    def _victim(self, source: str) -> PendingHandshake[Item] | None:
        """The first by rank that is silent; if all have spoken, the first by rank (asked
        lazily: usually the oldest is silent and the only one asked)."""
        if self._per_source[source] >= self._max_per_source:
            candidates = [p for p in self._pending.values() if p.source == source]
        elif len(self._pending) >= self._max_total:
            candidates = list(self._pending.values())
        else:
            return None
        ranked = sorted(candidates, key=self._rank)
        return next((p for p in ranked if not self._has_spoken(p.item)), ranked[0])

    def _rank(self, pending: PendingHandshake[Item]) -> tuple[int, int]:
        """Lowest goes first: the most crowded source, then the oldest."""
        return -self._per_source[pending.source], pending.order


def source_of(peername: object) -> str:
    """The source a connection is counted against: its IPv4 address (also when mapped into
    IPv6), or the /64 of its IPv6 address (one host is usually given a whole /64)."""
    host = peername[0] if isinstance(peername, tuple) and peername else None
    try:
        address = ipaddress.ip_address(host.split("%")[0] if isinstance(host, str) else "")
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))
    return str(address)


def has_spoken(reader: FirstFrameReader, writer: asyncio.StreamWriter) -> bool:
    """Whether the connection's first whole frame has arrived, read by the loop or still
    waiting in the kernel: a real authority's Hello comes right behind its connection, but
    the loop may not have read it yet."""
    return reader.has_first_frame(_unread(writer, LENGTH_PREFIX_SIZE + reader.first_frame_limit))


def _unread(writer: asyncio.StreamWriter, limit: int) -> bytes:
    """Up to ``limit`` bytes the kernel holds for the connection, left in place."""
    sock = writer.get_extra_info("socket")
    if sock is None or sock.fileno() < 0:
        return b""
    with socket.socket(fileno=os.dup(sock.fileno())) as duplicate:
        try:
            return duplicate.recv(limit, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except OSError:
            return b""
