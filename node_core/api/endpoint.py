"""The node's local client endpoint: the server side of :mod:`node_core.api.wire`.

Used by the CLI (``main.py status``, ``tx send``, ...) and by the console. What it enforces
before a handler runs:

* **The credential.** A connection's first line must carry the node's cookie
  (:mod:`node_core.api.wire`) within :attr:`EndpointLimits.auth_timeout_s`; anything else
  is answered ``Unauthenticated`` and the connection closed.
* **The operator.** A method with ``roles`` runs only for a verified member of the
  authority's roster (:mod:`node_core.api.operator_auth`); a refusal is answered with its
  rule and reported to ``on_refused`` (the node records it in the audit trail).
* **Bounds.** A request line is at most :attr:`EndpointLimits.max_request_bytes` (a bigger
  one is answered ``RequestTooLarge`` and the connection closed, without reading more); at
  most :attr:`EndpointLimits.max_connections` connections, of which at most
  :attr:`EndpointLimits.max_pending` still unauthenticated — a new one pushes out the oldest
  pending one, so idle connections cannot lock the console out; a subscriber that does not
  read loses old events, never blocks the node. Handlers that do a lot (``submit``) yield to
  the loop as they go.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from node_core.api.methods import BadRequest, Handler, Method, parse_request
from node_core.api.operator_auth import Refusal, RequestGate, RequestRefused
from node_core.api.wire import MAX_REQUEST_BYTES, ClientError, error_line, line, write_cookie
from node_core.ledger.exceptions import GridTokenXError

log = logging.getLogger(__name__)

SUBSCRIBER_QUEUE: Final = 1000
"""Events held for a subscriber that reads slowly (older ones are dropped)."""
DISCARD_S: Final = 0.5
"""How long a refused oversized request's remaining bytes are read and dropped."""


@dataclass(frozen=True, slots=True)
class EndpointLimits:
    """The endpoint's bounds (see the module docstring); one home for them."""

    max_request_bytes: int = MAX_REQUEST_BYTES
    """One request line; a ``submit`` of thousands of transactions is split by the client."""
    max_connections: int = 64
    max_pending: int = 16
    """Connections still to present the cookie."""
    auth_timeout_s: float = 2.0


OnRefused = Callable[[Method[Any, Any], Refusal], None]


