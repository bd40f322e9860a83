"""The authenticated data channel that follows the handshake.

Each frame body is ``u64 sequence || payload || mac`` where
``mac = HMAC-SHA256(key, u64 sequence || payload)`` truncated to its first 16 bytes (128 bits,
as in RFC 4868's HMAC-SHA-256-128; ample against forgery for a per-connection key).
Each direction has its own key and its own sequence, counting up from 0. Payloads are not
encrypted: the links carry consensus data every authority may see; what matters is that a
frame comes from the authenticated peer, untouched, and only once.

Anti-replay follows RFC 4303 §3.4.3 / DTLS: a sliding window remembers which of the last
``size`` sequence numbers were accepted. A sequence number already seen or older than the
window is a replay; one within the window but out of order is accepted (a proxy may reorder).
The MAC is checked before the window is updated, so forged frames cannot poison it.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.exceptions import DecodeError
from node_core.p2p.errors import MacFailure, MalformedFrame

MAC_SIZE: Final = 16
SEQUENCE_SIZE: Final = 8
FRAME_OVERHEAD: Final = SEQUENCE_SIZE + MAC_SIZE
KEY_SIZE: Final = 32
_MAX_SEQUENCE: Final = 2**64 - 1


def frame_mac(key: bytes, sequence: int, payload: bytes) -> bytes:
    """The truncated HMAC-SHA256 of ``u64 sequence || payload``."""
    mac = hmac.new(key, bytes(Writer().u64(sequence)), hashlib.sha256)
    mac.update(payload)
    return mac.digest()[:MAC_SIZE]


class ReplayWindow:
    """The RFC 4303 sliding window: ``top`` is the highest accepted sequence number, bit
    ``i`` of ``_seen`` says whether ``top - i`` was accepted."""

    __slots__ = ("_seen", "size", "top")

    def __init__(self, size: int = 1024) -> None:
        if size < 1:
            raise ValueError("replay window size must be positive")
        self.size = size
        self.top = -1
        self._seen = 0

    def is_fresh(self, sequence: int) -> bool:
        """True unless ``sequence`` was already accepted or is older than the window."""
        if sequence > self.top:
            return True
        offset = self.top - sequence
        return offset < self.size and not (self._seen >> offset) & 1

    def accept(self, sequence: int) -> None:
        """Record ``sequence`` (call only after ``is_fresh`` and the MAC check)."""
        if sequence > self.top:
            shift = sequence - self.top
            kept = self._seen << shift if shift < self.size else 0
            self._seen = (kept | 1) & ((1 << self.size) - 1)
            self.top = sequence
        else:
            self._seen |= 1 << (self.top - sequence)


class FrameSealer:
    """Numbers and MACs outgoing payloads for one direction."""

    __slots__ = ("_key", "next_sequence")

    def __init__(self, key: bytes) -> None:
        self._key = key
        self.next_sequence = 0

    def seal(self, payload: bytes) -> bytes:
        """The frame body carrying ``payload`` (without the length prefix)."""
        sequence = self.next_sequence
        if sequence > _MAX_SEQUENCE:
            raise OverflowError("sequence numbers exhausted; reconnect")
        self.next_sequence = sequence + 1
        mac = frame_mac(self._key, sequence, payload)
        writer = Writer().u64(sequence).raw(payload, len(payload)).raw(mac, MAC_SIZE)
        return bytes(writer)


class FrameOpener:
    """Checks incoming frame bodies for one direction."""

    __slots__ = ("_key", "window")

    def __init__(self, key: bytes, window_size: int = 1024) -> None:
        self._key = key
        self.window = ReplayWindow(window_size)

    def open(self, body: bytes) -> bytes | None:
        """The payload, or None for a replay; MalformedFrame / MacFailure otherwise."""
        sequence, payload, mac = _split(body)
        if not self.window.is_fresh(sequence):
            return None
        if not hmac.compare_digest(mac, frame_mac(self._key, sequence, payload)):
            raise MacFailure(f"frame {sequence} fails its MAC")
        self.window.accept(sequence)
        return payload


def _split(body: bytes) -> tuple[int, bytes, bytes]:
    """``(sequence, payload, mac)`` of a frame body."""
    if len(body) < FRAME_OVERHEAD:
        raise MalformedFrame(f"frame of {len(body)} bytes is shorter than {FRAME_OVERHEAD}")
    reader = Reader(body)
    try:
        sequence = reader.u64()
        payload = reader.raw(len(body) - FRAME_OVERHEAD)
        mac = reader.raw(MAC_SIZE)
        reader.finish()
    except DecodeError as error:
        raise MalformedFrame(str(error)) from None
    return sequence, payload, mac
