"""A deterministic simulated network for the consensus engine: simulated clock, seeded
loss / duplication / delay / reordering, crashes, and a Byzantine proposer."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field, replace

from node_core.consensus.engine import (
    Broadcast,
    ConsensusEngine,
    Decide,
    Equivocation,
)
from node_core.consensus.messages import ConsensusPacket, MessageKind, sign_message
from node_core.consensus.timing import ConsensusConfig
from node_core.ledger.blocks import Block
from node_core.ledger.genesis import ChainParameters
from node_core.ledger.state import State
from node_core.ledger.transition import apply_block, build_block
from tests.helpers.chain import TestChain, make_chain

TICK_MS = 20


class EmptyBlockSource:
    """Builds empty (heartbeat) blocks; validates with the real transition."""

    def __init__(self, proposer: str) -> None:
        self.proposer = proposer

    def build(self, state: State, round: int, now_ms: int, *, allow_empty: bool) -> Block | None:
        if not allow_empty:
            return None
        return build_block(state, [], proposer=self.proposer, timestamp=now_ms,
                           round=round).block

    def validate(self, state: State, block: Block, now_ms: int) -> State:
        return apply_block(state, block, now_ms=now_ms, require_finality=False)

    def has_pending(self) -> bool:
        return True


@dataclass
class Network:
    chain: TestChain
    seed: int = 1
    loss: float = 0.0
    duplicate: float = 0.0
    max_delay_ms: int = 30
    byzantine: set[int] = field(default_factory=set)
    config: ConsensusConfig = field(default_factory=lambda: ConsensusConfig(
        round_timeout_ms=1000, max_round_timeout_ms=4000, retransmit_ms=500))

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.now = self.chain.genesis.timestamp
        self.queue: list[tuple[int, int, int, ConsensusPacket]] = []
        self.counter = 0
        count = len(self.chain.authorities)
        self.engines = [self._engine(i, self.chain.state) for i in range(count)]
        self.down: set[int] = set()
        self.decided: list[dict[int, str]] = [{} for _ in self.engines]
        self.final_blocks: dict[int, Block] = {}
        self.evidence: list[Equivocation] = []
        for engine in self.engines:
            engine.start_height(self.chain.state, self.now)

    def _engine(self, index: int, state: State) -> ConsensusEngine:
        signer = self.chain.authorities[index]
        return ConsensusEngine(signer, state, EmptyBlockSource(signer.address), self.config)

    def send(self, sender: int, packet: ConsensusPacket) -> None:
        for target in range(len(self.engines)):
            if target == sender or self.rng.random() < self.loss:
                continue
            copies = 2 if self.rng.random() < self.duplicate else 1
            for _ in range(copies):
                self.counter += 1
                when = self.now + self.rng.randint(1, self.max_delay_ms)
                heapq.heappush(self.queue, (when, self.counter, target, packet))

    def handle(self, index: int, actions: list) -> None:
        for action in actions:
            if isinstance(action, Broadcast):
                for packet in self._outgoing(index, action.packet):
                    self.send(index, packet)
            elif isinstance(action, Decide):
                self._decide(index, action)
            elif isinstance(action, Equivocation):
                self.evidence.append(action)

    def _decide(self, index: int, action: Decide) -> None:
        self.decided[index][action.block.height] = action.block.hash
        self.final_blocks.setdefault(action.block.height, action.block)
        self.handle(index, self.engines[index].start_height(action.state, self.now))

    def _outgoing(self, index: int, packet: ConsensusPacket) -> list[ConsensusPacket]:
        """A Byzantine proposer also sends a conflicting twin of each proposal."""
        message = packet.message
        if index not in self.byzantine or message.kind != MessageKind.PROPOSAL:
            return [packet]
        engine = self.engines[index]
        twin_block = build_block(engine.state, [], proposer=message.sender,
                                 timestamp=packet.block.header.timestamp + 1,
                                 round=message.round).block
        twin = sign_message(replace(message, block_hash=twin_block.hash, signature=b""),
                            self.chain.authorities[index], engine.state.genesis_hash)
        return [packet, ConsensusPacket(twin, twin_block, packet.justification)]

    def run(self, duration_ms: int) -> None:
        end = self.now + duration_ms
        while self.now < end:
            self.now += TICK_MS
            while self.queue and self.queue[0][0] <= self.now:
                _, _, target, packet = heapq.heappop(self.queue)
                if target not in self.down:
                    self.handle(target, self.engines[target].on_packet(packet, self.now))
            for i, engine in enumerate(self.engines):
                if i not in self.down:
                    self.handle(i, engine.tick(self.now))
            if self.now % 500 < TICK_MS:
                self.sync()

    def sync(self) -> None:
        """What Status/GetBlocks do in the node: a node behind applies final blocks."""
        for i, engine in enumerate(self.engines):
            if i in self.down or engine.height not in self.final_blocks:
                continue
            state = engine.state
            while state.height + 1 in self.final_blocks:
                block = self.final_blocks[state.height + 1]
                state = apply_block(state, block)
                self.decided[i][block.height] = block.hash
            self.handle(i, engine.start_height(state, self.now))

    def crash(self, index: int) -> None:
        self.down.add(index)

    def restart(self, index: int) -> None:
        """Restart from the node's last decided state, then catch up from final blocks."""
        self.down.discard(index)
        state = self.chain.state
        for height in sorted(self.final_blocks):
            state = apply_block(state, self.final_blocks[height])
            self.decided[index][height] = self.final_blocks[height].hash
        self.engines[index] = self._engine(index, state)
        self.handle(index, self.engines[index].start_height(state, self.now))

    def heights(self) -> list[int]:
        return [max(d, default=0) for d in self.decided]

    def forks(self) -> int:
        heights = set().union(*self.decided)
        return sum(1 for h in heights if len({d[h] for d in self.decided if h in d}) > 1)


def heartbeat_chain(authorities: int = 3) -> TestChain:
    return make_chain(authorities, parameters=ChainParameters(block_interval_ms=200,
                                                              empty_blocks=1))
