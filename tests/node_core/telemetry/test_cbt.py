"""Google's own ``cbt`` decodes every table with the committed format file (README "Reading
the telemetry"): raw samples, per-minute rollups and trading minutes print as numbers."""

from __future__ import annotations

import asyncio
import time

from node_core.grid import GridSimulator
from node_core.telemetry import (
    BigtableEmulator,
    BigtableTarget,
    BigtableTelemetryStore,
    TelemetrySample,
    samples_of,
    trading_series,
)
from node_core.telemetry.node_writer import node_metric_samples
from tests.helpers.bigtable import bigtable_emulator, fresh_instance_id  # noqa: F401
from tests.node_core.telemetry.cbt_reader import cbt, cbt_path, number, read_rows

STATUS = {"height": 1_234_567, "round": 0, "consensus_health": 1.0, "finality_p50_ms": 800,
          "finality_p99_ms": 1_500, "mempool": 3, "tx_finalized": 100, "peers": []}


def test_cbt_prints_every_cell_of_every_table_as_a_number(
        bigtable_emulator: BigtableEmulator) -> None:  # noqa: F811
    cbt_path()
    now = time.time_ns() // 1_000_000
    start = now - now % 60_000 - 120_000  # two whole minutes ago: inside every retention
    target = BigtableTarget("gridtokenx", fresh_instance_id(), bigtable_emulator.host_port)
    simulator = GridSimulator(1, start)
    samples = [s for i in range(0, 120, 10) for s in samples_of(simulator.step(start + i * 1000),
                                                               "EGAT")]
    samples += node_metric_samples("MEA", STATUS, start + 5_000, None)
    samples += [TelemetrySample(trading_series("PEA", "price", "vwap_satang_per_kwh"), start,
                                412.5),
                TelemetrySample(trading_series("PEA", "price", "min_satang_per_kwh"), start, 400),
                TelemetrySample(trading_series("PEA", "volume", "energy_wh"), start, 12_000)]

    async def write() -> None:
        store = await BigtableTelemetryStore.open(target)
        await store.write(samples)
        await store.close()

    asyncio.run(write())
    host, project, instance = bigtable_emulator.host_port, target.project, target.instance
    assert cbt(host, project, instance, "ls").split() == [
        "GridMetrics", "NodeMetrics", "TradingMetrics"]

    raw = read_rows(host, project, instance, "GridMetrics", "prefix=EGAT#frequency#system#raw#")
    assert len(raw) == 2 and all(49 < number(v) < 51 for row in raw.values()
                                 for v in row.values())
    minute = f"frequency_1m:{start // 60_000 % 60:02d}"
    stats = {key.split("#")[-2]: row[minute] for key, row in read_rows(
        host, project, instance, "GridMetrics", "prefix=EGAT#frequency#system#1m#").items()}
    assert set(stats) == {"min", "max", "mean", "count", "first_at", "last_at", "min_at",
                          "max_at"}
    assert (stats["count"], stats["first_at"], stats["last_at"]) == ("6", "0", "50")
    assert number(stats["min"]) <= number(stats["mean"]) <= number(stats["max"])

    node = read_rows(host, project, instance, "NodeMetrics", "prefix=MEA#consensus#height#")
    height = next(row for key, row in node.items() if "#raw#" in key).popitem()[1]
    assert number(height) == 1_234_567  # printed 1.234567e+06: a float64 of a million or more
    assert next(row for key, row in node.items() if "#1m#count#" in key).popitem()[1] == "1"

    trading = read_rows(host, project, instance, "TradingMetrics", "prefix=PEA#1m#")
    assert list(trading.values()) == [{"price:min_satang_per_kwh": "400",
                                       "price:vwap_satang_per_kwh": "412.5",
                                       "volume:energy_wh": "12000"}]
