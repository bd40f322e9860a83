"""Consensus among the authorities: IBFT 2.0 / QBFT-style proof of authority, immediate finality.

This module is the protocol as a sans-I/O state machine (:class:`ConsensusEngine`): packets
and clock ticks go in, actions (broadcast, decide, evidence) come out. The node
(:mod:`node_core.node.authority_node`) does the I/O. The design follows the Istanbul BFT algorithm
as
analysed by Moniz ("The Istanbul BFT Consensus Algorithm", 2020) — the basis of Besu's and
GoQuorum's QBFT (EIP-650 lineage) — with the fixes those engines' users asked for.

Protocol, per height ``h`` (the next block after the final tip)
-----------------------------------------------------------------
* Authority set ``A`` (from state), ``n = |A|``, ``quorum = ceil(2n/3)`` (2 of 3, 3 of 4,
  5 of 7), ``f = floor((n-1)/3)`` Byzantine authorities tolerated.
* ``proposer(h, r) = A[(h + r) mod n]`` — round robin over height and round.
* **Round 0.** Once the block interval since the parent has passed and there is something
  to include (or empty blocks are configured), ``proposer(h, 0)`` builds a block from its
  mempool and broadcasts a signed PROPOSAL.
* **PREPARE.** An authority that receives a valid, justified PROPOSAL for its current round
  (the block passes :func:`node_core.ledger.transition.apply_block` without finality) broadcasts
  a signed PREPARE for the block hash.
* **COMMIT.** On a quorum of PREPAREs for (h, r, hash) matching the accepted proposal, it
  records ``prepared = (r, block)`` and broadcasts a COMMIT carrying its *commit seal*
  (its signature over ``commit_digest(hash)`` — the finality signature stored in the block).
* **Final.** On a quorum of COMMITs for one (round, hash), the block is final: it is sealed
  with those commit seals and committed. Only then. A final block is never undone.
* **Round change.** Each round has a timer, started when the height becomes active (there
  are transactions, a heartbeat is due, or a peer speaks about the height):
  ``timeout(r) = min(base * 2**r, cap)`` — it grows per round, is **capped**, and resets at
  every new height. On expiry the authority moves to ``r+1`` and broadcasts a signed
  ROUND_CHANGE carrying its prepared round and block with the quorum of PREPAREs that
  prove it (the *prepared certificate*).
* **New round proposal.** ``proposer(h, r)`` with a quorum of ROUND_CHANGEs for ``r``
  proposes: if any of them carries a prepared certificate, it must re-propose the block of
  the **highest** prepared round; otherwise a new block. The PROPOSAL carries the quorum of
  ROUND_CHANGEs and that certificate as justification, which every receiver checks.
* **Catching up with rounds.** f+1 ROUND_CHANGEs for rounds above ours prove a correct
  authority is there: jump to the lowest such round (Moniz, Algorithm 3). A justified
  PROPOSAL for a higher round is also followed. Together with the cap on the timer this is
  what lets a restarted authority rejoin the live height and round without a global restart
  (the Besu/Quorum failure mode: uncapped doubling timers drifting apart after restarts).
  All own messages of the undecided height are re-broadcast every ``retransmit_ms``, so
  lost messages are recovered.

Safety (no two different blocks final at one height)
---------------------------------------------------
Two quorums intersect in ``2*quorum - n >= f + 1`` authorities, so in at least one correct
one. If block B is final in round r, a quorum sent COMMIT for B in r, so a quorum is
*prepared* on (r, B). Any quorum of ROUND_CHANGEs for a later round contains a correct member
of that set, reporting a prepared round >= r; by induction on rounds every prepared value at
rounds >= r is B (a proposal for a later round is accepted only if it re-proposes the value
of the highest certified prepared round), so every later justified proposal is B. Within a
round a correct authority prepares and commits at most one block, so two quorums of COMMIT
for different blocks would need an authority in both — a correct one never, a Byzantine
one at most ``f`` of them. Messages can be lost, duplicated, delayed or reordered: they are
signed and idempotent, and no rule depends on arrival order, only on the sets collected.

**With n = 3, f = 0**: the three authorities tolerate one *crashed* authority (quorum 2 of 3
keeps finalizing), but not a *malicious* one — tolerating f Byzantine authorities needs
n >= 3f + 1, i.e. at least 4 authorities for one. What a malicious authority can do is made
visible: **equivocation** — two signed messages of one kind for the same height and round
with different blocks — is detected, both signed messages are returned as evidence (the node
stores and shows them, governance can act), and the offender's messages for that round are
no longer counted.

Liveness: after the network stabilises, authorities that time out converge on a round via
the f+1 rule; the cap bounds how far apart their timers can be, and the retransmissions
deliver the messages of that round, so a correct proposer's round completes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Protocol

from node_core.consensus.messages import (
    NO_ROUND,
    ConsensusMessage,
    ConsensusPacket,
    MessageKind,
    message_signature_valid,
    sign_message,
)
from node_core.consensus.timing import ConsensusConfig
from node_core.ledger.blocks import (
    AuthoritySignature,
    Block,
    commit_digest,
    finality_quorum,
    proposer_of,
)
from node_core.ledger.exceptions import InvalidBlock, InvalidTransaction
from node_core.ledger.keys import Signer, verify_signature
from node_core.ledger.state import State
from node_core.ledger.transition import seal_block
from node_core.ledger.types import ZERO_HASH, Address, Hash32

MAX_FUTURE_PACKETS: Final = 2048
FUTURE_HEIGHTS: Final = 3


_DEFAULT_CONFIG: Final = ConsensusConfig()


class BlockSource(Protocol):
    """What the engine needs from the node: build and validate blocks, know if work waits."""

    def build(self, state: State, round: int, now_ms: int, *, allow_empty: bool) -> Block | None:
        """A new block for (state.height + 1, round), or None if there is nothing to include
        and ``allow_empty`` is false."""
        ...

    def validate(self, state: State, block: Block, now_ms: int) -> State:
        """The state after ``block`` (without finality); raise InvalidBlock/Transaction."""
        ...

    def has_pending(self) -> bool:
        """True if transactions wait for a block."""
        ...


# --- actions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Broadcast:
    packet: ConsensusPacket


@dataclass(frozen=True, slots=True)
class Decide:
    """``block`` (sealed with a quorum of commit seals) is final; ``state`` is after it."""

    block: Block
    state: State
    round: int
    """The round in which it was decided."""


@dataclass(frozen=True, slots=True)
class Equivocation:
    """Evidence: one authority signed two conflicting messages."""

    first: ConsensusMessage
    second: ConsensusMessage


@dataclass(frozen=True, slots=True)
class Rejected:
    """A packet was dropped; ``reason`` says which rule it broke, in a few fixed words (the
    node counts drops by it); ``detail`` adds the height, round or the ledger's message."""

    sender: Address
    reason: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class NeedBlock:
    """A quorum committed a block whose body this node has not seen: fetch it."""

    height: int
    block_hash: Hash32


