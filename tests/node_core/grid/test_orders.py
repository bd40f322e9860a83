"""Final emergency orders applied to the simulator: once each, in their region, with the
swing-equation response (pure and fast; the devnet drill is in test_chain_orders.py)."""

from __future__ import annotations

from typing import Any

import pytest

from node_core.api.node_queries import transaction_view
from node_core.grid import GeneratorTrip, GridSample, GridSimulator
from node_core.grid.orders import OrderLedger, first_height_since, orders_in_block
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
    EnergyTrade,
    Transaction,
    sign_transaction,
)
from tests.helpers.chain import signer_from_seed
from tests.node_core.grid.test_simulator import bangkok_ms, region_load

AUTHORITY = signer_from_seed(1000)
PROSUMER = signer_from_seed(1)
START = bangkok_ms(10)
TRIP_MS = START + 30_000
ORDER_MS = START + 33_000


def emergency(nonce: int, kind: EmergencyKind, region: str, **fields: Any) -> dict[str, Any]:
    """One emergency action as the node's ``block`` method shows it."""
    action = EmergencyAction(kind, region, **fields)  # the view shows no endorsements
    tx = Transaction("gridtokenx-test", nonce, AUTHORITY.public_key, action)
    return transaction_view(sign_transaction(tx, AUTHORITY))


def trade() -> dict[str, Any]:
    payload = EnergyTrade(PROSUMER.address, PROSUMER.address, 1000, 400, "MEA")
    return transaction_view(Transaction("gridtokenx-test", 0, PROSUMER.public_key, payload))


def block(height: int, timestamp: int, *transactions: dict[str, Any]) -> dict[str, Any]:
    return {"height": height, "timestamp": timestamp, "tx_count": len(transactions),
            "transactions": list(transactions)}


SHED_MEA_500 = emergency(0, EmergencyKind.LOAD_SHED, "MEA", stage=2, mw=500)


def drill(ledger: OrderLedger | None) -> list[GridSample]:
    """Two minutes around a 1,500 MW trip; ``ledger`` reads the order's block 1 s after it
    became final and the simulator applies what it admits."""
    sim = GridSimulator(3, START, [GeneratorTrip(TRIP_MS, 1500)])
    samples = []
    for i in range(120):
        now = START + i * 1000
        if ledger is not None and now == ORDER_MS + 1000:
            for order in ledger.admit(block(7, ORDER_MS, trade(), SHED_MEA_500), now):
                sim.schedule(order.event)
        samples.append(sim.step(now))
    return samples


def test_a_final_load_shed_order_drops_its_mw_in_its_region_and_frequency_recovers_faster(
) -> None:
    ledger = OrderLedger(START, next_height=1)
    plain, shed = drill(None), drill(ledger)
    order_s = (ORDER_MS - START) // 1000 + 1
    before, after = order_s - 1, order_s + 5
    assert region_load(plain[before], "MEA") == pytest.approx(region_load(shed[before], "MEA"))
    assert region_load(plain[after], "MEA") - region_load(shed[after], "MEA") == pytest.approx(
        500, abs=1)
    assert region_load(plain[after], "PEA") == pytest.approx(region_load(shed[after], "PEA"))
    assert min(s.frequency_hz for s in plain[30:order_s]) < 49.6  # the trip's dip
    mean_deviation = [sum(abs(50.0 - s.frequency_hz) for s in run[order_s:order_s + 30]) / 30
                      for run in (plain, shed)]
    assert mean_deviation[1] < 0.75 * mean_deviation[0]
    assert shed[order_s + 1].frequency_hz > plain[order_s + 1].frequency_hz + 0.1
    assert [o.view()["kind"] for o in ledger.applied] == ["load_shed"]


@pytest.mark.parametrize("hour", [3, 10, 19])
def test_left_alone_a_2000_mw_trip_keeps_frequency_below_49_95_hz_for_half_a_minute(
        hour: int) -> None:
    """The baseline of the devnet drill (test_chain_orders.py), at night, day and peak."""
    start = bangkok_ms(hour)
    sim = GridSimulator(3, start, [GeneratorTrip(start + 30_000, 2000)])
    frequencies = [sim.step(start + i * 1000).frequency_hz for i in range(80)]
    assert min(frequencies) < 49.5
    assert max(frequencies[38:65]) < 49.95
    assert max(frequencies[38:75]) < 49.97  # the devnet drill's NOT_RECOVERED_HZ


def test_a_demand_response_call_removes_mw_for_its_duration_then_restores_it() -> None:
    call = emergency(1, EmergencyKind.DEMAND_RESPONSE, "PEA", mw=300, duration_s=20)
    ledger = OrderLedger(START, next_height=1)
    plain, acted = GridSimulator(9, START), GridSimulator(9, START)
    reduction = []
    for i in range(40):
        now = START + i * 1000
        for order in ledger.admit(block(3, START + 5_000, call), now) if i == 6 else []:
            acted.schedule(order.event)
        p, a = plain.step(now), acted.step(now)
        reduction.append(region_load(p, "PEA") - region_load(a, "PEA"))
    assert reduction[5] == pytest.approx(0, abs=1)
    assert reduction[10] == pytest.approx(300 * 0.97, abs=10)  # PEA's areas (3 % is EGAT's)
    assert reduction[26] == pytest.approx(0, abs=1)  # 20 s after the block: load is back


def test_each_order_applies_once_across_rereads_and_from_another_node() -> None:
    ledger = OrderLedger(START, next_height=5)
    first = ledger.admit(block(5, START + 1000, SHED_MEA_500), START + 2000)
    assert [o.tx_hash for o in first] == [SHED_MEA_500["hash"]]
    assert ledger.admit(block(5, START + 1000, SHED_MEA_500), START + 3000) == []
    assert ledger.next_height == 6
    ledger.next_height = 5  # e.g. another node's copy of the same block, read again
    assert ledger.admit(block(5, START + 1000, SHED_MEA_500), START + 3000) == []
    assert len(ledger.applied) == 1


def test_orders_before_the_simulator_started_or_already_over_are_not_applied() -> None:
    ledger = OrderLedger(START, next_height=1)
    assert ledger.admit(block(1, START - 1, SHED_MEA_500), START) == []  # a previous run's
    over = emergency(2, EmergencyKind.DEMAND_RESPONSE, "MEA", mw=100, duration_s=10)
    assert ledger.admit(block(2, START + 1000, over), START + 11_000) == []
    running = emergency(3, EmergencyKind.DEMAND_RESPONSE, "MEA", mw=100, duration_s=10)
    assert len(ledger.admit(block(3, START + 2000, running), START + 11_000)) == 1
    assert OrderLedger(START).admit(block(4, START + 1, SHED_MEA_500), START) == []  # no start


def test_only_load_shedding_and_demand_response_are_grid_orders() -> None:
    halt = emergency(0, EmergencyKind.TRADING_HALT, "ALL")
    resume = emergency(1, EmergencyKind.TRADING_RESUME, "MEA")
    orders = orders_in_block(block(9, START, trade(), halt, resume, SHED_MEA_500))
    assert [(o.height, o.event.region, o.event.mw, o.event.at_ms) for o in orders] == [
        (9, "MEA", 500.0, START)]
    assert "stage 2 in MEA: 500 MW off" in orders[0].describe()


def test_first_height_since_the_start() -> None:
    summaries = [{"height": h, "timestamp": START + (h - 10) * 500} for h in range(5, 15)]
    assert first_height_since(summaries, START) == 10
    assert first_height_since(summaries, START - 10_000) == 5
    assert first_height_since(summaries, START + 60_000) is None
