"""A real authority node in the test's own process (real SQLite stores, real chain, a real
signature pool), fed by hand: final blocks and messages as a peer would send them, client
requests answered by the node's own handlers. Outbound peer traffic goes to
:class:`RecordedLinks`, so a test can see what the node sends. The harness runs the node's
event loop until what it was given is handled (background work included)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from node_core.api.client import NodeClient
from node_core.api.signed_requests import RequestSigner
from node_core.api.wire import ClientError
from node_core.clock import now_ms
from node_core.consensus.messages import (
    CompactPacket,
    ConsensusPacket,
    FinalBlocks,
    WireMessage,
    decode_wire,
    encode_wire,
)
from node_core.control_room.audit import AuditLog
from node_core.ledger.genesis import AuthorityInfo
from node_core.node.authority_node import AuthorityNode
from node_core.node.config import load_node_config
from node_core.p2p.network import PeerAddresses
from tests.helpers import chain as chains
from tests.helpers.ports import free_port


class RecordedLinks:
    """A PeerLinks that delivers nothing and keeps what the node sent, decoded."""

    def __init__(self) -> None:
        self.sent: list[tuple[str | None, WireMessage]] = []
        """(recipient address, or None for a broadcast; message)"""

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def broadcast(self, payload: bytes) -> int:
        self.sent.append((None, decode_wire(payload)))
        return 2

    def send(self, address: str, payload: bytes) -> bool:
        self.sent.append((address, decode_wire(payload)))
        return True

    def update_authorities(self, authorities: Sequence[AuthorityInfo],
                           peer_addresses: PeerAddresses | None = None) -> None:
        return None

    def connected(self) -> list[str]:
        return []


CONFIG = """
[node]
authority = "EGAT"
data_dir = "egat"
genesis = "genesis.json"
listen = "127.0.0.1:39001"
client = "127.0.0.1:{client_port}"
verify_workers = 1
{node}
[signer]
backend = "file"
"""
TUNING = """
[alarms]
finality_stall_intervals = 8
max_shelve_minutes = 30
frequency = {deadband = 0.05, on_delay_ms = 0, off_delay_ms = 3000}
peer = {on_delay_ms = 9000}
"""


class NodeHarness:
    """An AuthorityNode over a test chain's genesis, in this process (not started)."""

    def __init__(self, directory: Path, chain: chains.TestChain, alarms: str = TUNING,
                 node: str = "") -> None:
        """``node``: more lines of the configuration's ``[node]`` section."""
        directory.joinpath("egat").mkdir(parents=True, exist_ok=True)
        config = CONFIG.format(client_port=free_port(), node=node)
        directory.joinpath("node.toml").write_text(config + alarms)
        self.directory, self.chain = directory, chain
        self.loop = asyncio.new_event_loop()
        self.node = self.open()

    def open(self) -> AuthorityNode:
        config = load_node_config(self.directory / "node.toml")
        node = AuthorityNode(config, self.chain.genesis, self.chain.authorities[0])
        self.links = RecordedLinks()
        node.network = self.links
        return node

    def restart(self) -> None:
        self._close_node()
        self.node = self.open()

    def close(self) -> None:
        """Close the node and the harness's loop (the end of a test)."""
        self._close_node()
        self.loop.close()

    def _close_node(self) -> None:
        self.node.store.close()
        self.node.control.close()
        self.run(self.node.signatures.close())

    def receive_final(self, *blocks) -> None:  # type: ignore[no-untyped-def]
        """Final blocks arriving from a peer (the node's catch-up path)."""
        self.receive(FinalBlocks(tuple(blocks)))

    def advance(self, ms: int) -> None:
        """Let ``ms`` pass for the node's consensus engine (its timers, e.g. commit grace)."""
        self.node._handle(self.node.engine.tick(now_ms() + ms))

    def receive(self, message: WireMessage | ConsensusPacket, sender: int = 1) -> None:
        """``message`` arriving from the chain's authority number ``sender`` (MEA); a
        consensus packet travels compact, as peers send it."""
        if isinstance(message, ConsensusPacket):
            message = CompactPacket.of(message)
        self.run(self._received(encode_wire(message), sender))

    async def _received(self, payload: bytes, sender: int) -> None:
        self.node._on_peer_message(self.chain.authorities[sender].address, payload)
        while self.node._work:
            await asyncio.wait(set(self.node._work))

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[NodeClient]:
        """The node's client endpoint listening (on a free port), and a client of it."""
        await self.node.endpoint.start()
        client = await NodeClient.connect(self.node.config.address)
        try:
            yield client
        finally:
            await client.close()
            await self.node.endpoint.stop()

    def run(self, work):  # type: ignore[no-untyped-def]
        """Run ``work`` (a coroutine) on the node's loop; its result."""
        return self.loop.run_until_complete(work)

    def call(self, method: str, by: str | None = None, **params):  # type: ignore[no-untyped-def]
        """A client request answered by the node's own endpoint code (parsing, the signature
        and roster check, the handler), signed by roster member ``by`` where the method needs
        it; an error answer raises ClientError naming the rule."""
        message: dict[str, Any] = {"id": 1, "method": method, "params": params}
        if by is not None:
            key = self.chain.people.get(by) or chains.signer_from_seed(sum(by.encode()))
            signer = RequestSigner(key, self.chain.genesis.chain_id, self.node.signer.address)
            message["auth"] = signer.auth(method, params, now_ms()).to_json()
        raw = json.dumps(message).encode()
        answer = json.loads(self.run(self.node.endpoint._answer(raw, asyncio.Queue())))
        if "error" in answer:
            raise ClientError(answer["error"]["type"], answer["error"]["message"])
        return answer["result"]

    def attest_frequency(self, hz: float) -> None:
        snapshot = {"timestamp": self.chain.state.tip_timestamp,
                    "frequency_mhz": round(hz * 1000), "regions": []}
        self.call("attest_grid", by="gridfeed", snapshot=snapshot, voltages={})

    def states(self) -> dict[str, str]:
        return {a.alarm_id: str(a.state) for a in self.node.control.alarms.alarms()}

    def audit(self) -> list[tuple[str, str, str, str, str]]:
        with AuditLog.open_existing(self.directory / "egat" / "audit.sqlite3") as log:
            return [(e.operator, e.role, e.action, e.target, e.outcome) for e in log.entries()]
