"""BlockTableModel: finalized block summaries as a table, newest first, bounded, append-only.

Rows are ``NodeQueries.block_summary()`` dicts. Keys read: ``height``, ``hash``,
``timestamp``, ``proposer`` (an address), ``tx_count``, ``total_energy_wh``, ``signatures``,
``quorum``.
"""

from __future__ import annotations

import heapq
import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt

from views.common import formatting as fmt
from views.common.abnormal import CRITICAL, abnormal_colour
from views.common.hash_label import monospace_font
from views.common.table_model import ColumnTableModel

DEFAULT_MAX_ROWS = 10_000
"""Rows kept; older blocks are fetched on demand through the explorer's search."""

HEIGHT, HASH, TIME, PROPOSER, TX_COUNT, ENERGY, SIGNATURES = range(7)
COLUMN_COUNT = 7
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
"""The raw value of a cell (int height, ms timestamp, Wh, ...), for sorting proxies."""

_NUMERIC = frozenset({HEIGHT, TX_COUNT, ENERGY, SIGNATURES})


class BlockTableModel(ColumnTableModel):
    """Block summaries sorted by height, highest at row 0, at most ``max_rows`` of them.

    New blocks are inserted with ``beginInsertRows`` (the model is never reset): a new tip
    goes in at row 0; an older block (a gap filled late, or a back-fill page) goes in at its
    place by height. A height already held is ignored. Past ``max_rows`` the lowest heights
    are removed with ``beginRemoveRows``; a block that would be removed at once is not added.
    """

    column_count = COLUMN_COUNT
    right_aligned = _NUMERIC

    def __init__(self, max_rows: int = DEFAULT_MAX_ROWS, *, theme: str = "light",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if max_rows < 1:
            raise ValueError("max_rows must be at least 1")
        self._max_rows = max_rows
        self._keys: list[int] = []
        """``-height`` of each row, ascending (so :mod:`bisect` works on a descending list)."""
        self._names: dict[str, str] = {}
        self._abnormal = abnormal_colour(CRITICAL, theme)
        self._hash_font = monospace_font()

    # ----- feeding --------------------------------------------------------------------------

    def add_block(self, summary: dict[str, Any]) -> bool:
        """Insert one block; False if its height is already held or it is too old to keep."""
        return self.add_blocks([summary]) == 1

    def add_blocks(self, summaries: Iterable[dict[str, Any]]) -> int:
        """Insert blocks in any order; returns how many were added.

        Blocks that land next to each other are inserted with one ``beginInsertRows`` (a
        back-fill page of 1,000 blocks into an empty model is one insertion).
        """
        fresh = self._within_bound(self._fresh(summaries))
        for position, run in reversed(self._runs(fresh)):
            self.beginInsertRows(QModelIndex(), position, position + len(run) - 1)
            self._rows[position:position] = run
            self._keys[position:position] = [-s["height"] for s in run]
            self.endInsertRows()
        return len(fresh)

    def set_authority_names(self, names: dict[str, str]) -> None:
        """Show proposers by name (``{address: name}``); unknown ones by short address."""
        self._names = dict(names)
        if self._rows:
            self.dataChanged.emit(self.index(0, PROPOSER),
                                  self.index(len(self._rows) - 1, PROPOSER))

    def _fresh(self, summaries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """New heights only (first of duplicates wins), highest first."""
        by_height: dict[int, dict[str, Any]] = {}
        for summary in summaries:
            height = int(summary["height"])
            if height not in by_height and self.row_of_height(height) is None:
                by_height[height] = summary
        return [by_height[h] for h in sorted(by_height, reverse=True)]

    def _within_bound(self, fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Make room: drop held rows and fresh blocks below the ``max_rows`` highest heights."""
        if len(self._rows) + len(fresh) <= self._max_rows:
            return fresh
        merged = heapq.merge((-k for k in self._keys), (s["height"] for s in fresh),
                             reverse=True)
        cutoff = next(itertools.islice(merged, self._max_rows - 1, None))
        first_dropped = bisect_right(self._keys, -cutoff)
        if first_dropped < len(self._rows):
            self.beginRemoveRows(QModelIndex(), first_dropped, len(self._rows) - 1)
            del self._rows[first_dropped:], self._keys[first_dropped:]
            self.endRemoveRows()
        return [s for s in fresh if s["height"] >= cutoff]

    def _runs(self, fresh: list[dict[str, Any]]) -> list[tuple[int, list[dict[str, Any]]]]:
        """Group fresh blocks (highest first) by the row they go in at, in row order."""
        runs: list[tuple[int, list[dict[str, Any]]]] = []
        for summary in fresh:
            position = bisect_left(self._keys, -summary["height"])
            if runs and runs[-1][0] == position:
                runs[-1][1].append(summary)
            else:
                runs.append((position, [summary]))
        return runs

    # ----- reading --------------------------------------------------------------------------

    @property
    def max_rows(self) -> int:
        return self._max_rows

    def summary(self, row: int) -> dict[str, Any]:
        """The block summary shown in ``row``."""
        return self._rows[row]

    def heights(self) -> list[int]:
        """Heights held, in row order (highest first)."""
        return [-k for k in self._keys]

    def row_of_height(self, height: int) -> int | None:
        """The row showing ``height``, or None."""
        row = bisect_left(self._keys, -height)
        return row if row < len(self._keys) and self._keys[row] == -height else None

    def blocks_with_hash_prefix(self, prefix: str) -> list[dict[str, Any]]:
        """Held blocks whose hash starts with ``prefix`` (lowercase hex)."""
        return [s for s in self._rows if s["hash"].startswith(prefix)]

    # ----- ColumnTableModel -----------------------------------------------------------------

    def header_titles(self) -> list[str]:
        return [self.tr("Height"), self.tr("Hash"),
                self.tr("Time ({zone})").format(zone=fmt.zone_name()),
                self.tr("Proposer"), self.tr("Txs"), self.tr("Energy kWh"),
                self.tr("Signatures")]

    def cell_data(self, summary: dict[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(summary, column)
        if role == SORT_ROLE:
            return self._raw(summary, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(summary, column)
        return self._style(summary, column, role)

    def _display(self, s: dict[str, Any], column: int) -> str:
        if column == HEIGHT:
            return fmt.integer(s["height"])
        if column == HASH:
            return fmt.short_hash(s["hash"])
        if column == TIME:
            return fmt.bangkok_time(s["timestamp"])
        if column == PROPOSER:
            return self.proposer_name(s["proposer"])
        if column == TX_COUNT:
            return fmt.integer(s["tx_count"])
        if column == ENERGY:
            return fmt.kwh(s["total_energy_wh"])
        return f"{s['signatures']}/{s['quorum']}"

    def proposer_name(self, address: str) -> str:
        """An authority's name, or its short address when the name is not known."""
        return self._names.get(address) or fmt.short_hash(address)

    def _raw(self, s: dict[str, Any], column: int) -> Any:
        keys = {HEIGHT: "height", HASH: "hash", TIME: "timestamp", TX_COUNT: "tx_count",
                ENERGY: "total_energy_wh", SIGNATURES: "signatures"}
        if column == PROPOSER:
            return self.proposer_name(s["proposer"])
        return s[keys[column]]

    def _tooltip(self, s: dict[str, Any], column: int) -> str | None:
        if column == HASH:
            return str(s["hash"])
        if column == PROPOSER:
            return str(s["proposer"])
        if column == SIGNATURES:
            return self.tr("{n} commit signatures; {quorum} needed for finality").format(
                n=s["signatures"], quorum=s["quorum"])
        return None

    def _style(self, s: dict[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and column == HASH:
            return self._hash_font
        if (role == Qt.ItemDataRole.ForegroundRole and column == SIGNATURES
                and s["signatures"] < s["quorum"]):
            return self._abnormal
        return None
