"""TradingOverviewView: figures from plain overview dicts; colour only for a halted market;
and the backend link's status-bar text for degraded mode."""

from __future__ import annotations

from app.links.backend_link import DEVNET_TEXT, backend_text, part_text
from views.common.abnormal import CRITICAL, abnormal_colour
from views.trading.trading_overview import MARKET, TradingOverviewView

NOW = 1_764_086_400_000
"""2025-11-25 23:00:00 Bangkok."""


def chain_overview(**changes):
    base = {
        "source": "chain", "as_of_ms": NOW, "window_ms": 60_000, "height": 120,
        "orders": 150, "orders_per_second": 2.5, "volume_wh": 1_234_567,
        "price_by_region": {"EGAT": None, "MEA": 475, "PEA": 450},
        "volume_by_region": {"EGAT": 0, "MEA": 1_000_000, "PEA": 234_567},
        "orders_by_region": {"EGAT": 0, "MEA": 100, "PEA": 50},
        "halted_by_region": {"EGAT": False, "MEA": False, "PEA": False},
        "halted_regions": [], "market_halted": False,
    }
    return {**base, **changes}


def test_normal_market_is_plain_text(qtbot) -> None:
    view = TradingOverviewView()
    qtbot.addWidget(view)
    view.on_overview(chain_overview())
    assert view.source_label.text() == "this node's chain, last 60 s"
    assert view.orders_label.text() == "2.50"
    assert view.volume_label.text() == "1,234.567"
    assert view.market_label.text() == "trading" and view.market_label.styleSheet() == ""
    assert view.as_of_label.text() == "2025-11-25 23:00:00"
    assert view.region_rows() == [
        ["EGAT", "—", "0.000", "trading"],
        ["MEA", "4.75", "1,000.000", "trading"],
        ["PEA", "4.50", "234.567", "trading"],
    ]


def test_a_halted_region_and_market_are_coloured(qtbot) -> None:
    view = TradingOverviewView()
    qtbot.addWidget(view)
    view.on_overview(chain_overview(halted_by_region={"EGAT": False, "MEA": True,
                                                      "PEA": False}, halted_regions=["MEA"]))
    rows = view.region_rows()
    assert rows[1][MARKET] == "✗ HALTED" and rows[0][MARKET] == "trading"
    red = abnormal_colour(CRITICAL)
    assert view.regions.item(1, MARKET).foreground().color() == red
    assert view.regions.item(0, MARKET).foreground().color() != red
    assert view.market_label.styleSheet() == ""  # other regions still trade

    view.on_overview(chain_overview(market_halted=True, halted_regions=["ALL"],
                                    halted_by_region=dict.fromkeys(("EGAT", "MEA", "PEA"),
                                                                   True)))
    assert view.market_label.text() == "✗ HALTED"
    assert red.name() in view.market_label.styleSheet()


def test_backend_overview_and_fallback_are_labelled(qtbot) -> None:
    view = TradingOverviewView()
    qtbot.addWidget(view)
    view.on_overview({"source": "backend", "orders_per_second": 12.0, "volume_wh": 5_000,
                      "price_by_region": {"MEA": 430}, "halted_by_region": {"MEA": False},
                      "market_halted": False, "as_of_ms": NOW, "volume_by_region": None})
    assert view.source_label.text() == "backend API"
    assert view.region_rows() == [["MEA", "4.30", "—", "trading"]]
    view.on_overview(chain_overview(fallback=True))
    assert view.source_label.text() == "this node's chain (backend unreachable)"


def test_missing_keys_show_dashes(qtbot) -> None:
    view = TradingOverviewView()
    qtbot.addWidget(view)
    view.on_overview({})
    assert view.orders_label.text() == "—" and view.market_label.text() == "—"
    assert view.region_rows() == []


def test_status_bar_text_names_each_part_in_degraded_mode() -> None:
    assert backend_text({"profile": "devnet", "monitoring": "off"}, "off") == (
        DEVNET_TEXT, False)
    down_since = NOW - 5 * 3_600_000 - 20 * 60_000  # 17:40 Bangkok
    cloud = {"profile": "gcp", "monitoring": "retrying", "pubsub": "ok",
             "spanner": "down since 2025-11-25 10:40 UTC", "backend": "off",
             "since_ms": {"monitoring": NOW, "spanner": down_since}}
    text, abnormal = backend_text(cloud, "circuit open")
    assert text == ("Monitoring: retrying · Pub/Sub: ok · Spanner: down since 17:40 · "
                    "API: circuit open")
    assert abnormal
    healthy = {"profile": "gcp", "monitoring": "ok", "pubsub": "ok", "spanner": "off"}
    assert backend_text(healthy, "ok") == (
        "Monitoring: ok · Pub/Sub: ok · Spanner: off · API: ok", False)
    assert part_text("down since x", None) == "down since x"
