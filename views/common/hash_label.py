"""HashLabel: a hash in monospace, elided in the middle to fit, whole in the tooltip, copyable."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QFontDatabase, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from views.common.formatting import MISSING


def monospace_font() -> QFont:
    """The system fixed-pitch font, never smaller than the application font (wall screens)."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    size = QGuiApplication.font().pointSizeF()
    if size > 0 and font.pointSizeF() < size:
        font.setPointSizeF(size)
    return font


class HashLabel(QLabel):
    """Shows a 64-hex hash (or an address) in the fixed-pitch font.

    When the label is narrower than the hash, the middle is elided (``3fa9c2…41cb``), which
    keeps both ends that people compare by eye. The tooltip holds the whole hash; the context
    menu's "Copy" (and Ctrl+C while focused) copies the whole hash, never the elided text.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setFont(monospace_font())
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0" * 14))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        copy = QAction(self.tr("Copy full hash"), self)
        copy.setShortcut(Qt.KeyboardModifier.ControlModifier | Qt.Key.Key_C)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy)
        self.addAction(copy)
        self.set_hash(None)

    def set_hash(self, value: str | None) -> None:
        """Show ``value`` (None: a dash)."""
        self._full = value or ""
        self.setToolTip(self._full)
        self._elide()

    def hash(self) -> str:
        """The whole hash shown ("" when none)."""
        return self._full

    def copy(self) -> None:
        """Put the whole hash on the clipboard."""
        if self._full:
            QGuiApplication.clipboard().setText(self._full)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        if not self._full:
            self.setText(MISSING)
            return
        width = max(self.contentsRect().width(), self.minimumWidth())
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle,
                                                   width))
