"""Where a node's time goes, by stage of a transaction's way to a final block.

The stages, as ``python -m tests.perf consensus`` prints them:

* ``admission`` — decoding submitted and gossiped transactions, the mempool's checks,
  inserting them (:mod:`node_core.node.admission`);
* ``verify`` — their signatures, in the signature pool's workers (CPU seconds there, off the
  loop: :mod:`node_core.node.signature_pool`);
* ``propose`` — choosing transactions and building a block, as proposer;
* ``prepare/commit`` — consensus messages: checking, tallying, signing;
* ``apply`` — validating a peer's block (its state transition), completing compact blocks,
  catching up;
* ``store`` — committing a final block: the store's transaction, the mempool, the events.

Loop stages are counted in the loop thread's CPU seconds (not wall time: on a busy machine a
stage would otherwise be charged for the time other processes ran). Everything else the
node's process does (the peer and client transports, JSON, the event loop itself) is its CPU
time less the loop's stages. Timing costs two clock reads per block, batch or message, never
per transaction, so it is always on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

STAGES: Final = ("admission", "verify", "propose", "prepare/commit", "apply", "store")
LOOP_STAGES: Final = tuple(stage for stage in STAGES if stage != "verify")
"""The stages timed on the node's loop (``verify`` is the signature pool's)."""


class StageClock:
    """CPU seconds spent in each loop stage. Stages nest: an inner one pauses the outer, so
    each second is counted once, in the innermost stage."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(LOOP_STAGES, 0.0)
        self._open: list[str] = []
        self._since = 0.0

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Count the time of the ``with`` body as ``name`` (a body that does not await)."""
        self._switch()
        self._open.append(name)
        try:
            yield
        finally:
            self._switch()
            self._open.pop()

    def _switch(self) -> None:
        now = time.thread_time()
        if self._open:
            self.seconds[self._open[-1]] += now - self._since
        self._since = now
