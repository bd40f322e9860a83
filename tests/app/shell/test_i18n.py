"""Thai and English (issue 9): the committed Thai .ts is complete and current, the Language
menu stores the choice and a console started in Thai shows Thai, Thai glyphs have a font,
and times show in Bangkok with the Buddhist Era when asked for."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from app.shell import i18n
from app.shell import settings as S
from app.shell.main_window import MainWindow
from tests.helpers.logs import expect_logged
from views.common import formatting as fmt

ROOT = Path(__file__).resolve().parents[3]
TS = ROOT / "resources" / "i18n" / "gridtokenx_th.ts"
QM = TS.with_suffix(".qm")
SOURCE_DIRS = ("app", "views")
THAI = re.compile("[\u0e00-\u0e7f]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
NOV_25_2026_01H_UTC = 1_795_568_400_000
"""2026-11-25 01:00:00 UTC = 08:00 in Bangkok."""


def _messages(ts: Path) -> Iterator[tuple[str, ET.Element]]:
    for context in ET.parse(ts).getroot().iter("context"):
        for message in context.iter("message"):
            yield context.findtext("name") or "", message


def _sources(ts: Path) -> set[tuple[str, str]]:
    return {(context, m.findtext("source") or "") for context, m in _messages(ts)}


def _python_sources() -> list[Path]:
    return sorted(p for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py"))


# ----- the .ts file --------------------------------------------------------------------------

def test_every_thai_message_is_finished() -> None:
    problems = []
    for context, message in _messages(TS):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        text = translation.text if translation is not None else None
        if translation is None or translation.get("type") is not None or not (text or "").strip():
            problems.append(f"{context}: {source!r} is unfinished, missing or empty")
        elif sorted(PLACEHOLDER.findall(text or "")) != sorted(PLACEHOLDER.findall(source)):
            problems.append(f"{context}: {source!r} → {text!r}: placeholders differ")
    assert problems == [], "\n".join(problems)
    assert len(list(_messages(TS))) > 300


def test_the_compiled_qm_is_current() -> None:
    assert QM.is_file(), "run `make i18n`"
    assert QM.stat().st_mtime >= TS.stat().st_mtime - 1, "gridtokenx_th.qm is older: make i18n"


def _lupdate() -> str | None:
    return shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent)) \
        or shutil.which("pyside6-lupdate")


def _literal_sources_by_ast() -> set[tuple[str, str]]:
    """Offline fallback of lupdate: literal tr()/translate() strings with their contexts."""
    found = set()
    for path in _python_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)] + [tree]:
            context = cls.name if isinstance(cls, ast.ClassDef) else ""
            for call in (n for n in ast.walk(cls) if isinstance(n, ast.Call)):
                args = [a.value for a in call.args if isinstance(a, ast.Constant)]
                name = getattr(call.func, "attr", getattr(call.func, "id", ""))
                if name == "tr" and len(args) >= 1 and isinstance(args[0], str):
                    found.add((context, args[0]))
                elif name == "translate" and len(args) >= 2:
                    found.add((args[0], args[1]))
    return found


def test_no_source_string_lacks_thai(tmp_path: Path) -> None:
    """A new tr() without Thai fails here until `make i18n` and a translation."""
    lupdate = _lupdate()
    if lupdate is None:  # no Qt tools: compare the strings themselves, whatever the context
        wanted = {source for _context, source in _literal_sources_by_ast()}
        missing = sorted(wanted - {source for _c, source in _sources(TS)})
    else:
        fresh = tmp_path / "fresh.ts"
        files = [str(p) for p in _python_sources()]
        subprocess.run([lupdate, "-silent", *files, "-ts", str(fresh)], check=True, cwd=ROOT,
                       capture_output=True, timeout=120)
        missing = sorted(_sources(fresh) - _sources(TS))
    assert missing == [], f"not in {TS.name} (run `make i18n`, then translate): {missing}"


def test_translate_calls_name_their_context_literally() -> None:
    """lupdate cannot file ``translate(SOME_NAME, "text")``: its Thai would never be asked for.

    (``translate(ctx, variable)`` is a look-up of text marked elsewhere and is allowed.)
    """
    hidden = []
    for path in _python_sources():
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "translate" \
                    and len(call.args) >= 2 and not isinstance(call.args[0], ast.Constant) \
                    and isinstance(call.args[1], ast.Constant) and path.name != "i18n.py":
                hidden.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert hidden == []


# ----- language choice and the window in Thai ------------------------------------------------

@pytest.fixture
def restore_language(qapp: QApplication) -> Iterator[None]:
    """Tests that install Thai or change the font put English and the font back."""
    font = qapp.font()
    yield
    i18n.install_translators(qapp, "en")
    qapp.setFont(font)
    fmt.set_time_display()


def test_language_comes_from_override_then_setting_then_system(settings: QSettings) -> None:
    assert i18n.chosen_language(settings) == i18n.system_language()
    S.write(settings, S.LANGUAGE, "th")
    assert i18n.chosen_language(settings) == "th"
    assert i18n.chosen_language(settings, "en") == "en"
    S.write(settings, S.LANGUAGE, "klingon")
    assert i18n.chosen_language(settings) == i18n.system_language()


def _menu_titles(window: MainWindow) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


def test_language_menu_stores_thai_and_the_next_start_is_thai(
        qtbot, qapp, settings, isa101, restore_language) -> None:
    english = MainWindow("EGAT", isa101, settings, devnet=True, confirm_close=False)
    qtbot.addWidget(english)
    assert not any(THAI.search(title.split("/")[0]) for title in _menu_titles(english))
    menu = english.findChild(type(english.menuBar().actions()[0].menu()), "languageMenu")
    thai_action = next(a for a in menu.actions() if a.data() == "th")
    thai_action.trigger()
    assert S.read(settings, S.LANGUAGE) == "th"
    assert "next start" in english.statusBar().currentMessage()

    assert i18n.start(qapp, settings) == "th"  # what run_console does at the next start
    window = MainWindow("EGAT", isa101, settings, devnet=True, confirm_close=False)
    qtbot.addWidget(window)
    titles = _menu_titles(window)
    assert "มุมมอง (&V)" in titles and all(THAI.search(t) for t in titles), titles
    model = window.block_explorer.table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "ความสูง" in headers and all(THAI.search(h) for h in headers if h != "#")
    assert THAI.search(window.docks["nodeStatusDock"].windowTitle())
    assert "EGAT" in window.windowTitle() and THAI.search(window.windowTitle())


def test_strings_filed_under_another_context_still_find_their_thai(
        qapp, restore_language) -> None:
    i18n.install_translators(qapp, "th")
    assert QCoreApplication.translate("EmergencyPanel", "Load shedding") == "ตัดโหลด"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "ยกเลิก"
    assert QCoreApplication.translate("Nowhere", "not a console text") == "not a console text"


def test_the_application_font_falls_back_to_an_installed_thai_font(
        qapp, restore_language) -> None:
    i18n.apply_thai_font(qapp)
    families = qapp.font().families()
    assert families[1:] == list(i18n.THAI_FALLBACK_FAMILIES)
    thai_capable = set(QFontDatabase.families(QFontDatabase.WritingSystem.Thai))
    assert thai_capable & set(families), "install fonts-thai-tlwg (packaging/debian-deps.sh)"


# ----- times and numbers ---------------------------------------------------------------------

def test_times_show_in_bangkok_with_the_buddhist_era_on_request() -> None:
    ms = NOV_25_2026_01H_UTC
    assert fmt.bangkok_time(ms) == "2026-11-25 08:00:00"
    assert fmt.bangkok_time(ms, fmt.TimeDisplay(buddhist_era=True)) == "2569-11-25 08:00:00"
    utc = fmt.TimeDisplay(zone=fmt.ZoneInfo("UTC"))
    assert fmt.bangkok_time(ms, utc) == "2026-11-25 01:00:00"
    assert fmt.bangkok_time(None) == fmt.MISSING


def test_buddhist_era_setting_applies_in_thai_only(
        settings, restore_language, caplog: pytest.LogCaptureFixture) -> None:
    S.write(settings, S.BUDDHIST_ERA, "on")
    i18n.apply_time_display(settings, "en")
    assert fmt.bangkok_time(NOV_25_2026_01H_UTC).startswith("2026-")
    i18n.apply_time_display(settings, "th")
    assert fmt.bangkok_time(NOV_25_2026_01H_UTC).startswith("2569-")
    S.write(settings, S.TIME_ZONE, "Not/AZone")
    i18n.apply_time_display(settings, "th")  # falls back to Bangkok
    assert fmt.time_display().zone == fmt.BANGKOK
    expect_logged(caplog, "unknown time zone 'Not/AZone'")


def test_numbers_group_the_same_in_thai_and_english() -> None:
    assert fmt.thb(123_456_789) == "1,234,567.89"
    assert fmt.mw(9_512_340) == "9,512.3"
