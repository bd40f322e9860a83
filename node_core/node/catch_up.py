"""Catching up with final blocks: how a node that is behind gets the blocks its peers have
made final, and applies them once.

* **A peer's heartbeat** (``Status``) shows a higher height: the node asks that peer for the
  final blocks it lacks (at most ``MAX_SYNC_BLOCKS`` at a time, again at most every
  :data:`SYNC_RETRY_MS`) — at once when two or more behind, after :data:`LAG_GRACE_MS` when
  one behind: a node one block behind is usually finishing that block's consensus.
* **A quorum committed a block this node has not validated** (the engine's ``NeedBlock``):
  the node asks one connected peer for it, another every :data:`FETCH_RETRY_MS` — unless it
  is completing that block's compact proposal, which is asked for only if that takes longer
  than :data:`COMPLETION_GRACE_MS`.
* **Final blocks arrive**: each one extending the tip has its signatures not verified here
  yet verified in the signature pool (one batch per block) and is applied — unless this node
  already validated that very block as a proposal (same hash: same header and transactions),
  whose state it then takes after checking the block's seals: a block is applied once.
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING, Final

from node_core.clock import now_ms
from node_core.consensus.messages import MAX_SYNC_BLOCKS, FinalBlocks, GetBlocks, Status
from node_core.ledger.blocks import Block
from node_core.ledger.exceptions import InvalidBlock, InvalidTransaction
from node_core.ledger.state import State
from node_core.ledger.transition import apply_block, validate_signatures
from node_core.ledger.types import Hash32

if TYPE_CHECKING:
    from node_core.node.authority_node import AuthorityNode

SYNC_RETRY_MS: Final = 2000
LAG_GRACE_MS: Final = 1000
FETCH_RETRY_MS: Final = 250
"""How often a node asks a peer again for a committed block it lacks."""
COMPLETION_GRACE_MS: Final = 1000


class CatchUp:
    """One node's catching up (see the module docstring)."""

    def __init__(self, node: AuthorityNode) -> None:
        self._node = node
        self._sync_requested_ms = 0
        self._lagging_since_ms: int | None = None
        self._fetches: dict[int, tuple[int, int]] = {}
        """height -> (last ask's time, asks so far)."""

    def on_status(self, sender: str, status: Status) -> None:
        node, now = self._node, now_ms()
        lag = status.height - node.state.height
        if lag <= 0:
            return
        if self._lagging_since_ms is None:
            self._lagging_since_ms = now
        due = lag > 1 or now - self._lagging_since_ms >= LAG_GRACE_MS
        if due and now - self._sync_requested_ms > SYNC_RETRY_MS:
            self._sync_requested_ms = now
            end = min(status.height, node.state.height + MAX_SYNC_BLOCKS)
            node.send(sender, GetBlocks(node.state.height + 1, end))

    def need_block(self, height: int, block_hash: Hash32) -> None:
        """A quorum committed ``block_hash`` at ``height``; this node lacks it (or could not
        validate it)."""
        node, now = self._node, now_ms()
        waiting = node.bodies.waiting_since(block_hash)
        if waiting is not None and now - waiting < COMPLETION_GRACE_MS:
            return
        last, asks = self._fetches.get(height, (0, 0))
        if now - last < FETCH_RETRY_MS:
            return
        self._fetches = {height: (now, asks + 1)}
        peers = node.network.connected()
        if peers:
            node.send(peers[asks % len(peers)], GetBlocks(height, height))
        else:
            node.broadcast(GetBlocks(height, height))

    def answer(self, sender: str, request: GetBlocks) -> None:
        node = self._node
        end = min(request.end, request.start + MAX_SYNC_BLOCKS - 1, node.state.height)
        blocks = tuple(node.store.blocks(request.start, end)) if request.start <= end else ()
        if blocks:
            node.send(sender, FinalBlocks(blocks))

    def advanced(self) -> None:
        """The node's tip moved: it is no longer behind as far as it knows."""
        self._lagging_since_ms = None

    async def apply(self, message: FinalBlocks) -> bool:
        """Apply the blocks of ``message`` that extend the tip, in order; True if any did."""
        node, applied = self._node, False
        for block in message.blocks:
            if block.height != node.state.height + 1:
                continue
            verified = await node.verdicts_for(block)
            if block.height != node.state.height + 1:
                continue  # decided by consensus meanwhile
            try:
                with node.stages.stage("apply"):
                    state = self._state_after(block, verified)
            except (InvalidBlock, InvalidTransaction) as error:
                node.rejections.record(type(error).__name__,
                                       f"final block {block.height} from a peer: {error}")
                break
            node.commit(block, state)
            applied = True
        if applied:
            self._sync_requested_ms = 0
        return applied

    def _state_after(self, block: Block, verified: Container[bytes]) -> State:
        node = self._node
        validated = node.engine.validated(block.hash)
        if validated is None:
            return apply_block(node.state, block, verified=verified)
        validate_signatures(node.state, block)
        return validated
