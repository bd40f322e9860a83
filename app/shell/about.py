"""Help > About: the console's version (from pyproject, see ``app.shell.resources.version``), and
the
chain it is on — chain id and genesis hash from the node's ``status``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from app.shell.resources import resource_path, version
from views.common.formatting import MISSING

ICON = ("icons", "gridtokenx-console.png")


def app_icon() -> QIcon:
    """The application icon (empty when the file is missing)."""
    return QIcon(str(resource_path(*ICON)))


class AboutDialog(QDialog):
    """Version, chain id and genesis hash; selectable text so the operator can copy them."""

    def __init__(self, status: dict[str, Any] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About GridTokenX Authority Console"))
        layout = QVBoxLayout(self)
        head = QLabel(self)
        pixmap = QPixmap(str(resource_path(*ICON)))
        if not pixmap.isNull():
            head.setPixmap(pixmap.scaled(64, 64, Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.SmoothTransformation))
        layout.addWidget(head, 0, Qt.AlignmentFlag.AlignHCenter)
        title = QLabel(self.tr("<b>GridTokenX Authority Console</b>"), self)
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        form = QFormLayout()
        self.version_label = self._value(version())
        self.chain_label = self._value("")
        self.genesis_label = self._value("")
        form.addRow(self.tr("Version"), self.version_label)
        form.addRow(self.tr("Chain id"), self.chain_label)
        form.addRow(self.tr("Genesis hash"), self.genesis_label)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.set_status(status)

    def _value(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def set_status(self, status: dict[str, Any] | None) -> None:
        """Show the chain of ``status`` (None: the node has not answered yet)."""
        status = status or {}
        self.chain_label.setText(str(status.get("chain_id") or MISSING))
        genesis = status.get("genesis_hash")
        self.genesis_label.setText(str(genesis) if genesis else
                                   self.tr("{missing} (the node has not answered yet)").format(
                                       missing=MISSING))


def install_about(window: QMainWindow, status_source: Any) -> QAction:
    """Help > About on ``window`` (the Help menu is made if nobody made it yet); the dialog is
    opened with ``open()`` and follows ``status_source.status_changed(dict)``."""
    menu = None
    for action in window.menuBar().actions():
        if action.menu() is not None and action.text().replace("&", "") == window.tr("Help"):
            menu = action.menu()
            break
    if menu is None:
        menu = window.menuBar().addMenu(window.tr("&Help"))
    about = QAction(window.tr("&About GridTokenX Authority Console"), window)
    about.setObjectName("aboutAction")
    about.setMenuRole(QAction.MenuRole.AboutRole)
    last: dict[str, Any] = {}

    def remember(status: dict[str, Any]) -> None:
        last.clear()
        last.update(status)
        dialog = getattr(window, "about_dialog", None)
        if dialog is not None:
            dialog.set_status(last)

    def show() -> None:
        dialog = getattr(window, "about_dialog", None)
        if dialog is None:
            dialog = AboutDialog(last or None, window)
            window.about_dialog = dialog  # type: ignore[attr-defined]
        dialog.set_status(last or None)
        dialog.open()

    status_source.status_changed.connect(remember)
    about.triggered.connect(show)
    menu.addAction(about)
    return about
