"""The authority peer network over real loopback sockets (no mocks).

Async scenarios run with ``asyncio.run`` inside plain test functions (no pytest-asyncio);
the fuzz tests keep one node running in a background event-loop thread while hypothesis
throws bytes at it from blocking sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node_core.backoff import Backoff, Retrying
from node_core.ledger.genesis import AuthorityInfo
from node_core.ledger.types import Address, PublicKey
from node_core.p2p import HandshakeFailed, NetworkSettings, PeerNetwork
from node_core.p2p.channel import FRAME_OVERHEAD, FrameOpener, FrameSealer, ReplayWindow
from node_core.p2p.framing import frame
from node_core.p2p.handshake import (
    HandshakeParams,
    HandshakeResult,
    Hello,
    encode_auth,
    encode_hello,
    initiate,
)
from node_core.p2p.session import Outbox
from node_core.p2p.stats import DropLog
from node_core.signers.file import FileSigner
from tests.helpers.chain import CHAIN_ID, signer_from_seed
from tests.helpers.faulty_proxy import FAULTS, FaultyProxy
from tests.helpers.logs import expect_logged, problems_logged
from tests.node_core.p2p.loopback import (
    AUTHORITIES,
    FAST,
    GENESIS_HASH,
    HOST,
    SIGNERS,
    Inbox,
    assert_no_stray_tasks,
    cluster,
    eventually,
    free_port,
    fully_connected,
    network,
    run,
)

T = TypeVar("T")

HANDSHAKE_ERRORS = ("handshake_failures", "wrong_chain", "oversized")
STREAM_ERRORS = ("malformed", "mac_failures", "oversized")


class CountingSigner:
    """A real signer that counts its signatures."""

    def __init__(self, inner: FileSigner) -> None:
        self.inner = inner
        self.calls = 0

    @property
    def public_key(self) -> PublicKey:
        return self.inner.public_key

    @property
    def address(self) -> Address:
        return self.inner.address

    def sign(self, digest: bytes) -> bytes:
        self.calls += 1
        return self.inner.sign(digest)


class ForgingSigner(CountingSigner):
    """Claims another authority's address and key but signs with its own key."""

    def __init__(self, inner: FileSigner, victim: AuthorityInfo) -> None:
        super().__init__(inner)
        self.victim = victim

    @property
    def public_key(self) -> PublicKey:
        return self.victim.public_key

    @property
    def address(self) -> Address:
        return self.victim.address


