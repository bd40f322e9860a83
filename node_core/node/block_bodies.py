"""Completing the compact blocks of consensus packets (``docs/protocol.md`` §13).

A peer's PROPOSAL, or a ROUND_CHANGE carrying its prepared block, names the block's
transactions by their leaves. The node completes the block from the transactions it holds —
its mempool and the bodies fetched at this height — and hands the packet to the consensus
engine. When some are missing it first lets the admissions under way finish (a proposal
often overtakes the gossip of its newest transactions), then asks the packet's sender for the
rest (:class:`~node_core.consensus.messages.GetTransactions`), verifies what comes back
(:class:`~node_core.consensus.messages.BlockTransactions`) in the signature pool, as one
batch, and completes the packet then. A body whose signature does not verify still completes
the block, without a verdict: the block's validation then refuses it by its rule.

A packet is never dropped for missing bodies: it waits, with at most :data:`MAX_WAITING`
blocks waiting at a time (the oldest is forgotten first), and its bodies are asked for again
when its sender retransmits it. A block whose leaves do not make its header's merkle root is
refused before anything is asked.
"""

from __future__ import annotations

from collections import ChainMap, OrderedDict
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from node_core.clock import now_ms
from node_core.consensus.messages import (
    BlockTransactions,
    CompactPacket,
    ConsensusPacket,
    GetTransactions,
    WireMessage,
)
from node_core.ledger.blocks import Block
from node_core.ledger.exceptions import GridTokenXError, MerkleRootMismatch
from node_core.ledger.hashing import merkle_root_of_leaves
from node_core.ledger.transactions import Transaction, decode_transaction, hash_of_encoded
from node_core.ledger.types import Hash32
from node_core.node.admission import Admission
from node_core.node.signature_pool import SignaturePool
from node_core.node.stages import StageClock

MAX_WAITING: Final = 8
"""Blocks waiting for bodies at a time (a height's proposal and round changes, and the next
heights' early proposals)."""
ASK_AGAIN_MS: Final = 250
"""A retransmitted packet whose bodies were asked for less than this ago is not asked again."""


@dataclass
class _Waiting:
    """A block whose bodies were asked for, and the packets that carry it."""

    sender: str
    packets: list[CompactPacket]
    asked_ms: int = 0
    since_ms: int = field(default_factory=now_ms)
    height: int = field(init=False)

    def __post_init__(self) -> None:
        block = self.packets[0].block
        assert block is not None
        self.height = block.header.height


