"""A long run at a steady load: what a transaction costs in the store, whether the write-ahead
log stays bounded and the nodes' memory flat (``--minutes 30``: half an hour).

Prints one JSON line:
  minutes, offered_tx_per_s, tx_finalized, tx_per_s, finality_p50_ms, finality_p99_ms
  bytes_per_tx      EGAT's store at the end, by table (SQLite's dbstat: pages of the table and
                    its indexes) per final transaction: Blocks (the signed transactions,
                    headers, seals, grid snapshots), TransactionIndex, the rest, and the whole
                    file
  store_mib         the store file at the end; store_mib_per_hour: its growth per hour of
                    load; wal_max_mib: the largest write-ahead log seen
  written_bytes_per_tx  what EGAT's process wrote to the disk per final transaction (Linux's
                    write_bytes: the write-ahead log and its checkpoints into the store, the
                    node's other files): inserting each transaction's hash into the index
                    dirties a page of it at random
  rss_mib           each node's resident memory (its process, then its signature workers) at
                    the first sample after a minute of load, at the end, and the largest
  samples           every sample: minute, EGAT's final transactions, store, WAL and disk
                    writes (MiB), each node's RSS (MiB)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from node_core.api.client import NodeClient
from node_core.devnet.layout import DevnetLayout, prepare_devnet, prosumer_signer
from node_core.devnet.loadgen import LoadGenerator, LoadReport
from node_core.ledger.genesis import load_genesis
from node_core.node.metrics import percentile
from node_core.node.process import NodeProcess
from node_core.node.signature_pool import WORKER_COMMAND
from node_core.node.store import STORE_FILENAME
from tests.helpers.devnet import free_base_port, running
from tests.helpers.processes import resident_kib

SAMPLE_S = 30.0
MIB = 1024 * 1024
PROSUMERS = 1000


def rss_mib(pid: int) -> float:
    return resident_kib(pid) / 1024


def workers_rss_mib(parent: int) -> float:
    """The resident memory of ``parent``'s signature workers, together."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == parent and WORKER_COMMAND.encode() in (entry / "cmdline").read_bytes():
                total += rss_mib(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return total


def written_bytes(pid: int) -> int:
    """Bytes the process has caused to be written to storage (``/proc/PID/io``)."""
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def file_mib(path: Path) -> float:
    return path.stat().st_size / MIB if path.exists() else 0.0


def bytes_per_tx(store: Path) -> dict[str, float]:
    """The store's bytes by table (with its indexes) per final transaction, read-only."""
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        transactions = max(1, db.execute("SELECT count(*) FROM TransactionIndex").fetchone()[0])
        rows = db.execute("SELECT tbl_name, sum(pgsize) FROM dbstat JOIN sqlite_schema "
                          "USING (name) GROUP BY tbl_name").fetchall()
        pages = db.execute("PRAGMA page_count").fetchone()[0] * \
            db.execute("PRAGMA page_size").fetchone()[0]
    finally:
        db.close()
    by_table = {str(name): int(size) for name, size in rows}
    shown = {name: by_table.pop(name, 0) for name in ("Blocks", "TransactionIndex")}
    per = {name: round(size / transactions, 1) for name, size in shown.items()}
    return {**per, "rest": round(sum(by_table.values()) / transactions, 1),
            "file": round(pages / transactions, 1)}


class Sampler:
    """Samples the store, its WAL and the nodes' memory every :data:`SAMPLE_S`."""

    def __init__(self, layout: DevnetLayout, nodes: list[NodeProcess],
                 client: NodeClient) -> None:
        self._store = layout.node_dir(layout.authorities[0]) / STORE_FILENAME
        self._nodes, self._client = nodes, client
        self.samples: list[dict[str, Any]] = []

    async def run(self, stop: asyncio.Event, began: float) -> None:
        while not stop.is_set():
            pipeline = await self._client.call("pipeline")
            self.samples.append({
                "minute": round((time.monotonic() - began) / 60, 1),
                "tx_final": pipeline["tx_finalized"],
                "store_mib": round(file_mib(self._store), 1),
                "wal_mib": round(file_mib(self._store.with_name(STORE_FILENAME + "-wal")), 1),
                "written_mib": round(written_bytes(self._nodes[0].pid or 0) / MIB, 1),
                "rss_mib": [[round(rss_mib(n.pid or 0), 1),
                             round(workers_rss_mib(n.pid or 0), 1)] for n in self._nodes]})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SAMPLE_S)


async def _run(layout: DevnetLayout, minutes: float, rate: float,
               ) -> tuple[LoadReport, list[dict[str, Any]]]:
    async with running(layout) as (nodes, clients):
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(minutes * 60, stop.set)
        sampler = Sampler(layout, nodes, clients[0])
        sampling = asyncio.create_task(sampler.run(stop, time.monotonic()))
        prosumers = [prosumer_signer(i) for i in range(layout.prosumers)]
        chain_id = load_genesis(layout.genesis).chain_id
        report = await LoadGenerator(clients, prosumers, chain_id, rate).run(stop)
        await sampling
        return report, sampler.samples


def summary(layout: DevnetLayout, minutes: float, rate: float, report: LoadReport,
            samples: list[dict[str, Any]]) -> dict[str, Any]:
    store = layout.node_dir(layout.authorities[0]) / STORE_FILENAME
    first = next((s for s in samples if s["minute"] >= 1.0), samples[0])
    last = samples[-1]
    rss = {name: {"first": first["rss_mib"][i], "last": last["rss_mib"][i],
                  "max": [max(s["rss_mib"][i][k] for s in samples) for k in (0, 1)]}
           for i, name in enumerate(layout.authorities)}
    return {
        "minutes": minutes, "offered_tx_per_s": rate, "tx_finalized": report.finalized,
        "tx_per_s": round(report.finalized / report.load_seconds, 1),
        "finality_p50_ms": percentile(report.latencies_ms, 0.5),
        "finality_p99_ms": percentile(report.latencies_ms, 0.99),
        "bytes_per_tx": bytes_per_tx(store),
        "store_mib": round(file_mib(store), 1),
        "store_mib_per_hour": round((last["store_mib"] - first["store_mib"])
                                    / max(1e-9, (last["minute"] - first["minute"]) / 60), 1),
        "wal_max_mib": max(s["wal_mib"] for s in samples),
        "written_bytes_per_tx": round((last["written_mib"] - first["written_mib"]) * MIB
                                      / max(1, last["tx_final"] - first["tx_final"])),
        "rss_mib": rss, "samples": samples,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf storage")
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--rate", type=float, default=1000.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        layout = prepare_devnet(DevnetLayout(Path(directory), base_port=free_base_port(),
                                             prosumers=PROSUMERS))
        report, samples = asyncio.run(_run(layout, args.minutes, args.rate))
        print(json.dumps(summary(layout, args.minutes, args.rate, report, samples)))
    return 0
