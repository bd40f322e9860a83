"""Three-node devnet throughput and finality under increasing load (about 60 s).

Prints one JSON line:
  tx_per_s         finalized transactions/s at the best load step
  verify_per_s     raw P-256 verifications/s on one core, measured in the same run
  bound_tx_per_s   verify_per_s * cores / nodes  (each node verifies each transaction once)
  ratio            tx_per_s / bound_tx_per_s                      (target >= 0.5)
  finality_p50_ms, finality_p99_ms   at that step, 1 s blocks     (target p99 <= 2000)
  steps            per offered load: finalized tx/s and finality percentiles

The load generator (signing, JSON) runs in this process on the same two cores as the nodes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from node_core.api.client import NodeClient
from node_core.devnet.layout import DevnetLayout, prepare_devnet, prosumer_signer
from node_core.devnet.loadgen import LoadGenerator
from node_core.devnet.run import devnet_processes
from node_core.ledger.genesis import load_genesis
from node_core.node.metrics import percentile
from tests.helpers.devnet import free_base_port
from tests.perf.ledger import raw_verify_per_s

STEPS = (250, 500, 1000, 2000, 4000)


async def _step(layout: DevnetLayout, clients: list[NodeClient], rate: float,
                seconds: float) -> dict[str, Any]:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    prosumers = [prosumer_signer(i) for i in range(layout.prosumers)]
    chain_id = load_genesis(layout.genesis).chain_id
    report = await LoadGenerator(clients, prosumers, chain_id, rate).run(stop)
    return {
        "offered_tx_per_s": rate,
        "tx_per_s": round(report.finalized / report.load_seconds, 1),
        "finality_p50_ms": percentile(report.latencies_ms, 0.5),
        "finality_p99_ms": percentile(report.latencies_ms, 0.99),
        "rejected": dict(report.rejected),
    }


async def _run(layout: DevnetLayout, step_seconds: float) -> list[dict[str, Any]]:
    nodes = devnet_processes(layout)
    clients: list[NodeClient] = []
    try:
        for node in nodes:
            node.start()
        await asyncio.gather(*(node.wait_ready() for node in nodes))
        clients = [await node.connect() for node in nodes]
        return [await _step(layout, clients, rate, step_seconds) for rate in STEPS]
    finally:
        for client in clients:
            await client.close()
        await asyncio.gather(*(node.stop() for node in nodes))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf consensus")
    parser.add_argument("--step-seconds", type=float, default=12.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        layout = prepare_devnet(DevnetLayout(Path(directory), base_port=free_base_port()))
        verify = raw_verify_per_s(5000)
        steps = asyncio.run(_run(layout, args.step_seconds))
    best = max(steps, key=lambda s: s["tx_per_s"])
    cores = os.cpu_count() or 1
    bound = verify * cores / len(layout.authorities)
    print(json.dumps({
        "tx_per_s": best["tx_per_s"], "verify_per_s": round(verify),
        "bound_tx_per_s": round(bound), "ratio": round(best["tx_per_s"] / bound, 3),
        "finality_p50_ms": best["finality_p50_ms"], "finality_p99_ms": best["finality_p99_ms"],
        "cores": cores, "steps": steps,
    }))
    return 0
