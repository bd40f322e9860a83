"""Tunable limits and timings of the peer network (defaults suit the three-authority grid)."""

from __future__ import annotations

from dataclasses import dataclass

from node_core.backoff import Backoff

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    """Limits and timings of :class:`~node_core.p2p.PeerNetwork`."""

    max_frame_size: int = 16 * MIB
    """Largest frame body accepted after the handshake; a larger announced length closes
    the connection (counted as ``oversized``)."""
    handshake_timeout_s: float = 5.0
    """The whole handshake, both signatures included, must end within this: a deadline, so
    bytes trickling in buy no time."""
    hello_timeout_s: float = 2.0
    """The other side's Hello must arrive within this; an authority sends it as soon as the
    TCP connection is up."""
    connect_timeout_s: float = 5.0
    replay_window: int = 1024
    queue_max_frames: int = 1024
    """Outgoing payloads held per peer; beyond this the oldest are dropped."""
    queue_max_bytes: int = 64 * MIB
    write_timeout_s: float = 30.0
    """A peer that accepts no bytes for this long is disconnected."""
    reconnect: Backoff = Backoff(0.2, 5.0)
    """Between dial attempts to a peer (back to the start after a handshake succeeds)."""
    warning_interval_s: float = 60.0
    """At most one warning per peer per interval about its bad input."""
    max_pending_handshakes: int = 64
    """Inbound connections still handshaking, in all; at this bound each new connection
    evicts a pending one (:mod:`node_core.p2p.admission` says which)."""
    max_pending_per_source: int = 16
    """The same, from one source (an IPv4 address or an IPv6 /64)."""
    listen_queue: int = 1024
    """Connections the kernel queues for the peer port; on Linux those that have sent
    nothing yet wait there (``TCP_DEFER_ACCEPT``), outside the node. Beyond it the kernel
    falls back to SYN cookies and hands connections over at once."""
    accept_batch: int = 64
    """Connections taken from that queue per event-loop iteration (bounds the loop's work
    per iteration)."""

    def __post_init__(self) -> None:
        if not 1 <= self.max_pending_per_source <= self.max_pending_handshakes:
            raise ValueError("max_pending_per_source must be between 1 and "
                             f"max_pending_handshakes ({self.max_pending_handshakes})")
        if not 1 <= self.accept_batch <= self.listen_queue:
            raise ValueError("accept_batch must be between 1 and "
                             f"listen_queue ({self.listen_queue})")
        if not 0 < self.hello_timeout_s <= self.handshake_timeout_s:
            raise ValueError("hello_timeout_s must be positive and at most "
                             f"handshake_timeout_s ({self.handshake_timeout_s})")
