"""The binary submission path as a bulk client sees it, against a node's real endpoint in this
process: transactions as their canonical bytes after the request line, counts back and only
the refusals (by index and rule), "retry after" from a full mempool, and the endpoint's
bounds — a body over the request limit is refused before it is read, a body that is not a
sequence of transactions is a bad request and the connection goes on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from node_core.api.wire import MAX_REQUEST_BYTES, ClientError, encode_submission, line
from node_core.ledger.exceptions import MempoolFull
from tests.helpers import chain as chains
from tests.helpers.node import NodeHarness


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[NodeHarness]:
    harness = NodeHarness(tmp_path, chains.make_chain(), node="mempool_size = 4")
    yield harness
    harness.close()


def test_bytes_in_counts_back_and_only_the_refused_by_index_and_rule(harness) -> None:
    chain = harness.chain
    good = [chain.transfer(0, 1, 500), chain.trade(2, 3, energy_wh=1_000)]
    forged = replace(chain.transfer(1, 2, 5), signature=good[0].signature)
    used = chain.transfer(0, 1, 500, nonce=0)

    async def scenario():  # type: ignore[no-untyped-def]
        async with harness.serving() as client:
            return await client.submit_binary(
                [good[0].encoded, forged.encoded, good[1].encoded, b"\x01\x02", used.encoded])

    answer = harness.run(scenario())
    assert (answer["accepted"], answer["duplicates"], answer["retry_after_ms"]) == (2, 1, None)
    assert [(r["index"], r["error"].split(":")[0]) for r in answer["refused"]] == [
        (1, "BadTransactionSignature"), (3, "DecodeError")]
    assert all(tx in harness.node.mempool for tx in good)


def test_a_full_mempool_answers_retry_after_a_block(harness) -> None:
    chain = harness.chain
    txs = [chain.transfer(0, 1, 10 + i, nonce=i) for i in range(6)]

    async def scenario():  # type: ignore[no-untyped-def]
        async with harness.serving() as client:
            return await client.submit_binary([tx.encoded for tx in txs])

    answer = harness.run(scenario())
    assert answer["accepted"] == 4
    assert {r["index"] for r in answer["refused"]} == {4, 5}
    assert all(r["error"].startswith(MempoolFull.__name__) for r in answer["refused"])
    assert answer["retry_after_ms"] == chain.state.parameters.block_interval_ms


def test_a_body_over_the_limit_is_refused_unread_and_the_connection_closed(harness) -> None:
    async def scenario() -> tuple[dict, bytes]:  # type: ignore[type-arg]
        async with harness.serving() as client:
            reader, writer = await asyncio.open_connection(client.address.host,
                                                           client.address.port)
            cookie = client.address.cookie_file.read_text()
            writer.write(line({"cookie": cookie}))
            await reader.readline()
            writer.write(line({"id": 1, "method": "submit_binary",
                               "params": {"length": MAX_REQUEST_BYTES + 1}}))
            answer = json.loads(await reader.readline())
            rest = await asyncio.wait_for(reader.read(), 5)
            writer.close()
            return answer, rest

    answer, rest = harness.run(scenario())
    assert answer["error"]["type"] == "RequestTooLarge"
    assert f"at most {MAX_REQUEST_BYTES} bytes" in answer["error"]["message"]
    assert rest == b""  # closed


def test_a_body_that_is_not_transactions_is_a_bad_request_and_the_connection_goes_on(
        harness) -> None:
    tx = harness.chain.transfer(0, 1, 500)

    async def scenario() -> tuple[str, dict]:  # type: ignore[type-arg]
        async with harness.serving() as client:
            body = encode_submission([tx.encoded])[:-3]
            with pytest.raises(ClientError) as refused:
                await client._send("submit_binary", {"length": len(body)}, None, 5, body=body)
            return refused.value.type, await client.submit_binary([tx.encoded])

    rule, answer = harness.run(scenario())
    assert rule == "BadRequest"
    assert answer["accepted"] == 1