async def raw_handshake(port: int, signer: Any, expected: str, chain_id: str = CHAIN_ID
                        ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, HandshakeResult]:
    """Dial a node by hand with the real handshake code (a raw client, not a PeerNetwork)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    authorities = {str(a.address): a for a in AUTHORITIES}
    params = HandshakeParams(chain_id, GENESIS_HASH, signer, authorities, FAST)
    try:
        return reader, writer, await initiate(params, reader, writer, expected)
    except BaseException:
        writer.transport.abort()
        raise


async def closed_by_peer(reader: asyncio.StreamReader, timeout_s: float = 3.0) -> bool:
    """True once the other end has closed (EOF or reset)."""
    try:
        async with asyncio.timeout(timeout_s):
            while await reader.read(65536):
                pass
    except (ConnectionError, OSError):
        return True
    return True


def counted(net: PeerNetwork, counters: Sequence[str]) -> int:
    return sum(getattr(stats, name) for stats in net.stats().values() for name in counters)


# --- building blocks --------------------------------------------------------------------------


@given(st.lists(st.integers(0, 3000), max_size=300))
def test_replay_window_accepts_each_sequence_at_most_once(sequences: list[int]) -> None:
    window = ReplayWindow(1024)
    accepted: set[int] = set()
    for sequence in sequences:
        fresh = window.is_fresh(sequence)
        if fresh:
            window.accept(sequence)
            assert sequence not in accepted
            accepted.add(sequence)
        elif sequence not in accepted:
            assert window.top - sequence >= window.size  # refused only as too old


def test_replay_window_accepts_reordering_within_the_window() -> None:
    window = ReplayWindow(8)
    for sequence in (5, 3, 4, 0, 7):
        assert window.is_fresh(sequence)
        window.accept(sequence)
    assert not window.is_fresh(3)
    assert window.is_fresh(6)
    window.accept(20)
    assert not window.is_fresh(12)  # fell out of the window
    assert window.is_fresh(13)


def test_sealed_frames_open_once_and_tampering_is_detected() -> None:
    sealer, opener = FrameSealer(b"k" * 32), FrameOpener(b"k" * 32)
    body = sealer.seal(b"vote")
    assert opener.open(body) == b"vote"
    assert opener.open(body) is None
    tampered = bytearray(sealer.seal(b"vote"))
    tampered[9] ^= 1
    with pytest.raises(Exception, match="MAC"):
        opener.open(bytes(tampered))
    with pytest.raises(Exception, match="shorter"):
        opener.open(b"x" * (FRAME_OVERHEAD - 1))


def test_outbox_drops_the_oldest_when_full() -> None:
    async def scenario() -> list[bytes]:
        outbox = Outbox(max_frames=3, max_bytes=1000)
        dropped = sum(outbox.put(bytes([i])) for i in range(5))
        assert dropped == 2
        return [await outbox.get() for _ in range(len(outbox))]
    assert run(scenario()) == [b"\x02", b"\x03", b"\x04"]


def test_backoff_doubles_to_its_cap_with_jitter_and_resets() -> None:
    backoff = Retrying(Backoff(0.2, 5.0), random.Random(1))
    delays = [backoff.next_delay() for _ in range(10)]
    ceilings = [min(0.2 * 2**i, 5.0) for i in range(10)]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    backoff.reset()
    assert backoff.next_delay() <= 0.2


def test_drop_warnings_are_rate_limited_per_peer(caplog: pytest.LogCaptureFixture) -> None:
    drops = DropLog(interval_s=60.0)
    with caplog.at_level(logging.DEBUG, logger="node_core.p2p"):
        for _ in range(5):
            drops.warn("0xaa", "bad MAC")
        drops.warn("0xbb", "bad MAC")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage().split(":")[0] for r in warnings] == ["peer 0xaa", "peer 0xbb"]


# --- the network ------------------------------------------------------------------------------


def test_three_authorities_connect_and_exchange_broadcasts_both_ways() -> None:
    async def scenario() -> None:
        async with cluster() as (nets, inboxes, _):
            await eventually(lambda: fully_connected(nets))
            for i, net in enumerate(nets):
                assert net.broadcast(f"block from {i}".encode()) == 2
            await eventually(lambda: all(len(inbox.items) == 2 for inbox in inboxes))
            for i, inbox in enumerate(inboxes):
                others = [j for j in range(3) if j != i]
                expected = {(nets[j].address, f"block from {j}".encode()) for j in others}
                assert set(inbox.items) == expected
            assert nets[2].send(nets[0].address, b"direct")
            assert not nets[2].send("0x" + "00" * 20, b"nobody")
            await eventually(lambda: (nets[2].address, b"direct") in inboxes[0].items)
            peer = nets[0].stats()[nets[2].address]
            assert peer.connected and peer.name == "PEA" and peer.connections == 1
            assert peer.frames_in == 2 and peer.frames_out == 1 and peer.bytes_in > 2 * 24
            assert peer.last_seen_ms is not None and peer.last_seen_ms > 1_700_000_000_000
        assert_no_stray_tasks()
    run(scenario())


def test_impostor_and_forged_handshakes_are_refused_without_the_node_signing(
        caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        port, inbox = free_port(), Inbox()
        node_signer = CountingSigner(SIGNERS[2])
        node = network(2, [0, 0, port], inbox, peers=[], signer=node_signer)
        await node.start()
        impostor = signer_from_seed(424242)
        with pytest.raises(HandshakeFailed):
            await raw_handshake(port, impostor, node.address)
        forger = ForgingSigner(impostor, AUTHORITIES[0])
        with pytest.raises(HandshakeFailed):
            await raw_handshake(port, forger, node.address)
        await eventually(lambda: counted(node, ["handshake_failures"]) == 2)
        stats = node.stats()
        assert stats[f"ip:{HOST}"].handshake_failures == 1  # not an authority at all
        assert stats[AUTHORITIES[0].address].handshake_failures == 1  # claimed EGAT, bad sig
        assert node.connected() == [] and inbox.items == []
        assert node_signer.calls == 0  # the responder signs only for authenticated dialers
        await node.stop()
        assert_no_stray_tasks()
    run(scenario())
    expect_logged(caplog, "is not an authority", "EGAT's handshake signature does not verify")


@pytest.mark.parametrize("chain_id, genesis", [("gridtokenx-other", GENESIS_HASH),
                                               (CHAIN_ID, "ab" * 32)])
def test_peer_on_another_chain_is_refused(
        chain_id: str, genesis: str, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        wrong = {1: {"chain_id": chain_id, "genesis": genesis}}
        async with cluster(overrides=wrong) as (nets, inboxes, _):
            await eventually(lambda: nets[0].connected() == [nets[2].address])
            await eventually(lambda: all(
                nets[i].stats()[nets[1].address].wrong_chain >= 1 for i in (0, 2)))
            assert nets[1].connected() == []
            assert nets[0].broadcast(b"hello") == 1
            await asyncio.sleep(0.1)
            assert inboxes[1].items == []
        assert_no_stray_tasks()
    run(scenario())
    expect_logged(caplog, f"is on chain '{chain_id}' genesis {genesis[:16]}",  # refused by 0, 2
                  maybe=(f"is on chain '{CHAIN_ID}' genesis {GENESIS_HASH[:16]}",))  # by 1


def test_restarted_authority_is_reconnected_within_the_backoff_cap() -> None:
    async def scenario() -> None:
        async with cluster() as (nets, inboxes, ports):
            await eventually(lambda: fully_connected(nets))
            await nets[1].stop()  # MEA dials PEA and is dialed by EGAT
            await eventually(lambda: nets[0].connected() == [nets[2].address]
                             and nets[2].connected() == [nets[0].address])
            await asyncio.sleep(2 * FAST.reconnect.cap_s)  # EGAT's backoff has reached its cap
            restarted = network(1, ports, inboxes[1])
            nets[1] = restarted
            await restarted.start()
            took = await eventually(lambda: fully_connected(nets), timeout_s=10)
            assert took < FAST.reconnect.cap_s + 1.0
            assert nets[0].stats()[restarted.address].connections == 2
            assert restarted.broadcast(b"back online") == 2
            await eventually(lambda: all(b"back online" in inboxes[i].payloads() for i in (0, 2)))
        assert_no_stray_tasks()
    run(scenario())


def test_removed_authority_is_disconnected_and_not_redialed() -> None:
    async def scenario() -> None:
        async with cluster() as (nets, _, _):
            await eventually(lambda: fully_connected(nets))
            for net in nets[:2]:
                net.update_authorities(AUTHORITIES[:2])
            await eventually(lambda: nets[2].connected() == [])
            await asyncio.sleep(0.3)
            assert nets[0].connected() == [nets[1].address]
            assert nets[2].address not in nets[1].connected()
        assert_no_stray_tasks()
    run(scenario())


def test_newest_duplicate_connection_wins() -> None:
    async def scenario() -> None:
        port, inbox = free_port(), Inbox()
        node = network(2, [0, 0, port], inbox, peers=[])
        await node.start()
        old_reader, old_writer, _ = await raw_handshake(port, SIGNERS[0], node.address)
        await eventually(lambda: node.connected() == [AUTHORITIES[0].address])
        _reader, writer, keys = await raw_handshake(port, SIGNERS[0], node.address)
        assert await closed_by_peer(old_reader)  # the older connection is closed
        writer.write(frame(FrameSealer(keys.send_key).seal(b"from the newest")))
        await eventually(lambda: inbox.payloads() == [b"from the newest"])
        assert node.connected() == [AUTHORITIES[0].address]
        assert node.stats()[AUTHORITIES[0].address].connections == 2
        for stream in (old_writer, writer):
            stream.transport.abort()
        await node.stop()
        assert_no_stray_tasks()
    run(scenario())


class SlowSigner(CountingSigner):
    """Signs like a hardware token: blocking, and slowly."""

    def sign(self, digest: bytes) -> bytes:
        time.sleep(0.3)
        return super().sign(digest)


@pytest.mark.timing
def test_blocking_hsm_signer_does_not_stall_the_event_loop() -> None:
    async def scenario() -> None:
        ports = [free_port(), free_port()]
        inboxes = Inbox(), Inbox()
        with ThreadPoolExecutor(max_workers=1) as hsm_thread:
            nets = [
                network(0, ports, inboxes[0], signer=SlowSigner(SIGNERS[0])),
                PeerNetwork(CHAIN_ID, GENESIS_HASH, SlowSigner(SIGNERS[1]), AUTHORITIES,
                            (HOST, ports[1]), {}, inboxes[1], settings=FAST,
                            executor=hsm_thread),
            ]
            longest_gap, last = 0.0, time.monotonic()
            for net in nets:
                await net.start()
            while not fully_connected(nets):
                await asyncio.sleep(0.01)
                now = time.monotonic()
                longest_gap, last = max(longest_gap, now - last), now
            assert longest_gap < 0.2  # two 0.3 s signatures ran off the loop
            for net in nets:
                await net.stop()
        assert_no_stray_tasks()
    run(scenario())


def _tampered(sealer: FrameSealer) -> bytes:
    body = bytearray(sealer.seal(b"forged block"))
    body[-1] ^= 0x01
    return frame(bytes(body))


@pytest.mark.parametrize("counter, bad_bytes", [
    ("mac_failures", _tampered),
    ("malformed", lambda _sealer: frame(b"short")),
    ("oversized", lambda _sealer: (1 << 30).to_bytes(4, "big") + b"x" * 100),
])
def test_misbehaving_stream_after_a_real_handshake_is_dropped_and_closed(
        counter: str, bad_bytes: Callable[[FrameSealer], bytes],
        caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        port, inbox = free_port(), Inbox()
        node = network(2, [0, 0, port], inbox, peers=[])
        await node.start()
        egat = AUTHORITIES[0].address
        reader, writer, keys = await raw_handshake(port, SIGNERS[0], node.address)
        sealer = FrameSealer(keys.send_key)
        genuine = frame(sealer.seal(b"genuine"))
        writer.write(genuine + genuine + frame(sealer.seal(b"second")))  # one replay
        await eventually(lambda: inbox.payloads() == [b"genuine", b"second"])
        assert node.stats()[egat].replays == 1 and node.connected() == [egat]
        writer.write(bad_bytes(sealer))
        assert await closed_by_peer(reader)
        writer.transport.abort()
        await eventually(lambda: node.connected() == [])
        assert getattr(node.stats()[egat], counter) == 1
        reader, writer, keys = await raw_handshake(port, SIGNERS[0], node.address)
        writer.write(frame(FrameSealer(keys.send_key).seal(b"after")))
        await eventually(lambda: inbox.payloads()[-1:] == [b"after"])  # the node lives on
        writer.transport.abort()
        await node.stop()
        assert_no_stray_tasks()
    run(scenario())
    expect_logged(caplog, "dropped a replayed or too old frame")  # then debug: rate-limited


# --- fuzzing a live node ----------------------------------------------------------------------


class LoopThread:
    """An event loop running in a background thread, for driving a live node from
    synchronous hypothesis examples."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> LoopThread:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.call(self.loop.shutdown_default_executor())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout_s: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout_s)


