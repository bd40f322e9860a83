"""A TCP proxy that mistreats u32-length-prefixed frames, to test the peer network's
replay window and the application's resend logic.

Each direction of each connection passes its first ``clean_frames`` frames untouched (the
handshake: Hello and Auth). After that, a ``fault_rate`` share of frames suffers one fault,
chosen uniformly:

* ``drop``       the frame is never forwarded;
* ``duplicate``  the frame is forwarded twice;
* ``delay``      the frame is held 50–500 ms while later frames pass (reorder by delay);
* ``swap``       the frame is held and forwarded right after the next one (reorder); if no
                 next frame comes within 500 ms it is forwarded alone.

Faults are counted in ``faults`` (plus ``passed`` for untouched frames).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import struct
from collections import Counter
from types import TracebackType

FAULTS = ("drop", "duplicate", "delay", "swap")
_LENGTH = struct.Struct(">I")
_SWAP_TIMEOUT_S = 0.5


class FaultyProxy:
    """Forwards ``listen_port`` (0 = any free port, see ``port``) to the target."""

    def __init__(self, listen_port: int, target_host: str, target_port: int,
                 fault_rate: float = 0.2, seed: int = 0, clean_frames: int = 2) -> None:
        self.listen_port = listen_port
        self.target = (target_host, target_port)
        self.fault_rate = fault_rate
        self.clean_frames = clean_frames
        self.faults: Counter[str] = Counter()
        self._seed = seed
        self._connections = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        if self._server is None:
            return self.listen_port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.listen_port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for timer in self._timers:
            timer.cancel()
        for writer in self._writers:
            writer.transport.abort()
        while self._tasks:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.difference_update(tasks)

    async def __aenter__(self) -> FaultyProxy:
        await self.start()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.stop()

    async def _accept(self, client_reader: asyncio.StreamReader,
                      client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._writers.add(client_writer)
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._writers.add(server_writer)
        self._connections += 1
        base = self._seed * 1000 + self._connections * 2
        pumps = [
            asyncio.ensure_future(self._pump(client_reader, server_writer, base)),
            asyncio.ensure_future(self._pump(server_reader, client_writer, base + 1)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            client_writer.transport.abort()
            server_writer.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    seed: int) -> None:
        rng = random.Random(seed)
        held: list[bytes] = []
        count = 0
        with contextlib.suppress(asyncio.IncompleteReadError, OSError):
            while True:
                header = await reader.readexactly(_LENGTH.size)
                data = header + await reader.readexactly(_LENGTH.unpack(header)[0])
                count += 1
                if count <= self.clean_frames or rng.random() >= self.fault_rate:
                    self.faults["passed"] += 1
                    self._forward(writer, data, held)
                    continue
                fault = rng.choice(FAULTS)
                self.faults[fault] += 1
                self._apply(fault, writer, data, held, rng)

    def _apply(self, fault: str, writer: asyncio.StreamWriter, data: bytes,
               held: list[bytes], rng: random.Random) -> None:
        if fault == "duplicate":
            self._forward(writer, data + data, held)
        elif fault == "delay":
            self._later(rng.uniform(0.05, 0.5), writer, data)
        elif fault == "swap":
            self._forward(writer, b"", held)
            held.append(data)
            self._later(_SWAP_TIMEOUT_S, writer, b"", held)

    def _forward(self, writer: asyncio.StreamWriter, data: bytes, held: list[bytes]) -> None:
        """Write ``data``, then any frame held back for a swap."""
        out = data + b"".join(held)
        held.clear()
        if out and not writer.is_closing():
            writer.write(out)

    def _later(self, delay_s: float, writer: asyncio.StreamWriter, data: bytes,
               held: list[bytes] | None = None) -> None:
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.discard(timer)
            self._forward(writer, data, held if held is not None else [])

        timer = loop.call_later(delay_s, fire)
        self._timers.add(timer)
