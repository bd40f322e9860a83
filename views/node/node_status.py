"""NodeStatusPanel: the embedded authority node at a glance (chain, consensus, finality, peers).

The panel is fed plain dicts by the app: :meth:`NodeStatusPanel.on_status` gets
``NodeQueries.status_summary()`` (about once a second) and :meth:`NodeStatusPanel.on_block`
gets ``NodeQueries.block_summary()`` for each finalized block. It never talks to the node.

Keys read from a status: ``authority``, ``address``, ``chain_id``, ``height``, ``tip``,
``tip_timestamp``, ``round``, ``proposer`` (a name), ``authorities``, ``peers`` (``name``,
``address``, ``connected``, ``height``, ``last_seen_ms``), ``mempool``, ``tx_finalized``,
``finality_p50_ms``, ``finality_p99_ms``, ``equivocations``, ``consensus_health``,
``rejected``. From a block summary: ``height``, ``hash``, ``timestamp``, ``proposer`` (an
address), ``final_ms``. Missing keys show a dash rather than raise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from node_core.clock import now_ms
from views.common import formatting as fmt
from views.common.abnormal import CRITICAL, HIGH, abnormal_colour, mark_label
from views.common.display_table import fill_row, fit_rows, read_only_table, table_text
from views.common.hash_label import HashLabel

HEALTH_ALARM = 0.8
"""Consensus health below this is the design's consensus failure (shown red)."""
AGE_REFRESH_MS = 1000
"""Lag and peer ages are re-rendered this often even when no status arrives, so a stalled
feed shows as a growing lag instead of a frozen one."""
HEADLINE_SCALE = 1.6
"""The height figure, relative to the application font."""

PEER_NAME, PEER_STATE, PEER_HEIGHT, PEER_SEEN = range(4)



@dataclass(slots=True)
class _Tip:
    """The newest finalized block known, from a status or a block, whichever is newer."""

    height: int | None = None
    hash: str | None = None
    timestamp: int | None = None

    def advance(self, height: int | None, block_hash: str | None, timestamp: int | None) -> None:
        """Take the given block if it is at least as high as the one held."""
        if height is not None and (self.height is None or height >= self.height):
            self.height, self.hash, self.timestamp = height, block_hash, timestamp


