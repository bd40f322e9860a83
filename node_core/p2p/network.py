"""``PeerNetwork``: the authority-to-authority links of one node.

Connection policy: exactly one connection per pair of authorities. The authority whose
address sorts lower (plain string order of the lowercase ``0x…`` form) dials; the other only
accepts, and refuses a handshake from a higher address. The dialer reconnects forever with
capped exponential backoff and jitter (0.2 s doubling to 5 s by default, back to 0.2 s after a
successful handshake). If an authority connects again while its older connection still looks
alive (it restarted), the newest connection is kept and the older one closed. Inbound
connections that have not authenticated yet are bounded in all and per source; a new one
evicts a pending one rather than being refused (:mod:`node_core.p2p.admission` says why no
flood can lock an authority out that way).

Sending never blocks: each peer has a bounded outgoing queue drained by a writer task; when
it is full the *oldest* queued payloads are dropped and counted (``queue_drops``). Sockets get
TCP keepalive so a peer that vanished without closing is noticed even on an idle link.

All methods must be called from the event loop's thread. ``on_message`` is called on the
loop, in the order frames arrive, and must not block.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import os
import random
import socket
from collections.abc import Callable, Coroutine, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

from node_core.backoff import Retrying
from node_core.clock import now_ms
from node_core.ledger.fields import CHAIN_ID
from node_core.ledger.genesis import AuthorityInfo
from node_core.ledger.keys import Signer
from node_core.ledger.types import Address, is_hash32
from node_core.p2p.admission import PendingHandshakes, has_spoken, source_of
from node_core.p2p.channel import FRAME_OVERHEAD
from node_core.p2p.errors import HandshakeFailed, PeerProtocolError
from node_core.p2p.framing import FirstFrameReader, abort_stream
from node_core.p2p.handshake import (
    MAX_HANDSHAKE_FRAME,
    HandshakeParams,
    HandshakeResult,
    initiate,
    respond,
)
from node_core.p2p.session import PeerSession
from node_core.p2p.settings import NetworkSettings
from node_core.p2p.stats import DropLog, PeerStats

_log = logging.getLogger(__name__)

_MAX_UNKNOWN_SOURCES = 256
"""Stats entries kept for connections that never identified as an authority."""

MessageHandler = Callable[[str, bytes], None]
Inbound = tuple[FirstFrameReader, asyncio.StreamWriter]
"""An accepted connection, as the pending handshakes know it."""
PeerAddresses = Mapping[Address, tuple[str, int]] | Mapping[str, tuple[str, int]]
"""Authority address → (host, port) it listens on."""


class PeerNetwork:
    """Authenticated, replay-protected links to the other authorities.

    Payloads are opaque bytes: the node encodes its own consensus, transaction and sync
    messages. Delivery is best effort (at most once per frame); a payload is never delivered
    twice by replay, but may be lost when a connection drops or a slow peer's queue overflows.
    """

    def __init__(
        self,
        chain_id: str,
        genesis_hash: str,
        signer: Signer,
        authorities: Sequence[AuthorityInfo],
        listen: tuple[str, int],
        peer_addresses: PeerAddresses,
        on_message: MessageHandler,
        *,
        settings: NetworkSettings | None = None,
        executor: Executor | None = None,
    ) -> None:
        _require_chain(chain_id, genesis_hash)
        self._chain_id = chain_id
        self._genesis_hash = genesis_hash
        self._signer = signer
        self._address = str(signer.address)
        self._authorities = _by_address(authorities)
        self._listen = listen
        self._peer_addresses = _by_str(peer_addresses)
        self._on_message = on_message
        self._settings = settings or NetworkSettings()
        self._executor = executor
        self._drops = DropLog(self._settings.warning_interval_s)
        self._rng = random.Random()
        self._server: asyncio.Server | None = None
        self._stopping = False
        self._sessions: dict[str, PeerSession] = {}
        self._stats: dict[str, PeerStats] = {}
        self._dialers: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: PendingHandshakes[Inbound] = PendingHandshakes(
            self._settings.max_pending_handshakes, self._settings.max_pending_per_source,
            lambda inbound: has_spoken(*inbound))

    # --- public API -------------------------------------------------------------------------

    @property
    def address(self) -> str:
        """Our own authority address."""
        return self._address

    @property
    def listen_address(self) -> tuple[str, int]:
        """Where we listen; the real port once started (useful with port 0)."""
        if self._server is None or not self._server.sockets:
            return self._listen
        host, port = self._server.sockets[0].getsockname()[:2]
        return str(host), int(port)

    async def start(self) -> None:
        """Listen, and start dialing the higher-addressed authorities we know addresses of."""
        if self._server is not None or self._stopping:
            raise RuntimeError("a PeerNetwork is started once; make a new one to restart")
        host, port = self._listen
        self._server = await asyncio.get_running_loop().create_server(
            self._inbound_protocol, host, port, backlog=self._settings.accept_batch)
        for listener in self._server.sockets:
            _prepare_listener(listener, self._settings)
        _log.info("p2p: authority %s listening on %s:%s", self._address, *self.listen_address)
        self._sync_dialers()

    async def stop(self) -> None:
        """Close every connection and the listener; cancel and await every task."""
        self._stopping = True
        if self._server is not None:
            self._server.close()
        for session in list(self._sessions.values()):
            session.close()
        while self._tasks:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.difference_update(tasks)
        if self._server is not None:
            await self._server.wait_closed()
        self._dialers.clear()

    def update_authorities(
        self,
        authorities: Sequence[AuthorityInfo],
        peer_addresses: PeerAddresses | None = None,
    ) -> None:
        """Adopt a new authority set (governance). New handshakes use it; connections to
        removed authorities are closed; dialers follow the new set and addresses."""
        self._authorities = _by_address(authorities)
        if peer_addresses is not None:
            self._peer_addresses = _by_str(peer_addresses)
        for address, session in list(self._sessions.items()):
            if address not in self._authorities:
                _log.info("p2p: %s left the authority set; disconnecting", address)
                session.close()
        if self._server is not None and not self._stopping:
            self._sync_dialers()

    def broadcast(self, payload: bytes) -> int:
        """Queue ``payload`` to every connected authority; return how many."""
        payload = self._checked(payload)
        for session in self._sessions.values():
            session.enqueue(payload)
        return len(self._sessions)

    def send(self, address: str, payload: bytes) -> bool:
        """Queue ``payload`` to one authority; False if it is not connected."""
        payload = self._checked(payload)
        session = self._sessions.get(address)
        if session is None:
            return False
        session.enqueue(payload)
        return True

    def connected(self) -> list[str]:
        """Addresses of the authorities with an authenticated connection, sorted."""
        return sorted(self._sessions)

    def stats(self) -> dict[str, PeerStats]:
        """A snapshot of the per-peer counters (every other authority has an entry)."""
        for address in self._authorities:
            if address != self._address:
                self._peer_stats(address)
        return {key: dataclasses.replace(value) for key, value in self._stats.items()}

    # --- connections ------------------------------------------------------------------------

    def _sync_dialers(self) -> None:
        """Run one dialer per higher-addressed authority with a known network address."""
        wanted = {
            address for address in self._authorities
            if address > self._address and address in self._peer_addresses
        }
        for address in list(self._dialers):
            if address not in wanted:
                self._dialers.pop(address).cancel()
        for address in sorted(wanted - self._dialers.keys()):
            self._dialers[address] = self._spawn(self._dial_forever(address))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _dial_forever(self, address: str) -> None:
        backoff = Retrying(self._settings.reconnect, self._rng)
        while True:
            try:
                if await self._dial_once(address):
                    backoff.reset()
            except Exception:
                _log.exception("p2p: connection to %s failed unexpectedly", address)
            await asyncio.sleep(backoff.next_delay())

    async def _dial_once(self, address: str) -> bool:
        """One connection attempt; True if the handshake succeeded."""
        target = self._peer_addresses.get(address)
        if target is None:
            return False
        try:
            async with asyncio.timeout(self._settings.connect_timeout_s):
                reader, writer = await asyncio.open_connection(*target)
        except (OSError, TimeoutError) as error:
            _log.debug("p2p: cannot reach %s at %s:%s: %s", address, *target, error)
            return False
        result = await self._handshake(reader, writer, expected=address)
        if result is None:
            return False
        await self._run_session(result, reader, writer)
        return True

    def _inbound_protocol(self) -> asyncio.StreamReaderProtocol:
        """What ``asyncio.start_server`` makes, with a reader that notes the first frame."""
        reader = FirstFrameReader(MAX_HANDSHAKE_FRAME)
        return asyncio.StreamReaderProtocol(
            reader, lambda _reader, writer: self._accept(reader, writer))

    def _accept(self, reader: FirstFrameReader, writer: asyncio.StreamWriter) -> None:
        """The listener's callback: admit the connection among the pending handshakes
        (evicting one if a bound is reached) and hand it to a task of our own, so that
        stopping cancels only tasks we own."""
        if self._stopping:
            abort_stream(writer)
            return
        task = self._spawn(self._serve_inbound(reader, writer))
        task.add_done_callback(lambda _task: abort_stream(writer))  # also if never started
        source = source_of(writer.get_extra_info("peername"))
        evicted = self._pending.admit((reader, writer), source, task.cancel)
        if evicted is not None:
            self._evicted(evicted.source)

    async def _serve_inbound(
        self, reader: FirstFrameReader, writer: asyncio.StreamWriter
    ) -> None:
        """Handshake as responder, then serve the peer until the connection ends."""
        try:
            try:
                result = await self._handshake(reader, writer, expected=None)
            finally:
                self._pending.settle((reader, writer))
            if result is not None:
                await self._run_session(result, reader, writer)
        except Exception:
            _log.exception("p2p: inbound connection failed unexpectedly")

    async def _run_session(
        self, result: HandshakeResult, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Serve an authenticated peer until its connection ends."""
        if result.peer.address not in self._authorities or self._stopping:
            abort_stream(writer)
            return
        _enable_keepalive(writer)
        session = PeerSession(result, reader, writer, self._settings,
                              self._peer_stats(result.peer.address), self._deliver, self._drops)
        self._adopt(session)
        try:
            await session.run()
        finally:
            self._release(session)

    async def _handshake(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, expected: str | None
    ) -> HandshakeResult | None:
        """The authenticated peer, or None after counting and logging the refusal."""
        params = HandshakeParams(self._chain_id, self._genesis_hash, self._signer,
                                 dict(self._authorities), self._settings, self._executor)
        try:
            if expected is None:
                return await respond(params, reader, writer)
            return await initiate(params, reader, writer, expected)
        except PeerProtocolError as error:
            self._refused(error, writer, expected)
            abort_stream(writer)
            return None
        except BaseException:
            abort_stream(writer)
            raise

    def _adopt(self, session: PeerSession) -> None:
        older = self._sessions.get(session.address)
        self._sessions[session.address] = session
        stats = self._peer_stats(session.address)
        stats.connected = True
        stats.connections += 1
        stats.last_seen_ms = now_ms()
        if older is not None:
            _log.info("p2p: %s connected again; closing its older connection", session.peer.name)
            older.close()
        else:
            _log.info("p2p: connected to %s (%s)", session.peer.name, session.address)

    def _release(self, session: PeerSession) -> None:
        if self._sessions.get(session.address) is not session:
            return
        del self._sessions[session.address]
        self._peer_stats(session.address).connected = False
        _log.info("p2p: disconnected from %s (%s)", session.peer.name, session.address)

    # --- accounting -------------------------------------------------------------------------

    def _deliver(self, sender: str, payload: bytes) -> None:
        try:
            self._on_message(sender, payload)
        except Exception as error:
            _log.debug("p2p: on_message failed for a payload from %s", sender, exc_info=True)
            self._drops.warn(sender, f"on_message raised {error!r}")

    def _refused(
        self, error: PeerProtocolError, writer: asyncio.StreamWriter, expected: str | None
    ) -> None:
        claimed = error.claimed if isinstance(error, HandshakeFailed) else None
        key = claimed or expected
        if key not in self._authorities:
            key = f"ip:{source_of(writer.get_extra_info('peername'))}"
        self._peer_stats(key).count(error.counter)
        self._drops.warn(key, f"handshake refused: {error}")

    def _evicted(self, source: str) -> None:
        key = f"ip:{source}"
        self._peer_stats(key).evicted += 1
        self._drops.warn(key, "evicted an unfinished handshake to make room for a newer "
                              "connection (too many pending handshakes)")

    def _peer_stats(self, key: str) -> PeerStats:
        stats = self._stats.get(key)
        if stats is not None:
            return stats
        if key.startswith("ip:"):
            unknown = sum(1 for existing in self._stats if existing.startswith("ip:"))
            if unknown >= _MAX_UNKNOWN_SOURCES:
                key = "ip:other"
        authority = self._authorities.get(key)
        return self._stats.setdefault(key, PeerStats(key, authority.name if authority else ""))

    def _checked(self, payload: bytes) -> bytes:
        limit = self._settings.max_frame_size - FRAME_OVERHEAD
        if len(payload) > limit:
            raise ValueError(f"payload of {len(payload)} bytes exceeds the frame limit {limit}")
        return bytes(payload)


