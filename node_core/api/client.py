"""The client side of a node's endpoint (:mod:`node_core.api.wire`): one connection,
requests pipelined, typed by :mod:`node_core.api.methods`, signed by the operator's key where
the method asks for it."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from node_core.api import methods as m
from node_core.api.answers import RefusedTransaction, SubmitAnswer, SubmitBinaryAnswer
from node_core.api.methods import Ans, Method, Req, request_params
from node_core.api.requests import SubmitRequest
from node_core.api.signed_requests import RequestSigner
from node_core.api.wire import (
    MAX_REQUEST_BYTES,
    ClientError,
    encode_submission,
    line,
    read_cookie,
    request_parts,
    submission_parts,
)
from node_core.clock import now_ms

RESPONSE_LIMIT: Final = 64 * 1024 * 1024
"""The longest answer line a client reads (a page of blocks with their transactions)."""


@dataclass(frozen=True, slots=True)
class NodeAddress:
    """Where an endpoint (a node's, or the grid simulator's) listens, and the file holding the
    credential to use it (its ``node.cookie``)."""

    host: str
    port: int
    cookie_file: Path

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


class NodeClient:
    """An async client of one node's endpoint (see the module docstring)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 address: NodeAddress) -> None:
        self.address = address
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._attach(reader, writer)

    def _attach(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._receiver = asyncio.create_task(self._receive())

    @classmethod
    async def connect(cls, address: NodeAddress, timeout_s: float = 5.0) -> NodeClient:
        """Connect and present the endpoint's cookie (read from its cookie file now)."""
        return cls(*await _open(address, timeout_s), address)

    async def reconnect(self, timeout_s: float = 5.0) -> None:
        """A new connection to the same endpoint (the node restarted, with a new cookie);
        subscriptions and requests in flight on the old one are gone."""
        await self.close()
        self._attach(*await _open(self.address, timeout_s))

    async def request(self, method: Method[Req, Ans], request: Req, timeout_s: float = 30.0,
                      *, signer: RequestSigner | None = None) -> Ans:
        """One typed request; a method with roles is signed by ``signer`` (the operator's
        key). Raises ClientError with the node's rule name, or on timeout."""
        params = request_params(request)
        auth = None
        if method.roles:
            if signer is None:
                raise ClientError("Unsigned", f"{method.name} is signed by an operator: log "
                                  "in with your own token first")
            auth = (await asyncio.to_thread(signer.auth, method.name, params,
                                            now_ms())).to_json()
        answer: Ans = await self._send(method.name, params, auth, timeout_s)
        return answer

    async def call(self, method: str, timeout_s: float = 30.0, **params: Any) -> Any:
        """One request by name with raw JSON params and no signature (tests, and what a
        hostile client can do)."""
        return await self._send(method, params, None, timeout_s)

    async def send_raw(self, method: str, params: Any, auth: Any,
                       timeout_s: float = 30.0) -> Any:
        """One request exactly as given, ``auth`` included: what a foreign or hostile client
        sends (conformance and attack tests)."""
        return await self._send(method, params, auth, timeout_s)

    async def submit(self, transactions: Sequence[bytes],
                     timeout_s: float = 30.0) -> SubmitAnswer:
        """``submit`` signed transactions (their encodings), in as many requests as the
        endpoint's :data:`~node_core.api.wire.MAX_REQUEST_BYTES` needs; one answer, results
        in order."""
        answer: SubmitAnswer = {"accepted": 0, "results": []}
        for part in _submit_parts([tx.hex() for tx in transactions]):
            part_answer = await self.request(m.SUBMIT, SubmitRequest(list(part)), timeout_s)
            answer["accepted"] += part_answer["accepted"]
            answer["results"].extend(part_answer["results"])
        return answer

    async def submit_binary(self, transactions: Sequence[bytes],
                            timeout_s: float = 30.0) -> SubmitBinaryAnswer:
        """``submit_binary`` signed transactions (their encodings) as bytes, in as many
        requests as :data:`~node_core.api.wire.MAX_REQUEST_BYTES` needs; one answer (the
        refused ones' indexes count from the first transaction given)."""
        answer: SubmitBinaryAnswer = {"accepted": 0, "duplicates": 0, "refused": [],
                                      "retry_after_ms": None}
        first = 0
        for part in submission_parts(transactions):
            body = encode_submission(part)
            part_answer = await self._send(m.SUBMIT_BINARY.name, {"length": len(body)}, None,
                                           timeout_s, body=body)
            answer["accepted"] += part_answer["accepted"]
            answer["duplicates"] += part_answer["duplicates"]
            answer["refused"] += [RefusedTransaction(index=r["index"] + first, hash=r["hash"],
                                                     error=r["error"])
                                  for r in part_answer["refused"]]
            answer["retry_after_ms"] = answer["retry_after_ms"] or part_answer["retry_after_ms"]
            first += len(part)
        return answer

    async def _send(self, method: str, params: Any, auth: Any, timeout_s: float, *,
                    body: bytes = b"") -> Any:
        if self._receiver.done():
            raise ClientError("Disconnected", f"{method}: the connection to the node is closed")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        message = {"id": request_id, "method": method, "params": params}
        if auth is not None:
            message["auth"] = auth
        encoded = line(message)
        if len(encoded) > MAX_REQUEST_BYTES:
            self._pending.pop(request_id, None)
            raise ClientError("RequestTooLarge", f"{method}: {len(encoded)} bytes; a request "
                              f"is at most {MAX_REQUEST_BYTES} bytes")
        try:
            self._writer.write(encoded + body)
            await self._writer.drain()
            async with asyncio.timeout(timeout_s):  # not wait_for: it can drop a cancel (3.11)
                return await future
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
        # wait(), not ``await`` under suppress(CancelledError): that would also swallow a
        # cancellation of the task closing us (a link's reconnect loop then never ends).
        await asyncio.wait({self._receiver})
        self._writer.close()
        with contextlib.suppress(ConnectionError):
            await self._writer.wait_closed()

    async def _receive(self) -> None:
        try:
            while answer := await self._reader.readline():
                self._dispatch(json.loads(answer))
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


_SUBMIT_OVERHEAD: Final = 256
"""Room in a ``submit`` line for everything but the transactions (id, method, quotes)."""


def _submit_parts(encoded_hex: list[str]) -> list[Sequence[str]]:
    """``encoded_hex`` in consecutive parts whose ``submit`` lines fit one request (each
    transaction: its hex, quotes and comma)."""
    return request_parts(encoded_hex, lambda tx: len(tx) + 3, _SUBMIT_OVERHEAD) or [[]]


async def _open(address: NodeAddress,
                timeout_s: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect, present the cookie, wait for ``authenticated``."""
    cookie = read_cookie(address.cookie_file)
    host, port = address.host, address.port
    try:
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(host, port, limit=RESPONSE_LIMIT)
    except (OSError, TimeoutError) as error:
        raise ClientError("Unreachable",
                          f"no node endpoint at {host}:{port} ({error or 'timed out'}): "
                          "is the node running? Start it (the console, or `main.py node "
                          "--config FILE`), or check the host and port") from None
    try:
        writer.write(line({"cookie": cookie}))
        async with asyncio.timeout(timeout_s):
            answer = json.loads(await reader.readline() or b"{}")
    except (OSError, TimeoutError, ValueError) as error:
        writer.close()
        raise ClientError("Unreachable", f"{host}:{port} did not take the cookie: "
                          f"{error or 'timed out'}") from None
    if answer.get("authenticated") is not True:
        writer.close()
        raise ClientError("Unauthenticated", f"{host}:{port} refused the credential of "
                          f"{address.cookie_file} (a stale cookie of an earlier run?)")
    return reader, writer
