"""TradingMetrics per region per minute from final blocks, and a node's NodeMetrics."""

from __future__ import annotations

from node_core.telemetry import TelemetrySample, trading_series
from node_core.telemetry.node_writer import node_metric_samples
from node_core.telemetry.trading_minutes import TradingMinutes
from tests.helpers.chain import GENESIS_TIME, make_chain

MINUTE = 60_000


def by_column(samples: list[TelemetrySample]) -> dict[tuple[str, str, str], float]:
    return {(s.series.scope, s.series.family, s.series.key): s.value for s in samples}


def test_a_later_blocks_minute_closes_the_minute_with_every_regions_figures() -> None:
    chain = make_chain(prosumer_count=4)
    first = chain.extend([chain.trade(0, 1, 2_000, 400, "MEA"),
                          chain.trade(2, 3, 1_000, 520, "MEA"),
                          chain.trade(1, 0, 500, 300, "PEA")], timestamp=GENESIS_TIME + 1_000)
    second = chain.extend([chain.trade(0, 3, 1_000, 460, "MEA")], timestamp=GENESIS_TIME + 59_999)
    closing = chain.extend([chain.trade(0, 1, 10, 999, "MEA")], timestamp=GENESIS_TIME + MINUTE)
    minutes = TradingMinutes()

    assert minutes.add(first) == [] and minutes.add(second) == []
    closed = minutes.add(closing)

    assert {s.timestamp_ms for s in closed} == {GENESIS_TIME}
    figures = by_column(closed)
    assert figures[("MEA", "price", "vwap_satang_per_kwh")] == (
        (2_000 * 400 + 1_000 * 520 + 1_000 * 460) / 4_000)
    assert figures[("MEA", "price", "min_satang_per_kwh")] == 400
    assert figures[("MEA", "price", "max_satang_per_kwh")] == 520
    assert figures[("MEA", "volume", "energy_wh")] == 4_000
    assert figures[("MEA", "volume", "trades")] == 3
    assert figures[("MEA", "volume", "payment_satang")] == 800 + 520 + 460
    assert figures[("MEA", "liquidity", "sellers")] == 2
    assert figures[("MEA", "liquidity", "buyers")] == 2
    assert figures[("PEA", "price", "vwap_satang_per_kwh")] == 300
    assert figures[("EGAT", "volume", "trades")] == 0
    assert ("EGAT", "price", "vwap_satang_per_kwh") not in figures  # no trade: no price


def test_replaying_the_same_blocks_gives_the_same_samples() -> None:
    chain = make_chain(prosumer_count=2)
    blocks = [chain.extend([chain.trade(0, 1, 100 + i, 400 + i, "PEA")],
                           timestamp=GENESIS_TIME + i * 20_000) for i in range(7)]
    once, again = TradingMinutes().replay(blocks), TradingMinutes().replay(blocks)
    assert once == again
    assert sorted({s.timestamp_ms for s in once}) == [GENESIS_TIME, GENESIS_TIME + MINUTE]
    assert trading_series("PEA", "volume", "trades") in {s.series for s in once}


STATUS = {"height": 1_234_567, "round": 0, "consensus_health": 0.97, "finality_p50_ms": 800,
          "finality_p99_ms": None, "mempool": 12, "tx_finalized": 5_000,
          "peers": [{"connected": True, "height": 1_234_569},
                    {"connected": False, "height": None}]}


def test_node_metrics_of_a_status_name_the_authority_and_carry_their_units() -> None:
    first = node_metric_samples("MEA", STATUS, 1_000_000, None)
    assert {s.series.scope for s in first} == {"MEA"}
    values = {s.series.key: s.value for s in first}
    assert values == {"height": 1_234_567, "lag_blocks": 2, "round": 0, "health": 0.97,
                      "finality_p50_ms": 800, "mempool": 12, "peers_connected": 1}
    later = node_metric_samples("MEA", {**STATUS, "tx_finalized": 5_100}, 1_005_000,
                                (1_000_000, 5_000))
    assert {s.series.key: s.value for s in later}["tx_per_s"] == 20.0