def _by_str(peer_addresses: PeerAddresses) -> dict[str, tuple[str, int]]:
    items = peer_addresses.items()
    return {str(address): (str(host), int(port)) for address, (host, port) in items}


def _by_address(authorities: Sequence[AuthorityInfo]) -> dict[str, AuthorityInfo]:
    return {str(authority.address): authority for authority in authorities}


def _require_chain(chain_id: str, genesis_hash: str) -> None:
    if not chain_id:
        raise ValueError("chain id must not be empty")
    CHAIN_ID.check(chain_id)
    if not is_hash32(genesis_hash):
        raise ValueError("genesis hash must be 64 lowercase hex characters")


def _prepare_listener(listener: socket.socket, settings: NetworkSettings) -> None:
    """Queue up to ``listen_queue`` connections in the kernel, though asyncio listens with
    its per-iteration batch (it uses one number for both); and on Linux, hand a connection
    over only once its first bytes have arrived (``TCP_DEFER_ACCEPT``), or after the Hello
    deadline: connections that say nothing wait in the kernel, not among pending handshakes."""
    with contextlib.suppress(OSError), socket.socket(fileno=os.dup(listener.fileno())) as same:
        same.listen(settings.listen_queue)
    defer = getattr(socket, "TCP_DEFER_ACCEPT", None)
    if defer is not None:
        with contextlib.suppress(OSError):
            listener.setsockopt(socket.IPPROTO_TCP, defer, math.ceil(settings.hello_timeout_s))


def _enable_keepalive(writer: asyncio.StreamWriter) -> None:
    """Ask the kernel to probe an idle connection (30 s idle, 10 s apart, 3 probes)."""
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    options = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    for name, value in (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, name):
            options.append((socket.IPPROTO_TCP, getattr(socket, name), value))
    with contextlib.suppress(OSError):
        for level, option, value in options:
            sock.setsockopt(level, option, value)
