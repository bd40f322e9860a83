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
    """Inbound connections beyond this many unfinished handshakes are dropped at once."""
