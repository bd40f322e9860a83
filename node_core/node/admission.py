"""Admitting transactions to the mempool: a client's submission or a peer's gossip.

Each transaction goes through four steps, each once:

1. **Decode** its signed encoding (the transaction keeps those bytes and is hashed from them).
2. **Check** every rule of the mempool but the signature (:meth:`Mempool.check`). A
   duplicate stops here, and so does a transaction the mempool has no room for — counting the
   places promised to transactions still being verified — with ``MempoolFull``, which tells
   the client to retry after the next block.
3. **Verify** the signatures of what is left, as one batch in the signature pool, off the
   loop.
4. **Add** them to the mempool with their verdicts; one that a block made stale meanwhile is
   refused there by its rule.

Steps 1, 2 and 4 run on the node's loop in slices of :data:`SLICE` transactions, yielding
between slices, so that a submission as large as a request may be (1 MiB, about 4,500
transactions) never holds the loop for more than a few milliseconds at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.state import State
from node_core.ledger.transactions import (
    Transaction,
    decode_transaction,
    hash_of_encoded,
    signature_error,
)
from node_core.ledger.types import Hash32
from node_core.node.mempool import Mempool
from node_core.node.signature_pool import SignaturePool
from node_core.node.stages import StageClock

SLICE: Final = 256
"""Transactions decoded and checked, or added, between two yields to the loop (about 3 ms)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one transaction's encoding."""

    hash: Hash32
    """The transaction's hash (of the bytes, if they do not decode)."""
    added: bool = False
    """It is newly held."""
    error: GridTokenXError | None = None
    """The rule it breaks; None if it is held (newly, or already)."""


class Admission:
    """The node's way into its mempool (see the module docstring)."""

    def __init__(self, mempool: Mempool, state: Callable[[], State],
                 signatures: SignaturePool, clock: StageClock) -> None:
        self._mempool, self._state = mempool, state
        self._signatures, self._clock = signatures, clock
        self.reserved = 0
        """Places in the mempool promised to transactions being verified."""
        self._under_way: set[asyncio.Task[list[Outcome]]] = set()

    async def admit(self, encoded: Sequence[bytes]) -> tuple[list[Outcome], list[Transaction]]:
        """The outcome of each encoding, in order, and the transactions newly held."""
        outcomes: dict[int, Outcome] = {}
        candidates: list[tuple[int, Transaction]] = []
        for start in range(0, len(encoded), SLICE):
            if start:
                await asyncio.sleep(0)
            with self._clock.stage("admission"):
                for index in range(start, min(start + SLICE, len(encoded))):
                    self._check(encoded[index], index, outcomes, candidates)
        added: list[Transaction] = []
        if candidates:
            task = asyncio.create_task(self._verify_and_add(candidates))
            self._under_way.add(task)
            task.add_done_callback(self._under_way.discard)
            for (index, tx), outcome in zip(candidates, await asyncio.shield(task),
                                            strict=True):
                outcomes[index] = outcome
                if outcome.added:
                    added.append(tx)
        return [outcomes[index] for index in range(len(encoded))], added

    async def settled(self) -> None:
        """Return once the transactions being verified now are in the mempool (or refused);
        admissions that start meanwhile are not waited for."""
        if self._under_way:
            await asyncio.wait(set(self._under_way))

    def close(self) -> None:
        for task in self._under_way:
            task.cancel()

    def _check(self, data: bytes, index: int, outcomes: dict[int, Outcome],
               candidates: list[tuple[int, Transaction]]) -> None:
        """Decode and check; a transaction left to verify becomes a candidate."""
        try:
            tx = decode_transaction(data)
        except GridTokenXError as error:
            outcomes[index] = Outcome(hash_of_encoded(data), error=error)
            return
        try:
            if not self._mempool.check(tx, self._state(), reserved=self.reserved):
                outcomes[index] = Outcome(tx.hash)
                return
        except GridTokenXError as error:
            outcomes[index] = Outcome(tx.hash, error=error)
            return
        self.reserved += 1
        candidates.append((index, tx))

    async def _verify_and_add(self, candidates: list[tuple[int, Transaction]]) -> list[Outcome]:
        try:
            verdicts = await self._signatures.verify(
                [(tx.sender_public_key, tx.digest, tx.signature) for _, tx in candidates])
        finally:
            self.reserved -= len(candidates)
        outcomes: list[Outcome] = []
        for start in range(0, len(candidates), SLICE):
            if start:
                await asyncio.sleep(0)
            with self._clock.stage("admission"):
                outcomes += [self._add(tx, valid)
                             for (_, tx), valid in zip(candidates[start:start + SLICE],
                                                       verdicts[start:start + SLICE],
                                                       strict=True)]
        return outcomes

    def _add(self, tx: Transaction, signature_valid: bool) -> Outcome:
        if not signature_valid:
            return Outcome(tx.hash, error=signature_error(tx))
        try:
            return Outcome(tx.hash, added=self._mempool.add(tx, self._state(), verified=True))
        except GridTokenXError as error:
            return Outcome(tx.hash, error=error)
