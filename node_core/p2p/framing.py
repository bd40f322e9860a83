"""Length-prefixed frames on an asyncio stream: ``u32 big-endian length || body``.

A frame whose announced length exceeds the limit is refused *before* its body is read, so a
hostile length never makes the node allocate or wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Final

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


def abort_stream(writer: asyncio.StreamWriter) -> None:
    """Drop the connection at once (the stream is not trusted, or we are shutting down)."""
    with contextlib.suppress(OSError, RuntimeError):
        writer.transport.abort()
