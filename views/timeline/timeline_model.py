"""The incident timeline's event table: the events a replay cursor has passed.

A thin Qt model over :class:`node_core.control_room.incident.IncidentRecord`: ``set_record`` loads
a window,
``set_position`` shows the events at or before the cursor (rows are appended and removed, not
reset, so a table keeps its scroll position while a replay runs).
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor

from node_core.control_room.incident import EventKind, IncidentEvent, IncidentRecord
from views.charts.palette import palette_for
from views.common.formatting import bangkok_time, zone_name

_CONTEXT: Final = "TimelineModel"
COLUMNS: Final = ("time", "kind", "what", "detail")


def kind_text(kind: EventKind) -> str:
    """The translated name of an event kind (literal calls so that lupdate finds them)."""
    t = QCoreApplication.translate
    return {
        EventKind.GRID: t(_CONTEXT, "Grid"),
        EventKind.ALARM: t(_CONTEXT, "Alarm"),
        EventKind.OPERATOR: t(_CONTEXT, "Operator"),
        EventKind.BLOCK: t(_CONTEXT, "Block"),
        EventKind.EMERGENCY: t(_CONTEXT, "Emergency"),
        EventKind.GOVERNANCE: t(_CONTEXT, "Governance"),
    }[kind]


def header_text(column: int) -> str:
    t = QCoreApplication.translate
    return (t(_CONTEXT, "Time ({zone})").format(zone=zone_name()), t(_CONTEXT, "Kind"),
            t(_CONTEXT, "What"), t(_CONTEXT, "Detail"))[column]


class TimelineModel(QAbstractTableModel):
    """Events of the loaded record up to the cursor, oldest first."""

    def __init__(self, theme: str = "light", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._palette = palette_for(theme)
        self._record = IncidentRecord(0, 0)
        self._shown = 0

    @property
    def record(self) -> IncidentRecord:
        return self._record

    def set_record(self, record: IncidentRecord, position_ms: int | None = None) -> None:
        self.beginResetModel()
        self._record = record
        self._shown = record.passed(record.start_ms if position_ms is None else position_ms)
        self.endResetModel()

    def set_position(self, position_ms: int) -> None:
        target = self._record.passed(position_ms)
        if target > self._shown:
            self.beginInsertRows(QModelIndex(), self._shown, target - 1)
            self._shown = target
            self.endInsertRows()
        elif target < self._shown:
            self.beginRemoveRows(QModelIndex(), target, self._shown - 1)
            self._shown = target
            self.endRemoveRows()

    def event_at(self, row: int) -> IncidentEvent:
        return self._record.events[row]

    def shown(self) -> list[IncidentEvent]:
        return list(self._record.events[:self._shown])

    # ----- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return header_text(section)
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._shown:
            return None
        e = self._record.events[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (bangkok_time(e.time_ms), kind_text(e.kind), e.title, e.detail)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            colour = self._palette.priority.get(e.priority)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{e.title}\n{e.detail}"
        return None
