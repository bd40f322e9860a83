"""The signature pool: every verdict in order whatever the batch, every core used, and no
worker outliving its pool or its node — closed with the node, gone when the node is killed
(real worker processes, a real devnet node)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

import pytest

from node_core.devnet.layout import DevnetLayout
from node_core.devnet.run import devnet_processes
from node_core.node.signature_pool import MIN_BATCH, WORKER_COMMAND, SignaturePool
from tests.helpers.chain import make_chain

CHAIN = make_chain()


def checks(count: int, forged: Collection[int] = ()) -> list[tuple[bytes, bytes, bytes]]:
    """``count`` transactions' signature checks; those at ``forged`` do not verify."""
    txs = [CHAIN.transfer(i % 4, (i + 1) % 4, 1 + i, nonce=i) for i in range(count)]
    txs = [replace(tx, signature=txs[i - 1].signature) if i in forged else tx
           for i, tx in enumerate(txs)]
    return [(tx.sender_public_key, tx.digest, tx.signature) for tx in txs]


def workers_of(pid: int) -> list[int]:
    """The signature workers whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and WORKER_COMMAND.encode() in command:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and "(Z)" not in Path(f"/proc/{pid}/stat").read_text()


def test_verdicts_come_back_in_order_from_every_worker() -> None:
    batch = checks(3 * MIN_BATCH + 5, forged={0, 70, 3 * MIN_BATCH + 4})

    async def scenario() -> tuple[list[bool], float, int, list[int]]:
        pool = SignaturePool(2)
        try:
            await pool.start()
            running = workers_of(os.getpid())
            verdicts = await pool.verify(batch)
            return verdicts, pool.seconds, pool.verified, running
        finally:
            await pool.close()

    verdicts, seconds, verified, running = asyncio.run(scenario())
    assert [i for i, ok in enumerate(verdicts) if not ok] == [0, 70, 3 * MIN_BATCH + 4]
    assert verified == len(batch) and seconds > 0
    assert len(running) == 2
    assert not [pid for pid in running if alive(pid)]  # closed with the pool


@pytest.mark.slow
def test_a_node_starts_its_workers_ends_them_when_it_stops_and_takes_them_when_killed(
        devnet: DevnetLayout) -> None:
    node = devnet_processes(devnet)[0]

    async def scenario() -> tuple[list[int], list[int]]:
        node.start()
        await node.wait_ready()
        stopped = workers_of(node.pid or 0)
        await node.stop()
        node.start()
        await node.wait_ready()
        killed = workers_of(node.pid or 0)
        node.kill()
        return stopped, killed

    stopped, killed = asyncio.run(scenario())
    assert stopped and killed
    deadline = time.monotonic() + 5
    while [pid for pid in stopped + killed if alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in stopped + killed if alive(pid)] == []
