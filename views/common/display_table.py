"""Small read-only QTableWidgets for the detail and status panes: build, fill, read back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def read_only_table(columns: list[str], parent: QWidget) -> QTableWidget:
    """A display table: no editing, no row numbers, columns sized to their contents."""
    table = QTableWidget(0, len(columns), parent)
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def fill_row(table: QTableWidget, row: int, cells: list[str],
             numeric: set[int]) -> list[QTableWidgetItem]:
    """Put text ``cells`` in ``row`` (``numeric`` columns right-aligned); returns the items."""
    items = []
    for column, text in enumerate(cells):
        item = QTableWidgetItem(text)
        if column in numeric:
            item.setTextAlignment(_RIGHT)
        table.setItem(row, column, item)
        items.append(item)
    return items


def table_text(table: QTableWidget) -> list[list[str]]:
    """Every cell's text, row by row."""
    return [[item.text() if (item := table.item(r, c)) is not None else ""
             for c in range(table.columnCount())] for r in range(table.rowCount())]


def fit_rows(table: QTableWidget, minimum_rows: int = 1) -> None:
    """Fix a short table's height to show all its rows (at least ``minimum_rows``) without a
    vertical scroll bar; the room is left to what the layout stretches instead."""
    rows = max(table.rowCount(), minimum_rows)
    scroll_bar = table.horizontalScrollBar()
    extra = scroll_bar.sizeHint().height() if scroll_bar.isVisible() else 0
    table.setFixedHeight(table.horizontalHeader().sizeHint().height() + extra
                         + rows * table.verticalHeader().defaultSectionSize()
                         + 2 * table.frameWidth())