@contextlib.contextmanager
def live_pair(loop: LoopThread, max_frame_size: int) -> Iterator[
        tuple[PeerNetwork, PeerNetwork, Inbox, Inbox]]:
    """PEA (the fuzz target, accepting only) and MEA (a legitimate peer dialing PEA)."""
    ports = [0, free_port(), free_port()]
    inboxes = Inbox(), Inbox()
    config = NetworkSettings(max_frame_size=max_frame_size, handshake_timeout_s=2.0,
                             reconnect=Backoff(0.05, 0.5))
    node = network(2, ports, inboxes[0], peers=[], config=config)
    peer = network(1, ports, inboxes[1], peers=[2], config=config)

    async def start() -> None:
        await node.start()
        await peer.start()
        await eventually(lambda: node.connected() == [peer.address])

    async def stop() -> None:
        await peer.stop()
        await node.stop()
        assert_no_stray_tasks()

    loop.call(start())
    try:
        yield node, peer, inboxes[0], inboxes[1]
    finally:
        loop.call(stop())


def assert_legit_peers_still_talk(loop: LoopThread, node: PeerNetwork, peer: PeerNetwork,
                                  node_inbox: Inbox, peer_inbox: Inbox) -> None:
    async def exchange() -> None:
        assert node.send(peer.address, b"ping") and peer.send(node.address, b"pong")
        await eventually(lambda: b"ping" in peer_inbox.payloads()
                         and b"pong" in node_inbox.payloads())
    loop.call(exchange())