Action = Broadcast | Decide | Equivocation | Rejected | NeedBlock


# --- one height -----------------------------------------------------------------------------


@dataclass
class _Height:
    """Everything collected about one height."""

    state: State
    round: int = 0
    round_started_ms: int = 0
    active: bool = False
    decided: bool = False
    prepared_round: int = NO_ROUND
    prepared_hash: Hash32 = ZERO_HASH
    blocks: dict[Hash32, Block] = field(default_factory=dict)
    validated: dict[Hash32, State] = field(default_factory=dict)
    invalid: dict[Hash32, str] = field(default_factory=dict)
    """Blocks that failed validation at this height, with the rule they broke."""
    accepted: dict[int, Hash32] = field(default_factory=dict)
    """round -> hash of the proposal accepted in that round."""
    prepares: dict[tuple[int, Hash32], dict[Address, ConsensusMessage]] = field(
        default_factory=dict)
    commits: dict[tuple[int, Hash32], dict[Address, ConsensusMessage]] = field(
        default_factory=dict)
    round_changes: dict[int, dict[Address, ConsensusPacket]] = field(default_factory=dict)
    seen: dict[tuple[Address, MessageKind, int], ConsensusMessage] = field(default_factory=dict)
    equivocators: set[tuple[Address, int]] = field(default_factory=set)
    sent: dict[tuple[MessageKind, int], ConsensusPacket] = field(default_factory=dict)
    last_retransmit_ms: int = 0
    quorum_since_ms: dict[tuple[int, Hash32], int] = field(default_factory=dict)
    """When each (round, hash) first had a quorum of commits."""

    @property
    def height(self) -> int:
        return self.state.height + 1


