"""Where the labels of vertical event marks go on a chart: inside the plot, never overlapping.

Plain geometry in plot pixels (no Qt): the caller measures text and draws. Marks closer than
``cluster_px`` share one label; each label sits right of its (first) mark, or left of it near
the right edge, in the first of a few rows from the top where it fits. A label that fits
nowhere, even elided, joins the label before it ("… (+2 more)"), so a flood of alarms gives a
few labels with counts instead of a pile of unreadable ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

GAP_PX = 4.0
"""Room between a mark's line and its label, and between labels."""
MIN_LABEL_PX = 72.0
"""A label elided narrower than this says too little: it joins its neighbour instead."""


@dataclass(frozen=True, slots=True)
class Mark:
    """One vertical event line as the layout sees it."""

    x: float
    """Pixels from the plot's left edge."""
    text: str
    """Its own label."""
    rank: int
    """Severity: 0 is the most severe (critical); the cluster label names the most severe."""
    colour: str = ""
    """``#rrggbb`` of the line; a cluster's label takes the colour of the mark it names."""


@dataclass(frozen=True, slots=True)
class PlacedLabel:
    """One label: the marks it stands for and its box in plot pixels."""

    marks: tuple[Mark, ...]
    text: str
    rank: int
    """The most severe rank among ``marks`` (the label's border colour)."""
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


Summary = Callable[[Sequence[Mark]], tuple[str, str]]
"""Marks of a cluster → (template with ``{label}``, label); the label may be elided."""
Measure = Callable[[str], float]
"""Text → the width in pixels of its label box."""
Elide = Callable[[str, float], str]
"""Text, box width → the text shortened ("…") so that its box fits the width."""


def one_label(marks: Sequence[Mark]) -> Mark:
    """The mark a cluster's label names: the most severe, the earliest of those."""
    return min(marks, key=lambda m: (m.rank, m.x))


@dataclass(slots=True)
class _Rows:
    """Occupied intervals per label row."""

    count: int
    taken: list[list[tuple[float, float]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.taken = [[] for _ in range(self.count)]

    def free(self, row: int, left: float, right: float) -> bool:
        return all(right + GAP_PX <= a or left >= b + GAP_PX for a, b in self.taken[row])

    def room(self, row: int, x: float, width: float, rightwards: bool) -> float:
        """Free pixels from ``x`` to the next label (or the plot edge) in one direction."""
        if rightwards:
            ends = [a - GAP_PX for a, _ in self.taken[row] if a >= x] + [width]
            return min(ends) - x
        ends = [b + GAP_PX for _, b in self.taken[row] if b <= x] + [0.0]
        return x - max(ends)

    def take(self, row: int, left: float, right: float) -> None:
        self.taken[row].append((left, right))

    def give_back(self, row: int, left: float, right: float) -> None:
        self.taken[row].remove((left, right))


class MarkLayout:
    """Lays out the labels of one plot (``width`` × ``height`` pixels)."""

    def __init__(self, width: float, height: float, label_height: float, *,
                 measure: Measure, elide: Elide, summary: Summary, max_rows: int = 3,
                 cluster_px: float = 6.0) -> None:
        self.width, self.height, self.label_height = width, height, label_height
        self.measure, self.elide, self.summary = measure, elide, summary
        fitting = int((height - GAP_PX) // (label_height + GAP_PX))
        self.rows = max(0, min(max_rows, fitting))
        self.cluster_px = cluster_px

    def place(self, marks: Sequence[Mark]) -> list[PlacedLabel]:
        """Labels for the marks inside ``[0, width]``, left to right."""
        inside = sorted((m for m in marks if 0 <= m.x <= self.width), key=lambda m: m.x)
        if not inside or self.rows == 0 or self.width < MIN_LABEL_PX:
            return []
        rows = _Rows(self.rows)
        placed: list[tuple[PlacedLabel, int]] = []
        for cluster in self._clusters(inside):
            label = self._fit(cluster, rows)
            while label is None:
                if not placed:
                    label = self._force(cluster, rows)
                    break
                previous, row = placed.pop()
                rows.give_back(row, previous.left, previous.right)
                cluster = (*previous.marks, *cluster)
                label = self._fit(cluster, rows)
            placed.append(label)
        return [label for label, _ in placed]

    def _clusters(self, marks: list[Mark]) -> list[tuple[Mark, ...]]:
        clusters: list[list[Mark]] = []
        for mark in marks:
            if clusters and mark.x - clusters[-1][0].x < self.cluster_px:
                clusters[-1].append(mark)
            else:
                clusters.append([mark])
        return [tuple(c) for c in clusters]

    def _text(self, summary: tuple[str, str], width: float | None) -> tuple[str, float]:
        """A cluster's text (elided to ``width`` if given and needed) and its box width."""
        template, label = summary
        text = template.format(label=label)
        full = self.measure(text)
        if width is None or full <= width:
            return text, full
        frame = self.measure(template.format(label=""))
        text = template.format(label=self.elide(label, max(0.0, width - frame)))
        return text, self.measure(text)

    def _fit(self, cluster: tuple[Mark, ...], rows: _Rows) -> tuple[PlacedLabel, int] | None:
        """First row, right of the mark then left of it, whole text then elided."""
        x = cluster[0].x
        summary = self.summary(cluster)
        text, width = self._text(summary, self.width)
        for row in range(rows.count):
            for left in (x + GAP_PX, x - GAP_PX - width):
                inside = left >= 0 and left + width <= self.width
                if inside and rows.free(row, left, left + width):
                    return self._take(cluster, text, row, left, width, rows)
        for row in range(rows.count):
            for rightwards in (True, False):
                room = rows.room(row, x + GAP_PX if rightwards else x - GAP_PX, self.width,
                                 rightwards)
                if room < MIN_LABEL_PX:
                    continue
                text, width = self._text(summary, room)
                if width > room or width < 1:
                    continue
                left = x + GAP_PX if rightwards else x - GAP_PX - width
                if rows.free(row, left, left + width):
                    return self._take(cluster, text, row, left, width, rows)
        return None

    def _force(self, cluster: tuple[Mark, ...], rows: _Rows) -> tuple[PlacedLabel, int]:
        """The only label left: first row, elided to the plot and kept inside it."""
        text, width = self._text(self.summary(cluster), self.width)
        width = min(width, self.width)
        left = min(max(0.0, cluster[0].x + GAP_PX), self.width - width)
        return self._take(cluster, text, 0, left, width, rows)

    def _take(self, cluster: tuple[Mark, ...], text: str, row: int, left: float, width: float,
              rows: _Rows) -> tuple[PlacedLabel, int]:
        rows.take(row, left, left + width)
        top = GAP_PX + row * (self.label_height + GAP_PX)
        rank = min(m.rank for m in cluster)
        return PlacedLabel(cluster, text, rank, left, top, width, self.label_height), row
