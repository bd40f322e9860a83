"""MarkLabels: the boxed labels of a plot's vertical event lines, laid out inside the plot.

The lines themselves stay the caller's (``pg.InfiniteLine`` in data coordinates). The labels
are drawn in the ViewBox's own pixels, above the data, and are laid out again
(:mod:`views.charts.mark_layout`) whenever the view range, its size or the marks change: no
label reaches past the plot's edges and no two overlap; close marks share a label.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsSimpleTextItem

from views.charts.mark_layout import GAP_PX, Mark, MarkLayout, PlacedLabel, Summary, one_label

PAD_X: Final = 6.0
PAD_Y: Final = 2.0
BORDER_PX: Final = 2.0
LABEL_Z: Final = 1000.0
"""Above the plot's data (the ViewBox's child group)."""
CACHE_SIZE: Final = 4096
"""Text widths and elisions remembered (a flood re-lays out the same texts every frame)."""


def headroom(low: float, high: float, band: float) -> float:
    """The top of a y range that shows ``[low, high]`` below a label band of ``band`` (a share
    of the plot's height) kept free for :class:`MarkLabels`."""
    return high + (high - low) * band / (1.0 - band)


def single_summary(marks: Sequence[Mark]) -> tuple[str, str]:
    """A label naming the first mark only (a stand-in; views pass a translated summary)."""
    return "{label}", marks[0].text


class _LabelItem(QGraphicsRectItem):
    """A bordered box with one line of text; its rectangle is its whole drawn extent."""

    def __init__(self, parent: QGraphicsItem, font: QFont, foreground: str,
                 background: str) -> None:
        super().__init__(parent)
        self.setZValue(LABEL_Z)
        self.setBrush(QBrush(QColor(background)))
        self.text_item = QGraphicsSimpleTextItem(self)
        self.text_item.setFont(font)
        self.text_item.setBrush(QBrush(QColor(foreground)))
        self.placed: PlacedLabel | None = None

    def show_placed(self, placed: PlacedLabel, text_height: float) -> None:
        if self.placed is None or self.placed.text != placed.text:
            self.text_item.setText(placed.text)
        pen = QPen(QColor(one_label(placed.marks).colour or "#000000"), BORDER_PX)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        self.setPen(pen)
        half = BORDER_PX / 2
        self.setRect(half, half, placed.width - BORDER_PX, placed.height - BORDER_PX)
        self.setPos(placed.left, placed.top)
        self.text_item.setPos(PAD_X, (placed.height - text_height) / 2)
        self.placed = placed
        self.show()


class MarkLabels:
    """Labels of the event marks of one ``pg.ViewBox``.

    ``set_marks`` hands over the marks (time in view x units, text, severity rank, colour);
    the labels follow the view by themselves. ``summary`` writes a cluster's label (a
    template with ``{label}`` and the label that may be elided). ``band``: the labels keep to
    this top share of the plot's height (as many rows as fit, at least one), so that a plot
    that keeps its data below that band (:func:`headroom`) has no label over its data.
    """

    def __init__(self, view: pg.ViewBox, *, foreground: str, background: str,
                 font_px: int = 14, summary: Summary = single_summary,
                 max_rows: int = 3, band: float | None = None) -> None:
        self._view = view
        self._foreground, self._background = foreground, background
        self._font = QFont()
        self._font.setPixelSize(font_px)
        self._metrics = QFontMetricsF(self._font)
        self._summary = summary
        self._max_rows = max_rows
        self._band = band
        self._marks: list[tuple[float, Mark]] = []
        self._items: list[_LabelItem] = []
        self._placed: list[PlacedLabel] = []
        self._widths: dict[str, float] = {}
        self._elided: dict[tuple[str, float], str] = {}
        self._laid_out_for: tuple[object, ...] | None = None
        view.sigRangeChanged.connect(self.relayout)
        view.sigResized.connect(self.relayout)

    # ----- feeding ----------------------------------------------------------------------------

    def set_marks(self, marks: Sequence[tuple[float, str, int, str]]) -> None:
        """Marks as (t in view x units, text, rank: 0 most severe, colour ``#rrggbb``)."""
        self._marks = [(float(t), Mark(0.0, text, rank, colour))
                       for t, text, rank, colour in marks]
        self._laid_out_for = None
        self.relayout()

    def set_band(self, band: float | None) -> None:
        """Keep the labels to the top ``band`` share of the height (None: up to ``max_rows``)."""
        self._band = band
        self._laid_out_for = None
        self.relayout()

    def relayout(self, *_args: object) -> None:
        """Lay the labels out for the current view (connected to its range and size)."""
        width, height = self._view.width(), self._view.height()
        key = (width, height, *self._view.viewRange()[0])
        if key == self._laid_out_for:
            return  # range and size signals of one change, or a y-only change
        self._laid_out_for = key
        layout = MarkLayout(width, height, self.label_height(), measure=self.measure,
                            elide=self.elide, summary=self._summary, max_rows=self.rows(height))
        self._placed = layout.place(self._in_pixels(width)) if width > 0 else []
        self._show()

    # ----- reading ----------------------------------------------------------------------------

    def placed(self) -> list[PlacedLabel]:
        """The labels as laid out, left to right (plot pixels)."""
        return list(self._placed)

    def boxes(self) -> list[tuple[QRectF, str]]:
        """Each shown label's drawn extent in the ViewBox's coordinates, and its text."""
        return [(item.mapRectToParent(item.boundingRect()), item.text_item.text())
                for item in self._items if item.isVisible()]

    def rows(self, height: float) -> int:
        """Label rows at most, for a plot ``height`` pixels high."""
        if self._band is None:
            return self._max_rows
        fitting = int((height * self._band - GAP_PX) // (self.label_height() + GAP_PX))
        return max(1, min(self._max_rows, fitting))

    def label_height(self) -> float:
        return self._metrics.height() + 2 * PAD_Y + 2 * BORDER_PX

    def measure(self, text: str) -> float:
        """Width of the box of ``text``."""
        width = self._widths.get(text)
        if width is None:
            if len(self._widths) > CACHE_SIZE:
                self._widths.clear()
            width = self._metrics.horizontalAdvance(text) + 2 * PAD_X + 2 * BORDER_PX + 1
            self._widths[text] = width
        return width

    def elide(self, text: str, width: float) -> str:
        """``text`` shortened with "…" so that its box fits ``width``."""
        key = (text, int(width))  # whole pixels, down: the box still fits
        elided = self._elided.get(key)
        if elided is None:
            if len(self._elided) > CACHE_SIZE:
                self._elided.clear()
            elided = self._elided[key] = self._elide(text, key[1])
        return elided

    def _elide(self, text: str, width: float) -> str:
        room = width - 2 * PAD_X - 2 * BORDER_PX - 1
        if room <= 0:
            return ""
        elided = self._metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        while elided and self.measure(elided) > width:  # rounding of fractional advances
            elided = elided[:-2] + "…" if len(elided) > 1 else ""
        return elided

    # ----- internals --------------------------------------------------------------------------

    def _in_pixels(self, width: float) -> list[Mark]:
        (x0, x1), _ = self._view.viewRange()
        if x1 <= x0:
            return []
        scale = width / (x1 - x0)
        return [Mark((t - x0) * scale, m.text, m.rank, m.colour) for t, m in self._marks
                if x0 <= t <= x1]

    def _show(self) -> None:
        while len(self._items) < len(self._placed):
            self._items.append(_LabelItem(self._view, self._font, self._foreground,
                                          self._background))
        text_height = self._metrics.height()
        for item, placed in zip(self._items, self._placed, strict=False):
            item.show_placed(placed, text_height)
        for item in self._items[len(self._placed):]:
            item.hide()