class ConsensusEngine:
    """The per-node protocol state machine (see the module docstring)."""

    def __init__(self, signer: Signer, state: State, source: BlockSource,
                 config: ConsensusConfig = _DEFAULT_CONFIG) -> None:
        self._signer = signer
        self._source = source
        self._config = config
        self._future: dict[int, list[ConsensusPacket]] = {}
        self._h = _Height(state)
        self._now_ms = 0
        """The time of the input being handled (every entry point sets it)."""

    # --- public -----------------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self._h.state

    @property
    def height(self) -> int:
        return self._h.height

    @property
    def round(self) -> int:
        return self._h.round

    @property
    def is_authority(self) -> bool:
        """False for a node that only follows the chain (e.g. before governance adds it)."""
        return self._h.state.authority_by_address(self._signer.address) is not None

    def validated(self, block_hash: Hash32) -> State | None:
        """The state after ``block_hash`` if this height's block of that hash was validated
        here (so a node that gets it final from a peer need not apply it again)."""
        return self._h.validated.get(block_hash)

    def proposer(self, height: int, round: int) -> Address:
        return proposer_of(self._h.state.authorities, height, round)

    def start_height(self, state: State, now_ms: int) -> list[Action]:
        """Begin the height after ``state``'s tip; replay packets buffered for it."""
        self._now_ms = now_ms
        self._h = _Height(state, round_started_ms=now_ms, last_retransmit_ms=now_ms)
        for height in [h for h in self._future if h <= self.height - 1]:
            del self._future[height]
        actions: list[Action] = []
        for packet in self._future.pop(self.height, []):
            actions += self.on_packet(packet, now_ms)
        return actions

    def on_packet(self, packet: ConsensusPacket, now_ms: int) -> list[Action]:
        """Handle one consensus packet from a peer (or replayed from the buffer)."""
        self._now_ms = now_ms
        message = packet.message
        if message.height != self.height or self._h.decided:
            return self._buffer(packet)
        if not self.is_authority:
            return []
        problem = self._authenticate(message)
        if problem:
            return [Rejected(message.sender, problem)]
        if (message.sender, message.round) in self._h.equivocators:
            return [Rejected(message.sender, "equivocating authority")]
        evidence = self._check_equivocation(message)
        if evidence:
            return evidence
        self._activate(now_ms)
        handler = {
            MessageKind.PROPOSAL: self._on_proposal,
            MessageKind.PREPARE: self._on_prepare,
            MessageKind.COMMIT: self._on_commit,
            MessageKind.ROUND_CHANGE: self._on_round_change,
        }[message.kind]
        return handler(packet, now_ms)

    def tick(self, now_ms: int) -> list[Action]:
        """Call often (every ~20 ms): proposes when due, fires timers, retransmits."""
        self._now_ms = now_ms
        h = self._h
        if h.decided or not self.is_authority:
            return []
        actions = self._maybe_propose_round_zero(now_ms)
        for round, block_hash in list(h.quorum_since_ms):
            actions += self._check_final(round, block_hash, now_ms)
        if h.decided:
            return actions
        if not h.active and self._source.has_pending():
            self._activate(now_ms)
        if h.active and now_ms >= h.round_started_ms + self._config.timeout(h.round):
            actions += self._change_round(h.round + 1, now_ms)
        if now_ms - h.last_retransmit_ms >= self._config.retransmit_ms:
            h.last_retransmit_ms = now_ms
            actions += [Broadcast(p) for (_, r), p in h.sent.items()
                        if r == h.round or p.message.kind == MessageKind.COMMIT]
        return actions

    # --- checks -----------------------------------------------------------------------------

    def _authenticate(self, message: ConsensusMessage) -> str | None:
        authority = self._h.state.authority_by_address(message.sender)
        if authority is None:
            return "sender is not an authority"
        if not message_signature_valid(message, authority.public_key, self._h.state.genesis_hash):
            return "bad message signature"
        return None

    def _check_equivocation(self, message: ConsensusMessage) -> list[Action]:
        h = self._h
        key = (message.sender, message.kind, message.round)
        previous = h.seen.get(key)
        if previous is None:
            h.seen[key] = message
            return []
        if not previous.conflicts_with(message):
            return []
        h.equivocators.add((message.sender, message.round))
        self._forget(message.sender, message.round)
        return [Equivocation(previous, message)]

    def _forget(self, sender: Address, round: int) -> None:
        """Stop counting anything ``sender`` said in ``round``."""
        h = self._h
        for tally in (h.prepares, h.commits):
            for (r, _), votes in tally.items():
                if r == round:
                    votes.pop(sender, None)
        h.round_changes.get(round, {}).pop(sender, None)

    def _buffer(self, packet: ConsensusPacket) -> list[Action]:
        height = packet.message.height
        if self.height < height <= self.height + FUTURE_HEIGHTS:
            queued = self._future.setdefault(height, [])
            if sum(len(q) for q in self._future.values()) < MAX_FUTURE_PACKETS:
                queued.append(packet)
        return []

    def _quorum(self) -> int:
        return finality_quorum(len(self._h.state.authorities))

    def _weak_quorum(self) -> int:
        """f + 1: enough to include one correct authority."""
        return (len(self._h.state.authorities) - 1) // 3 + 1

    def _activate(self, now_ms: int) -> None:
        if not self._h.active:
            self._h.active = True
            self._h.round_started_ms = now_ms

    # --- proposals --------------------------------------------------------------------------

    def _maybe_propose_round_zero(self, now_ms: int) -> list[Action]:
        h = self._h
        due = h.state.tip_timestamp + h.state.parameters.block_interval_ms
        if (h.round != 0 or (MessageKind.PROPOSAL, 0) in h.sent or now_ms < due
                or self.proposer(h.height, 0) != self._signer.address):
            return []
        block = self._source.build(h.state, 0, now_ms,
                                   allow_empty=bool(h.state.parameters.empty_blocks))
        if block is None:
            return []
        self._activate(now_ms)
        return self._propose(block, 0, (), now_ms)

    def _propose(self, block: Block, round: int, justification: tuple[ConsensusMessage, ...],
                 now_ms: int) -> list[Action]:
        message = self._sign(MessageKind.PROPOSAL, round, block.hash)
        packet = ConsensusPacket(message, block, justification)
        self._h.sent[(MessageKind.PROPOSAL, round)] = packet
        self._h.seen[(message.sender, message.kind, round)] = message
        return [Broadcast(packet), *self._on_proposal(packet, now_ms)]

    def _on_proposal(self, packet: ConsensusPacket, now_ms: int) -> list[Action]:
        h, message, block = self._h, packet.message, packet.block
        if message.sender != self.proposer(h.height, message.round):
            return [Rejected(message.sender, "not the proposer of its round",
                             f"height {h.height} round {message.round}")]
        if block is None or block.hash != message.block_hash or block.height != h.height:
            return [Rejected(message.sender, "proposal block missing or not matching")]
        if message.round < h.round or message.round in h.accepted:
            return []
        problem = self._justify_proposal(message.round, block, packet.justification)
        if problem:
            return [Rejected(message.sender, problem)]
        invalid = self._invalid(block, now_ms)
        if invalid is not None:
            rule, detail = invalid
            return [Rejected(message.sender, f"invalid proposal: {rule}", detail)]
        actions: list[Action] = []
        if message.round > h.round:
            self._enter_round(message.round, now_ms)
        h.accepted[message.round] = block.hash
        actions += self._send(MessageKind.PREPARE, message.round, block.hash)
        return actions + self._check_prepared(message.round, block.hash)

    def _justify_proposal(self, round: int, block: Block,
                          justification: tuple[ConsensusMessage, ...]) -> str | None:
        if round == 0:
            return None
        changes = self._valid_distinct(justification, MessageKind.ROUND_CHANGE, round)
        if len(changes) < self._quorum():
            return "round-change proposal lacks a quorum of round changes"
        prepared = [m for m in changes.values() if m.prepared_round != NO_ROUND]
        if not prepared:
            return None
        highest = max(prepared, key=lambda m: m.prepared_round)
        if block.hash != highest.block_hash:
            return "proposal is not the highest prepared block"
        prepares = self._valid_distinct(justification, MessageKind.PREPARE,
                                        highest.prepared_round, highest.block_hash)
        if len(prepares) < self._quorum():
            return "highest prepared block lacks its prepared certificate"
        return None

    def _valid_distinct(self, messages: tuple[ConsensusMessage, ...], kind: MessageKind,
                        round: int, block_hash: Hash32 | None = None,
                        ) -> dict[Address, ConsensusMessage]:
        found: dict[Address, ConsensusMessage] = {}
        for m in messages:
            if (m.kind == kind and m.height == self.height and m.round == round
                    and (block_hash is None or m.block_hash == block_hash)
                    and self._authenticate(m) is None):
                found[m.sender] = m
        return found

    def _invalid(self, block: Block, now_ms: int) -> tuple[str, str] | None:
        """None if ``block`` is valid on this height's state, else (rule, message); the
        message only the first time (a retransmitted bad proposal is counted, not re-logged,
        and not validated again)."""
        h = self._h
        if block.hash in h.validated:
            return None
        if block.hash in h.invalid:
            return h.invalid[block.hash], ""
        try:
            h.validated[block.hash] = self._source.validate(h.state, block, now_ms)
        except (InvalidBlock, InvalidTransaction) as error:
            h.invalid[block.hash] = type(error).__name__
            return type(error).__name__, f"block {block.height} {block.hash[:16]}: {error}"
        h.blocks[block.hash] = block
        return None

    # --- prepare / commit -------------------------------------------------------------------

    def _on_prepare(self, packet: ConsensusPacket, now_ms: int) -> list[Action]:
        m = packet.message
        self._h.prepares.setdefault((m.round, m.block_hash), {})[m.sender] = m
        return self._check_prepared(m.round, m.block_hash)

    def _check_prepared(self, round: int, block_hash: Hash32) -> list[Action]:
        h = self._h
        votes = h.prepares.get((round, block_hash), {})
        if (round != h.round or h.accepted.get(round) != block_hash
                or len(votes) < self._quorum() or (MessageKind.COMMIT, round) in h.sent):
            return []
        h.prepared_round, h.prepared_hash = round, block_hash
        seal = self._signer.sign(commit_digest(block_hash))
        return self._send(MessageKind.COMMIT, round, block_hash, commit_seal=seal)

    def _on_commit(self, packet: ConsensusPacket, now_ms: int) -> list[Action]:
        m = packet.message
        authority = self._h.state.authority_by_address(m.sender)
        assert authority is not None
        if not verify_signature(authority.public_key, commit_digest(m.block_hash), m.commit_seal):
            return [Rejected(m.sender, "bad commit seal")]
        self._h.commits.setdefault((m.round, m.block_hash), {})[m.sender] = m
        return self._check_final(m.round, m.block_hash, now_ms)

    def _check_final(self, round: int, block_hash: Hash32, now_ms: int) -> list[Action]:
        h = self._h
        votes = h.commits.get((round, block_hash), {})
        if h.decided or len(votes) < self._quorum():
            return []
        since = h.quorum_since_ms.setdefault((round, block_hash), now_ms)
        everyone = len(votes) == len(h.state.authorities)
        if not everyone and now_ms < since + self._config.commit_grace_ms:
            return []
        block = h.blocks.get(block_hash)
        if block is None or self._invalid(block, now_ms) is not None:
            return [NeedBlock(h.height, block_hash)]
        h.decided = True
        seals = [AuthoritySignature(v.sender, v.commit_seal) for v in votes.values()]
        return [Decide(seal_block(block, seals), h.validated[block_hash], round)]

    # --- round change -----------------------------------------------------------------------

    def _change_round(self, round: int, now_ms: int) -> list[Action]:
        self._enter_round(round, now_ms)
        h = self._h
        prepared_block = h.blocks.get(h.prepared_hash) if h.prepared_round != NO_ROUND else None
        certificate: tuple[ConsensusMessage, ...] = ()
        if prepared_block is not None:
            certificate = tuple(h.prepares[(h.prepared_round, h.prepared_hash)].values())
        message = self._sign(MessageKind.ROUND_CHANGE, round, h.prepared_hash,
                             prepared_round=h.prepared_round)
        packet = ConsensusPacket(message, prepared_block, certificate)
        h.sent[(MessageKind.ROUND_CHANGE, round)] = packet
        h.seen[(message.sender, message.kind, round)] = message
        h.round_changes.setdefault(round, {})[message.sender] = packet
        return [Broadcast(packet), *self._maybe_propose_new_round(now_ms)]

    def _enter_round(self, round: int, now_ms: int) -> None:
        self._h.round = round
        self._h.round_started_ms = now_ms
        self._h.active = True

    def _on_round_change(self, packet: ConsensusPacket, now_ms: int) -> list[Action]:
        h, m = self._h, packet.message
        if m.round == 0:
            return [Rejected(m.sender, "round change to round 0")]
        if m.prepared_round != NO_ROUND:
            problem = self._check_certificate(packet)
            if problem:
                return [Rejected(m.sender, problem)]
            assert packet.block is not None
            h.blocks.setdefault(packet.block.hash, packet.block)
        h.round_changes.setdefault(m.round, {})[m.sender] = packet
        actions = self._follow_higher_rounds(now_ms)
        return actions + self._maybe_propose_new_round(now_ms)

    def _check_certificate(self, packet: ConsensusPacket) -> str | None:
        m, block = packet.message, packet.block
        if m.prepared_round >= m.round:
            return "prepared round not below the round change"
        if block is None or block.hash != m.block_hash or block.height != self.height:
            return "prepared block missing or not matching"
        prepares = self._valid_distinct(packet.justification, MessageKind.PREPARE,
                                        m.prepared_round, m.block_hash)
        if len(prepares) < self._quorum():
            return "prepared certificate lacks a quorum"
        self._h.prepares.setdefault((m.prepared_round, m.block_hash), {}).update(prepares)
        return None

    def _follow_higher_rounds(self, now_ms: int) -> list[Action]:
        """f+1 authorities are in higher rounds: jump to the lowest round they vouch for."""
        h = self._h
        highest_by_sender: dict[Address, int] = {}
        for round, changes in h.round_changes.items():
            if round > h.round:
                for sender in changes:
                    highest_by_sender[sender] = max(round, highest_by_sender.get(sender, 0))
        rounds = sorted(highest_by_sender.values(), reverse=True)
        if len(rounds) < self._weak_quorum():
            return []
        return self._change_round(rounds[self._weak_quorum() - 1], now_ms)

    def _maybe_propose_new_round(self, now_ms: int) -> list[Action]:
        h = self._h
        changes = h.round_changes.get(h.round, {})
        if (h.round == 0 or len(changes) < self._quorum()
                or self.proposer(h.height, h.round) != self._signer.address
                or (MessageKind.PROPOSAL, h.round) in h.sent):
            return []
        chosen = list(changes.values())[: self._quorum()]
        prepared = [p for p in chosen if p.message.prepared_round != NO_ROUND]
        justification = tuple(p.message for p in chosen)
        if prepared:
            best = max(prepared, key=lambda p: p.message.prepared_round)
            assert best.block is not None
            return self._propose(best.block, h.round, justification + best.justification, now_ms)
        block = self._source.build(h.state, h.round, now_ms, allow_empty=True)
        assert block is not None
        return self._propose(block, h.round, justification, now_ms)

    # --- sending ----------------------------------------------------------------------------

    def _sign(self, kind: MessageKind, round: int, block_hash: Hash32, *,
              prepared_round: int = NO_ROUND, commit_seal: bytes = b"") -> ConsensusMessage:
        unsigned = ConsensusMessage(kind, self.height, round, block_hash, prepared_round,
                                    commit_seal)
        return sign_message(unsigned, self._signer, self._h.state.genesis_hash)

    def _send(self, kind: MessageKind, round: int, block_hash: Hash32, *,
              commit_seal: bytes = b"") -> list[Action]:
        """Sign, remember for retransmission, count our own vote, broadcast."""
        if (kind, round) in self._h.sent:
            return []
        message = self._sign(kind, round, block_hash, commit_seal=commit_seal)
        packet = ConsensusPacket(message)
        self._h.sent[(kind, round)] = packet
        self._h.seen[(message.sender, kind, round)] = message
        tally = self._h.prepares if kind == MessageKind.PREPARE else self._h.commits
        tally.setdefault((round, block_hash), {})[message.sender] = message
        actions: list[Action] = [Broadcast(packet)]
        if kind == MessageKind.COMMIT:
            actions += self._check_final(round, block_hash, self._now_ms)
        return actions
