"""ColumnTableModel: the shared Qt skeleton (counts, horizontal headers, the data preamble)."""

from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from views.common.table_model import LEFT, RIGHT, ColumnTableModel

DISPLAY = Qt.ItemDataRole.DisplayRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
HORIZONTAL, VERTICAL = Qt.Orientation.Horizontal, Qt.Orientation.Vertical


class Pairs(ColumnTableModel):
    """Two columns: a name, then a number aligned right."""

    column_count = 2
    right_aligned = frozenset({1})

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__()
        self._rows = rows

    def header_titles(self) -> list[str]:
        return ["Name", "Count"]

    def cell_data(self, row: dict[str, Any], column: int, role: int) -> Any:
        if role == DISPLAY:
            return row["name"] if column == 0 else str(row["count"])
        return self.alignment(column) if role == ALIGN else None


def test_counts_rows_and_columns_of_the_root_only() -> None:
    model = Pairs([{"name": "a", "count": 1}, {"name": "b", "count": 2}])
    assert (model.rowCount(), model.columnCount()) == (2, 2)
    child = model.index(0, 0)
    assert (model.rowCount(child), model.columnCount(child)) == (0, 0)


def test_horizontal_headers_have_titles_and_alignment_vertical_ones_nothing() -> None:
    model = Pairs([])
    assert [model.headerData(c, HORIZONTAL) for c in range(2)] == ["Name", "Count"]
    assert [model.headerData(c, HORIZONTAL, ALIGN) for c in range(2)] == [LEFT, RIGHT]
    assert model.headerData(0, HORIZONTAL, Qt.ItemDataRole.ToolTipRole) is None
    assert model.headerData(0, VERTICAL) is None


def test_data_hands_the_row_dict_and_column_to_cell_data() -> None:
    model = Pairs([{"name": "a", "count": 1}, {"name": "b", "count": 2}])
    assert [[model.index(r, c).data() for c in range(2)] for r in range(2)] == [
        ["a", "1"], ["b", "2"]]
    assert model.index(1, 1).data(ALIGN) == RIGHT
    assert model.data(QModelIndex()) is None
