"""An authority node: store, state, mempool, consensus and peers on one asyncio loop.

The node does the I/O around :class:`~node_core.consensus.engine.ConsensusEngine`: it feeds it peer
packets and clock ticks, carries out its actions (broadcast, commit a final block, keep
equivocation evidence), gossips transactions, answers peers' block requests, catches up
from peers when behind, and serves the local client endpoint (:mod:`node_core.api.endpoint`).

A transaction's work is done once per node: decoded once (and hashed from its bytes),
checked and verified once at admission (:mod:`node_core.node.admission`; signatures in a
process pool, :mod:`node_core.node.signature_pool`), named by its leaf in proposals that peers
complete from their mempools (:mod:`node_core.node.block_bodies`), applied once when the
block is validated, whose resulting state is the one committed. Where the time goes is kept
by stage (:mod:`node_core.node.stages`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import ChainMap
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from node_core.api.endpoint import ClientEndpoint
from node_core.api.governance_queries import GovernanceQueries
from node_core.api.methods import NODE_METHODS
from node_core.api.node_queries import NodeQueries
from node_core.api.operator_auth import RequestGate
from node_core.api.requests import GridSnapshotData
from node_core.api.roster_requests import RosterRequests
from node_core.api.wire import cookie_path
from node_core.clock import now_ms
from node_core.consensus.engine import (
    Action,
    Broadcast,
    ConsensusEngine,
    Decide,
    Equivocation,
    NeedBlock,
    Rejected,
)
from node_core.consensus.messages import (
    BlockTransactions,
    CompactPacket,
    ConsensusPacket,
    FinalBlocks,
    GetBlocks,
    GetTransactions,
    Status,
    Transactions,
    WireMessage,
    decode_wire,
    encode_wire,
)
from node_core.control_room.operator_requests import OperatorRequests
from node_core.control_room.room import ControlRoom
from node_core.ledger.blocks import Block, finality_quorum
from node_core.ledger.exceptions import DecodeError, GridTokenXError, NonceMismatch
from node_core.ledger.genesis import Genesis
from node_core.ledger.grid_state import EMPTY_GRID_SNAPSHOT, GridSnapshot, RegionLoad
from node_core.ledger.keys import Signer
from node_core.ledger.state import State
from node_core.ledger.transactions import Payload, Transaction, sign_transaction
from node_core.ledger.transition import apply_block, build_block, validate_transaction
from node_core.ledger.types import Address
from node_core.node.admission import Admission, Outcome
from node_core.node.block_bodies import BlockBodies
from node_core.node.catch_up import CatchUp
from node_core.node.config import ALL_CORES, NodeConfig
from node_core.node.mempool import Mempool
from node_core.node.metrics import NodeMetrics
from node_core.node.rejections import Rejections
from node_core.node.signature_pool import SignaturePool, cores
from node_core.node.stages import StageClock
from node_core.node.store import STORE_FILENAME, BlockStore
from node_core.p2p import PeerLinks, PeerNetwork
from node_core.private_files import private_directory

if TYPE_CHECKING:
    from node_core.cloud.profile import GcpProfile
    from node_core.cloud.services import CloudServices
    from node_core.telemetry.node_writer import NodeTelemetry

log = logging.getLogger(__name__)

TICK_S = 0.02
STATUS_S = 1.0
GOSSIP_S = 0.05
GOSSIP_BATCH = 2000


@dataclass
class PeerView:
    """The last Status heard from a peer."""

    height: int = 0
    round: int = 0
    last_seen_ms: int = 0


class AuthorityNode:
    """One authority's node (see the module docstring)."""

    def __init__(self, config: NodeConfig, genesis: Genesis, signer: Signer) -> None:
        self.config = config
        self.signer = signer
        self.store = BlockStore.open(private_directory(config.data_dir) / STORE_FILENAME,
                                     genesis)
        self.state: State = self.store.load_state()
        self.mempool = Mempool(max_size=config.mempool_size)
        self.metrics = NodeMetrics()
        self.rejections = Rejections(log)
        """What this node dropped, by rule (``status`` → ``rejected``)."""
        self.stages = StageClock()
        self.signatures = SignaturePool(
            cores() if config.verify_workers == ALL_CORES else config.verify_workers)
        self.admission = Admission(self.mempool, lambda: self.state, self.signatures,
                                   self.stages)
        self.bodies = BlockBodies(self.mempool.verified, self.admission, self.signatures,
                                  self.send, self._deliver, self._spawn, self._refuse,
                                  self.stages)
        self.catch_up = CatchUp(self)
        self.peers: dict[str, PeerView] = {}
        self.grid_snapshot: GridSnapshot = EMPTY_GRID_SNAPSHOT
        self._first_seen: dict[str, int] = {}
        self._outgoing: list[Transaction] = []
        self._built: dict[str, State] = {}
        self._work: set[asyncio.Task[None]] = set()
        """Peer messages being handled in the background (they await the signature pool)."""
        self._catching_up = asyncio.Lock()
        self.engine = ConsensusEngine(signer, self.state, self, config.consensus)
        self.network: PeerLinks = PeerNetwork(
            chain_id=genesis.chain_id, genesis_hash=self.state.genesis_hash, signer=signer,
            authorities=self.state.authorities, listen=config.listen,
            peer_addresses=self._peer_addresses(), on_message=self._on_peer_message)
        self.queries = NodeQueries(self)
        self.control = ControlRoom(self)
        self.gate = RequestGate(genesis.chain_id, signer.address, lambda: self.state.roster)
        """Who may ask what: signed requests checked against the roster at the tip."""
        self.endpoint = ClientEndpoint(
            *config.client, NODE_METHODS, [
                *self.queries.handlers(), *GovernanceQueries(self).handlers(),
                *RosterRequests(self).handlers(), *OperatorRequests(self.control).handlers()],
            cookie_file=cookie_path(config.data_dir), gate=self.gate,
            on_refused=self.control.record_refusal)
        self._tasks: list[asyncio.Task[None]] = []
        self.cloud: CloudServices | None = None
        """The optional cloud side (``[cloud] profile``); None on a devnet node."""
        self.telemetry: NodeTelemetry | None = None
        """NodeMetrics and TradingMetrics to Bigtable (``node_core.telemetry.node_writer``);
        None without a Bigtable (profile or ``$BIGTABLE_EMULATOR_HOST``)."""

    def _peer_addresses(self) -> dict[str, tuple[str, int]]:
        by_name = {a.name: a.address for a in self.state.authorities}
        return {by_name[name]: endpoint for name, endpoint in self.config.peers.items()
                if name in by_name}

    @property
    def authority_name(self) -> str:
        me = self.state.authority_by_address(self.signer.address)
        return me.name if me else self.config.authority

    # --- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        log.info("node %s starting at height %d (tip %s)", self.authority_name,
                 self.state.height, self.state.tip_hash[:16])
        await self.signatures.start()
        await self.endpoint.start()
        profile = self._cloud_profile()
        if profile is not None and profile.pubsub.consensus_transport == "pubsub":
            from node_core.cloud.services import build_peer_network

            self.network = build_peer_network(profile, self, self._on_peer_message)
        await self.network.start()
        self._handle(self.engine.start_height(self.state, now_ms()))
        self._tasks = [asyncio.create_task(self._every(TICK_S, self._tick)),
                       asyncio.create_task(self._every(STATUS_S, self._heartbeat)),
                       asyncio.create_task(self._every(GOSSIP_S, self._gossip))]
        if profile is not None:
            self._start_cloud(profile)
        from node_core.telemetry.node_writer import open_node_telemetry

        self.telemetry = await open_node_telemetry(
            self, profile.bigtable_target if profile is not None else None)

    def _cloud_profile(self) -> GcpProfile | None:
        """The ``[cloud] profile`` (imported only then: a devnet node never loads the Google
        clients)."""
        if self.config.cloud_profile is None:
            return None
        from node_core.cloud.profile import load_gcp_profile

        return load_gcp_profile(self.config.cloud_profile)

    def _start_cloud(self, profile: GcpProfile) -> None:
        """Start ``node_core.cloud.services``: every part runs in the background and never
        blocks the node."""
        from node_core.cloud.services import build_cloud_services

        self.cloud = build_cloud_services(profile, self)
        self.cloud.start()

    async def stop(self) -> None:
        self.admission.close()
        for task in [*self._tasks, *self._work]:
            task.cancel()
        for task in [*self._tasks, *self._work]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.signatures.close()
        if self.cloud is not None:
            await self.cloud.aclose()
        if self.telemetry is not None:
            await self.telemetry.aclose()
        await self.network.stop()
        await self.endpoint.stop()
        self.store.close()
        self.control.close()
        log.info("node %s stopped at height %d", self.authority_name, self.state.height)

    async def _every(self, period_s: float, work: Any) -> None:
        while True:
            await asyncio.sleep(period_s)
            try:
                work()
            except Exception:
                log.exception("node task %s failed; continuing", work.__name__)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Handle a peer's message in the background (it awaits the signature pool)."""
        task = asyncio.create_task(self._logged(work))
        self._work.add(task)
        task.add_done_callback(self._work.discard)

    @staticmethod
    async def _logged(work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:
            log.exception("handling a peer message failed; continuing")

    def _tick(self) -> None:
        with self.stages.stage("prepare/commit"):
            self._handle(self.engine.tick(now_ms()))

    def _heartbeat(self) -> None:
        self.network.broadcast(encode_wire(self._status()))
        self.endpoint.publish("status", self.queries.status_summary())
        self.control.evaluate(now_ms())

    def _status(self) -> Status:
        return Status(self.state.height, self.state.tip_hash, self.engine.round)

    def _gossip(self) -> None:
        while self._outgoing:
            batch, self._outgoing = self._outgoing[:GOSSIP_BATCH], self._outgoing[GOSSIP_BATCH:]
            self.network.broadcast(encode_wire(Transactions.of(batch)))

    # --- block source (for the engine) --------------------------------------------------------

    def build(self, state: State, round: int, now: int, *, allow_empty: bool) -> Block | None:
        with self.stages.stage("propose"):
            candidates = self.mempool.select(state, state.parameters.max_transactions_per_block)
            if not candidates and not allow_empty:
                return None
            built = build_block(state, candidates, proposer=self.signer.address, timestamp=now,
                                round=round, grid_snapshot=self.grid_snapshot,
                                verified=self.mempool.verified)
        for tx, error in built.rejected:
            self.rejections.record(type(error).__name__,
                                   f"tx {tx.hash} left out of block {state.height + 1} and "
                                   f"removed from the mempool: {error}")
            self.mempool.drop(tx)
            self._first_seen.pop(tx.hash, None)
            self.control.on_dropped(tx, error)
        self._built = {built.block.hash: built.state}
        return built.block

    def validate(self, state: State, block: Block, now: int) -> State:
        if block.hash in self._built:
            return self._built[block.hash]
        with self.stages.stage("apply"):
            return apply_block(state, block, now_ms=now, verified=self._verdicts(),
                               require_finality=False)

    def _verdicts(self) -> ChainMap[bytes, Transaction]:
        """Transactions by leaf whose signatures this node verified."""
        return ChainMap(self.mempool.verified, self.bodies.verified)

    def has_pending(self) -> bool:
        return len(self.mempool) > 0

    # --- transactions -----------------------------------------------------------------------

    def submit(self, tx: Transaction) -> bool:
        """Admit a transaction the node made itself (its signature checked here); gossip it.
        Raises the rule it breaks."""
        added = self.mempool.add(tx, self.state)
        if added:
            self._first_seen[tx.hash] = now_ms()
            self._outgoing.append(tx)
        return added

    async def submit_encoded(self, encoded: Sequence[bytes]) -> list[Outcome]:
        """Admit a client's transactions (signed encodings; :mod:`node_core.node.admission`)
        and gossip those newly held; the outcome of each, in order."""
        received = now_ms()
        outcomes, added = await self.admission.admit(encoded)
        for tx in added:
            self._first_seen[tx.hash] = received
        self._outgoing += added
        return outcomes

    def attest_grid(self, snapshot: GridSnapshotData,
                    voltages: dict[str, tuple[float, float, str]]) -> None:
        """The grid feed's snapshot for this node's next proposals, and its substation
        voltages for the alarms; ValueError for a snapshot the ledger cannot hold."""
        regions = tuple(RegionLoad(region, load, generation)
                        for region, load, generation in snapshot.regions)
        self.grid_snapshot = GridSnapshot(snapshot.timestamp, snapshot.frequency_mhz, regions)
        self.control.grid = {"frequency_hz": snapshot.frequency_mhz / 1000,
                             "voltages": dict(voltages)}

    def submit_as_authority(self, payload: Payload) -> Transaction:
        """Sign ``payload`` with this authority's key (the next free nonce, counting its pending
        transactions) and submit it: the one path of every transaction the node itself makes
        (governance, emergency actions). Raises the rule it breaks; nothing is submitted
        then."""
        state, key = self.state, self.signer.public_key
        probe = Transaction(state.chain_id, state.account(self.signer.address).nonce, key,
                            payload)
        validate_transaction(state, probe, at_ms=now_ms(), verified=(probe.leaf,))
        nonce = self.mempool.next_nonce(self.signer.address, state)
        tx = sign_transaction(Transaction(state.chain_id, nonce, key, payload), self.signer)
        self.submit(tx)
        return tx

    async def _on_transactions(self, sender: str, message: Transactions) -> None:
        """Gossip: each transaction is admitted on its own; one that breaks a rule is dropped
        alone and recorded with its rule and hash. One already final here (its gossip
        overtaken by its block) is no rejection: it is dropped as a duplicate."""
        received = now_ms()
        outcomes, added = await self.admission.admit(message.encoded)
        for tx in added:
            self._first_seen.setdefault(tx.hash, received)
        for outcome in outcomes:
            if isinstance(outcome.error, NonceMismatch) and \
                    self.store.transaction_location(outcome.hash) is not None:
                continue
            if outcome.error is not None:
                self.rejections.record(type(outcome.error).__name__, (
                    f"tx {outcome.hash} gossiped by {self._name_of(sender)}: {outcome.error}"))

    # --- peers ------------------------------------------------------------------------------

    def _on_peer_message(self, sender: str, payload: bytes) -> None:
        try:
            message = decode_wire(payload)
        except DecodeError as error:
            self.rejections.record(type(error).__name__,
                                   f"message from {self._name_of(sender)}: {error}")
            return
        try:
            self._dispatch(sender, message)
        except GridTokenXError as error:
            self.rejections.record(type(error).__name__,
                                   f"message from {self._name_of(sender)}: {error}")

    def _dispatch(self, sender: str, message: WireMessage) -> None:
        if isinstance(message, CompactPacket):
            self.bodies.receive(sender, message)
        elif isinstance(message, Status):
            self.peers[sender] = PeerView(message.height, message.round, now_ms())
            self.catch_up.on_status(sender, message)
        elif isinstance(message, GetBlocks):
            self.catch_up.answer(sender, message)
        elif isinstance(message, GetTransactions):
            self.send(sender, self.bodies.answer(message))
        elif isinstance(message, BlockTransactions):
            self._spawn(self.bodies.on_transactions(message))
        elif isinstance(message, FinalBlocks):
            self._spawn(self._on_final_blocks(message))
        else:
            self._spawn(self._on_transactions(sender, message))

    def _deliver(self, packet: ConsensusPacket) -> None:
        """A consensus packet, its block complete, to the engine."""
        with self.stages.stage("prepare/commit"):
            self._handle(self.engine.on_packet(packet, now_ms()))

    def send(self, address: str, message: WireMessage) -> None:
        """Send ``message`` to the peer at ``address``."""
        self.network.send(address, encode_wire(message))

    def broadcast(self, message: WireMessage) -> None:
        self.network.broadcast(encode_wire(message))

    def _refuse(self, rule: str, sender: str, what: str) -> None:
        """Record a drop of what ``sender`` sent, by rule."""
        self.rejections.record(rule, f"{what} from {self._name_of(sender)}")

    def _name_of(self, address: str) -> str:
        authority = self.state.authority_by_address(Address(address))
        return authority.name if authority else address

    async def _on_final_blocks(self, message: FinalBlocks) -> None:
        """Catch-up (:mod:`node_core.node.catch_up`), one message of final blocks at a time."""
        async with self._catching_up:
            if await self.catch_up.apply(message):
                with self.stages.stage("prepare/commit"):
                    self._handle(self.engine.start_height(self.state, now_ms()))

    async def verdicts_for(self, block: Block) -> ChainMap[bytes, Transaction]:
        """The verdicts for ``block``'s transactions: those held, and the others verified
        now in the pool (one that does not verify is left out: applying the block refuses
        it)."""
        verdicts = self._verdicts()
        unchecked = [tx for tx in block.transactions if tx.leaf not in verdicts]
        valid = await self.signatures.verify(
            [(tx.sender_public_key, tx.digest, tx.signature) for tx in unchecked])
        fresh = {tx.leaf: tx for tx, ok in zip(unchecked, valid, strict=True) if ok}
        return verdicts.new_child(fresh)

    # --- engine actions ---------------------------------------------------------------------

    def _handle(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, Broadcast):
                self.network.broadcast(encode_wire(CompactPacket.of(action.packet)))
            elif isinstance(action, Decide):
                self.commit(action.block, action.state)
                self.network.broadcast(encode_wire(self._status()))
                self._handle(self.engine.start_height(self.state, now_ms()))
            elif isinstance(action, Equivocation):
                self._on_equivocation(action)
            elif isinstance(action, Rejected):
                self.rejections.record(action.reason, action.detail and (
                    f"consensus message from {self._name_of(action.sender)}: {action.detail}"))
            elif isinstance(action, NeedBlock):
                self.catch_up.need_block(action.height, action.block_hash)

    def commit(self, block: Block, state: State) -> None:
        """Store the final ``block`` with the state after it; it is the new tip."""
        with self.stages.stage("store"):
            self._store(block, state)

    def _store(self, block: Block, state: State) -> None:
        self.store.commit_block(block, state)
        changed = state.authorities != self.state.authorities
        self.state = state
        if changed:
            log.info("authority set is now %s (quorum %d)",
                     ", ".join(a.name for a in state.authorities),
                     finality_quorum(len(state.authorities)))
            self.network.update_authorities(state.authorities, self._peer_addresses())
        stale = self.mempool.remove_final(block.transactions, state)
        self.bodies.new_height(state.height)
        self.catch_up.advanced()
        self._built = {}
        now = now_ms()
        for tx in block.transactions:
            first = self._first_seen.pop(tx.hash, None)
            if first is not None:
                self.metrics.finality_ms.append(now - first)
        for tx in stale:
            self._first_seen.pop(tx.hash, None)
        self.metrics.tx_finalized += len(block.transactions)
        self.metrics.last_block_ms = now
        summary = self.queries.block_summary(block, final_ms=now)
        self.endpoint.publish("block", summary)
        if self.cloud is not None:
            self.cloud.on_final_block(block, state, summary)
        if self.telemetry is not None:
            self.telemetry.on_final_block(block)
        self.control.on_final_block([tx.hash for tx in block.transactions], block.height)

    def _on_equivocation(self, evidence: Equivocation) -> None:
        self.metrics.equivocations += 1
        self.store.record_evidence(evidence.first, evidence.second, now_ms())
        offender = self.state.authority_by_address(evidence.first.sender)
        log.warning("EQUIVOCATION by %s at height %d round %d: evidence stored",
                    offender.name if offender else evidence.first.sender,
                    evidence.first.height, evidence.first.round)
        self.endpoint.publish("equivocation", {"authority": evidence.first.sender,
                                               "height": evidence.first.height,
                                               "round": evidence.first.round})