class NodeStatusPanel(QWidget):
    """Height, finalized tip, lag, round, proposer, consensus health, finality, peers.

    Display only; no signals. Abnormal values get colour and a symbol (ISA-101): consensus
    health below 80 % and any equivocation in red, a disconnected peer in orange.

    "Last block proposed by this authority" is the height of the newest block seen through
    :meth:`on_block` whose ``proposer`` equals this node's ``address`` (known from the first
    status; blocks that arrive earlier are remembered by proposer). A block summary carries
    only the count of commit signatures, not who signed, so the panel cannot say which block
    this authority last co-signed; that needs ``block_detail``.
    """

    def __init__(self, *, clock: Callable[[], int] = now_ms, theme: str = "light",
                 parent: QWidget | None = None) -> None:
        """``clock``: UTC ms now (tests pass a fixed one); ``theme``: abnormal colours."""
        super().__init__(parent)
        self._clock = clock
        self._theme = theme
        self._status: dict[str, Any] = {}
        self._tip = _Tip()
        self._last_block_finality_ms: int | None = None
        self._latest_by_proposer: dict[str, int] = {}
        self._values: dict[str, QLabel] = {}
        self._abnormal: dict[str, str] = {}
        self._build()
        self._age_timer = QTimer(self, interval=AGE_REFRESH_MS)
        self._age_timer.timeout.connect(self._on_age_due)
        self._age_timer.start()

    # ----- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        self._identity = QLabel(fmt.MISSING, self)
        self._identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._identity.setStyleSheet("font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.addWidget(self._identity)
        layout.addWidget(self._chain_group())
        layout.addWidget(self._consensus_group())
        layout.addWidget(self._throughput_group())
        layout.addWidget(self._peers_group())
        layout.addStretch(1)

    def _group(self, title: str, rows: list[tuple[str, str]]) -> tuple[QGroupBox, QGridLayout]:
        """A titled box of caption/value rows; values are registered under their keys."""
        box = QGroupBox(title, self)
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        for row, (key, caption) in enumerate(rows):
            grid.addWidget(QLabel(caption, box), row, 0)
            value = QLabel(fmt.MISSING, box)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, row, 1)
            self._values[key] = value
        return box, grid

    def _chain_group(self) -> QGroupBox:
        box, grid = self._group(self.tr("Chain"), [
            ("height", self.tr("Height")),
            ("last_block_time", self.tr("Last block ({zone})").format(zone=fmt.zone_name())),
            ("lag", self.tr("Since last block")),
        ])
        headline = self._values["height"].font()
        headline.setPointSizeF(headline.pointSizeF() * HEADLINE_SCALE)
        headline.setBold(True)
        self._values["height"].setFont(headline)
        grid.addWidget(QLabel(self.tr("Finalized tip"), box), 3, 0)
        grid.addLayout(self._tip_row(box), 3, 1)
        return box

    def _tip_row(self, box: QWidget) -> QHBoxLayout:
        self._tip_hash = HashLabel(box)
        copy = QToolButton(box)
        copy.setText(self.tr("Copy"))
        copy.setToolTip(self.tr("Copy the full tip hash"))
        copy.clicked.connect(self._tip_hash.copy)
        row = QHBoxLayout()
        row.addWidget(self._tip_hash, 1)
        row.addWidget(copy)
        return row

    def _consensus_group(self) -> QGroupBox:
        box, _ = self._group(self.tr("Consensus"), [
            ("round", self.tr("Round")),
            ("proposer", self.tr("Proposer")),
            ("consensus_health", self.tr("Consensus health")),
            ("equivocations", self.tr("Equivocations")),
            ("last_proposed", self.tr("Last block proposed here")),
            ("finality", self.tr("Tx finality p50 / p99")),
            ("last_block_finality", self.tr("Last block final after")),
        ])
        self._values["consensus_health"].setToolTip(self.tr(
            "Share of the last 100 blocks final in round 0 with every authority signing"))
        self._values["last_block_finality"].setToolTip(self.tr(
            "Time from the block's timestamp until this node finalized it"))
        return box

    def _throughput_group(self) -> QGroupBox:
        box, _ = self._group(self.tr("Transactions"), [
            ("mempool", self.tr("Mempool")),
            ("tx_finalized", self.tr("Finalized")),
            ("rejected", self.tr("Rejected")),
        ])
        return box

    def _peers_group(self) -> QGroupBox:
        box, grid = self._group(self.tr("Peers"), [("peers", self.tr("Connected"))])
        self._peers = read_only_table([
            self.tr("Authority"), self.tr("State"), self.tr("Height"), self.tr("Last seen")], box)
        self._peers.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._peers.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        grid.addWidget(self._peers, 1, 0, 1, 2)
        return box

    # ----- slots ------------------------------------------------------------------------------

    def on_status(self, status: dict[str, Any]) -> None:
        """Show a ``status_summary()``."""
        self._status = dict(status)
        self._tip.advance(status.get("height"), status.get("tip"), status.get("tip_timestamp"))
        self._render()

    def on_block(self, summary: dict[str, Any]) -> None:
        """Take a newly finalized block's ``block_summary()``."""
        self._tip.advance(summary.get("height"), summary.get("hash"), summary.get("timestamp"))
        final_ms, timestamp = summary.get("final_ms"), summary.get("timestamp")
        if final_ms is not None and timestamp is not None:
            self._last_block_finality_ms = final_ms - timestamp
        self._note_proposer(summary.get("proposer"), summary.get("height"))
        self._render()

    def _on_age_due(self) -> None:
        self._render_ages()

    # ----- accessors (for the app and tests: data, not pixels) ----------------------------------

    def figures(self) -> dict[str, str]:
        """Each shown figure's text by key (``tip``: the whole hash)."""
        texts = {key: label.text() for key, label in self._values.items()}
        texts["tip"] = self._tip_hash.hash()
        texts["identity"] = self._identity.text()
        return texts

    def abnormal_figures(self) -> dict[str, str]:
        """Figures shown as abnormal, with their priority ("critical", "high")."""
        return dict(self._abnormal)

    def peer_rows(self) -> list[list[str]]:
        """The peers table as text: authority, state, height, last seen (address: tooltip)."""
        return table_text(self._peers)

    def status_text(self) -> str:
        """Everything shown, one ``key: text`` line each (for logs and tests)."""
        lines = [f"{key}: {text}" for key, text in self.figures().items()]
        lines += [f"peer: {' | '.join(row)}" for row in self.peer_rows()]
        return "\n".join(lines)

    def lag_ms(self) -> int | None:
        """Now minus the newest finalized block's timestamp, or None before any block."""
        if self._tip.timestamp is None:
            return None
        return self._clock() - self._tip.timestamp

    def last_proposed_height(self) -> int | None:
        """Height of the newest block seen that this authority proposed, or None."""
        return self._latest_by_proposer.get(self._status.get("address", ""))

    # ----- rendering --------------------------------------------------------------------------

    def _note_proposer(self, proposer: str | None, height: int | None) -> None:
        if proposer is None or height is None:
            return
        if height > self._latest_by_proposer.get(proposer, -1):
            self._latest_by_proposer[proposer] = height

    def _set(self, key: str, text: str, priority: str | None = None) -> None:
        """Show ``text`` for ``key``, abnormal with ``priority`` or normal when None."""
        label = self._values[key]
        label.setText(text)
        if self._abnormal.get(key) != priority:  # restyling is not free: only on change
            mark_label(label, priority, self._theme)
        if priority is None:
            self._abnormal.pop(key, None)
        else:
            self._abnormal[key] = priority

    def _render(self) -> None:
        self._render_identity()
        self._render_chain()
        self._render_consensus()
        self._render_throughput()
        self._render_peers()
        self._render_ages()

    def _render_identity(self) -> None:
        s = self._status
        self._identity.setText(self.tr("{authority}  ·  {address}  ·  chain {chain}").format(
            authority=s.get("authority") or fmt.MISSING,
            address=fmt.short_hash(s.get("address")), chain=s.get("chain_id") or fmt.MISSING))
        self._identity.setToolTip(s.get("address") or "")

    def _render_chain(self) -> None:
        self._set("height", fmt.integer(self._tip.height))
        self._set("last_block_time", fmt.bangkok_time(self._tip.timestamp))
        self._tip_hash.set_hash(self._tip.hash)

    def _render_consensus(self) -> None:
        s = self._status
        self._set("round", fmt.integer(s.get("round")))
        self._set("proposer", s.get("proposer") or fmt.MISSING)
        self._render_health(s.get("consensus_health"))
        self._render_equivocations(s.get("equivocations"))
        self._set("last_proposed", fmt.integer(self.last_proposed_height()))
        self._set("finality", self.tr("{p50} / {p99}").format(
            p50=fmt.duration_text(s.get("finality_p50_ms")),
            p99=fmt.duration_text(s.get("finality_p99_ms"))))
        self._set("last_block_finality", fmt.duration_text(self._last_block_finality_ms))

    def _render_health(self, health: float | None) -> None:
        if health is not None and health < HEALTH_ALARM:
            self._set("consensus_health", self.tr("⚠ {value}  consensus failing").format(
                value=fmt.percent(health)), CRITICAL)
        else:
            self._set("consensus_health", fmt.percent(health))

    def _render_equivocations(self, count: int | None) -> None:
        if count:
            self._set("equivocations", self.tr("⚠ {n}").format(n=fmt.integer(count)), CRITICAL)
        else:
            self._set("equivocations", fmt.integer(count))

    def _render_throughput(self) -> None:
        s = self._status
        self._set("mempool", fmt.integer(s.get("mempool")))
        self._set("tx_finalized", fmt.integer(s.get("tx_finalized")))
        rejected: dict[str, int] = s.get("rejected") or {}
        self._set("rejected", fmt.integer(sum(rejected.values())))
        self._values["rejected"].setToolTip("\n".join(
            f"{reason}: {fmt.integer(n)}" for reason, n in sorted(rejected.items())))

    def _render_peers(self) -> None:
        peers: list[dict[str, Any]] = self._status.get("peers") or []
        connected = sum(1 for p in peers if p.get("connected"))
        text = self.tr("{connected}/{total}").format(connected=connected, total=len(peers))
        if connected < len(peers):
            self._set("peers", self.tr("⚠ {count}").format(count=text), HIGH)
        else:
            self._set("peers", text)
        self._peers.setRowCount(len(peers))
        for row, peer in enumerate(peers):
            self._render_peer(row, peer)
        fit_rows(self._peers)

    def _render_peer(self, row: int, peer: dict[str, Any]) -> None:
        items = fill_row(self._peers, row, [
            peer.get("name") or fmt.MISSING, "", fmt.integer(peer.get("height"))], {PEER_HEIGHT})
        items[PEER_NAME].setToolTip(peer.get("address") or "")
        self._peers.setItem(row, PEER_STATE, self._peer_state_item(bool(peer.get("connected"))))

    def _peer_state_item(self, connected: bool) -> QTableWidgetItem:
        if connected:
            return QTableWidgetItem(self.tr("connected"))
        item = QTableWidgetItem(self.tr("✗ disconnected"))
        item.setForeground(abnormal_colour(HIGH, self._theme))
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        return item

    def _render_ages(self) -> None:
        """The figures that change with the clock alone: lag and peers' last-seen ages."""
        self._set("lag", fmt.duration_text(self.lag_ms()))
        now = self._clock()
        for row, peer in enumerate(self._status.get("peers") or []):
            seen = peer.get("last_seen_ms")
            text = fmt.age_text(now - seen) if seen else self.tr("never")
            self._peers.setItem(row, PEER_SEEN, QTableWidgetItem(text))
