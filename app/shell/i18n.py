"""Thai and English: the console's language, its Thai-capable font and how it shows times.

Start-up (``app.shell.console.run_console``) calls :func:`start` once, after the theme:

1. **Language.** ``--language`` if given, else the ``ui/language`` setting, else the system
   locale (Thai → ``th``, anything else → ``en``). English is the source language; for Thai a
   ``QTranslator`` loads ``resources/i18n/gridtokenx_th.qm`` (built by ``make i18n`` and
   committed), plus Qt's own ``qtbase_th.qm`` when the Qt installation ships it (standard
   dialog buttons). A string without a translation falls back to English.
2. **Font.** The application font keeps its family and size (the theme's 14 pt) and gets a
   fallback list of Thai-capable families (fonts-thai-tlwg: Loma, Garuda, Norasi; Noto Sans
   Thai), so Thai renders the same on any desktop, in widgets and in pyqtgraph axes (which
   build their fonts from the application font).
3. **Times.** ``views.common.formatting`` shows UTC times in the ``ui/time_zone`` setting
   (Asia/Bangkok by default); in Thai, ``ui/buddhist_era = on`` writes years in the Buddhist
   Era (year + 543). Exports and the audit trail do not use this: they stay ISO 8601 UTC.

Switching language: the Language menu (English / ไทย) stores the choice, and it applies at the
**next start** of the console; the menu says so. Switching live would need every panel to
re-set its texts on ``QEvent.LanguageChange``, and the panels (written by several people) set
most texts once in ``__init__``; a half-switched console, Thai menus over English panels,
would be worse for an operator than a clear "applies at next start".
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final
from xml.etree import ElementTree

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QSettings,
    QTranslator,
)
from PySide6.QtGui import QAction, QActionGroup, QFont, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMenu

from app.shell import settings as S
from views.common import formatting

log = logging.getLogger(__name__)

LANGUAGES: Final = {"en": "English", "th": "ไทย"}
"""Language code → its name in that language (what the menu shows)."""

I18N_DIR: Final = Path(__file__).resolve().parents[2] / "resources" / "i18n"
"""Where ``make i18n`` writes gridtokenx_<lang>.ts and .qm."""

THAI_FALLBACK_FAMILIES: Final = ("Noto Sans", "Loma", "Garuda", "Norasi", "Noto Sans Thai",
                                 "Tlwg Typo")
"""Tried after the theme's family for glyphs it lacks (Thai): fonts-thai-tlwg, then Noto."""

