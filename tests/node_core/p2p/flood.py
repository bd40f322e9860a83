"""A connection flood against a peer port, run as its own process (an attacker on the same
machine, as in issue 16's probe)::

    python -m tests.node_core.p2p.flood HOST PORT --connections 200 --mode idle

It keeps ``--connections`` connections open and reopens each one the node closes at once,
so the node sees the flood for as long as it runs. Modes (what each connection sends):

* ``idle``       nothing;
* ``slowloris``  a frame announcing 500 bytes, then one byte every ``--interval`` seconds;
* ``oversized``  a length prefix of 4 GiB - 1 and 64 KiB behind it;
* ``stuffed``    the largest handshake frame a node reads (512 bytes), short of one byte.

Prints ``ready`` once every connection has been opened, and on SIGTERM one JSON line:
``{"opened": connections opened, "closed_by_node": connections the node closed}``.
Tests run it with :func:`flooding`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from node_core.p2p.framing import frame
from node_core.p2p.handshake import MAX_HANDSHAKE_FRAME

REPO = Path(__file__).resolve().parents[3]
READY_TIMEOUT_S = 20.0

Conduct = Callable[[asyncio.StreamWriter, argparse.Namespace], Awaitable[None]]


async def _idle(_writer: asyncio.StreamWriter, _args: argparse.Namespace) -> None:
    await asyncio.Event().wait()


async def _slowloris(writer: asyncio.StreamWriter, args: argparse.Namespace) -> None:
    writer.write((500).to_bytes(4, "big"))
    while True:
        await asyncio.sleep(args.interval)
        writer.write(b"x")


async def _oversized(writer: asyncio.StreamWriter, _args: argparse.Namespace) -> None:
    writer.write(b"\xff\xff\xff\xff" + os.urandom(64 * 1024))
    await _idle(writer, _args)


async def _stuffed(writer: asyncio.StreamWriter, _args: argparse.Namespace) -> None:
    writer.write(frame(os.urandom(MAX_HANDSHAKE_FRAME))[:-1])
    await _idle(writer, _args)


CONDUCTS: dict[str, Conduct] = {"idle": _idle, "slowloris": _slowloris,
                                "oversized": _oversized, "stuffed": _stuffed}


async def _until_closed(reader: asyncio.StreamReader) -> None:
    with contextlib.suppress(OSError):
        while await reader.read(65536):
            pass


async def _hold_one(args: argparse.Namespace, counts: Counter[str], opened: asyncio.Event
                    ) -> None:
    """One connection slot: open, misbehave, and reopen as soon as the node closes it."""
    while True:
        try:
            reader, writer = await asyncio.open_connection(args.host, args.port)
        except OSError:
            await asyncio.sleep(0.01)
            continue
        counts["opened"] += 1
        if counts["opened"] >= args.connections:
            opened.set()
        conduct = asyncio.ensure_future(CONDUCTS[args.mode](writer, args))
        await _until_closed(reader)
        conduct.cancel()
        await asyncio.gather(conduct, return_exceptions=True)
        writer.transport.abort()
        counts["closed_by_node"] += 1


async def _flood(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    counts: Counter[str] = Counter()
    opened = asyncio.Event()
    slots = [asyncio.ensure_future(_hold_one(args, counts, opened))
             for _ in range(args.connections)]
    await opened.wait()
    print("ready", flush=True)
    await stop.wait()
    for slot in slots:
        slot.cancel()
    await asyncio.gather(*slots, return_exceptions=True)
    print(json.dumps(dict(counts)), flush=True)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flood", description=__doc__.split("\n\n")[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--mode", choices=sorted(CONDUCTS), default="idle")
    parser.add_argument("--interval", type=float, default=1.0)
    return parser.parse_args(argv)


@contextlib.asynccontextmanager
async def flooding(host: str, port: int, *options: str) -> AsyncIterator[Counter[str]]:
    """The flood (``options`` as on its command line) against ``host:port`` while the block
    runs; the counter it yields is filled with the flood's counts when it has stopped."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", __name__, host, str(port), *options,
        cwd=REPO, stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    counts: Counter[str] = Counter()
    try:
        ready = await asyncio.wait_for(process.stdout.readline(), READY_TIMEOUT_S)
        assert ready == b"ready\n", "the flood did not start"
        yield counts
    finally:
        await _stop(process, counts)


async def _stop(process: asyncio.subprocess.Process, counts: Counter[str]) -> None:
    if process.returncode is None:
        process.terminate()
    try:
        out, _ = await asyncio.wait_for(process.communicate(), READY_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    counts.update(json.loads(out.splitlines()[-1]) if out.strip() else {})


if __name__ == "__main__":
    asyncio.run(_flood(_arguments(sys.argv[1:])))
