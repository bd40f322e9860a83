"""Length-prefixed frames on an asyncio stream: ``u32 big-endian length || body``.

A frame whose announced length exceeds the limit is refused *before* its body is read, so a
hostile length never makes the node allocate or wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Final, SupportsIndex

from node_core.ledger.encoding import Reader, Writer
from node_core.p2p.errors import FrameTooLarge

LENGTH_PREFIX_SIZE: Final = 4


def frame(body: bytes) -> bytes:
    """``body`` with its u32 big-endian length in front."""
    return bytes(Writer().bytes_(body))


async def read_frame(reader: asyncio.StreamReader, max_size: int) -> bytes:
    """The next frame's body; raises FrameTooLarge or asyncio.IncompleteReadError (EOF)."""
    length = Reader(await reader.readexactly(LENGTH_PREFIX_SIZE)).u32()
    if length > max_size:
        raise FrameTooLarge(f"announced frame of {length} bytes exceeds {max_size}")
    return await reader.readexactly(length)


class FirstFrameReader(asyncio.StreamReader):
    """The StreamReader of an accepted connection. It also notes whether the connection's
    first whole frame of at most ``max_size`` bytes has arrived (read from the socket by the
    transport, maybe not yet by the handshake), so that a connection that has spoken can be
    told from a silent one before the handshake gets to it."""

    def __init__(self, max_size: int) -> None:
        super().__init__()
        self.first_frame_limit = max_size
        """The largest first frame that counts as spoken."""
        self._first_head = b""
        self._first_received = 0
        self.first_frame_arrived = False

    def feed_data(self, data: Iterable[SupportsIndex]) -> None:
        """Called by the transport with each chunk read from the socket."""
        chunk = bytes(data)
        if not self.first_frame_arrived:
            self.first_frame_arrived = self.has_first_frame(chunk)
            self._first_received += len(chunk)
            self._first_head = self._head_with(chunk)
        super().feed_data(chunk)

    def has_first_frame(self, unread: bytes = b"") -> bool:
        """Whether the first frame is whole, counting ``unread`` bytes that follow what the
        transport has read so far."""
        if self.first_frame_arrived:
            return True
        head = self._head_with(unread)
        if len(head) < LENGTH_PREFIX_SIZE:
            return False
        length = Reader(head).u32()
        whole = self._first_received + len(unread) >= LENGTH_PREFIX_SIZE + length
        return whole and length <= self.first_frame_limit

    def _head_with(self, more: bytes) -> bytes:
        return (self._first_head + more[:LENGTH_PREFIX_SIZE])[:LENGTH_PREFIX_SIZE]


def abort_stream(writer: asyncio.StreamWriter) -> None:
    """Drop the connection at once (the stream is not trusted, or we are shutting down)."""
    with contextlib.suppress(OSError, RuntimeError):
        writer.transport.abort()
