"""Running a devnet: start the authority processes, optionally load them, measure, stop.

The figures returned (and printed by ``main.py devnet``)::

    finalized_height  the height final at every node
    tx_finalized      transactions in the blocks finalized while the load ran
    tx_per_s          tx_finalized per second of load
    finality_p50_ms   submission -> announced in a final block, median
    finality_p99_ms   ... 99th percentile
    forks             heights at which two nodes' final hashes differ (must be 0)
    equivocations     equivocation evidence recorded by the nodes
    restarts          nodes and simulator restarted after dying (node_core.node.supervision)
"""

from __future__ import annotations

import asyncio
from typing import Any

from node_core.api.client import NodeClient
from node_core.api.methods import BLOCKS, STATUS
from node_core.api.requests import BlocksRequest, NoParams
from node_core.api.wire import ClientError
from node_core.devnet.layout import DevnetLayout, prosumer_signer
from node_core.devnet.loadgen import LoadGenerator, LoadReport
from node_core.ledger.genesis import load_genesis
from node_core.node.metrics import percentile
from node_core.node.process import ChildProcess, NodeProcess, main_command
from node_core.node.supervision import Supervisor


def gridsim_process(layout: DevnetLayout, *, authority: str = "EGAT", trades: float = 0.0,
                    env: dict[str, str] | None = None) -> ChildProcess:
    """The devnet's grid simulator: ``authority``'s grid feed (its telemetry to the layout's
    profile, ``$BIGTABLE_EMULATOR_HOST`` or the devnet's SQLite), live stream on
    ``layout.gridsim_port``, grid snapshots attested to every node, optionally the prosumers'
    trades."""
    nodes = ",".join(str(layout.config(a)) for a in layout.authorities)
    profile = ("--profile", str(layout.cloud_profile)) if layout.cloud_profile else ()
    argv = main_command("gridsim", "--serve", f"127.0.0.1:{layout.gridsim_port}",
                        "--authority", authority, *profile, "--data-dir",
                        str(layout.telemetry_dir), "--nodes", nodes, "--trades", str(trades))
    return ChildProcess("gridsim", argv, env or layout.environment(),
                        layout.data_dir / "logs" / "gridsim.log", layout.gridsim_address)


def devnet_processes(layout: DevnetLayout) -> list[NodeProcess]:
    return [NodeProcess(name, layout.config(name), layout.node_address(name),
                        layout.environment(), layout.data_dir / "logs" / f"{name}.log")
            for name in layout.authorities]


async def run_devnet(layout: DevnetLayout, stop: asyncio.Event, *,
                     load: float = 0.0) -> dict[str, Any]:
    """Start the nodes and the simulator under a :class:`Supervisor` (one that dies is
    restarted, as in the console), run (with load) until ``stop``, stop them; return the
    figures, read over fresh connections so a node restarted meanwhile is counted too."""
    nodes = devnet_processes(layout)
    children: list[ChildProcess] = [*nodes, gridsim_process(layout)]
    supervisor = Supervisor()
    clients: list[NodeClient] = []
    try:
        for child in children:
            child.start()
            supervisor.watch(child)
        await asyncio.gather(*(child.wait_ready() for child in children))
        clients = [await _connect_when_up(node) for node in nodes]
        report = await _drive(layout, clients, stop, load)
        figures = await collect_figures(nodes, report)
        return {**figures, "restarts": sum(supervisor.restarts.values())}
    finally:
        await supervisor.stop()
        for client in clients:
            await client.close()
        await asyncio.gather(*(child.stop() for child in reversed(children)))


async def _drive(layout: DevnetLayout, clients: list[NodeClient], stop: asyncio.Event,
                 load: float) -> LoadReport:
    if load <= 0:
        await stop.wait()
        return LoadReport()
    genesis = load_genesis(layout.genesis)
    prosumers = [prosumer_signer(i) for i in range(layout.prosumers)]
    return await LoadGenerator(clients, prosumers, genesis.chain_id, load).run(stop)


async def _connect_when_up(node: NodeProcess, timeout_s: float = 30.0) -> NodeClient:
    """A connection to ``node`` once it answers; a node that died meanwhile is waited for
    while its supervisor restarts it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        try:
            await node.wait_ready(timeout_s=max(1.0, deadline - loop.time()))
            return await node.connect()
        except ClientError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.5)


async def collect_figures(nodes: list[NodeProcess], report: LoadReport) -> dict[str, Any]:
    clients = [await _connect_when_up(node) for node in nodes]
    try:
        return await _figures(clients, report)
    finally:
        for client in clients:
            await client.close()


async def _figures(clients: list[NodeClient], report: LoadReport) -> dict[str, Any]:
    statuses = [await client.request(STATUS, NoParams()) for client in clients]
    final = min(s["height"] for s in statuses)
    return {
        "finalized_height": final,
        "tx_finalized": report.chain_transactions,
        "tx_per_s": round(report.chain_transactions / report.load_seconds, 1)
        if report.load_seconds else 0.0,
        "finality_p50_ms": percentile(report.latencies_ms, 0.50),
        "finality_p99_ms": percentile(report.latencies_ms, 0.99),
        "forks": await count_forks(clients, final),
        "equivocations": sum(s["equivocations"] for s in statuses),
    }


async def count_forks(clients: list[NodeClient], final_height: int) -> int:
    """Heights up to ``final_height`` where the nodes' final block hashes differ."""
    forks = 0
    for start in range(1, final_height + 1, 1000):
        end = min(final_height, start + 999)
        hashes = [[b["hash"] for b in await c.request(BLOCKS, BlocksRequest(start, end))]
                  for c in clients]
        forks += sum(1 for row in zip(*hashes, strict=True) if len(set(row)) > 1)
    return forks
