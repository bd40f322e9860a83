"""NodeStatusPanel: figures from status and blocks, abnormal marking, lag and peer ages."""

import pytest
from PySide6.QtCore import Qt

from views.common.abnormal import CRITICAL, HIGH
from views.node.node_status import NodeStatusPanel

NOW = 1_764_086_400_000
"""2025-11-25 23:00:00 Bangkok."""
EGAT = "0x" + "e0" * 20
MEA = "0x" + "a1" * 20
PEA = "0x" + "b2" * 20
TIP = "7c" * 32


class Clock:
    """A settable wall clock, UTC ms."""

    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def status(**changes):
    base = {
        "authority": "EGAT", "address": EGAT, "chain_id": "gridtokenx-devnet",
        "genesis_hash": "00" * 32, "height": 120, "tip": TIP, "tip_timestamp": NOW - 3_000,
        "round": 0, "proposer": "MEA", "authorities": 3, "quorum": 2,
        "peers": [
            {"name": "MEA", "address": MEA, "connected": True, "height": 120,
             "last_seen_ms": NOW - 3_000},
            {"name": "PEA", "address": PEA, "connected": True, "height": 119,
             "last_seen_ms": NOW - 125_000},
        ],
        "mempool": 1_234, "tx_finalized": 98_765, "finality_p50_ms": 850,
        "finality_p99_ms": 2_400, "equivocations": 0, "consensus_health": 0.97,
        "rejected": {"nonce": 3, "balance": 2},
    }
    return base | changes


def block(height, proposer=MEA, timestamp=NOW - 1_000, final_ms=NOW - 200):
    return {"height": height, "hash": f"{height:064x}", "timestamp": timestamp,
            "proposer": proposer, "round": 0, "tx_count": 4, "total_energy_wh": 12_500,
            "signatures": 3, "quorum": 2, "final_ms": final_ms, "tx_hashes": []}


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def panel(qtbot, clock):
    widget = NodeStatusPanel(clock=clock)
    qtbot.addWidget(widget)
    return widget


def test_status_fills_the_figures(panel):
    panel.on_status(status())
    figures = panel.figures()
    assert figures["height"] == "120"
    assert figures["tip"] == TIP
    assert figures["last_block_time"] == "2025-11-25 22:59:57"
    assert figures["round"] == "0"
    assert figures["proposer"] == "MEA"
    assert figures["mempool"] == "1,234"
    assert figures["tx_finalized"] == "98,765"
    assert figures["finality"] == "850 ms / 2.4 s"
    assert figures["consensus_health"] == "97.0 %"
    assert figures["equivocations"] == "0"
    assert figures["rejected"] == "5"
    assert "EGAT" in figures["identity"] and "gridtokenx-devnet" in figures["identity"]
    assert panel.abnormal_figures() == {}


def test_all_peers_connected_reads_2_of_2(panel):
    panel.on_status(status())
    assert panel.figures()["peers"] == "2/2"
    rows = panel.peer_rows()
    assert [row[0] for row in rows] == ["MEA", "PEA"]
    assert [row[1] for row in rows] == ["connected", "connected"]
    assert [row[3] for row in rows] == ["3 s ago", "2 min ago"]
    assert rows[1][2] == "119"


def test_a_disconnected_peer_is_abnormal_high(panel):
    peers = status()["peers"]
    peers[1] = peers[1] | {"connected": False, "last_seen_ms": None, "height": None}
    panel.on_status(status(peers=peers))
    assert panel.figures()["peers"] == "⚠ 1/2"
    assert panel.abnormal_figures() == {"peers": HIGH}
    assert panel.peer_rows()[1][1:] == ["✗ disconnected", "—", "never"]


def test_consensus_health_below_80_percent_is_abnormal(panel):
    panel.on_status(status(consensus_health=0.5))
    assert panel.figures()["consensus_health"].startswith("⚠ 50.0 %")
    assert panel.abnormal_figures()["consensus_health"] == CRITICAL
    panel.on_status(status(consensus_health=0.8))
    assert panel.figures()["consensus_health"] == "80.0 %"
    assert "consensus_health" not in panel.abnormal_figures()


def test_no_health_yet_is_a_dash_not_an_alarm(panel):
    panel.on_status(status(consensus_health=None, finality_p50_ms=None, finality_p99_ms=None))
    assert panel.figures()["consensus_health"] == "—"
    assert panel.figures()["finality"] == "— / —"
    assert panel.abnormal_figures() == {}


def test_equivocations_are_abnormal(panel):
    panel.on_status(status(equivocations=2))
    assert panel.figures()["equivocations"] == "⚠ 2"
    assert panel.abnormal_figures() == {"equivocations": CRITICAL}


def test_lag_is_now_minus_the_last_block_time(panel, clock):
    panel.on_status(status())
    assert panel.lag_ms() == 3_000
    assert panel.figures()["lag"] == "3.0 s"
    clock.ms += 62_000
    panel.on_status(status())
    assert panel.figures()["lag"] == "1 min 05 s"


def test_lag_and_ages_keep_counting_when_the_feed_stops(panel, clock, qtbot):
    panel.on_status(status())
    clock.ms += 10_000
    qtbot.waitUntil(lambda: panel.figures()["lag"] == "13.0 s", timeout=3000)
    assert panel.peer_rows()[0][3] == "13 s ago"


def test_a_block_newer_than_the_status_moves_the_tip(panel):
    panel.on_status(status())
    panel.on_block(block(121, timestamp=NOW - 1_000, final_ms=NOW - 200))
    figures = panel.figures()
    assert figures["height"] == "121"
    assert figures["tip"] == f"{121:064x}"
    assert figures["lag"] == "1.0 s"
    assert figures["last_block_finality"] == "800 ms"


def test_an_older_status_does_not_move_the_tip_back(panel):
    panel.on_block(block(121))
    panel.on_status(status(height=120))
    assert panel.figures()["height"] == "121"


def test_last_block_proposed_by_this_authority(panel):
    panel.on_block(block(118, proposer=EGAT))  # before any status: remembered by proposer
    panel.on_status(status())
    assert panel.last_proposed_height() == 118
    assert panel.figures()["last_proposed"] == "118"
    panel.on_block(block(121, proposer=MEA))
    panel.on_block(block(122, proposer=EGAT))
    assert panel.figures()["last_proposed"] == "122"


def test_status_text_lists_every_figure_and_peer(panel):
    panel.on_status(status())
    text = panel.status_text()
    assert "height: 120" in text
    assert "peers: 2/2" in text
    assert "peer: PEA" in text


def test_figures_before_any_data_are_dashes(panel):
    figures = panel.figures()
    assert figures["height"] == "—"
    assert figures["lag"] == "—"
    assert figures["tip"] == ""
    assert panel.peer_rows() == []


def test_the_tip_hash_is_elided_in_the_middle_and_copied_whole(panel, qtbot):
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QToolButton

    from views.common.hash_label import HashLabel

    panel.resize(420, 900)
    panel.show()
    qtbot.waitExposed(panel)
    panel.on_status(status())
    label = panel.findChild(HashLabel)
    qtbot.waitUntil(lambda: "…" in label.text())
    assert label.text().startswith(TIP[:6]) and label.text().endswith(TIP[-6:])
    assert label.toolTip() == TIP
    copy = next(b for b in panel.findChildren(QToolButton) if b.text() == "Copy")
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == TIP
