"""The grid simulator process exits promptly on SIGTERM, also when its nodes are gone.

Two grid simulators of a failed console test run (whose nodes had been killed) once ignored
SIGTERM: their Bigtable emulator had died with the nodes, and closing the telemetry store
waited forever on a Bigtable write that would not finish being cancelled. The prosumer
trades and the order follower must not hold the process either."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from node_core.api.client import NodeClient
from node_core.devnet.layout import DevnetLayout
from node_core.devnet.run import gridsim_process
from node_core.telemetry import BigtableEmulator, emulator_available
from tests.helpers.devnet import running, wait_until

pytestmark = pytest.mark.slow


async def _trades_final(client: NodeClient) -> bool:
    return int((await client.call("status"))["tx_finalized"]) > 0


async def _seconds_to_exit_after_sigterm(devnet: DevnetLayout,
                                         emulator: BigtableEmulator | None) -> float:
    env = dict(devnet.environment())
    env.pop("BIGTABLE_EMULATOR_HOST", None)
    if emulator is not None:
        env["BIGTABLE_EMULATOR_HOST"] = emulator.host_port
    gridsim = gridsim_process(devnet, trades=20.0, env=env)
    async with running(devnet) as (nodes, clients):
        gridsim.start()
        try:
            await gridsim.wait_ready()
            await wait_until(lambda: _trades_final(clients[0]), 30, "the simulator's trades")
            for node in nodes:
                node.kill()
            if emulator is not None:
                emulator.stop(timeout_s=0.5)
            await asyncio.sleep(3.0)  # it runs on without its nodes (and store)
            assert gridsim.running and gridsim.pid is not None
            began = time.monotonic()
            os.kill(gridsim.pid, signal.SIGTERM)
            while gridsim.running and time.monotonic() - began < 15:
                await asyncio.sleep(0.05)
            return time.monotonic() - began
        finally:
            await gridsim.stop(timeout_s=1.0)


@pytest.mark.parametrize("store", ["sqlite", "bigtable emulator that died too"])
def test_gridsim_exits_within_5_s_of_sigterm_after_its_nodes_were_killed(
        devnet: DevnetLayout, store: str) -> None:
    emulator: BigtableEmulator | None = None
    if store != "sqlite":
        if not emulator_available():
            pytest.skip("cbtemulator is not installed")
        emulator = BigtableEmulator()
        emulator.start()
    try:
        elapsed = asyncio.run(_seconds_to_exit_after_sigterm(devnet, emulator))
    finally:
        if emulator is not None:
            emulator.stop()
    assert elapsed < 5.0, f"gridsim took {elapsed:.1f} s to exit after SIGTERM"
