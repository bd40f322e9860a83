"""The devnet's trading overview, computed from the chain's own energy-trade settlements.

With the ``gcp`` profile the console reads the market from the backend REST API
(``node_core.cloud.backend_api.TradingOverview``); on the devnet there is no backend, so the
node computes the same overview from what it finalized itself: every ``EnergyTrade`` in the
blocks whose timestamp lies in the recent window ``(as_of_ms - window_ms, as_of_ms]``.

* ``orders_per_second`` — settlements in the window / window length in seconds;
* ``price_by_region`` — volume-weighted average settled price per region, satang per kWh
  (rounded to the nearest satang; ``None`` for a region without a settlement in the window —
  the view shows a dash, never an empty dock); the view converts to THB/kWh (÷ 100);
* ``volume_wh`` — energy settled in the window, Wh (also per region);
* ``halted_by_region`` / ``market_halted`` — from ``State.halted_regions`` (emergency
  trading halts in consensus): a region is halted if it or ``"ALL"`` is; the market is halted
  when every region is.

Pure: no I/O, no clock. ``recent_blocks`` walks a store backwards through a callable, so the
node can hand its ``BlockStore.blocks`` without this module knowing the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from node_core.api.answers import TradingOverview
from node_core.ledger.blocks import Block
from node_core.ledger.state import State
from node_core.ledger.transactions import EnergyTrade
from node_core.ledger.types import REGIONS

DEFAULT_WINDOW_MS: Final = 60_000
"""The recent window the overview covers."""
MAX_BLOCKS_SCANNED: Final = 2_000
"""At most this many recent blocks are read for one overview (bounded work per request)."""
SCAN_CHUNK: Final = 100
SOURCE_CHAIN: Final = "chain"

BlockRange = Callable[[int, int], Iterable[Block]]
"""``(start, end)`` → the blocks at those heights, inclusive, oldest first."""


@dataclass(slots=True)
class _Region:
    orders: int = 0
    volume_wh: int = 0
    value: int = field(default=0)
    """Σ energy_wh × price (satang/kWh): the volume-weighted price numerator."""


def recent_blocks(blocks_between: BlockRange, height: int, since_ms: int,
                  max_blocks: int = MAX_BLOCKS_SCANNED) -> list[Block]:
    """The blocks up to ``height`` whose timestamp is after ``since_ms``, oldest first, read
    backwards in chunks and bounded by ``max_blocks``."""
    found: list[Block] = []
    end = height
    while end >= 1 and len(found) < max_blocks:
        start = max(1, end - SCAN_CHUNK + 1)
        chunk = list(blocks_between(start, end))
        recent = [b for b in chunk if b.header.timestamp > since_ms]
        found[:0] = recent
        if len(recent) < len(chunk) or not chunk:
            break
        end = start - 1
    return found[-max_blocks:]


def settlements(blocks: Iterable[Block], since_ms: int, until_ms: int) -> Iterator[EnergyTrade]:
    """The energy trades settled in blocks timestamped in ``(since_ms, until_ms]``."""
    for block in blocks:
        if since_ms < block.header.timestamp <= until_ms:
            for tx in block.transactions:
                if isinstance(tx.payload, EnergyTrade):
                    yield tx.payload


def halted_by_region(halted_regions: Iterable[str]) -> dict[str, bool]:
    """Per region of ``REGIONS``: trading halted (the region itself, or ``ALL``)."""
    halted = set(halted_regions)
    return {region: region in halted or "ALL" in halted for region in REGIONS}


def trading_overview(blocks: Iterable[Block], state: State, as_of_ms: int,
                     window_ms: int = DEFAULT_WINDOW_MS) -> TradingOverview:
    """The overview (see the module docstring) as a plain, JSON-ready dict.

    Keys: ``source`` (``chain``), ``as_of_ms``, ``window_ms``, ``height``, ``orders``,
    ``orders_per_second``, ``volume_wh``, ``price_by_region`` (satang/kWh or None),
    ``volume_by_region``, ``orders_by_region``, ``halted_by_region``, ``halted_regions``
    (sorted, may hold ``ALL``), ``market_halted``.
    """
    if window_ms <= 0:
        raise ValueError(f"window_ms must be positive, got {window_ms}")
    regions = {region: _Region() for region in REGIONS}
    for trade in settlements(blocks, as_of_ms - window_ms, as_of_ms):
        entry = regions.setdefault(trade.region, _Region())
        entry.orders += 1
        entry.volume_wh += trade.energy_wh
        entry.value += trade.energy_wh * trade.price_per_kwh
    halted = halted_by_region(state.halted_regions)
    orders = sum(r.orders for r in regions.values())
    return {
        "source": SOURCE_CHAIN,
        "as_of_ms": as_of_ms,
        "window_ms": window_ms,
        "height": state.height,
        "orders": orders,
        "orders_per_second": round(orders / (window_ms / 1000), 3),
        "volume_wh": sum(r.volume_wh for r in regions.values()),
        "price_by_region": {name: _average_price(r) for name, r in regions.items()},
        "volume_by_region": {name: r.volume_wh for name, r in regions.items()},
        "orders_by_region": {name: r.orders for name, r in regions.items()},
        "halted_by_region": halted,
        "halted_regions": sorted(state.halted_regions),
        "market_halted": all(halted.values()),
    }


def _average_price(region: _Region) -> int | None:
    """Volume-weighted price, satang/kWh, rounded half up; None without volume."""
    if region.volume_wh == 0:
        return None
    return (2 * region.value + region.volume_wh) // (2 * region.volume_wh)


def backend_overview_dict(orders_per_second: float, price_by_region: dict[str, int],
                          volume_wh: int, market_halted: bool, as_of_ms: int) -> TradingOverview:
    """The backend API's overview in the same dict shape (``source`` = ``backend``). The API
    reports one market-wide halt flag, so every region shows it."""
    names = list(dict.fromkeys([*REGIONS, *price_by_region]))
    return {
        "source": "backend",
        "as_of_ms": as_of_ms,
        "window_ms": None,
        "height": None,
        "orders": None,
        "orders_per_second": orders_per_second,
        "volume_wh": volume_wh,
        "price_by_region": {name: price_by_region.get(name) for name in names},
        "volume_by_region": None,
        "orders_by_region": None,
        "halted_by_region": {name: market_halted for name in names},
        "halted_regions": ["ALL"] if market_halted else [],
        "market_halted": market_halted,
    }