class ClientEndpoint:
    """Serves ``handlers`` (see :func:`node_core.api.methods.bind`) for the ``methods`` of a
    registry to local clients holding the cookie written to ``cookie_file``."""

    def __init__(self, host: str, port: int, methods: Mapping[str, Method[Any, Any]],
                 handlers: Iterable[tuple[str, Handler]], *, cookie_file: Path,
                 gate: RequestGate | None = None, on_refused: OnRefused | None = None,
                 limits: EndpointLimits = EndpointLimits()) -> None:
        self._address = (host, port)
        self._methods = methods
        self._handlers = dict(handlers)
        missing = sorted(set(methods) ^ set(self._handlers))
        if missing:
            raise ValueError(f"methods and handlers differ: {missing}")
        if gate is None and any(m.roles for m in methods.values()):
            raise ValueError("methods with roles need a RequestGate")
        self._gate, self._on_refused, self.limits = gate, on_refused, limits
        self._cookie_file = cookie_file
        self._cookie = b""
        self._server: asyncio.Server | None = None
        self._subscribers: set[asyncio.Queue[bytes]] = set()
        self._connections: set[asyncio.Task[None]] = set()
        self._pending: list[asyncio.StreamWriter] = []
        self.refused_connections = 0
        """Connections closed for the limits (too many, pushed out while pending)."""

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._cookie = write_cookie(self._cookie_file).encode()
        self._server = await asyncio.start_server(self._serve, *self._address,
                                                  limit=self.limits.max_request_bytes)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        self._cookie_file.unlink(missing_ok=True)

    def publish(self, event: str, data: Any) -> None:
        """Push an event to every subscriber (a slow subscriber loses old events)."""
        payload = line({"event": event, "data": data})
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(payload)

    # --- connections ------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._connections) >= self.limits.max_connections:
            self.refused_connections += 1
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=SUBSCRIBER_QUEUE)
        pusher: asyncio.Task[None] | None = None
        try:
            if await self._authenticated(reader, writer):
                pusher = asyncio.create_task(self._push(queue, writer))
                await self._requests(reader, writer, queue)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # stop(): end normally (asyncio 3.11 logs a cancelled connection task)
        finally:
            self._subscribers.discard(queue)
            if pusher is not None:
                pusher.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await pusher
            writer.close()
            self._connections.discard(task)

    async def _authenticated(self, reader: asyncio.StreamReader,
                             writer: asyncio.StreamWriter) -> bool:
        """The first line must be the cookie; the oldest of too many pending goes."""
        self._pending.append(writer)
        if len(self._pending) > self.limits.max_pending:
            self.refused_connections += 1
            self._pending.pop(0).close()
        try:
            first = await asyncio.wait_for(reader.readline(), self.limits.auth_timeout_s)
            if hmac.compare_digest(_cookie_of(first), self._cookie):
                writer.write(line({"authenticated": True}))
                await writer.drain()
                return True
        except (TimeoutError, ValueError, ConnectionError):
            pass
        finally:
            with contextlib.suppress(ValueError):
                self._pending.remove(writer)
        with contextlib.suppress(ConnectionError):
            writer.write(error_line(None, "Unauthenticated", "present the node's cookie "
                                    "(node.cookie in its data directory) first"))
            await writer.drain()
        return False

    async def _requests(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        queue: asyncio.Queue[bytes]) -> None:
        while True:
            try:
                request = await reader.readline()
            except ValueError:
                writer.write(error_line(None, "RequestTooLarge", f"a request is at most "
                                        f"{self.limits.max_request_bytes} bytes; split it"))
                await writer.drain()
                await _discard_briefly(reader)
                return
            if not request:
                return
            writer.write(await self._answer(request, queue))
            await writer.drain()

    async def _push(self, queue: asyncio.Queue[bytes], writer: asyncio.StreamWriter) -> None:
        while True:
            writer.write(await queue.get())
            await writer.drain()

    # --- one request ------------------------------------------------------------------------

    async def _answer(self, raw: bytes, queue: asyncio.Queue[bytes]) -> bytes:
        request_id = None
        try:
            request = json.loads(raw)
            if not isinstance(request, dict):
                raise BadRequest("a request is a JSON object")
            request_id = request.get("id")
            name = request.get("method")
            if name == "subscribe":
                self._subscribers.add(queue)
                return line({"id": request_id, "result": "subscribed"})
            method, handler = self._methods.get(str(name)), self._handlers.get(str(name))
            if method is None or handler is None:
                raise ClientError("UnknownMethod", f"no method {name!r}")
            params = request.get("params") or {}
            caller = self._caller(method, params, request.get("auth"))
            result = await handler(parse_request(method, params), caller)
            return line({"id": request_id, "result": result})
        except ClientError as error:
            return error_line(request_id, error.type, str(error).split(": ", 1)[-1])
        except GridTokenXError as error:
            return error_line(request_id, type(error).__name__, str(error))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return error_line(request_id, "BadRequest", f"{type(error).__name__}: {error}")

    def _caller(self, method: Method[Any, Any], params: Any, auth: object) -> object:
        if not method.roles:
            return None
        assert self._gate is not None
        try:
            return self._gate.caller(method, params, auth)
        except RequestRefused as error:
            if self._on_refused is not None:
                self._on_refused(method, self._gate.refusal(auth, error))
            raise


async def _discard_briefly(reader: asyncio.StreamReader) -> None:
    """Read and drop what the client is still sending, for a moment: closing a socket with
    unread input resets it, and the client would lose the answer just written."""
    async def discard() -> None:
        while await reader.read(64 * 1024):
            pass

    with contextlib.suppress(TimeoutError, ConnectionError):
        await asyncio.wait_for(discard(), DISCARD_S)


def _cookie_of(first_line: bytes) -> bytes:
    try:
        message = json.loads(first_line)
    except ValueError:
        return b""
    cookie = message.get("cookie") if isinstance(message, dict) else None
    return cookie.encode() if isinstance(cookie, str) else b""
