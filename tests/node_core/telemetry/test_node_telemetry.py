"""Each node writes its own NodeMetrics to the Bigtable of ``$BIGTABLE_EMULATOR_HOST`` (real
devnet processes, real emulator); a Bigtable outage never stops finality, and the node's
buffer back-fills what the outage held back."""

from __future__ import annotations

import asyncio
import time

import pytest

from node_core.devnet.layout import DevnetLayout
from node_core.telemetry import (
    BigtableEmulator,
    BigtableTarget,
    BigtableTelemetryStore,
    emulator_available,
    node_metric_series,
)
from node_core.telemetry.target import DEFAULT_INSTANCE, DEFAULT_PROJECT
from tests.helpers.devnet import apply_load, heights, running, wait_until

pytestmark = pytest.mark.slow


async def heights_stored(store: BigtableTelemetryStore, authority: str, since_ms: int,
                         until_ms: int) -> list[float]:
    _, values = await store.read_range(node_metric_series(authority, "height"), since_ms,
                                       until_ms)
    return values.tolist()


def test_nodes_write_their_metrics_and_back_fill_after_an_outage(
        devnet: DevnetLayout, monkeypatch: pytest.MonkeyPatch) -> None:
    if not emulator_available():
        pytest.skip("cbtemulator is not installed")
    with BigtableEmulator() as emulator:
        monkeypatch.setenv("BIGTABLE_EMULATOR_HOST", emulator.host_port)
        asyncio.run(_outage(devnet, emulator))


async def _outage(devnet: DevnetLayout, emulator: BigtableEmulator) -> None:
    """Every node's NodeMetrics arrive; the emulator stops while load is finalized, starts
    again empty on its port; what it then holds from the outage is the nodes' back-fill."""
    target = BigtableTarget(DEFAULT_PROJECT, DEFAULT_INSTANCE, emulator.host_port)
    async with running(devnet) as (nodes, clients):
        store = await BigtableTelemetryStore.open(target, timeout_s=5.0)
        began = time.time_ns() // 1_000_000
        try:
            for authority in devnet.authorities:
                await wait_until(lambda a=authority: _has(store, a, began), 30,
                                 f"{authority}'s NodeMetrics")
            emulator.stop()
            down_ms = time.time_ns() // 1_000_000
            before = min(await heights(nodes))
            report = await apply_load(devnet, clients, rate=20, seconds=8)
            assert report.chain_transactions > 0  # finality goes on without Bigtable
            assert min(await heights(nodes)) > before
            up_ms = time.time_ns() // 1_000_000
            emulator.start()  # same port, empty: what arrives is the nodes' back-fill
            await wait_until(lambda: _covers(store, down_ms, up_ms), 40, "the back-fill")
        finally:
            await store.close()


async def _has(store: BigtableTelemetryStore, authority: str, since_ms: int) -> bool:
    try:
        return bool(await heights_stored(store, authority, since_ms, since_ms + 600_000))
    except Exception:  # tables not made yet by the first writer
        return False


async def _covers(store: BigtableTelemetryStore, down_ms: int, up_ms: int) -> bool:
    """Every authority has height samples from inside the outage, rising."""
    try:
        during = [await heights_stored(store, a, down_ms, up_ms) for a in ("EGAT", "MEA", "PEA")]
    except Exception:
        return False
    return all(len(h) >= 1 for h in during) and all(h == sorted(h) for h in during)
