"""Bounds on unfinished inbound handshakes (node_core.p2p.admission): which pending
connection makes room for a new one, how a first frame is noticed, and what a connection
that never says a whole Hello gets from a live node: nothing, and then a closed socket."""

from __future__ import annotations

import asyncio
import time

import pytest

from node_core.p2p import NetworkSettings
from node_core.p2p.admission import PendingHandshakes, source_of
from node_core.p2p.framing import FirstFrameReader, frame
from tests.helpers.logs import expect_logged
from tests.node_core.p2p.loopback import HOST, Inbox, assert_no_stray_tasks, network, run


class Pool:
    """A PendingHandshakes over named connections, recording which were closed."""

    def __init__(self, max_total: int, max_per_source: int) -> None:
        self.spoken: set[str] = set()
        self.closed: list[str] = []
        self.pending = PendingHandshakes[str](max_total, max_per_source, self.spoken.__contains__)

    def admit(self, name: str, source: str) -> str | None:
        evicted = self.pending.admit(name, source, lambda: self.closed.append(name))
        return evicted.item if evicted else None


def test_silent_connections_make_room_before_ones_that_have_spoken_oldest_first() -> None:
    pool = Pool(max_total=64, max_per_source=3)
    for name in ("authority", "idle-1", "idle-2"):
        assert pool.admit(name, "127.0.0.1") is None
    pool.spoken.add("authority")  # its Hello came right behind its connection
    evicted = [pool.admit(f"idle-{i}", "127.0.0.1") for i in range(3, 9)]
    assert evicted == ["idle-1", "idle-2", "idle-3", "idle-4", "idle-5", "idle-6"]
    assert pool.closed == evicted and len(pool.pending) == 3
    pool.spoken.update({"idle-7", "idle-8"})
    assert pool.admit("late", "127.0.0.1") == "authority"  # all have spoken: the oldest goes


def test_a_full_pool_takes_room_from_the_most_crowded_source() -> None:
    pool = Pool(max_total=4, max_per_source=3)
    pool.admit("authority", "10.0.0.2")
    for i in range(3):
        pool.admit(f"flood-{i}", "10.0.0.9")
    pool.spoken.update({"authority", "flood-0", "flood-1", "flood-2"})
    assert pool.admit("other", "10.0.0.3") == "flood-0"
    pool.spoken.add("other")
    assert pool.admit("another", "10.0.0.4") == "flood-1"
    assert pool.admit("third", "10.0.0.5") == "another"  # silent, so first to go


def test_the_pool_never_refuses_and_settling_frees_room() -> None:
    pool = Pool(max_total=2, max_per_source=2)
    pool.admit("a", "10.0.0.1")
    pool.admit("b", "10.0.0.1")
    pool.pending.settle("a")
    pool.pending.settle("a")
    assert pool.admit("c", "10.0.0.1") is None
    assert pool.admit("d", "10.0.0.1") == "b" and len(pool.pending) == 2


@pytest.mark.parametrize("peername, source", [
    (("127.0.0.1", 4000), "127.0.0.1"),
    (("::ffff:192.0.2.7", 4000, 0, 0), "192.0.2.7"),
    (("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 4000, 0, 0), "2001:db8:1:2::/64"),
    (("fe80::1%eth0", 4000, 0, 2), "fe80::/64"),
    (None, "unknown"),
    ("/run/peer.sock", "unknown"),
])
def test_a_source_is_an_ipv4_address_or_an_ipv6_64(peername: object, source: str) -> None:
    assert source_of(peername) == source


def test_the_first_frame_is_noticed_whole_and_within_its_limit() -> None:
    async def scenario() -> None:
        hello = frame(b"h" * 100)
        reader = FirstFrameReader(max_size=512)
        for piece in (hello[:3], hello[3:50]):
            reader.feed_data(piece)
            assert not reader.first_frame_arrived
        assert reader.has_first_frame(unread=hello[50:])  # the rest still in the kernel
        reader.feed_data(hello[50:])
        assert reader.first_frame_arrived
        oversized = FirstFrameReader(max_size=512)
        oversized.feed_data(frame(b"x" * 513))
        assert not oversized.first_frame_arrived
    run(scenario())


@pytest.mark.parametrize("limits, rule", [
    ({"max_pending_per_source": 65}, "max_pending_per_source"),
    ({"max_pending_per_source": 0}, "max_pending_per_source"),
    ({"accept_batch": 2048}, "accept_batch"),
    ({"hello_timeout_s": 6.0}, "hello_timeout_s"),
    ({"hello_timeout_s": 0.0}, "hello_timeout_s"),
])
def test_inconsistent_limits_are_refused_naming_the_rule(limits: dict[str, float],
                                                         rule: str) -> None:
    with pytest.raises(ValueError, match=rule):
        NetworkSettings(**limits)  # type: ignore[arg-type]


async def _received_before_close(port: int, send: bytes, trickle_s: float | None) -> bytes:
    """What a node sends a connection that sends ``send`` (then a byte every
    ``trickle_s``), until the node closes it."""
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(send)

    async def trickle() -> None:
        while trickle_s is not None:
            await asyncio.sleep(trickle_s)
            writer.write(b"x")
    trickling = asyncio.ensure_future(trickle())
    try:
        return await reader.read()
    except ConnectionError:
        return b""
    finally:
        trickling.cancel()
        await asyncio.gather(trickling, return_exceptions=True)
        writer.transport.abort()


@pytest.mark.parametrize("send, trickle_s, warning", [
    (b"", None, "no Hello within 1.0 s"),                         # idle
    ((500).to_bytes(4, "big"), 0.2, "no Hello within 1.0 s"),     # slowloris
    (b"\xff\xff\xff\xff" + b"x" * 4096, None, "handshake refused"),  # over 512 bytes
])
def test_a_connection_without_a_whole_hello_hears_nothing_and_is_closed(
        send: bytes, trickle_s: float | None, warning: str,
        caplog: pytest.LogCaptureFixture) -> None:
    """The responder speaks only after the dialer's Hello, so a stranger learns nothing;
    the Hello deadline is absolute, so trickling bytes buys no time."""
    async def scenario() -> None:
        limits = NetworkSettings(hello_timeout_s=1.0, handshake_timeout_s=2.0)
        node = network(2, [0, 0, 0], Inbox(), peers=[], config=limits)
        await node.start()
        started = time.monotonic()
        heard = await _received_before_close(node.listen_address[1], send, trickle_s)
        took = time.monotonic() - started
        await node.stop()
        assert heard == b""
        assert took < 5.0  # the kernel's defer time (rounded up) and the Hello deadline
        assert_no_stray_tasks()
    run(scenario())
    expect_logged(caplog, warning)
