"""A proposal's tally as a small stacked bar with its quorum line: a widget and a delegate.

The bar spans the electorate: yes (solid dark), no (mid gray, hatched), abstain (light gray),
then the authorities that have not voted (empty). A black line marks the quorum: yes reaching
it means the proposal passes. Grays only (ISA-101: a vote is not an abnormal state); the
hatching and the text beside the bar keep yes and no apart without colour.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from views.governance.governance_model import TALLY_ROLE, Tally

BAR_WIDTH: Final = 96
BAR_HEIGHT: Final = 12
YES_COLOUR: Final = QColor("#303030")
NO_COLOUR: Final = QColor("#8a8a8a")
ABSTAIN_COLOUR: Final = QColor("#bdbdbd")
EMPTY_COLOUR: Final = QColor("#f2f2f2")
QUORUM_COLOUR: Final = QColor("#000000")


def paint_tally(painter: QPainter, rect: QRect, tally: Tally) -> None:
    """Paint ``tally`` as a stacked bar filling ``rect``, with the quorum line."""
    n = max(tally.electorate, tally.yes + tally.no + tally.abstain, 1)
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.fillRect(rect, EMPTY_COLOUR)
    x = rect.left()
    for count, colour, pattern in ((tally.yes, YES_COLOUR, None),
                                   (tally.no, NO_COLOUR, Qt.BrushStyle.BDiagPattern),
                                   (tally.abstain, ABSTAIN_COLOUR, None)):
        width = round(rect.width() * count / n)
        segment = QRect(x, rect.top(), width, rect.height())
        painter.fillRect(segment, colour)
        if pattern is not None:
            painter.fillRect(segment, QBrush(QColor("#ffffff"), pattern))
        x += width
    painter.setPen(QPen(QColor("#505050"), 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect.adjusted(0, 0, -1, -1))
    quorum_x = rect.left() + round(rect.width() * tally.quorum / n)
    painter.setPen(QPen(QUORUM_COLOUR, 2))
    painter.drawLine(quorum_x, rect.top() - 3, quorum_x, rect.bottom() + 3)
    painter.restore()


class TallyBar(QWidget):
    """A stand-alone tally bar (the detail pane); :meth:`set_tally` to show one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tally: Tally | None = None
        self.setMinimumSize(BAR_WIDTH * 2, BAR_HEIGHT + 8)
        self.setMaximumWidth(BAR_WIDTH * 4)

    def set_tally(self, tally: Tally | None) -> None:
        self._tally = tally
        self.update()

    def tally(self) -> Tally | None:
        return self._tally

    def sizeHint(self) -> QSize:
        return QSize(BAR_WIDTH * 3, BAR_HEIGHT + 8)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        if self._tally is None:
            return
        painter = QPainter(self)
        paint_tally(painter, self.rect().adjusted(1, 4, -2, -4), self._tally)
        painter.end()


class TallyBarDelegate(QStyledItemDelegate):
    """Paints a cell's :data:`TALLY_ROLE` as a bar, followed by the cell's display text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        tally = index.data(TALLY_ROLE)
        if not isinstance(tally, Tally):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        cell = option.rect.adjusted(4, 0, -4, 0)
        top = cell.top() + (cell.height() - BAR_HEIGHT) // 2
        paint_tally(painter, QRect(cell.left(), top, BAR_WIDTH, BAR_HEIGHT), tally)
        text_rect = cell.adjusted(BAR_WIDTH + 8, 0, 0, 0)
        text = option.fontMetrics.elidedText(str(index.data()), Qt.TextElideMode.ElideRight,
                                             text_rect.width())
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setPen(option.palette.color(
            option.palette.ColorRole.HighlightedText if selected
            else option.palette.ColorRole.Text))
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         text)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        """Room for the bar and the whole text as :meth:`paint` lays them out (4 px margins,
        8 px between bar and text), so a column fitted to its contents elides nothing."""
        hint = super().sizeHint(option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.fontMetrics.horizontalAdvance(str(index.data() or ""))
        return QSize(max(hint.width(), text + 8 + 2) + BAR_WIDTH + 8, hint.height())
