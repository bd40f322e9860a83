"""Re-check a whole stored chain from genesis: links, hashes, merkle roots, signatures,
quorum, and state roots by replay; finally the Accounts and StateParts tables against the
replayed state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from node_core.ledger.exceptions import StoreCorrupted
from node_core.ledger.state import State, governed_parts, initial_state
from node_core.ledger.transition import apply_block, check_block_hash
from node_core.ledger.types import Hash32
from node_core.node.store import BlockStore

Progress = Callable[[int, int], None]
"""Called as ``progress(height_done, height_total)``."""


@dataclass(frozen=True, slots=True)
class VerifiedChain:
    height: int
    tip: Hash32
    state: State


def verify_chain(store: BlockStore, *, progress: Progress | None = None) -> VerifiedChain:
    """Replay every stored block. Raises the InvalidBlock/InvalidTransaction rule broken by
    the first bad block, or StoreCorrupted for a column that does not decode or an account
    row that disagrees with the replay."""
    state = initial_state(store.genesis)
    total = store.height()
    for block, stored_hash in store.rows():
        check_block_hash(block, stored_hash)
        state = apply_block(state, block)
        if progress is not None:
            progress(block.height, total)
    _check_accounts(store, state)
    return VerifiedChain(state.height, state.tip_hash, state)


def _check_accounts(store: BlockStore, state: State) -> None:
    stored = store.stored_accounts()
    for address in sorted(set(stored) | set(state.accounts)):
        if stored.get(address) != state.accounts.get(address):
            raise StoreCorrupted(f"Accounts row {address} does not match the replayed chain")
    stored_parts, parts = store.stored_parts(), governed_parts(state)
    for name in sorted(set(stored_parts) | set(parts)):
        if stored_parts.get(name) != parts.get(name):
            raise StoreCorrupted(f"StateParts row {name} does not match the replayed chain")
