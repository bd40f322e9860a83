"""The Spanner block sink against the real Spanner emulator (one per session, started here).

Each test gets its own database, created with ``spanner_schema()``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from google.api_core.exceptions import ServiceUnavailable

from node_core.cloud.emulators import SpannerEmulator, spanner_emulator_missing
from node_core.cloud.spanner_sink import (
    BlockSink,
    ConflictingBlock,
    SinkRetry,
    SpannerSinkError,
    WriteOutcome,
    create_instance_and_database,
    read_account,
    read_block,
    seal_bytes,
    spanner_client,
    spanner_schema,
)
from node_core.ledger.blocks import decode_transactions
from node_core.node.store import touched_addresses
from tests.helpers import chain as test_chain
from tests.helpers.chain import make_chain
from tests.helpers.logs import expect_logged
from tests.node_core.cloud.emulated import SPANNER_INSTANCE as INSTANCE
from tests.node_core.cloud.emulated import SPANNER_PROJECT as PROJECT
from tests.node_core.cloud.emulated import new_database_id


def chain_of(blocks: int) -> test_chain.TestChain:
    chain = make_chain()
    for i in range(blocks):
        chain.extend([chain.transfer(0, 1, 1_000 + i), chain.trade(2, 3, 1_500 + i)])
    return chain


def test_schema_is_the_design_plus_state_root_and_proposer() -> None:
    blocks, index, accounts = spanner_schema()
    assert "authority_signatures ARRAY<BYTES(MAX)> NOT NULL" in blocks
    assert "total_energy FLOAT64 NOT NULL" in blocks and "timestamp TIMESTAMP NOT NULL" in blocks
    assert "state_root STRING(64)" in blocks and "proposer STRING(42)" in blocks
    assert blocks.endswith("PRIMARY KEY (height)") and "UNIQUE INDEX" in index
    assert "energy_credits FLOAT64 NOT NULL" in accounts
    assert accounts.endswith("PRIMARY KEY (address)")


def test_blocks_and_accounts_are_written_and_read_back(database: Any) -> None:
    chain = chain_of(3)
    sink = BlockSink(database)
    states = _states_after(chain)
    outcomes = [sink.write_block(block, state) for block, state in zip(chain.blocks, states,
                                                                        strict=True)]
    assert outcomes == [WriteOutcome.WRITTEN] * 3

    for block in chain.blocks:
        stored = read_block(database, block.height)
        assert stored is not None
        h = block.header
        assert (stored.hash, stored.previous_hash, stored.merkle_root, stored.state_root,
                stored.grid_state_hash, stored.proposer) == (
            h.hash, h.previous_hash, h.merkle_root, h.state_root, h.grid_state_hash, h.proposer)
        assert stored.timestamp == datetime.fromtimestamp(h.timestamp / 1000, UTC)
        assert stored.total_energy_kwh == h.total_energy / 1000 > 0
        assert decode_transactions(stored.transactions_data) == block.transactions
        assert stored.authority_signatures == tuple(
            seal_bytes(s) for s in block.authority_signatures)

    last = chain.blocks[-1]
    for address in touched_addresses(last):
        account = chain.state.account(address)
        row = read_account(database, address)
        assert row is not None
        assert (row.balance, row.nonce) == (account.balance, account.nonce)
        assert row.energy_credits_kwh == account.energy_credits / 1000
        assert row.last_updated == datetime.fromtimestamp(last.header.timestamp / 1000, UTC)


def test_resending_a_stored_block_is_a_no_op(database: Any) -> None:
    chain = chain_of(1)
    sink = BlockSink(database)
    block = chain.blocks[0]
    assert sink.write_block(block, chain.state) is WriteOutcome.WRITTEN
    before = read_account(database, chain.prosumers[0].address)
    assert sink.write_block(block, chain.state) is WriteOutcome.ALREADY_STORED
    assert read_account(database, chain.prosumers[0].address) == before


def test_a_different_block_at_a_stored_height_is_a_conflict(database: Any) -> None:
    chain = chain_of(1)
    sink = BlockSink(database)
    sink.write_block(chain.blocks[0], chain.state)
    fork = make_chain()
    rival = fork.extend([fork.transfer(1, 0, 77)])
    assert rival.height == 1 and rival.hash != chain.blocks[0].hash
    with pytest.raises(ConflictingBlock) as raised:
        sink.write_block(rival, fork.state)
    assert (raised.value.height, raised.value.stored_hash, raised.value.offered_hash) == (
        1, chain.blocks[0].hash, rival.hash)
    stored = read_block(database, 1)
    assert stored is not None and stored.hash == chain.blocks[0].hash
    recipient = read_account(database, chain.prosumers[1].address)  # untouched by the rival
    assert recipient is not None
    assert recipient.balance == chain.state.account(chain.prosumers[1].address).balance


def test_an_older_block_does_not_move_an_account_back(database: Any) -> None:
    chain = chain_of(2)
    sink = BlockSink(database)
    states = _states_after(chain)
    sink.write_block(chain.blocks[1], states[1])
    sink.write_block(chain.blocks[0], states[0])  # backfill
    sender = chain.prosumers[0].address
    row = read_account(database, sender)
    assert row is not None and row.nonce == states[1].account(sender).nonce == 2


def test_offer_writes_in_the_background_and_reports_conflicts(
        database: Any, caplog: pytest.LogCaptureFixture) -> None:
    chain = chain_of(3)
    fork = make_chain()
    rival = fork.extend([fork.transfer(1, 0, 5)])
    conflicts: list[ConflictingBlock] = []

    async def main() -> BlockSink:
        sink = BlockSink(database, on_conflict=conflicts.append)
        sink.start()
        for block, state in zip(chain.blocks, _states_after(chain), strict=True):
            assert sink.offer(block, state)
        assert sink.offer(chain.blocks[0], chain.state)  # re-sent
        assert sink.offer(rival, fork.state)
        await sink.join()
        await sink.aclose()
        return sink

    sink = asyncio.run(main())
    status = sink.status()
    assert (status.written, status.already_stored, status.dropped) == (3, 1, 0)
    assert [c.height for c in conflicts] == [1]
    assert status.last_error is not None and "refusing" in status.last_error
    expect_logged(caplog, "at height 1; refusing")


def test_full_queue_drops_and_counts_without_waiting(
        database: Any, caplog: pytest.LogCaptureFixture) -> None:
    chain = chain_of(3)

    async def main() -> BlockSink:
        sink = BlockSink(database, queue_size=1)
        accepted = [sink.offer(block, chain.state) for block in chain.blocks]
        assert accepted == [True, False, False]
        return sink

    assert asyncio.run(main()).status().dropped == 2
    expect_logged(caplog, "queue full: block 2 not written", "queue full: block 3 not written")


def test_missing_database_is_counted_and_the_sink_goes_on(
        client: Any, database: Any, caplog: pytest.LogCaptureFixture) -> None:
    chain = chain_of(2)
    missing = client.instance(INSTANCE).database("no-such-db")

    async def main() -> tuple[BlockSink, BlockSink]:
        broken, working = BlockSink(missing), BlockSink(database)
        for sink in (broken, working):
            sink.start()
            for block, state in zip(chain.blocks, _states_after(chain), strict=True):
                sink.offer(block, state)
            await sink.join()
            await sink.aclose()
        return broken, working

    broken, working = asyncio.run(main())
    assert broken.status().dropped == 2 and "NotFound" in (broken.status().last_error or "")
    assert working.status().written == 2
    expect_logged(caplog, "block 1 not written: NotFound", "block 2 not written: NotFound")


class UnavailableThenFine:
    """Stands in for a Database whose first transactions fail with UNAVAILABLE (the emulator
    cannot be made to answer 503; an unreachable endpoint takes the client 30 s to give up)."""

    def __init__(self, real: Any, failures: int) -> None:
        self._real = real
        self.failures = failures

    def run_in_transaction(self, *args: Any, **kwargs: Any) -> Any:
        if self.failures:
            self.failures -= 1
            raise ServiceUnavailable("spanner down")
        return self._real.run_in_transaction(*args, **kwargs)


def test_unavailable_is_retried_with_backoff_then_reported(database: Any) -> None:
    chain = chain_of(2)
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    flaky = UnavailableThenFine(database, failures=2)
    sink = BlockSink(flaky, retry=SinkRetry(attempts=3), sleep=no_sleep)
    states = _states_after(chain)

    async def main() -> None:
        assert await sink.write(chain.blocks[0], states[0]) is WriteOutcome.WRITTEN
        flaky.failures = 3
        with pytest.raises(SpannerSinkError, match="block 2 not written"):
            await sink.write(chain.blocks[1], states[1])

    asyncio.run(main())
    assert waits == [0.5, 1.0, 0.5, 1.0]
    assert read_block(database, 1) is not None and read_block(database, 2) is None


def _states_after(chain: test_chain.TestChain) -> list[Any]:
    """The state after each block, replayed from genesis."""
    from node_core.ledger.state import initial_state
    from node_core.ledger.transition import apply_block

    state = initial_state(chain.genesis)
    states = []
    for block in chain.blocks:
        state = apply_block(state, block)
        states.append(state)
    return states


def test_client_honours_spanner_emulator_host(spanner_emulator: SpannerEmulator,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPANNER_EMULATOR_HOST", spanner_emulator.host_port)
    database = create_instance_and_database(spanner_client(PROJECT), INSTANCE,
                                            f"from-env-{new_database_id()}")
    chain = chain_of(1)
    assert BlockSink(database).write_block(chain.blocks[0], chain.state) is WriteOutcome.WRITTEN


def test_emulator_runner_stops_its_process() -> None:
    if spanner_emulator_missing() is not None:
        pytest.skip(spanner_emulator_missing() or "")
    from node_core.telemetry.emulator import accepts_connections

    with SpannerEmulator() as emulator:
        assert emulator.running and accepts_connections(emulator.host, emulator.port)
    assert not emulator.running
    emulator.stop()  # twice is fine
