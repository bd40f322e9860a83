"""Emergency orders that became final on chain, as grid events for the simulator.

Pure (no I/O, no clock): :mod:`node_core.grid.chain_orders` reads final blocks from a node
and hands them to an :class:`OrderLedger`, which decides which orders the running simulator
applies, each exactly once:

* a ``load_shed`` emergency action (stage, region, MW) becomes a
  :class:`~node_core.grid.events.LoadShed`: its MW of load in the region are disconnected
  and stay off;
* a ``demand_response`` call (region, MW, duration) becomes a
  :class:`~node_core.grid.events.DemandResponse`: the region's load falls by MW for
  ``duration_s`` and then comes back.

An order takes effect at its block's timestamp (the time the authorities agreed on), so a
demand-response call ends ``duration_s`` after that block whenever the simulator saw it.
Trading halts and resumes change the market, not the grid: they are not grid orders.

Which orders are applied (idempotent across reconnects and simulator restarts):

* only orders in blocks stamped at or after the simulator's start: a restarted simulator
  models the grid afresh (its scripted trips are gone too), so orders that acted on the
  previous run's grid are not replayed onto the new one;
* only while their effect lasts: a demand-response call whose window has already closed is
  skipped (load shedding lasts until the simulation ends);
* each block height once (``next_height``), and each transaction hash once, so re-reading
  blocks after a reconnect, or from another authority node, applies nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from node_core.api.answers import GridOrderView
from node_core.grid.events import REGION_AREAS, DemandResponse, LoadShed

GRID_ORDER_KINDS: Final = frozenset({"load_shed", "demand_response"})
"""``emergency`` kinds of the ``block`` wire form that act on the grid."""


@dataclass(frozen=True, slots=True)
class FinalOrder:
    """One emergency order from a final block, as the grid event it causes."""

    tx_hash: str
    height: int
    """Height of the final block that carries it."""
    event: LoadShed | DemandResponse
    """What it does to the grid, effective at the block's timestamp."""
    operator: str = ""
    approver: str = ""

    @property
    def effective_until_ms(self) -> int | None:
        """When its effect ends (demand response), or None (load shedding stays)."""
        if isinstance(self.event, DemandResponse):
            return self.event.at_ms + round(self.event.duration_s * 1000)
        return None

    def describe(self) -> str:
        """The order in an operator's words, for the simulator's log."""
        event = self.event
        if isinstance(event, LoadShed):
            what = f"load shedding stage {event.stage} in {event.region}: {event.mw:.0f} MW off"
        else:
            what = (f"demand response in {event.region}: {event.mw:.0f} MW less for "
                    f"{event.duration_s:.0f} s")
        return f"{what} (block {self.height}, tx {self.tx_hash[:16]})"

    def view(self) -> GridOrderView:
        """JSON-ready form, for the simulator's ``status``."""
        event = self.event
        return {"tx_hash": self.tx_hash, "height": self.height, "at_ms": event.at_ms,
                "kind": "load_shed" if isinstance(event, LoadShed) else "demand_response",
                "region": event.region, "mw": event.mw,
                "stage": event.stage if isinstance(event, LoadShed) else None,
                "duration_s": event.duration_s if isinstance(event, DemandResponse) else None,
                "until_ms": self.effective_until_ms}


def order_from_transaction(tx: Mapping[str, Any], height: int,
                           timestamp_ms: int) -> FinalOrder | None:
    """The grid order of one transaction of the ``block`` wire form, or None if it is not one
    (another kind, a trading halt, or a region the grid model does not know)."""
    if tx.get("kind") != "emergency_action" or tx.get("emergency") not in GRID_ORDER_KINDS:
        return None
    region, mw = str(tx.get("region", "")), float(tx.get("mw", 0))
    if region not in REGION_AREAS or mw <= 0:
        return None
    event: LoadShed | DemandResponse
    if tx["emergency"] == "load_shed":
        event = LoadShed(timestamp_ms, int(tx.get("stage", 0)), region, mw)
    else:
        duration_s = float(tx.get("duration_s", 0))
        if duration_s <= 0:
            return None
        event = DemandResponse(timestamp_ms, region, mw, duration_s)
    return FinalOrder(str(tx["hash"]), height, event, str(tx.get("operator", "")),
                      str(tx.get("approver", "")))


def orders_in_block(block: Mapping[str, Any]) -> list[FinalOrder]:
    """The grid orders of a final block in the ``block`` wire form, in block order."""
    height, timestamp = int(block["height"]), int(block["timestamp"])
    orders = (order_from_transaction(tx, height, timestamp)
              for tx in block.get("transactions") or ())
    return [order for order in orders if order is not None]


def first_height_since(summaries: Iterable[Mapping[str, Any]], start_ms: int) -> int | None:
    """The lowest height of a run of consecutive block summaries (ascending) from which on
    every block is stamped at or after ``start_ms``; None if the newest one is older."""
    first: int | None = None
    for summary in summaries:
        if int(summary["timestamp"]) >= start_ms:
            first = int(summary["height"]) if first is None else first
        else:
            first = None
    return first


@dataclass
class OrderLedger:
    """Which final orders the simulator has applied, and from which height on to read."""

    start_ms: int
    """The simulator's start: orders in older blocks are not applied."""
    next_height: int | None = None
    """The next block height to read; None until the follower has found where to begin."""
    applied: list[FinalOrder] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def wants(self, height: int) -> bool:
        """True if the block at ``height`` has not been read yet."""
        return self.next_height is not None and height >= self.next_height

    def admit(self, block: Mapping[str, Any], now_ms: int) -> list[FinalOrder]:
        """Read one final block (``block`` wire form, the next unread height or later):
        return the orders to apply now and remember them as applied."""
        height = int(block["height"])
        if not self.wants(height):
            return []
        self.next_height = height + 1
        if int(block["timestamp"]) < self.start_ms:
            return []
        fresh = [order for order in orders_in_block(block)
                 if order.tx_hash not in self._seen and _still_acting(order, now_ms)]
        for order in fresh:
            self._seen.add(order.tx_hash)
            self.applied.append(order)
        return fresh

    def skip_to(self, height: int) -> None:
        """Blocks below ``height`` hold nothing to apply (e.g. they predate the start)."""
        self.next_height = max(height, self.next_height or 1)


def _still_acting(order: FinalOrder, now_ms: int) -> bool:
    until = order.effective_until_ms
    return until is None or until > now_ms
