"""The client endpoint under abuse, on a real three-node devnet (about 30 s).

Prints one JSON line:
  status_idle_p50_ms, status_idle_max_ms     ``status`` round trips on an idle node
  submit_tx, submit_bytes, submit_s          one ``submit`` as large as a request may be
  status_during_submit_max_ms                 the worst ``status`` round trip meanwhile: how
                                              long the node's loop was held (target <= 50)
  refuse_20mb_s                               from the first byte of a 20 MB request to the
                                              node's ``RequestTooLarge``
  rss_before_mib, rss_peak_mib, rss_after_mib the node's memory around 16 connections each
                                              sending a 63 MB line at once
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from node_core.api.client import NodeAddress, NodeClient
from node_core.api.wire import MAX_REQUEST_BYTES
from node_core.devnet.layout import DevnetLayout, prepare_devnet, prosumer_signer
from node_core.devnet.run import devnet_processes
from node_core.ledger.genesis import load_genesis
from node_core.ledger.transactions import (
    Transaction,
    Transfer,
    encode_transaction,
    sign_transaction,
)
from node_core.node.process import NodeProcess
from tests.helpers.devnet import free_base_port
from tests.helpers.processes import resident_kib

PROBE_EVERY_S = 0.005


async def _probe(client: NodeClient, until: asyncio.Event) -> list[float]:
    """``status`` round trips (ms), back to back with a short pause, until ``until``."""
    took = []
    while not until.is_set():
        started = time.perf_counter()
        await client.call("status")
        took.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(PROBE_EVERY_S)
    return took


async def _probing(client: NodeClient, work: Any) -> tuple[Any, list[float]]:
    """``work``'s result, and the ``status`` round trips made while it ran."""
    done = asyncio.Event()
    probe = asyncio.create_task(_probe(client, done))
    result = await work
    done.set()
    return result, await probe


def _largest_submit(layout: DevnetLayout) -> list[bytes]:
    """Valid transfers (consecutive nonces per prosumer) filling one request."""
    chain_id = load_genesis(layout.genesis).chain_id
    signers = [prosumer_signer(i) for i in range(layout.prosumers)]
    txs: list[bytes] = []
    size, nonce = 256, 0
    while True:
        for i, signer in enumerate(signers):
            payload = Transfer(signers[(i + 1) % len(signers)].address, 1)
            tx = encode_transaction(sign_transaction(
                Transaction(chain_id, nonce, signer.public_key, payload), signer))
            if size + 2 * len(tx) + 3 > MAX_REQUEST_BYTES:
                return txs
            txs.append(tx)
            size += 2 * len(tx) + 3
        nonce += 1


async def _oversized(address: NodeAddress, size: int) -> float:
    """Seconds from the first byte of a ``size``-byte request to the node's answer."""
    reader, writer = await asyncio.open_connection(address.host, address.port)
    writer.write((json.dumps({"cookie": address.cookie_file.read_text().strip()}) + "\n")
                 .encode())
    await reader.readline()
    started = time.perf_counter()
    chunk = b"0" * (1 << 20)
    try:
        writer.write(b'{"id":1,"method":"submit","params":{"transactions":["')
        for _ in range(size // len(chunk)):
            writer.write(chunk)
            await writer.drain()
        await reader.readline()
    except ConnectionError:
        pass  # the node stopped reading and closed: refused all the same
    writer.close()
    return time.perf_counter() - started


def _rss_mib(node: NodeProcess) -> float:
    return round(resident_kib(node.pid) / 1024, 1)


async def _peak_rss(node: NodeProcess, until: asyncio.Event) -> float:
    peak = _rss_mib(node)
    while not until.is_set():
        peak = max(peak, _rss_mib(node))
        await asyncio.sleep(0.05)
    return peak


async def _measure(layout: DevnetLayout) -> dict[str, Any]:
    nodes = devnet_processes(layout)
    try:
        for node in nodes:
            node.start()
        await asyncio.gather(*(node.wait_ready() for node in nodes))
        probe, submitter = await nodes[0].connect(), await nodes[0].connect()
        idle_done = asyncio.Event()
        asyncio.get_running_loop().call_later(2.0, idle_done.set)
        idle = await _probe(probe, idle_done)
        txs = _largest_submit(layout)
        started = time.perf_counter()
        answer, during = await _probing(probe, submitter.submit(txs))
        submit_s = time.perf_counter() - started
        refuse_s = await _oversized(probe.address, 20 << 20)
        before = _rss_mib(nodes[0])
        flooded = asyncio.Event()
        peak = asyncio.create_task(_peak_rss(nodes[0], flooded))
        await asyncio.gather(*(_oversized(probe.address, 63 << 20) for _ in range(16)))
        flooded.set()
        await asyncio.sleep(1.0)
        return {
            "status_idle_p50_ms": round(sorted(idle)[len(idle) // 2], 1),
            "status_idle_max_ms": round(max(idle), 1),
            "submit_tx": len(txs), "submit_accepted": answer["accepted"],
            "submit_bytes": sum(2 * len(tx) for tx in txs), "submit_s": round(submit_s, 2),
            "status_during_submit_max_ms": round(max(during), 1),
            "status_during_submit_p50_ms": round(sorted(during)[len(during) // 2], 1),
            "refuse_20mb_s": round(refuse_s, 3),
            "rss_before_mib": before, "rss_peak_mib": await peak,
            "rss_after_mib": _rss_mib(nodes[0]),
        }
    finally:
        await asyncio.gather(*(node.stop() for node in nodes))


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as directory:
        layout = prepare_devnet(DevnetLayout(Path(directory), base_port=free_base_port()))
        figures = asyncio.run(_measure(layout))
    print(json.dumps(figures))
    return 0