def _hello_bytes(chain_id: str, address: bytes, nonce: bytes, key: bytes, genesis: str) -> bytes:
    hello = Hello(chain_id, genesis, "0x" + address.hex(), nonce, key)
    return frame(encode_hello(hello))


_lower_authority = st.sampled_from([AUTHORITIES[0].address, AUTHORITIES[1].address]).map(
    lambda address: bytes.fromhex(address[2:]))
_hellos = st.builds(
    _hello_bytes,
    chain_id=st.one_of(st.just(CHAIN_ID), st.text(min_size=1, max_size=16)),
    address=st.one_of(_lower_authority, st.binary(min_size=20, max_size=20)),
    nonce=st.binary(min_size=32, max_size=32),
    key=st.one_of(st.binary(min_size=32, max_size=32), st.just(bytes(32))),
    genesis=st.one_of(st.just(GENESIS_HASH), st.binary(min_size=32, max_size=32).map(bytes.hex)),
)
garbage_handshakes = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(frame),
    st.integers(513, 2**32 - 1).map(lambda n: n.to_bytes(4, "big")),
    st.tuples(_hellos, st.binary(min_size=64, max_size=64)).map(
        lambda parts: parts[0] + frame(encode_auth(parts[1]))),
    st.tuples(_hellos, st.binary(max_size=100)).map(lambda parts: parts[0] + parts[1]),
)


