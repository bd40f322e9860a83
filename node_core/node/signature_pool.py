"""Transaction signatures verified in a process pool: off the node's event loop, on every core.

A transaction's signature is most of what it costs an authority (one ECDSA P-256 verification
per transaction and node, about 50 µs on one core). The node hands them over in batches — a
client's submission, a peer's gossip, the missing transactions of a proposal, a block to
catch up on — and awaits the verdicts while its loop goes on serving peers and clients. A
batch is split over the workers, so a large one uses every core.

Workers: one per core this process may run on, unless configured (``[node]
verify_workers``). Each is a fresh interpreter (multiprocessing's ``spawn``: it inherits
none of the node's sockets, store or token), started by :meth:`SignaturePool.start` (the
node's start) or else when the first batch comes; they end
with the pool, at :meth:`SignaturePool.close` (the node's stop), or — should the node die
without stopping (SIGKILL) — with the node itself (Linux's parent-death signal), so no worker
outlives its node. (A fork server would be cheaper to start from, but its workers keep each
other alive when the node is killed.)
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Final

from node_core.ledger.keys import verify_signature

SignatureCheck = tuple[bytes, bytes, bytes]
"""(65-byte public key, 32-byte digest, 64-byte signature)."""

MIN_BATCH: Final = 64
"""Fewer checks than this are not split over workers (a round trip costs more)."""
_PR_SET_PDEATHSIG: Final = 1


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


class SignaturePool:
    """Verifies signature checks in ``workers`` processes (see the module docstring)."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a signature pool needs at least one worker, not {workers}")
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self.seconds = 0.0
        """CPU seconds the workers spent verifying (the node's ``verify`` stage)."""
        self.verified = 0
        """Signatures checked."""

    async def start(self) -> None:
        """Start every worker now (each takes a few hundred milliseconds to start), so the
        first batches do not wait for them."""
        loop, executor = asyncio.get_running_loop(), self._started()
        await asyncio.gather(*(loop.run_in_executor(executor, verify_batch, [])
                               for _ in range(self.workers)))

    async def verify(self, checks: Sequence[SignatureCheck]) -> list[bool]:
        """One verdict per check, in order."""
        if not checks:
            return []
        loop = asyncio.get_running_loop()
        executor = self._started()
        size = max(MIN_BATCH, -(-len(checks) // self.workers))
        batches = [list(checks[i:i + size]) for i in range(0, len(checks), size)]
        results = await asyncio.gather(*(loop.run_in_executor(executor, verify_batch, batch)
                                         for batch in batches))
        verdicts: list[bool] = []
        for flags, seconds in results:
            verdicts.extend(flag == 1 for flag in flags)
            self.seconds += seconds
        self.verified += len(checks)
        return verdicts

    def close(self) -> None:
        """Stop the workers (pending batches are cancelled); the pool starts anew if used
        again."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _started(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context,
                                                 initializer=die_with_parent)
        return self._executor


def verify_batch(checks: list[SignatureCheck]) -> tuple[bytes, float]:
    """(In a worker.) One byte per check, 1 if the signature verifies, and the CPU seconds
    it took."""
    started = time.process_time()
    flags = bytes(verify_signature(key, digest, signature) for key, digest, signature in checks)
    return flags, time.process_time() - started


def die_with_parent() -> None:
    """(In a worker, first.) Be killed when the parent process dies, and leave SIGINT (a
    terminal's Ctrl-C) to the node, which closes the pool itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        if os.getppid() == 1:  # the parent died before the signal was asked for
            os.kill(os.getpid(), signal.SIGKILL)
