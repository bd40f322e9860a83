"""ColumnTableModel: the Qt skeleton of a flat table of dict rows over a fixed column list.

What :class:`QAbstractTableModel` asks of every such table, written once: the row storage
(``_rows``, one dict a row), ``rowCount`` / ``columnCount`` (no children), ``headerData``
(horizontal headers: a title a column and its alignment) and the ``data`` preamble (an
invalid index has no data; the alignment is the column's, as in the header; otherwise the row
dict and column go to :meth:`cell_data`).

A subclass keeps its domain: the column constants, how rows are fed (reset, insert,
remove), what a cell shows, and its header titles. The titles stay in the subclass so that
``self.tr`` there keeps the subclass's translation context.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class ColumnTableModel(QAbstractTableModel):
    """A table of ``dict`` rows (``_rows``, row order) over ``column_count`` columns.

    Subclasses set :attr:`column_count` and :attr:`right_aligned`, and implement
    :meth:`header_titles` and :meth:`cell_data`.
    """

    column_count: ClassVar[int]
    """How many columns every row has."""
    right_aligned: ClassVar[frozenset[int]] = frozenset()
    """Columns aligned right (numbers), in the header and in the cells; the rest left."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    def header_titles(self) -> list[str]:
        """The translated title of each column, in column order."""
        raise NotImplementedError

    def cell_data(self, row: dict[str, Any], column: int, role: int) -> Any:
        """What ``data`` returns for ``role`` of ``column`` in ``row`` (None: nothing); the
        text alignment is answered before (:meth:`alignment`)."""
        raise NotImplementedError

    def alignment(self, column: int) -> Qt.AlignmentFlag:
        """Right and vertically centred for :attr:`right_aligned` columns, else left."""
        return RIGHT if column in self.right_aligned else LEFT

    # ----- QAbstractTableModel --------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.column_count

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.header_titles()[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(index.column())
        return self.cell_data(self._rows[index.row()], index.column(), role)
