"""The console's persistent settings (QSettings), each declared once with type, default and
description.

Nothing else in the console spells a settings key: read with ``read(settings, SETTING)`` and
write with ``write(settings, SETTING, value)``. The PIN is never a setting.

Tests pass their own ``QSettings`` (an INI file in a temporary directory) to
:func:`open_settings`, so they never touch the operator's real settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION: Final = "GridTokenX"
APPLICATION: Final = "Authority Console"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Setting(Generic[T]):
    """One persistent setting."""

    key: str
    """The QSettings key (``group/name``)."""
    type: type[T]
    """What ``read`` returns."""
    default: T
    """Returned when the key was never written (or holds the wrong type)."""
    description: str
    """What it is, for people reading the settings file."""


WINDOW_GEOMETRY: Final = Setting("window/geometry", QByteArray, QByteArray(),
                                 "main window geometry (QMainWindow.saveGeometry)")
WINDOW_STATE: Final = Setting("window/state", QByteArray, QByteArray(),
                              "dock layout (QMainWindow.saveState)")
THEME: Final = Setting("ui/theme", str, "isa101",
                       "'isa101' (gray control-room theme) or 'light' (day office)")
LAST_TOKEN: Final = Setting("login/token_label", str, "",
                            "token label chosen at the last login (never the PIN)")

LANGUAGE: Final = Setting("ui/language", str, "",
                         "'th' (Thai) or 'en' (English); empty: the system locale (app.shell.i18n)")
TIME_ZONE: Final = Setting("ui/time_zone", str, "Asia/Bangkok",
                          "IANA time zone in which UTC times are shown (exports stay UTC)")
BUDDHIST_ERA: Final = Setting("ui/buddhist_era", str, "off",
                              "'on': in Thai, dates show the Buddhist Era year (year + 543)")

ALL: Final = (WINDOW_GEOMETRY, WINDOW_STATE, THEME, LAST_TOKEN, LANGUAGE, TIME_ZONE,
              BUDDHIST_ERA)

LAYOUT_VERSION: Final = 1
"""Bump when dock objectNames change so an old saved layout is ignored."""


def open_settings(path: Path | None = None) -> QSettings:
    """The operator's settings, or an INI file at ``path`` (tests, portable installs)."""
    if path is not None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


def read(settings: QSettings, setting: Setting[T]) -> T:
    """The stored value, or the default when missing or of another type."""
    value: Any = settings.value(setting.key, setting.default)
    if setting.type is QByteArray and isinstance(value, (bytes, bytearray)):
        value = QByteArray(bytes(value))
    return value if isinstance(value, setting.type) else setting.default


def write(settings: QSettings, setting: Setting[T], value: T) -> None:
    """Store ``value`` (written to disk by ``settings.sync()`` or when Qt decides)."""
    settings.setValue(setting.key, value)
