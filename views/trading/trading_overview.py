"""TradingOverviewView: the energy market at a glance (the "Trading" dock).

Fed plain dicts by ``app.links.backend_link`` through :meth:`TradingOverviewView.on_overview`, in
the shape of ``node_core.api.trading_overview.trading_overview`` (the devnet: computed from the
chain's own settlements) or ``backend_overview_dict`` (the ``gcp`` profile: the backend REST
API). Keys read: ``source`` (``chain`` | ``backend``), ``fallback`` (True: the backend is
unreachable, this is the node's own chain), ``window_ms``, ``as_of_ms``,
``orders_per_second``, ``volume_wh``, ``price_by_region`` (satang/kWh, shown as THB/kWh),
``volume_by_region``, ``halted_by_region``, ``market_halted``. Missing keys show a dash.

ISA-101: normal values are plain; only a halted market or region is coloured (critical red,
with a ``✗`` so it reads without colour). Display only; no signals.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from views.common import formatting as fmt
from views.common.abnormal import CRITICAL, abnormal_colour, mark_label
from views.common.display_table import fill_row, fit_rows, read_only_table, table_text

REGION, PRICE, VOLUME, MARKET = range(4)
HALTED_PRIORITY: Final = CRITICAL


class TradingOverviewView(QWidget):
    """Orders per second, price by region, volume, market halted or not."""

    def __init__(self, theme: str = "light", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self.overview: dict[str, Any] | None = None
        form = QFormLayout()
        self.source_label = QLabel(self.tr("waiting for the node…"), self)
        self.orders_label = QLabel(fmt.MISSING, self)
        self.volume_label = QLabel(fmt.MISSING, self)
        self.market_label = QLabel(fmt.MISSING, self)
        self.as_of_label = QLabel(fmt.MISSING, self)
        for name, label in (("tradingSource", self.source_label),
                            ("tradingOrders", self.orders_label),
                            ("tradingVolume", self.volume_label),
                            ("tradingMarket", self.market_label),
                            ("tradingAsOf", self.as_of_label)):
            label.setObjectName(name)
        form.addRow(self.tr("Source"), self.source_label)
        form.addRow(self.tr("Orders per second"), self.orders_label)
        form.addRow(self.tr("Volume (kWh)"), self.volume_label)
        form.addRow(self.tr("Market"), self.market_label)
        form.addRow(self.tr("As of"), self.as_of_label)
        self.regions = read_only_table(
            [self.tr("Region"), self.tr("Price (THB/kWh)"), self.tr("Volume (kWh)"),
             self.tr("Market")], self)
        self.regions.setObjectName("tradingRegions")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.regions)  # as tall as its rows (fit_rows)
        layout.addStretch(1)  # the spare height goes below, not between form and table

    def on_overview(self, overview: dict[str, Any]) -> None:
        """Show one overview (see the module docstring for the keys)."""
        self.overview = overview
        self.source_label.setText(self._source_text(overview))
        self.orders_label.setText(_rate(overview.get("orders_per_second")))
        self.volume_label.setText(fmt.kwh(overview.get("volume_wh")))
        halted = overview.get("market_halted")
        self.market_label.setText(self._market_text(halted))
        mark_label(self.market_label, HALTED_PRIORITY if halted else None, self._theme)
        self.as_of_label.setText(fmt.bangkok_time(overview.get("as_of_ms")))
        self._fill_regions(overview)

    def _source_text(self, overview: dict[str, Any]) -> str:
        window = overview.get("window_ms")
        if overview.get("source") == "backend":
            return self.tr("backend API")
        if overview.get("fallback"):
            return self.tr("this node's chain (backend unreachable)")
        if window:
            return self.tr("this node's chain, last {s} s").format(s=int(window) // 1000)
        return self.tr("this node's chain")

    def _market_text(self, halted: object) -> str:
        if halted is None:
            return fmt.MISSING
        return self.tr("✗ HALTED") if halted else self.tr("trading")

    def _fill_regions(self, overview: dict[str, Any]) -> None:
        prices = overview.get("price_by_region") or {}
        volumes = overview.get("volume_by_region") or {}
        halted = overview.get("halted_by_region") or {}
        names = list(dict.fromkeys([*prices, *halted]))
        self.regions.setRowCount(len(names))
        red = abnormal_colour(HALTED_PRIORITY, self._theme)
        for row, name in enumerate(names):
            region_halted = halted.get(name)
            market = (fmt.MISSING if region_halted is None
                      else self.tr("✗ HALTED") if region_halted else self.tr("trading"))
            items = fill_row(self.regions, row,
                             [name, fmt.thb(prices.get(name)), fmt.kwh(volumes.get(name)),
                              market], {PRICE, VOLUME})
            if region_halted:
                items[MARKET].setForeground(red)
        fit_rows(self.regions, max(1, len(names)))

    def region_rows(self) -> list[list[str]]:
        """The region table as text (tests, screenshots)."""
        return table_text(self.regions)


def _rate(value: float | None) -> str:
    return fmt.MISSING if value is None else f"{float(value):,.2f}"
