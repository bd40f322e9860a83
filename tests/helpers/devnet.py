"""Real devnets for tests: authority processes on loopback with a real SoftHSM2 token.

The token, keys and genesis are made once per session (``devnet_template``) and copied per
test, with fresh ports."""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import shutil
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from node_core.api.client import NodeClient
from node_core.api.wire import ClientError
from node_core.devnet.layout import DevnetLayout, prepare_devnet, prosumer_signer
from node_core.devnet.loadgen import LoadGenerator, LoadReport
from node_core.devnet.run import count_forks, devnet_processes
from node_core.ledger.genesis import load_genesis
from node_core.node.process import NodeProcess
from tests.helpers.softhsm import SoftHsmToken


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_base_port() -> int:
    """A base port whose devnet ports (base+1..3, base+101..103) are free now."""
    rng = random.Random()
    while True:
        base = rng.randrange(10_000, 32_000, 10)  # below the ephemeral range (32768+)
        if all(_bindable(base + offset) for offset in (1, 2, 3, 4, 101, 102, 103, 104, 200)):
            return base


@pytest.fixture(scope="session")
def devnet_template(tmp_path_factory: pytest.TempPathFactory,
                    softhsm_token: SoftHsmToken) -> Path:
    """Made after the session's token: a test on a devnet may load PKCS#11 in this process
    (the console's login), which must find the session's configuration first."""
    directory = tmp_path_factory.mktemp("devnet-template")
    prepare_devnet(DevnetLayout(directory, base_port=free_base_port()), block_interval_ms=500)
    return directory


@pytest.fixture
def devnet(devnet_template: Path, tmp_path: Path) -> DevnetLayout:
    """A fresh copy of the template devnet with free ports."""
    directory = tmp_path / "devnet"
    shutil.copytree(devnet_template, directory)
    return prepare_devnet(DevnetLayout(directory, base_port=free_base_port()))


def route_peer(layout: DevnetLayout, node: str, peer: str, port: int) -> None:
    """Make ``node`` reach ``peer`` at ``127.0.0.1:port`` (e.g. through a proxy)."""
    path = layout.config(node)
    text = re.sub(rf'^{peer} = ".*"$', f'{peer} = "127.0.0.1:{port}"', path.read_text(),
                  flags=re.MULTILINE)
    path.write_text(text)


Running = tuple[list[NodeProcess], list[NodeClient]]


@contextlib.asynccontextmanager
async def running(layout: DevnetLayout) -> AsyncIterator[Running]:
    nodes = devnet_processes(layout)
    clients: list[NodeClient] = []
    try:
        for node in nodes:
            node.start()
        await asyncio.gather(*(node.wait_ready() for node in nodes))
        clients = [await node.connect() for node in nodes]
        yield nodes, clients
    finally:
        for client in clients:
            await client.close()
        await asyncio.gather(*(node.stop() for node in nodes))


async def status(node: NodeProcess) -> dict:
    client = await node.connect()
    try:
        return await client.call("status")
    finally:
        await client.close()


async def wait_until(check: Callable[[], Awaitable[bool]], timeout_s: float,
                     what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.2)


async def heights(nodes: list[NodeProcess]) -> list[int]:
    result = []
    for node in nodes:
        try:
            result.append((await status(node))["height"])
        except ClientError:
            result.append(-1)
    return result


async def apply_load(layout: DevnetLayout, clients: list[NodeClient], rate: float,
                     seconds: float) -> LoadReport:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    prosumers = [prosumer_signer(i) for i in range(layout.prosumers)]
    chain_id = load_genesis(layout.genesis).chain_id
    return await LoadGenerator(clients, prosumers, chain_id, rate).run(stop)


async def forks(nodes: list[NodeProcess]) -> int:
    """Heights where the nodes' final hashes differ (fresh connections: nodes may have
    restarted)."""
    clients = [await node.connect() for node in nodes]
    try:
        final = min([(await c.call("status"))["height"] for c in clients])
        return await count_forks(clients, final)
    finally:
        for client in clients:
            await client.close()
