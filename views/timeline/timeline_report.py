"""The incident report for the post-incident review, as a PDF.

Drawn with QPdfWriter + QPainter (QtGui; no QtPrintSupport needed): one page per section —
summary, frequency chart (the plot rendered to an image), alarms, operator actions, chain
events — long sections continue on further pages.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QPixmap

from node_core.clock import now_ms
from node_core.control_room.incident import CHAIN_KINDS, EventKind, IncidentEvent, IncidentRecord
from views.common.formatting import MISSING, bangkok_time, utc_offset_text, zone_name
from views.timeline.timeline_chart import render_chart
from views.timeline.timeline_model import kind_text


class _Report:
    """Pages of text and one image on a QPdfWriter, A4 portrait."""

    def __init__(self, path: Path) -> None:
        self.writer = QPdfWriter(str(path))
        self.writer.setTitle(
            QCoreApplication.translate("TimelineReport", "GridTokenX incident report")
        )
        self.writer.setCreator("GridTokenX Authority Console")
        self.writer.setResolution(150)
        self.writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(15, 15, 15, 15),
                QPageLayout.Unit.Millimeter,
            )
        )
        self.painter = QPainter()
        if not self.painter.begin(self.writer):
            raise OSError(f"cannot write {path}")
        self.pages = 0
        self.rect = QRectF(self.painter.viewport())
        self.y = 0.0
        self.body = QFont("Sans Serif", 9)
        self.small = QFont("Sans Serif", 8)
        self.heading = QFont("Sans Serif", 15, QFont.Weight.Bold)

    def page(self, title: str) -> None:
        if self.pages:
            self.writer.newPage()
        self.pages += 1
        self.y = 0.0
        self.painter.setPen(QColor("#1e1e1e"))
        self.painter.setFont(self.heading)
        self.text(title, self.heading, gap=0.6)

    def line_height(self, font: QFont) -> float:
        self.painter.setFont(font)
        return float(self.painter.fontMetrics().height())

    def text(
        self, text: str, font: QFont | None = None, *, gap: float = 0.25, colour: str = "#1e1e1e"
    ) -> None:
        font = font or self.body
        self.painter.setFont(font)
        self.painter.setPen(QColor(colour))
        box = QRectF(0, self.y, self.rect.width(), self.rect.height() - self.y)
        flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        used = self.painter.boundingRect(box, flags, text)
        self.painter.drawText(box, flags, text)
        self.y += used.height() + self.line_height(font) * gap

    def fits(self, lines: int = 3) -> bool:
        return self.y + self.line_height(self.body) * lines < self.rect.height()

    def image(self, pixmap: QPixmap) -> None:
        width = self.rect.width()
        height = width * pixmap.height() / max(1, pixmap.width())
        self.painter.drawPixmap(QRectF(0, self.y, width, height), pixmap, QRectF(pixmap.rect()))
        self.y += height + self.line_height(self.body)

    def events(self, title: str, events: list[IncidentEvent], empty: str) -> None:
        self.page(title)
        if not events:
            self.text(empty)
        for index, event in enumerate(events):
            if not self.fits():
                self.page(
                    QCoreApplication.translate(
                        "TimelineReport", "{title} (continued, {n} of {total})"
                    ).format(title=title, n=index + 1, total=len(events))
                )
            self.text(
                f"{bangkok_time(event.time_ms)}  [{kind_text(event.kind)}]  {event.title}",
                self.body,
                gap=0.0,
            )
            if event.detail:
                self.text("      " + event.detail, self.small, gap=0.3, colour="#4a4a4a")

    def finish(self) -> int:
        self.painter.end()
        return self.pages


def write_report(
    record: IncidentRecord,
    path: Path,
    *,
    theme: str = "light",
    authority: str = "",
    chain_id: str = "",
) -> int:
    """The PDF report of ``record`` at ``path``; returns the number of pages (5 at least:
    summary, frequency chart, alarms, operator actions, chain events)."""
    chart = render_chart(record, theme=theme)
    report = _Report(path)
    summary = record.summary()
    report.page(QCoreApplication.translate("TimelineReport", "Incident report — summary"))
    lines = [
        QCoreApplication.translate(
            "TimelineReport", "Window: {start} – {end} ({zone} time, {offset})"
        ).format(start=bangkok_time(record.start_ms), end=bangkok_time(record.end_ms),
                 zone=zone_name(), offset=utc_offset_text(record.start_ms / 1000)),
        QCoreApplication.translate("TimelineReport", "Window (UTC ms): {start} – {end}").format(
            start=record.start_ms, end=record.end_ms
        ),
    ]
    if authority:
        lines.append(
            QCoreApplication.translate("TimelineReport", "Authority: {a}").format(a=authority)
        )
    if chain_id:
        lines.append(
            QCoreApplication.translate("TimelineReport", "Chain id: {c}").format(c=chain_id)
        )
    low, high = summary["frequency_min_hz"], summary["frequency_max_hz"]
    lines.append(
        QCoreApplication.translate(
            "TimelineReport", "System frequency: {n} samples, minimum {low} Hz, maximum {high} Hz"
        ).format(
            n=summary["frequency_samples"],
            low=MISSING if low is None else f"{low:.3f}",
            high=MISSING if high is None else f"{high:.3f}",
        )
    )
    for kind in EventKind:
        lines.append(
            QCoreApplication.translate("TimelineReport", "{kind} events: {n}").format(
                kind=kind_text(kind), n=summary["counts"][kind.value]
            )
        )
    lines.append(
        QCoreApplication.translate(
            "TimelineReport", "Generated {now} ({zone} time) by the GridTokenX Authority Console."
        ).format(now=bangkok_time(now_ms()), zone=zone_name())
    )
    for line in lines:
        report.text(line)
    first = record.events[:12]
    if first:
        report.text("")
        report.text(
            QCoreApplication.translate("TimelineReport", "Sequence of events (first {n}):").format(
                n=len(first)
            ),
            report.body,
        )
        for event in first:
            report.text(
                f"{bangkok_time(event.time_ms)}  [{kind_text(event.kind)}]  {event.title}",
                report.small,
                gap=0.1,
            )
    report.page(QCoreApplication.translate("TimelineReport", "System frequency"))
    report.image(chart)
    report.text(
        QCoreApplication.translate(
            "TimelineReport",
            "Vertical lines: alarms (priority colour), operator actions, emergency and "
            "governance events on chain. Time axis in {zone} time.",
        ).format(zone=zone_name()),
        report.small,
    )
    report.events(
        QCoreApplication.translate("TimelineReport", "Alarms"),
        record.of_kind(EventKind.ALARM, EventKind.GRID),
        QCoreApplication.translate("TimelineReport", "No alarm changed state in this window."),
    )
    report.events(
        QCoreApplication.translate("TimelineReport", "Operator actions"),
        record.of_kind(EventKind.OPERATOR),
        QCoreApplication.translate(
            "TimelineReport", "No operator action was recorded in this window."
        ),
    )
    report.events(
        QCoreApplication.translate("TimelineReport", "Chain events"),
        record.of_kind(*CHAIN_KINDS),
        QCoreApplication.translate("TimelineReport", "No block was finalized in this window."),
    )
    return report.finish()
