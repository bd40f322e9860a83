"""NodeLink: the console's side of one node's client endpoint, as Qt signals.

The node runs in its own process (see ``app.shell.startup``); this object only talks to it over the
JSON-lines client endpoint (``node_core.api.endpoint``) on the qasync loop, so nothing here
blocks the GUI thread. It connects with the node's cookie (``NodeAddress``: the credential only
the node's Unix user can read, read again on each connection since a restarted node writes a
new one) and reconnects by itself when the node goes away and comes back. Requests of methods
with roles are signed by the operator's key (``signer``: the console's operator session); the
signing runs in a worker thread.

Signals:
    connection_changed(connected: bool): the endpoint answered (True) or was lost (False).
    status_changed(status: dict): a ``status_summary`` (on connect, then every second).
    block_finalized(summary: dict): a ``block_summary`` of each new final block.
    blocks_loaded(summaries: list): recent blocks fetched on (re)connect, oldest first.
    authority_names_changed(names: dict): address -> name of the authority set, when it changes.
    block_detail_ready(detail: object): a ``block_detail`` dict, or None if not found.
    equivocation(data: dict): equivocation evidence pushed by the node.
    event_pushed(kind: str, data: object): every pushed event, as received (e.g.
        ``alarm_events``, ``emergency``: see ``app.links.control_link``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import Any, Final, cast

from PySide6.QtCore import QObject, Signal, Slot

from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.client import NodeAddress, NodeClient
from node_core.api.methods import Ans, Req
from node_core.api.signed_requests import RequestSigner
from node_core.api.wire import ClientError
from node_core.backoff import Backoff
from node_core.ledger.exceptions import GridTokenXError

log = logging.getLogger(__name__)

RECENT_BLOCKS: Final = 50
"""Blocks fetched for the explorer on (re)connect."""
RECONNECT: Final = Backoff(0.5, 5.0)
"""Between attempts to reach the node."""
"""Reconnect delays; the last repeats."""


CANCEL_AGAIN_S: Final = 1.0
"""How long :func:`cancelled` waits before cancelling a task that is still running again."""


async def cancelled(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and wait until every one has ended, cancelling again those still
    running after :data:`CANCEL_AGAIN_S`: Python 3.11's ``asyncio.wait_for`` returns the
    answer and drops the cancellation when both arrive in the same turn of the loop (CPython
    gh-86296, fixed in 3.12). ``NodeClient`` waits with ``asyncio.timeout`` instead, which has
    no such race; this guards whatever else a link awaits, so that the console's shutdown
    never waits for a link for ever."""
    pending = set(tasks)
    while pending:
        for task in pending:
            task.cancel()
        _ended, pending = await asyncio.wait(pending, timeout=CANCEL_AGAIN_S)


def refusal(error: GridTokenXError) -> tuple[str, str]:
    """(rule, message) of a refused request, for the console to show: the node's rule name
    (``ClientError.type``) or the local error's class (a request that could not be signed),
    and the message without the ``Type: `` prefix."""
    rule = error.type if isinstance(error, ClientError) else type(error).__name__
    return rule, str(error).removeprefix(f"{rule}: ")