def _send_and_wait_for_close(address: tuple[str, int], data: bytes) -> None:
    with socket.create_connection(address, timeout=5) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        with contextlib.suppress(OSError):
            while sock.recv(65536):
                pass


def test_fuzzed_handshakes_never_hurt_the_node(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="node_core.p2p")
    attempts = 0
    with LoopThread() as loop, live_pair(loop, 1 << 20) as (node, peer, node_in, peer_in):

        @settings(max_examples=80, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(data=garbage_handshakes)
        def throw(data: bytes) -> None:
            nonlocal attempts
            attempts += 1
            _send_and_wait_for_close(node.listen_address, data)

        throw()
        assert attempts >= 60
        loop.call(eventually(lambda: counted(node, HANDSHAKE_ERRORS) == attempts))
        assert node.connected() == [peer.address]
        assert_legit_peers_still_talk(loop, node, peer, node_in, peer_in)
    per_peer = Counter(r.getMessage().split(":")[0] for r in caplog.records
                       if r.levelno == logging.WARNING and r.name == "node_core.p2p.stats")
    assert per_peer and max(per_peer.values()) == 1  # at most one warning per peer per minute


_garbage_frames = st.one_of(
    st.binary(max_size=200).map(frame),
    st.integers(64 * 1024 + 1, 2**32 - 1).map(lambda n: n.to_bytes(4, "big") + b"\0" * 8),
)


def test_fuzzed_frames_after_a_real_handshake_never_hurt_the_node(
        caplog: pytest.LogCaptureFixture) -> None:
    attempts = 0
    with LoopThread() as loop, live_pair(loop, 64 * 1024) as (node, peer, node_in, peer_in):
        egat = AUTHORITIES[0].address

        async def attack(data: bytes) -> None:
            reader, writer, _keys = await raw_handshake(node.listen_address[1], SIGNERS[0],
                                                        node.address)
            writer.write(data)
            assert await closed_by_peer(reader)
            writer.transport.abort()

        @settings(max_examples=40, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(data=_garbage_frames)
        def throw(data: bytes) -> None:
            nonlocal attempts
            attempts += 1
            loop.call(attack(data))

        throw()
        assert attempts >= 30
        loop.call(eventually(lambda: node.connected() == [peer.address]))
        stats = node.stats()[egat]
        assert sum(getattr(stats, name) for name in STREAM_ERRORS) == attempts
        assert stats.connections == attempts and node_in.items == []
        assert_legit_peers_still_talk(loop, node, peer, node_in, peer_in)
    (problem,) = problems_logged(caplog)  # the first; the others are rate-limited to debug
    assert problem.startswith(f"peer {egat}: ")


# --- through a faulty network -----------------------------------------------------------------


def test_faulty_proxy_never_causes_replayed_deliveries_and_resends_get_through(
        caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        ports = [free_port(), free_port(), 0]
        received, acked = Inbox(), set[bytes]()
        sent = [f"tx-{i:04d}".encode() for i in range(300)]
        async with FaultyProxy(0, HOST, ports[1], fault_rate=0.2, seed=7) as proxy:
            via_proxy = (HOST, proxy.port)
            sender = PeerNetwork(CHAIN_ID, GENESIS_HASH, SIGNERS[0], AUTHORITIES,
                                 (HOST, ports[0]), {AUTHORITIES[1].address: via_proxy},
                                 lambda _s, payload: acked.add(payload[4:]), settings=FAST)

            def on_receiver_message(source: str, payload: bytes) -> None:
                received(source, payload)
                receiver.send(source, b"ack:" + payload)

            receiver = network(1, ports, on_receiver_message, peers=[])
            await receiver.start()
            await sender.start()
            await eventually(lambda: sender.connected() == [receiver.address])
            for payload in sent:
                assert sender.send(receiver.address, payload)
            await asyncio.sleep(1.2)  # longer than any delay or swap hold
            first_pass = received.payloads()
            assert set(first_pass) <= set(sent)
            assert max(Counter(first_pass).values()) == 1  # duplicates were all dropped
            replays = (receiver.stats()[sender.address].replays
                       + sender.stats()[receiver.address].replays)
            assert replays == proxy.faults["duplicate"] > 0
            while set(sent) - acked:
                for payload in sorted(set(sent) - acked):
                    sender.send(receiver.address, payload)
                await asyncio.sleep(0.7)
            assert set(received.payloads()) == set(sent)
            assert all(proxy.faults[fault] > 0 for fault in FAULTS)
            for stats in (receiver.stats()[sender.address], sender.stats()[receiver.address]):
                assert stats.mac_failures == stats.malformed == 0 and stats.connections == 1
            await sender.stop()
            await receiver.stop()
        assert_no_stray_tasks()
    run(scenario(), timeout_s=30)
    expect_logged(caplog, "dropped a replayed or too old frame")
