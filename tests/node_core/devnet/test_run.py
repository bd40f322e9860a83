"""Three authority processes on loopback: finality, crashes, restarts, a lossy network."""

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli import main
from node_core.devnet.run import devnet_processes
from tests.helpers.devnet import (
    apply_load,
    forks,
    heights,
    route_peer,
    running,
    status,
    wait_until,
)
from tests.helpers.faulty_proxy import FaultyProxy

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


def verify_all(layout) -> None:
    for name in layout.authorities:
        assert main(["chain", "verify", "--data-dir", str(layout.node_dir(name))]) == 0


async def settle(nodes) -> list[dict]:
    """Wait until every node reports the same tip; return their statuses."""
    async def same_tip() -> bool:
        tips = {(s["height"], s["tip"]) for s in [await status(n) for n in nodes]}
        return len(tips) == 1
    await wait_until(same_tip, 30, "the same tip on every node")
    return [await status(n) for n in nodes]


def test_three_authorities_finalize_transactions(devnet, capsys):
    async def scenario():
        async with running(devnet) as (nodes, clients):
            report = await apply_load(devnet, clients, rate=150, seconds=7)
            statuses = await settle(nodes)
            assert statuses[0]["height"] >= 10
            assert report.finalized == report.accepted > 500
            assert all(len([p for p in s["peers"] if p["connected"]]) == 2 for s in statuses)
            assert await forks(nodes) == 0
    asyncio.run(scenario())
    verify_all(devnet)
    assert capsys.readouterr().out.count("OK height") == 3


def test_a_killed_authority_restarts_and_catches_up(devnet):
    async def scenario():
        async with running(devnet) as (nodes, clients):
            await apply_load(devnet, clients, rate=100, seconds=3)
            nodes[2].kill()
            before = (await heights(nodes[:2]))[0]
            await apply_load(devnet, clients[:2], rate=100, seconds=5)
            assert min(await heights(nodes[:2])) >= before + 3, "two of three keep finalizing"
            nodes[2].start()
            await nodes[2].wait_ready()
            statuses = await settle(nodes)
            assert statuses[2]["tip"] == statuses[0]["tip"]
    asyncio.run(scenario())
    verify_all(devnet)


def test_repeated_kills_mid_commit_lose_no_final_block(devnet):
    rng = random.Random(5)

    async def scenario():
        async with running(devnet) as (nodes, clients):
            load = asyncio.create_task(apply_load(devnet, clients[:2], rate=120, seconds=16))
            for _ in range(5):
                await asyncio.sleep(rng.uniform(0.5, 1.5))
                seen = (await status(nodes[2]))["height"]
                nodes[2].kill()
                await asyncio.sleep(rng.uniform(0.1, 0.6))
                nodes[2].start()
                await nodes[2].wait_ready()
                assert (await status(nodes[2]))["height"] >= seen, "a final block was lost"
            await load
            await settle(nodes)
            assert await forks(nodes) == 0
    asyncio.run(scenario())
    verify_all(devnet)


def test_a_lossy_reordering_network_never_forks(devnet):
    """Every link goes through a proxy that drops, duplicates, delays or reorders 20 %."""
    async def scenario():
        proxies = []
        for node in devnet.authorities:
            for peer in devnet.authorities:
                if peer != node:
                    proxy = FaultyProxy(0, "127.0.0.1", devnet.p2p_port(peer), fault_rate=0.2,
                                        seed=len(proxies))
                    await proxy.start()
                    route_peer(devnet, node, peer, proxy.port)
                    proxies.append(proxy)
        try:
            async with running(devnet) as (nodes, clients):
                start = min(await heights(nodes))
                await apply_load(devnet, clients, rate=60, seconds=12)
                await wait_until(lambda: _risen(nodes, start + 5), 40, "heights to rise")
                assert await forks(nodes) == 0
        finally:
            for proxy in proxies:
                await proxy.stop()
        assert sum(sum(p.faults.values()) for p in proxies) > 50
    asyncio.run(scenario())
    verify_all(devnet)


async def _risen(nodes, target: int) -> bool:
    return min(await heights(nodes)) >= target


@pytest.mark.timing  # a 4-second run must finalize a block
def test_devnet_command_prints_figures_and_continues_the_chain(devnet, capsys):
    """The headless devnet prints its figures; run again, it continues the chain — and its
    summary survives a node that dies meanwhile: the devnet restarts it."""
    args = ["devnet", "--headless", "--duration", "4", "--load", "50",
            "--data-dir", str(devnet.data_dir), "--base-port", str(devnet.base_port)]
    assert main(args) == 0
    a = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(a) == {"finalized_height", "tx_finalized", "tx_per_s", "finality_p50_ms",
                      "finality_p99_ms", "forks", "equivocations", "restarts"}
    assert a["forks"] == 0 and a["restarts"] == 0
    run = subprocess.Popen([sys.executable, "main.py", *args[:2], "--duration", "14",
                            *args[4:]], cwd=REPO, stdout=subprocess.PIPE, text=True)
    mea = wait_for_pid(str(devnet.config("MEA")), timeout_s=20)
    time.sleep(3)
    os.kill(mea, signal.SIGKILL)
    out, _ = run.communicate(timeout=60)
    assert run.returncode == 0, out
    b = json.loads(out.strip().splitlines()[-1])
    assert b["forks"] == 0 and b["restarts"] == 1
    assert b["finalized_height"] > a["finalized_height"] > 0
    assert not any(n.running for n in devnet_processes(devnet))


def wait_for_pid(marker: str, timeout_s: float) -> int:
    """The pid of the process whose command line holds ``marker``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline and " node " in cmdline:
                return int(proc.name)
        time.sleep(0.2)
    raise AssertionError(f"no process with {marker} in its command line")
