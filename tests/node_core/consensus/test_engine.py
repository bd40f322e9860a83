"""The consensus engine on a simulated network: finality, crashes, faults, equivocation."""

import pytest

from node_core.consensus.timing import ConsensusConfig
from tests.node_core.consensus.consensus_sim import Network, heartbeat_chain


def test_three_authorities_finalize_the_same_blocks():
    net = Network(heartbeat_chain())
    net.run(5_000)
    assert min(net.heights()) >= 15
    assert net.forks() == 0
    last = min(net.heights())
    assert len({d[last] for d in net.decided}) == 1


def test_one_crashed_authority_does_not_stop_the_chain():
    net = Network(heartbeat_chain())
    net.run(1_000)
    net.crash(2)
    before = max(net.heights())
    net.run(10_000)
    assert max(net.heights()) >= before + 5
    assert net.forks() == 0


def test_a_restarted_authority_rejoins_without_global_restart():
    net = Network(heartbeat_chain())
    net.run(1_000)
    net.crash(1)
    net.run(12_000)          # the others go through round changes while it is down
    net.restart(1)
    resumed = min(net.heights())
    net.run(6_000)
    assert min(net.heights()) >= resumed + 5, net.heights()
    assert net.forks() == 0


def test_two_crashed_stall_then_recover_when_one_returns():
    net = Network(heartbeat_chain())
    net.run(1_000)
    net.crash(1)
    net.crash(2)
    stalled = max(net.heights())
    net.run(20_000)          # rounds keep timing out, capped
    assert max(net.heights()) == stalled
    assert net.engines[0].round > 0
    net.restart(2)
    net.run(8_000)
    assert max(net.heights()) >= stalled + 3
    assert net.forks() == 0


@pytest.mark.parametrize("seed", range(6))
def test_lost_duplicated_delayed_reordered_messages_never_fork(seed):
    net = Network(heartbeat_chain(), seed=seed, loss=0.2, duplicate=0.2, max_delay_ms=400)
    net.run(30_000)
    assert net.forks() == 0
    assert min(net.heights()) >= 5


def test_an_equivocating_authority_is_caught_and_does_not_fork():
    """Four authorities (n = 3f + 1 with f = 1) — one signs two blocks per proposal."""
    net = Network(heartbeat_chain(4), byzantine={0}, seed=3)
    net.run(15_000)
    assert net.forks() == 0
    assert min(net.heights()) >= 5
    assert net.evidence
    offender = net.chain.authorities[0].address
    evidence = net.evidence[0]
    assert evidence.first.sender == evidence.second.sender == offender
    assert evidence.first.block_hash != evidence.second.block_hash


def test_round_timeout_grows_and_is_capped():
    config = ConsensusConfig(round_timeout_ms=1000, max_round_timeout_ms=10_000)
    assert [config.timeout(r) for r in range(6)] == [1000, 2000, 4000, 8000, 10_000, 10_000]
    assert config.timeout(10_000) == 10_000
