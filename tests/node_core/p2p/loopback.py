"""Authority peer networks on loopback for the p2p tests: three authorities of one chain,
started and stopped on the test's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from node_core.backoff import Backoff
from node_core.ledger.genesis import AuthorityInfo, genesis_hash
from node_core.p2p import NetworkSettings, PeerNetwork
from node_core.signers.file import FileSigner
from tests.helpers.chain import CHAIN_ID, make_chain

T = TypeVar("T")

_CHAIN = make_chain(authority_count=3, prosumer_count=0)
GENESIS_HASH = genesis_hash(_CHAIN.genesis)
SIGNERS: list[FileSigner] = sorted(_CHAIN.authorities, key=lambda s: s.address)
"""Sorted by address: SIGNERS[0] dials everyone, SIGNERS[2] only accepts."""
AUTHORITIES = [
    AuthorityInfo(name, signer.address, signer.public_key)
    for name, signer in zip(("EGAT", "MEA", "PEA"), SIGNERS, strict=True)
]
HOST = "127.0.0.1"
FAST = NetworkSettings(reconnect=Backoff(0.05, 1.0), handshake_timeout_s=2.0)


def run(coroutine: Coroutine[Any, Any, T], timeout_s: float = 30.0) -> T:
    """Run an async scenario to completion on a fresh event loop."""
    async def bounded() -> T:
        async with asyncio.timeout(timeout_s):
            return await coroutine
    return asyncio.run(bounded())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


async def eventually(condition: Callable[[], bool], timeout_s: float = 5.0) -> float:
    """Wait until ``condition()`` holds; return the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.01)
    return time.monotonic() - started


def assert_no_stray_tasks() -> None:
    stray = asyncio.all_tasks() - {asyncio.current_task()}
    assert not stray, f"tasks left running: {stray}"


class Inbox:
    """Collects what a PeerNetwork delivers."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []

    def __call__(self, sender: str, payload: bytes) -> None:
        self.items.append((sender, payload))

    def payloads(self) -> list[bytes]:
        return [payload for _, payload in self.items]


def network(index: int, ports: Sequence[int], inbox: Callable[[str, bytes], None], *,
            chain_id: str = CHAIN_ID, genesis: str = GENESIS_HASH,
            peers: Sequence[int] | None = None, config: NetworkSettings = FAST,
            signer: Any = None) -> PeerNetwork:
    """The PeerNetwork of authority ``index``, knowing the listen ports of ``peers``."""
    peer_indexes = [i for i in range(len(ports)) if i != index] if peers is None else peers
    addresses = {AUTHORITIES[i].address: (HOST, ports[i]) for i in peer_indexes}
    return PeerNetwork(chain_id, genesis, signer or SIGNERS[index], AUTHORITIES,
                       (HOST, ports[index]), addresses, inbox, settings=config)


@contextlib.asynccontextmanager
async def cluster(count: int = 3, overrides: dict[int, dict[str, Any]] | None = None
                  ) -> AsyncIterator[
        tuple[list[PeerNetwork], list[Inbox], list[int]]]:
    """``count`` started authority networks that know each other; stopped afterwards."""
    ports = [free_port() for _ in range(count)]
    inboxes = [Inbox() for _ in range(count)]
    nets = [network(i, ports, inboxes[i], **(overrides or {}).get(i, {})) for i in range(count)]
    for net in nets:
        await net.start()
    try:
        yield nets, inboxes, ports
    finally:
        for net in nets:
            await net.stop()


def fully_connected(nets: Sequence[PeerNetwork]) -> bool:
    return all(len(net.connected()) == len(nets) - 1 for net in nets)
