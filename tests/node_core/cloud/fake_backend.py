"""A local HTTP/1.1 server standing in for the GridTokenX backend REST API.

Speaks just enough HTTP/1.1 for httpx (one request per connection, ``Connection: close``).
Each request takes the next scripted ``Reply``/``Drop`` if any, else the path's default JSON
body; every request is recorded with its headers and arrival time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any


@dataclass(frozen=True)
class Reply:
    """Answer with ``status`` and ``body`` (JSON unless bytes) after ``delay_s``."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass(frozen=True)
class Drop:
    """Read the request, then close the connection without answering."""


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    at: float


class FakeBackend:
    def __init__(self, bodies: dict[str, Any] | None = None) -> None:
        self.bodies: dict[str, Any] = dict(bodies or {})
        self.script: deque[Reply | Drop] = deque()
        self.received: list[Received] = []
        self._server: asyncio.Server | None = None
        self.url = ""

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await self._read_request(reader)
            if request is not None:
                await self._answer(request, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer.wait_closed()

    async def _read_request(self, reader: asyncio.StreamReader) -> Received | None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        received = Received(method, path, headers, time.monotonic())
        self.received.append(received)
        return received

    async def _answer(self, request: Received, writer: asyncio.StreamWriter) -> None:
        action = self.script.popleft() if self.script else Reply(200, self.bodies.get(request.path))
        if isinstance(action, Drop):
            return
        await asyncio.sleep(action.delay_s)
        body = action.body if isinstance(action.body, bytes) else json.dumps(action.body).encode()
        head = [f"HTTP/1.1 {action.status} {HTTPStatus(action.status).phrase}",
                "Content-Type: application/json", f"Content-Length: {len(body)}",
                "Connection: close", *(f"{k}: {v}" for k, v in action.headers.items())]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
