"""Transaction signatures verified in worker processes: off the node's event loop, on every core.

A transaction's signature is most of what it costs an authority (one ECDSA P-256 verification
per transaction and node, about 50 µs on one core). The node hands them over in batches — a
client's submission, a peer's gossip, the missing transactions of a proposal, a block to
catch up on — and awaits the verdicts while its loop goes on serving peers and clients. A
batch is split over the workers, so a large one uses every core.

Workers: one per core the node may run on, unless configured (``[node] verify_workers``),
started with the node (:meth:`SignaturePool.start`). Each is ``main.py verify-signatures``, a
fresh interpreter that loads this module only and inherits none of the node's sockets, store
or token. The node talks to it over its standard input and output, through the loop's own
non-blocking pipes — no helper thread, no pickling::

    request   u32 count || count x (public_key 65 || digest 32 || signature 64)
    answer    u32 count || count x u8 verdict (1: verifies) || u64 CPU nanoseconds spent

A worker ends when its input ends: when the pool closes (the node's stop) and, should the node
die without stopping (SIGKILL), when the kernel closes the node's end of the pipe — so no
worker outlives its node.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import struct
import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Final

from node_core.ledger.keys import DIGEST_SIZE, PUBLIC_KEY_SIZE, SIGNATURE_SIZE, verify_signature

SignatureCheck = tuple[bytes, bytes, bytes]
"""(65-byte public key, 32-byte digest, 64-byte signature)."""

WORKER_COMMAND: Final = "verify-signatures"
"""``main.py``'s hidden command that runs a worker (:func:`serve`; dispatched by ``main.py``
itself)."""
MIN_BATCH: Final = 64
"""Fewer checks than this are not split over workers (a round trip costs more)."""
STOP_S: Final = 5.0
"""How long a closing pool waits for a worker to end before killing it."""
_CHECK: Final = PUBLIC_KEY_SIZE + DIGEST_SIZE + SIGNATURE_SIZE
_COUNT: Final = struct.Struct(">I")
_NANOSECONDS: Final = struct.Struct(">Q")


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


@dataclass
class _Worker:
    process: asyncio.subprocess.Process
    waiting: deque[asyncio.Future[bytes]] = field(default_factory=deque)
    """Answers owed, in the order asked."""
    reader: asyncio.Task[None] | None = None


class SignaturePool:
    """Verifies signature checks in ``workers`` processes (see the module docstring)."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a signature pool needs at least one worker, not {workers}")
        self.workers = workers
        self._running: list[_Worker] = []
        self._starting: asyncio.Lock | None = None
        self.seconds = 0.0
        """CPU seconds the workers spent verifying (the node's ``verify`` stage)."""
        self.verified = 0
        """Signatures checked."""

    async def start(self) -> None:
        """Start the workers and wait until each answers (each takes a few hundred
        milliseconds to load); ``verify`` does it too if needed."""
        self._starting = self._starting or asyncio.Lock()
        async with self._starting:
            spawned = [await self._spawn() for _ in range(self.workers - len(self._running))]
            await asyncio.gather(*(self._ask(worker, ()) for worker in spawned))
            self._running += spawned

    async def verify(self, checks: Sequence[SignatureCheck]) -> list[bool]:
        """One verdict per check, in order."""
        if not checks:
            return []
        await self.start()
        size = max(MIN_BATCH, -(-len(checks) // self.workers))
        batches = [checks[i:i + size] for i in range(0, len(checks), size)]
        answers = await asyncio.gather(*(self._ask(self._least_busy(), batch)
                                         for batch in batches))
        self.verified += len(checks)
        return [verdict == 1 for answer in answers for verdict in answer]

    async def close(self) -> None:
        """End the workers (their input closes; one that lingers is killed); the pool starts
        anew if used again."""
        running, self._running = self._running, []
        for worker in running:
            assert worker.process.stdin is not None
            worker.process.stdin.close()
        for worker in running:
            try:
                await asyncio.wait_for(worker.process.wait(), STOP_S)
            except TimeoutError:
                worker.process.kill()
                await worker.process.wait()
            if worker.reader is not None:
                worker.reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker.reader

    async def _spawn(self) -> _Worker:
        from node_core.node.process import main_command  # not in the workers: they load this

        process = await asyncio.create_subprocess_exec(
            *main_command(WORKER_COMMAND), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, limit=1 << 20)
        worker = _Worker(process)
        worker.reader = asyncio.create_task(self._answers(worker))
        return worker

    def _least_busy(self) -> _Worker:
        return min(self._running, key=lambda worker: len(worker.waiting))

    async def _ask(self, worker: _Worker, checks: Sequence[SignatureCheck]) -> bytes:
        answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        worker.waiting.append(answer)
        stdin = worker.process.stdin
        assert stdin is not None
        stdin.write(_COUNT.pack(len(checks)) + b"".join(
            key + digest + signature for key, digest, signature in checks))
        await stdin.drain()
        return await answer

    async def _answers(self, worker: _Worker) -> None:
        """Read the worker's answers, in order, for as long as it runs."""
        stdout = worker.process.stdout
        assert stdout is not None
        try:
            while True:
                count = _COUNT.unpack(await stdout.readexactly(_COUNT.size))[0]
                verdicts = await stdout.readexactly(count)
                nanoseconds = _NANOSECONDS.unpack(await stdout.readexactly(_NANOSECONDS.size))
                self.seconds += nanoseconds[0] / 1e9
                worker.waiting.popleft().set_result(verdicts)
        except (asyncio.IncompleteReadError, ConnectionError):
            lost = ConnectionError(f"signature worker {worker.process.pid} ended")
            while worker.waiting:
                worker.waiting.popleft().set_exception(lost)


# --- the worker -----------------------------------------------------------------------------


def serve(source: BinaryIO | None = None, sink: BinaryIO | None = None) -> int:
    """(In a worker.) Answer requests from ``source`` (standard input) on ``sink`` (standard
    output) until the input ends."""
    source = source or sys.stdin.buffer
    sink = sink or sys.stdout.buffer
    while header := source.read(_COUNT.size):
        count = _COUNT.unpack(header)[0]
        data = source.read(count * _CHECK)
        started = time.process_time_ns()
        verdicts = bytes(verify_signature(data[at:at + PUBLIC_KEY_SIZE],
                                          data[at + PUBLIC_KEY_SIZE:at + PUBLIC_KEY_SIZE
                                               + DIGEST_SIZE],
                                          data[at + PUBLIC_KEY_SIZE + DIGEST_SIZE:at + _CHECK])
                         for at in range(0, len(data), _CHECK))
        spent = time.process_time_ns() - started
        sink.write(_COUNT.pack(count) + verdicts + _NANOSECONDS.pack(spent))
        sink.flush()
    return 0
