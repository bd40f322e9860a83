"""One authenticated connection to a peer: a reader loop and a writer task.

Sending never blocks the caller: payloads go into a bounded :class:`Outbox` that a writer
task drains. When a peer is slow and the outbox is full, the **oldest** queued payloads are
dropped (and counted in ``queue_drops``): consensus traffic supersedes itself, so the newest
messages are the ones worth delivering.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable

from node_core.clock import now_ms
from node_core.p2p.channel import FrameOpener, FrameSealer
from node_core.p2p.errors import PeerProtocolError
from node_core.p2p.framing import LENGTH_PREFIX_SIZE, abort_stream, frame, read_frame
from node_core.p2p.handshake import HandshakeResult
from node_core.p2p.settings import NetworkSettings
from node_core.p2p.stats import DropLog, PeerStats

_log = logging.getLogger(__name__)


class Outbox:
    """A bounded FIFO of outgoing payloads that drops its oldest entries when full."""

    def __init__(self, max_frames: int, max_bytes: int) -> None:
        self._items: deque[bytes] = deque()
        self._bytes = 0
        self._max_frames = max_frames
        self._max_bytes = max_bytes
        self._ready = asyncio.Event()

    def put(self, payload: bytes) -> int:
        """Queue ``payload``; return how many older payloads were dropped to make room."""
        self._items.append(payload)
        self._bytes += len(payload)
        dropped = 0
        while len(self._items) > 1 and (
            len(self._items) > self._max_frames or self._bytes > self._max_bytes
        ):
            self._bytes -= len(self._items.popleft())
            dropped += 1
        self._ready.set()
        return dropped

    async def get(self) -> bytes:
        """The oldest queued payload, waiting for one if needed."""
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        payload = self._items.popleft()
        self._bytes -= len(payload)
        return payload

    def __len__(self) -> int:
        return len(self._items)


class PeerSession:
    """Moves payloads over one authenticated connection until it closes."""

    def __init__(
        self,
        handshake: HandshakeResult,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        limits: NetworkSettings,
        stats: PeerStats,
        deliver: Callable[[str, bytes], None],
        drops: DropLog,
    ) -> None:
        self.peer = handshake.peer
        self._keys = handshake
        self._reader = reader
        self._writer = writer
        self._limits = limits
        self._stats = stats
        self._deliver = deliver
        self._drops = drops
        self._outbox = Outbox(limits.queue_max_frames, limits.queue_max_bytes)

    @property
    def address(self) -> str:
        return self.peer.address

    def enqueue(self, payload: bytes) -> None:
        """Queue ``payload`` for the writer task (never blocks)."""
        dropped = self._outbox.put(payload)
        if dropped:
            self._stats.queue_drops += dropped
            self._drops.warn(self.address, f"slow peer: dropped {dropped} oldest queued frames")

    def close(self) -> None:
        """Drop the connection; ``run`` then returns."""
        abort_stream(self._writer)

    async def run(self) -> None:
        """Read until the connection closes or misbehaves; always closes it at the end."""
        writer_task = asyncio.get_running_loop().create_task(self._write_loop())
        try:
            await self._read_loop()
        finally:
            writer_task.cancel()
            await asyncio.gather(writer_task, return_exceptions=True)
            abort_stream(self._writer)

    async def _read_loop(self) -> None:
        opener = FrameOpener(self._keys.receive_key, self._limits.replay_window)
        while True:
            try:
                body = await read_frame(self._reader, self._limits.max_frame_size)
                payload = opener.open(body)
            except PeerProtocolError as error:
                self._stats.count(error.counter)
                self._drops.warn(self.address, f"{error}; closing the connection")
                return
            except (asyncio.IncompleteReadError, OSError):
                return
            if payload is None:
                self._stats.replays += 1
                self._drops.warn(self.address, "dropped a replayed or too old frame")
                continue
            self._stats.frames_in += 1
            self._stats.bytes_in += LENGTH_PREFIX_SIZE + len(body)
            self._stats.last_seen_ms = now_ms()
            self._deliver(self.address, payload)

    async def _write_loop(self) -> None:
        sealer = FrameSealer(self._keys.send_key)
        try:
            while True:
                data = frame(sealer.seal(await self._outbox.get()))
                self._writer.write(data)
                self._stats.frames_out += 1
                self._stats.bytes_out += len(data)
                async with asyncio.timeout(self._limits.write_timeout_s):
                    await self._writer.drain()
        except TimeoutError:
            _log.warning("peer %s accepted no data for %.0f s; disconnecting",
                         self.peer.name, self._limits.write_timeout_s)
        except (OSError, OverflowError) as error:
            _log.debug("peer %s: write failed: %s", self.peer.name, error)
        abort_stream(self._writer)