class NodeLink(QObject):
    """Bridges one node endpoint to Qt; ``start(address)``, ``await close()``.

    Signals (payloads are the typed answers of ``node_core.api``):
        connection_changed(bool): connected to the node, or the connection dropped.
        status_changed(StatusAnswer): the node's status (on connect, then every second).
        block_finalized(BlockSummary): a block became final.
        blocks_loaded(list[BlockSummary]): the recent blocks, read on connect.
        authority_names_changed(dict[str, str]): address -> name of the authority set.
        block_detail_ready(BlockDetail | None): the answer to :meth:`request_block`
            (None: no such block).
        equivocation(EquivocationEvent): an authority signed two conflicting messages.
        event_pushed(str, object): every pushed event (name, data) for the other links.
    """

    connection_changed = Signal(bool)
    status_changed = Signal(ans.StatusAnswer)
    block_finalized = Signal(ans.BlockSummary)
    blocks_loaded = Signal(list)
    authority_names_changed = Signal(dict)
    block_detail_ready = Signal(object)
    equivocation = Signal(ans.EquivocationEvent)
    event_pushed = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client: NodeClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._requests: set[asyncio.Task[Any]] = set()
        self._up = asyncio.Event()
        self.last_status: ans.StatusAnswer | None = None

    @property
    def connected(self) -> bool:
        return self._client is not None

    def start(self, address: NodeAddress) -> None:
        """Connect (and keep reconnecting) to the node at ``address`` in the background."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(address))

    async def connected_now(self) -> None:
        """Return once the node answers (at once if it does)."""
        await self._up.wait()

    async def request(self, method: m.Method[Req, Ans], request: Req, *,
                      signer: RequestSigner | None = None) -> Ans:
        """One typed request to the node (``node_core.api.methods``), signed by ``signer``
        if the method has roles; ClientError("Unreachable") while disconnected, the node's
        rule (``RoleRefused``...) when it refuses."""
        if self._client is None:
            raise ClientError("Unreachable", "not connected to the node")
        return await self._client.request(method, request, signer=signer)

    @Slot(dict)
    def request_block(self, selector: dict[str, Any]) -> None:
        """Fetch a block by ``{"height": n}`` or ``{"hash": h}``; answers block_detail_ready."""
        task = asyncio.get_running_loop().create_task(self._fetch_block(selector))
        self._requests.add(task)
        task.add_done_callback(self._requests.discard)

    async def close(self) -> None:
        """Stop reconnecting and close the connection."""
        await cancelled(t for t in (self._task, *self._requests) if t is not None)
        self._task = None
        await self._drop_client()

    # ----- internals ------------------------------------------------------------------------

    async def _run(self, address: NodeAddress) -> None:
        failures = 0
        while True:
            try:
                await self._session(address)
                failures = 0
            except (ClientError, OSError) as error:
                if failures == 0:
                    log.warning("node endpoint %s: %s", address, error)
                failures += 1
            finally:
                await self._drop_client()
            await asyncio.sleep(RECONNECT.delay_s(failures))

    async def _session(self, address: NodeAddress) -> None:
        """One connection: initial status and blocks, then pushed events until it drops."""
        self._client = await NodeClient.connect(address, timeout_s=2.0)
        status = await self._client.request(m.STATUS, r.NoParams())
        log.info("connected to node %s at %s (height %d)", status["authority"], address,
                 status["height"])
        self._up.set()
        self.connection_changed.emit(True)
        self._emit_status(status)
        height = int(status["height"])
        if height > 0:
            recent = await self._client.request(
                m.BLOCKS, r.BlocksRequest(max(1, height - RECENT_BLOCKS + 1), height))
            self.blocks_loaded.emit(recent)
        async for event in self._client.subscribe():
            self._dispatch(event)
        raise ClientError("Disconnected", "the node closed the connection")

    def _dispatch(self, event: dict[str, Any]) -> None:
        kind, data = event.get("event"), event.get("data")
        self.event_pushed.emit(str(kind), data)
        if kind == m.STATUS_EVENT.name and isinstance(data, dict):
            self._emit_status(cast(ans.StatusAnswer, data))
        elif kind == m.BLOCK_EVENT.name:
            self.block_finalized.emit(data)
        elif kind == m.EQUIVOCATION_EVENT.name:
            log.warning("equivocation reported: %s", data)
            self.equivocation.emit(data)

    def _emit_status(self, status: ans.StatusAnswer) -> None:
        names = status["authority_names"]
        if self.last_status is None or names != self.last_status["authority_names"]:
            self.authority_names_changed.emit(names)
        self.last_status = status
        self.status_changed.emit(status)

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            self._up.clear()
            with contextlib.suppress(Exception):
                await client.close()
            self.connection_changed.emit(False)

    async def _fetch_block(self, selector: dict[str, Any]) -> None:
        try:
            detail = await self.request(m.BLOCK, r.BlockRequest(**selector))
        except ClientError as error:
            log.warning("block %s not fetched: %s", selector, error)
            detail = None
        self.block_detail_ready.emit(detail)