QT_BUTTON_TEXTS: Final = (
    QT_TRANSLATE_NOOP("QPlatformTheme", "OK"), QT_TRANSLATE_NOOP("QPlatformTheme", "Cancel"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "&Yes"), QT_TRANSLATE_NOOP("QPlatformTheme", "&No"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Close"), QT_TRANSLATE_NOOP("QPlatformTheme", "Apply"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Save"), QT_TRANSLATE_NOOP("QPlatformTheme", "Discard"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Help"), QT_TRANSLATE_NOOP("QPlatformTheme", "Reset"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Retry"), QT_TRANSLATE_NOOP("QPlatformTheme", "Ignore"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Abort"), QT_TRANSLATE_NOOP("QPlatformTheme", "Open"),
)
"""Qt's standard dialog buttons (QMessageBox, QDialogButtonBox). Qt ships no Thai qtbase
translation, so the console's own .ts carries them (lupdate collects these markers)."""

_translators: list[QTranslator] = []
"""The translators installed by :func:`install_translators` (removed on the next call)."""


def system_language() -> str:
    """``th`` when the system locale is Thai, else ``en``."""
    return "th" if QLocale.system().language() == QLocale.Language.Thai else "en"


def chosen_language(settings: QSettings, override: str | None = None) -> str:
    """The language of this run: ``override``, else the setting, else the system locale."""
    for candidate in (override, S.read(settings, S.LANGUAGE)):
        if candidate in LANGUAGES:
            return candidate
    return system_language()


def start(app: QGuiApplication, settings: QSettings, override: str | None = None) -> str:
    """Install the language, the Thai-capable font and the time display; the language."""
    language = chosen_language(settings, override)
    install_translators(app, language)
    apply_thai_font(app)
    apply_time_display(settings, language)
    log.info("language %s, font families %s", language, app.font().families())
    return language


def install_translators(app: QCoreApplication, language: str) -> bool:
    """Replace the installed translators by those of ``language``; False if .qm is missing.

    English installs none (the source strings are English).
    """
    while _translators:
        app.removeTranslator(_translators.pop())
    if language == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return True
    QLocale.setDefault(QLocale(QLocale.Language.Thai, QLocale.Country.Thailand))
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    _load(app, f"qtbase_{language}", qt_dir)  # optional: Qt's own dialog texts
    found = _load(app, f"gridtokenx_{language}", str(I18N_DIR))
    if not found:
        log.warning("no translation gridtokenx_%s.qm in %s: English", language, I18N_DIR)
    return found


class ConsoleTranslator(QTranslator):
    """The console's .qm, with one fallback: a string its caller's context lacks is looked up
    by its English text in any context of the .ts.

    pyside6-lupdate files a string under the context it sees in the source, which is not
    always the one Qt asks for at run time: ``window.tr("Help")`` (lupdate: ``window``; Qt:
    ``MainWindow``), or a helper that takes its caller's ``tr``
    (``views.emergency.emergency_model``:
    lupdate: no context; Qt: ``EmergencyPanel``). The console's texts mean the same wherever
    they appear, so the fallback gives the right Thai instead of English.
    """

    def __init__(self, parent: QCoreApplication) -> None:
        super().__init__(parent)
        self._by_source: dict[str, str] = {}

    def load_console(self, name: str, directory: Path) -> bool:
        """Load ``name``.qm, and index ``name``.ts by source text for the fallback."""
        if not self.load(name, str(directory)):
            return False
        self._by_source = translations_by_source(directory / f"{name}.ts")
        return True

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        # None (a null QString), not "": an empty string would stop Qt from asking the next
        # translator and from falling back to the English source.
        found = super().translate(context, source, disambiguation, n)
        return found or self._by_source.get(source) or None


def translations_by_source(ts: Path) -> dict[str, str]:
    """English source → Thai of the finished messages of a .ts file (empty if none)."""
    if not ts.is_file():
        return {}
    found: dict[str, str] = {}
    for message in ElementTree.parse(ts).getroot().iter("message"):
        translation = message.find("translation")
        source = message.findtext("source")
        if source and translation is not None and translation.text \
                and translation.get("type") is None:
            found.setdefault(source, translation.text)
    return found


def _load(app: QCoreApplication, name: str, directory: str) -> bool:
    if name.startswith("gridtokenx"):
        translator: QTranslator = ConsoleTranslator(app)
        loaded = translator.load_console(name, Path(directory))  # type: ignore[attr-defined]
    else:
        translator = QTranslator(app)
        loaded = translator.load(name, directory)
    if not loaded:
        return False
    app.installTranslator(translator)
    _translators.append(translator)
    return True


def apply_thai_font(app: QGuiApplication) -> None:
    """Keep the application font's family and size; add the Thai-capable fallbacks."""
    font = QFont(app.font())
    primary = [f for f in font.families() if f not in THAI_FALLBACK_FAMILIES] or [font.family()]
    font.setFamilies([*primary, *THAI_FALLBACK_FAMILIES])
    app.setFont(font)


def apply_time_display(settings: QSettings, language: str) -> None:
    """Time zone from the settings; Buddhist Era only in Thai and only when switched on."""
    buddhist = language == "th" and S.read(settings, S.BUDDHIST_ERA) == "on"
    try:
        formatting.set_time_display(S.read(settings, S.TIME_ZONE), buddhist_era=buddhist)
    except ValueError:
        log.warning("unknown time zone %r: Asia/Bangkok", S.read(settings, S.TIME_ZONE))
        formatting.set_time_display(formatting.BANGKOK_NAME, buddhist_era=buddhist)


def add_language_menu(window: QMainWindow, settings: QSettings) -> QMenu:
    """The Language menu: English / ไทย, stored in the settings, applied at the next start."""
    # Both languages in the title, so an operator in the wrong language still finds it.
    menu = window.menuBar().addMenu(QCoreApplication.translate("LanguageMenu",
                                                               "&Language / ภาษา"))
    menu.setObjectName("languageMenu")
    group = QActionGroup(menu)
    current = chosen_language(settings)
    for code, name in LANGUAGES.items():
        action = QAction(name, menu, checkable=True, checked=code == current)
        action.setData(code)
        action.triggered.connect(lambda _checked, c=code: _on_language_chosen(window, settings, c))
        group.addAction(action)
        menu.addAction(action)
    menu.addSeparator()
    note = menu.addAction(QCoreApplication.translate(
        "LanguageMenu", "A new language applies at the next start of the console"))
    note.setEnabled(False)
    return menu


def _on_language_chosen(window: QMainWindow, settings: QSettings, code: str) -> None:
    S.write(settings, S.LANGUAGE, code)
    settings.sync()
    text = QCoreApplication.translate(
        "LanguageMenu", "Language set to {name}; it applies at the next start of the console.")
    window.statusBar().showMessage(text.format(name=LANGUAGES[code]), 15_000)
