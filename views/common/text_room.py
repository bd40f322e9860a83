"""Text inputs that stop at a ledger field's limit and say how much room is left.

The limits are the ledger's own (:mod:`node_core.ledger.fields`, in UTF-8 bytes: a Thai
character takes 3, a Latin letter 1), so what the operator can type is exactly what the chain
carries. Typing or pasting past the limit keeps what fits and says that the rest was not
added; a label under the field shows the room left.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QWidget

from node_core.ledger.fields import TextField
from views.common.abnormal import HIGH, mark_label

TextInput = QLineEdit | QPlainTextEdit


def fitting_prefix(field: TextField, text: str) -> str:
    """The longest prefix of ``text`` (whole characters) that fits ``field``."""
    encoded = text.encode("utf-8")[: field.max_bytes]
    return encoded.decode("utf-8", errors="ignore")


class TextRoom(QObject):
    """Keeps ``edit`` within ``field`` and shows the room left in ``label``."""

    def __init__(self, edit: TextInput, field: TextField, label: QLabel) -> None:
        super().__init__(edit)
        self._edit, self._field, self.label = edit, field, label
        self.stopped = False
        """The last edit went past the limit and was cut at it."""
        edit.textChanged.connect(self._on_changed)
        self._on_changed()

    def text(self) -> str:
        return self._edit.text() if isinstance(self._edit, QLineEdit) \
            else self._edit.toPlainText()

    @Slot()
    def _on_changed(self) -> None:
        text = self.text()
        self.stopped = self._field.room(text) < 0
        if self.stopped:
            self._replace(fitting_prefix(self._field, text))
        self._show()

    def _replace(self, text: str) -> None:
        self._edit.blockSignals(True)
        if isinstance(self._edit, QLineEdit):
            self._edit.setText(text)
        else:
            self._edit.setPlainText(text)
            self._edit.moveCursor(self._edit.textCursor().MoveOperation.End)
        self._edit.blockSignals(False)

    def _show(self) -> None:
        left = self._field.room(self.text())
        if self.stopped:
            self.label.setText(self.tr(
                "⚠ Stopped at the limit of {max} bytes (about {thai} Thai characters): the "
                "rest was not added.").format(max=self._field.max_bytes,
                                               thai=self._field.max_bytes // 3))
        else:
            self.label.setText(self.tr("{left} of {max} bytes left (a Thai character takes "
                                       "3)").format(left=left, max=self._field.max_bytes))
        mark_label(self.label, HIGH if self.stopped else None)


def text_room(edit: TextInput, field: TextField, parent: QWidget) -> TextRoom:
    """A :class:`TextRoom` with a new word-wrapped label for ``edit``."""
    label = QLabel(parent)
    label.setWordWrap(True)
    return TextRoom(edit, field, label)
