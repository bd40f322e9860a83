"""Per-peer counters for the console's peers panel, and rate-limited drop warnings."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

_log = logging.getLogger(__name__)



@dataclass(slots=True)
class PeerStats:
    """Counters of one peer. Keys of ``PeerNetwork.stats()`` are authority addresses, or
    ``"ip:<host>"`` for connections that never identified as an authority."""

    address: str
    name: str = ""
    connected: bool = False
    connections: int = 0
    """Successful handshakes so far."""
    frames_in: int = 0
    frames_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    mac_failures: int = 0
    replays: int = 0
    """Duplicate frames and frames older than the replay window (dropped, link kept)."""
    oversized: int = 0
    malformed: int = 0
    wrong_chain: int = 0
    handshake_failures: int = 0
    evicted: int = 0
    """Unfinished handshakes closed to make room for newer connections (``ip:`` entries;
    :mod:`node_core.p2p.admission`)."""
    queue_drops: int = 0
    """Oldest outgoing payloads discarded because the peer did not keep up."""
    last_seen_ms: int | None = None
    """Last authenticated frame or handshake from the peer (ms UTC)."""

    def count(self, counter: str) -> None:
        """Add one to the counter named ``counter``."""
        setattr(self, counter, getattr(self, counter) + 1)


class DropLog:
    """Logs a warning about a peer's bad input at most once per ``interval_s`` per peer;
    the rest go to debug so a hostile peer cannot flood the log."""

    def __init__(self, interval_s: float = 60.0) -> None:
        self._interval_s = interval_s
        self._last: dict[str, float] = {}

    def warn(self, peer: str, message: str) -> None:
        now = time.monotonic()
        last = self._last.get(peer)
        if last is not None and now - last < self._interval_s:
            _log.debug("peer %s: %s", peer, message)
            return
        if len(self._last) > 4096:
            self._last.clear()
        self._last[peer] = now
        _log.warning("peer %s: %s (further problems with this peer are logged at debug "
                     "level for %.0f s)", peer, message, self._interval_s)
