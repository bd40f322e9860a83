"""TradingMetrics: the energy trades settled in final blocks, per region, per minute.

Block timestamps never decrease (consensus rule), so a final block of a later minute closes
every earlier one: :meth:`TradingMinutes.add` then hands back the closed minute's samples,
one per column of :data:`~node_core.telemetry.series.TRADING_COLUMNS` and region — zeros for
a region without a trade that minute, and no price columns there. Every value is computed
from the final blocks alone, so each authority's node writes the same cells for the same
minute (the row key holds the region, not the writer). Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from node_core.ledger.blocks import Block
from node_core.ledger.transactions import EnergyTrade
from node_core.ledger.types import REGIONS
from node_core.telemetry.layout import MINUTE_MS
from node_core.telemetry.series import TelemetrySample, trading_series


@dataclass(slots=True)
class RegionMinute:
    """One region's settlements in one minute."""

    trades: int = 0
    energy_wh: int = 0
    payment_satang: int = 0
    value: int = 0
    """Σ energy_wh × price (satang/kWh × Wh): the volume-weighted price's numerator."""
    prices: list[int] = field(default_factory=list)
    sellers: set[str] = field(default_factory=set)
    buyers: set[str] = field(default_factory=set)

    def add(self, trade: EnergyTrade) -> None:
        self.trades += 1
        self.energy_wh += trade.energy_wh
        self.payment_satang += trade.payment
        self.value += trade.energy_wh * trade.price_per_kwh
        self.prices.append(trade.price_per_kwh)
        self.sellers.add(trade.seller)
        self.buyers.add(trade.buyer)

    def columns(self) -> dict[tuple[str, str], float]:
        """(family, column) → value."""
        out: dict[tuple[str, str], float] = {
            ("volume", "energy_wh"): self.energy_wh, ("volume", "trades"): self.trades,
            ("volume", "payment_satang"): self.payment_satang,
            ("liquidity", "sellers"): len(self.sellers), ("liquidity", "buyers"): len(self.buyers)}
        if self.trades:
            out[("price", "vwap_satang_per_kwh")] = self.value / self.energy_wh
            out[("price", "min_satang_per_kwh")] = min(self.prices)
            out[("price", "max_satang_per_kwh")] = max(self.prices)
        return out


class TradingMinutes:
    """The open minute's settlements; closed minutes come back as samples."""

    def __init__(self) -> None:
        self._minute: int | None = None
        self._regions: dict[str, RegionMinute] = {}

    def add(self, block: Block) -> list[TelemetrySample]:
        """Count ``block``'s trades; the samples of the minute it closed, if it closed one."""
        minute = block.header.timestamp - block.header.timestamp % MINUTE_MS
        closed: list[TelemetrySample] = []
        if self._minute is not None and minute > self._minute:
            closed = self._samples(self._minute)
            self._regions = {}
        if self._minute is None or minute > self._minute:
            self._minute = minute
        for tx in block.transactions:
            if isinstance(tx.payload, EnergyTrade):
                self._regions.setdefault(tx.payload.region, RegionMinute()).add(tx.payload)
        return closed

    def replay(self, blocks: Iterable[Block]) -> list[TelemetrySample]:
        """``add`` each block in order; every closed minute's samples."""
        return [sample for block in blocks for sample in self.add(block)]

    def _samples(self, minute: int) -> list[TelemetrySample]:
        regions = {region: self._regions.get(region, RegionMinute()) for region in REGIONS}
        regions.update(self._regions)
        return [TelemetrySample(trading_series(region, family, column), minute, float(value))
                for region, counts in regions.items()
                for (family, column), value in counts.columns().items()]