class BlockBodies:
    """Compact blocks completed for the engine (see the module docstring)."""

    def __init__(self, mempool: dict[bytes, Transaction], admission: Admission,
                 signatures: SignaturePool, send: Callable[[str, WireMessage], None],
                 deliver: Callable[[ConsensusPacket], None],
                 spawn: Callable[[Coroutine[Any, Any, None]], None],
                 refuse: Callable[[str, str, str], None], clock: StageClock) -> None:
        """``mempool``: its transactions by leaf; ``send`` a message to a peer, ``deliver`` a
        packet to the engine, ``spawn`` background work, ``refuse`` (rule, sender, what) a
        drop."""
        self._admission, self._signatures = admission, signatures
        self._send, self._deliver, self._spawn = send, deliver, spawn
        self._refuse, self._clock = refuse, clock
        self.fetched: dict[bytes, Transaction] = {}
        """Bodies fetched from peers, by leaf."""
        self.verified: dict[bytes, Transaction] = {}
        """Those of them whose signature verified."""
        self.held: Mapping[bytes, Transaction] = ChainMap(mempool, self.fetched)
        """Every transaction a block can be completed from."""
        self._complete: dict[Hash32, Block] = {}
        self._waiting: OrderedDict[Hash32, _Waiting] = OrderedDict()

    def receive(self, sender: str, packet: CompactPacket) -> None:
        """Hand ``packet`` to the engine, now if its block is complete, else once it is."""
        compact = packet.block
        if compact is None:
            self._deliver(packet.with_block(None))
            return
        if compact.hash in self._complete:
            self._deliver(packet.with_block(self._complete[compact.hash]))
            return
        with self._clock.stage("apply"):
            if merkle_root_of_leaves(list(compact.leaves)) != compact.header.merkle_root:
                self._refuse(MerkleRootMismatch.__name__, sender, (
                    f"compact block {compact.header.height} {compact.hash[:16]} whose leaves "
                    "do not make its merkle root"))
                return
            complete = not compact.missing(self.held)
        if complete:
            self._deliver_complete([packet])
        else:
            self._wait(sender, packet)

    async def on_transactions(self, message: BlockTransactions) -> None:
        """Bodies a peer sent for a waiting block: verify them, complete what they
        complete."""
        waiting = self._waiting.get(message.block_hash)
        if waiting is None:
            return
        bodies = self._wanted(message, waiting)
        verdicts = await self._signatures.verify(
            [(tx.sender_public_key, tx.digest, tx.signature) for tx in bodies])
        for tx, valid in zip(bodies, verdicts, strict=True):
            self.fetched[tx.leaf] = tx
            if valid:
                self.verified[tx.leaf] = tx
        for block_hash in list(self._waiting):
            self._complete_waiting(block_hash)

    def waiting_since(self, block_hash: Hash32) -> int | None:
        """When ``block_hash``'s bodies were first asked for (ms), if it is waiting for some."""
        waiting = self._waiting.get(block_hash)
        return None if waiting is None else waiting.since_ms

    def answer(self, request: GetTransactions) -> BlockTransactions:
        """The bodies of ``request``'s leaves this node holds, in the order asked."""
        return BlockTransactions(request.block_hash, tuple(
            self.held[leaf].encoded for leaf in request.leaves if leaf in self.held))

    def new_height(self, height: int) -> None:
        """The chain is final up to ``height``: forget what only its blocks needed."""
        self._complete = {h: b for h, b in self._complete.items() if b.height > height}
        for block_hash in [h for h, w in self._waiting.items() if w.height <= height]:
            del self._waiting[block_hash]
        needed = {leaf for w in self._waiting.values() for p in w.packets
                  if p.block is not None for leaf in p.block.leaves}
        needed.update(tx.leaf for b in self._complete.values() for tx in b.transactions)
        for bodies in (self.fetched, self.verified):
            for leaf in [leaf for leaf in bodies if leaf not in needed]:
                del bodies[leaf]

    # --- waiting ----------------------------------------------------------------------------

    def _wait(self, sender: str, packet: CompactPacket) -> None:
        assert packet.block is not None
        block_hash = packet.block.hash
        waiting = self._waiting.get(block_hash)
        if waiting is None:
            self._waiting[block_hash] = _Waiting(sender, [packet])
            while len(self._waiting) > MAX_WAITING:
                self._waiting.popitem(last=False)
            self._spawn(self._settle_then_ask(block_hash))
            return
        if packet not in waiting.packets:
            waiting.packets.append(packet)
        if waiting.asked_ms and now_ms() - waiting.asked_ms >= ASK_AGAIN_MS:
            self._ask(block_hash, waiting)

    async def _settle_then_ask(self, block_hash: Hash32) -> None:
        await self._admission.settled()
        waiting = self._waiting.get(block_hash)
        if waiting is not None and not self._complete_waiting(block_hash):
            self._ask(block_hash, waiting)

    def _ask(self, block_hash: Hash32, waiting: _Waiting) -> None:
        block = waiting.packets[0].block
        assert block is not None
        waiting.asked_ms = now_ms()
        self._send(waiting.sender, GetTransactions(block_hash, tuple(block.missing(self.held))))

    def _complete_waiting(self, block_hash: Hash32) -> bool:
        """Deliver the packets of a waiting block if it is complete now."""
        waiting = self._waiting.get(block_hash)
        if waiting is None:
            return True
        block = waiting.packets[0].block
        assert block is not None
        if block.missing(self.held):
            return False
        del self._waiting[block_hash]
        self._deliver_complete(waiting.packets)
        return True

    def _deliver_complete(self, packets: list[CompactPacket]) -> None:
        compact = packets[0].block
        assert compact is not None
        with self._clock.stage("apply"):
            block = compact.complete(self.held)
        self._complete[block.hash] = block
        for packet in packets:
            self._deliver(packet.with_block(block))

    def _wanted(self, message: BlockTransactions, waiting: _Waiting) -> list[Transaction]:
        """The bodies of ``message`` that a waiting block lacks, decoded."""
        block = waiting.packets[0].block
        assert block is not None
        missing = set(block.missing(self.held))
        bodies = []
        for data in message.encoded:
            try:
                tx = decode_transaction(data)
            except GridTokenXError as error:
                self._refuse(type(error).__name__, waiting.sender, (
                    f"tx {hash_of_encoded(data)} for block {block.header.height}: {error}"))
                continue
            if tx.leaf in missing:
                bodies.append(tx)
        return bodies
