"""The devnet's trading overview, computed from a real chain's settlements and halts."""

from __future__ import annotations

import pytest

from node_core.api.trading_overview import (
    backend_overview_dict,
    recent_blocks,
    trading_overview,
)
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
)
from tests.helpers.chain import make_chain


def blocks_between(chain):
    return lambda start, end: [b for b in chain.blocks if start <= b.height <= end]


@pytest.fixture
def traded():
    """Block 1 (old, outside the window), blocks 2-3 (inside): trades in MEA and PEA."""
    chain = make_chain()
    chain.extend([chain.trade(0, 1, 9_000, 900, "EGAT")])
    chain.extend([chain.trade(0, 1, 1_000, 400, "MEA"), chain.trade(2, 3, 3_000, 500, "MEA")],
                 timestamp=chain.state.tip_timestamp + 120_000)
    chain.extend([chain.trade(1, 0, 2_000, 450, "PEA")])
    return chain


def test_overview_counts_settlements_in_the_window_only(traded) -> None:
    now = traded.state.tip_timestamp + 500
    view = trading_overview(traded.blocks, traded.state, now, window_ms=10_000)
    assert view["source"] == "chain" and view["height"] == 3
    assert view["orders"] == 3 and view["orders_per_second"] == 0.3
    assert view["volume_wh"] == 6_000
    assert view["volume_by_region"] == {"EGAT": 0, "MEA": 4_000, "PEA": 2_000}
    # volume-weighted: (1000*400 + 3000*500) / 4000 = 475 satang/kWh
    assert view["price_by_region"] == {"EGAT": None, "MEA": 475, "PEA": 450}
    assert view["halted_by_region"] == {"EGAT": False, "MEA": False, "PEA": False}
    assert view["market_halted"] is False and view["halted_regions"] == []


def test_a_wider_window_includes_older_settlements(traded) -> None:
    now = traded.state.tip_timestamp
    view = trading_overview(traded.blocks, traded.state, now, window_ms=600_000)
    assert view["orders"] == 4 and view["price_by_region"]["EGAT"] == 900


def test_recent_blocks_reads_backwards_and_stops_at_the_window(traded) -> None:
    reads = []

    def between(start, end):
        reads.append((start, end))
        return blocks_between(traded)(start, end)

    since = traded.blocks[1].header.timestamp - 1
    found = recent_blocks(between, traded.state.height, since)
    assert [b.height for b in found] == [2, 3]
    assert reads == [(1, 3)]
    assert recent_blocks(between, 0, 0) == []


def test_emergency_halt_shows_per_region_and_all_halts_the_market() -> None:
    chain = make_chain()
    chain.extend([chain.trade(0, 1, 1_000, 420, "MEA")])
    halt = EmergencyAction(EmergencyKind.TRADING_HALT, "MEA")
    chain.extend([chain.emergency(halt)])
    now = chain.state.tip_timestamp
    view = trading_overview(chain.blocks, chain.state, now)
    assert view["halted_by_region"] == {"EGAT": False, "MEA": True, "PEA": False}
    assert view["market_halted"] is False and view["halted_regions"] == ["MEA"]
    assert view["price_by_region"]["MEA"] == 420  # the settlement before the halt still counts

    everything = EmergencyAction(EmergencyKind.TRADING_HALT, "ALL")
    chain.extend([chain.emergency(everything, authority=1)])
    view = trading_overview(chain.blocks, chain.state, chain.state.tip_timestamp)
    assert view["market_halted"] is True and all(view["halted_by_region"].values())


def test_an_idle_chain_still_gives_a_full_overview() -> None:
    chain = make_chain()
    view = trading_overview([], chain.state, 1_000)
    assert view["orders_per_second"] == 0.0 and view["volume_wh"] == 0
    assert set(view["price_by_region"]) == {"EGAT", "MEA", "PEA"}
    with pytest.raises(ValueError):
        trading_overview([], chain.state, 1_000, window_ms=0)


def test_backend_overview_has_the_same_shape() -> None:
    chain_view = trading_overview([], make_chain().state, 1_000)
    backend = backend_overview_dict(12.5, {"MEA": 430, "PEA": 410}, 5_000, True, 99)
    assert set(backend) == set(chain_view)
    assert backend["source"] == "backend" and backend["price_by_region"]["EGAT"] is None
    assert backend["market_halted"] and all(backend["halted_by_region"].values())
