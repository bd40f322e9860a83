"""NodeClient.close against a loopback endpoint that only takes the cookie: closing does not
swallow a cancellation of the task that closes it (a console link cancelled while it drops a
lost connection must end, not reconnect and wait for ever)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from node_core.api.client import NodeAddress, NodeClient
from node_core.api.wire import line, write_cookie


async def _take_the_cookie(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readline()
    writer.write(line({"authenticated": True}))
    await writer.drain()
    await reader.read()  # until the client goes
    writer.close()


def test_closing_passes_a_cancellation_on(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = await asyncio.start_server(_take_the_cookie, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        cookie = tmp_path / "node.cookie"
        write_cookie(cookie)
        try:
            client = await NodeClient.connect(NodeAddress("127.0.0.1", port, cookie))
            closing = asyncio.create_task(client.close())
            await asyncio.sleep(0)  # closing waits for its receiver to end
            closing.cancel()
            with pytest.raises(asyncio.CancelledError):
                await closing
            await client.close()  # closing again finishes the job, and ends the server's side
        finally:
            server.close()
            await server.wait_closed()

    asyncio.run(scenario())
