"""The node's local client endpoint: JSON lines over TCP on loopback.

Used by the CLI (``main.py status``, ``tx send``, ...) and by the console. One JSON object
per line each way::

    -> {"id": 1, "method": "status", "params": {}}
    <- {"id": 1, "result": {...}}
       or {"id": 1, "error": {"type": "...", "message": "..."}}
    -> {"id": 2, "method": "subscribe", "params": {}}
    <- {"id": 2, "result": "subscribed"}
    <- {"event": "block", "data": {...}}   (pushed for every final block;
                                             "status" every second)

The methods, their parameters and answers are declared once, in
:mod:`node_core.api.methods` (typed: :meth:`NodeClient.request`); the endpoint refuses
parameters that do not fit (``BadRequest``). Errors carry the exception class name of the rule
broken (e.g. ``NonceMismatch``, ``MempoolFull``), so scripts can act on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any, Final

from node_core.api.methods import Ans, Handler, Method, Req, parse_request, request_params
from node_core.ledger.exceptions import GridTokenXError

log = logging.getLogger(__name__)

MAX_LINE: Final = 64 * 1024 * 1024


class ClientError(GridTokenXError):
    """The node answered a request with an error; ``type`` names the rule."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(f"{type_}: {message}")
        self.type = type_


class ClientEndpoint:
    """Serves ``handlers`` (method name -> async function of the parsed request, see
    :func:`node_core.api.methods.bind`) for the ``methods`` of a registry to local clients."""

    def __init__(self, host: str, port: int, methods: Mapping[str, Method[Any, Any]],
                 handlers: Iterable[tuple[str, Handler]]) -> None:
        self._address = (host, port)
        self._methods = methods
        self._handlers = dict(handlers)
        missing = sorted(set(methods) ^ set(self._handlers))
        if missing:
            raise ValueError(f"methods and handlers differ: {missing}")
        self._server: asyncio.Server | None = None
        self._subscribers: set[asyncio.Queue[bytes]] = set()
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, *self._address, limit=MAX_LINE)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def publish(self, event: str, data: Any) -> None:
        """Push an event to every subscriber (a slow subscriber loses old events)."""
        line = _line({"event": event, "data": data})
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(line)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=1000)
        pusher = asyncio.create_task(self._push(queue, writer))
        try:
            while line := await reader.readline():
                writer.write(await self._answer(line, queue))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._subscribers.discard(queue)
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pusher
            writer.close()
            self._connections.discard(task)

    async def _push(self, queue: asyncio.Queue[bytes], writer: asyncio.StreamWriter) -> None:
        while True:
            writer.write(await queue.get())
            await writer.drain()

    async def _answer(self, line: bytes, queue: asyncio.Queue[bytes]) -> bytes:
        request_id = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            method = request["method"]
            if method == "subscribe":
                self._subscribers.add(queue)
                return _line({"id": request_id, "result": "subscribed"})
            handler = self._handlers.get(method)
            if handler is None:
                raise ClientError("UnknownMethod", f"no method {method!r}")
            parsed = parse_request(self._methods[method], request.get("params") or {})
            result = await handler(parsed)
            return _line({"id": request_id, "result": result})
        except ClientError as error:
            return _error(request_id, error.type, str(error).split(": ", 1)[-1])
        except GridTokenXError as error:
            return _error(request_id, type(error).__name__, str(error))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return _error(request_id, "BadRequest", f"{type(error).__name__}: {error}")


async def _open(host: str, port: int,
                timeout_s: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    try:
        return await asyncio.wait_for(asyncio.open_connection(host, port, limit=MAX_LINE),
                                      timeout_s)
    except (OSError, TimeoutError) as error:
        raise ClientError("Unreachable",
                          f"no node endpoint at {host}:{port} ({error or 'timed out'}): "
                          "is the node running? Start it (the console, or `main.py node "
                          "--config FILE`), or check the host and port") from None


def _line(obj: Any) -> bytes:
    return (json.dumps(obj, separators=(",", ":")) + "\n").encode()


def _error(request_id: Any, type_: str, message: str) -> bytes:
    return _line({"id": request_id, "error": {"type": type_, "message": message}})


class NodeClient:
    """An async client of one node's endpoint; one connection, requests pipelined."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 address: tuple[str, int] = ("", 0)) -> None:
        self.address = address
        """The endpoint's (host, port)."""
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._attach(reader, writer)

    def _attach(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._receiver = asyncio.create_task(self._receive())

    @classmethod
    async def connect(cls, host: str, port: int, timeout_s: float = 5.0) -> NodeClient:
        return cls(*await _open(host, port, timeout_s), (host, port))

    async def reconnect(self, timeout_s: float = 5.0) -> None:
        """A new connection to the same endpoint (the node restarted); subscriptions and
        requests in flight on the old one are gone."""
        await self.close()
        self._attach(*await _open(*self.address, timeout_s))

    async def request(self, method: Method[Req, Ans], request: Req,
                      timeout_s: float = 30.0) -> Ans:
        """One typed request (:mod:`node_core.api.methods`); raises ClientError with the
        node's rule name, or on timeout."""
        answer: Ans = await self.call(method.name, timeout_s, **request_params(request))
        return answer

    async def call(self, method: str, timeout_s: float = 30.0, **params: Any) -> Any:
        """One request by name with raw JSON params (what :meth:`request` sends); raises
        ClientError with the node's rule name, or on timeout."""
        if self._receiver.done():
            raise ClientError("Disconnected", f"{method}: the connection to the node is closed")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            self._writer.write(_line({"id": request_id, "method": method, "params": params}))
            await self._writer.drain()
            return await asyncio.wait_for(future, timeout_s)
        except TimeoutError:
            raise ClientError("Timeout", f"{method}: no answer in {timeout_s:.0f} s") from None
        except ConnectionError as error:
            raise ClientError("Disconnected", f"{method}: {error}") from None
        finally:
            self._pending.pop(request_id, None)

    async def subscribe(self) -> AsyncIterator[dict[str, Any]]:
        """Events pushed by the node (``{"event": ..., "data": ...}``), until closed."""
        await self.call("subscribe")
        while True:
            event = await self._events.get()
            if not event:
                return
            yield event

    async def close(self) -> None:
        self._receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._receiver
        self._writer.close()
        with contextlib.suppress(ConnectionError):
            await self._writer.wait_closed()

    async def _receive(self) -> None:
        try:
            while line := await self._reader.readline():
                self._dispatch(json.loads(line))
        except (ConnectionError, ValueError):
            pass
        finally:
            lost = ClientError("Disconnected", "the node closed the connection")
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(lost)
            self._events.put_nowait({})

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "event" in message:
            self._events.put_nowait(message)
            return
        future = self._pending.pop(message.get("id", -1), None)
        if future is None or future.done():
            return
        if "error" in message:
            error = message["error"]
            future.set_exception(ClientError(error["type"], error["message"]))
        else:
            future.set_result(message.get("result"))
