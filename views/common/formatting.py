"""How the console writes times, durations, energy, money and hashes.

The node stores integers (see :mod:`node_core.ledger.types`): times in UTC ms since the epoch,
energy
in Wh, money in satang, frequency in mHz, power in kW. Every view formats them here, so the
Thai-locale work has a single place: :func:`_grouped` (digit grouping: Thai writes numbers
like English, ``1,234,567.89`` with Arabic digits, so one format serves both languages),
:func:`bangkok_time` (the display time zone and the Buddhist Era, set once at start-up by
``app.shell.i18n`` through :func:`set_time_display`), and the unit words in :func:`age_text` and
:func:`duration_text`. Units (Hz, kV, MW, kWh, THB) are written as engineers write them in
both languages. Exports and the audit trail do not use these functions: they stay ISO 8601 UTC.

Numbers are scaled with :class:`~decimal.Decimal` (exact, half-up), never through float, so
``kwh(1_234_5675)`` is ``"12,345.675"``, not a rounding accident. Number functions return the
number only; the caller puts the unit in a column header or a translated label.

Only the unit words need Qt (``QCoreApplication.translate``, QtCore only, no widgets); the
rest is plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QCoreApplication

BANGKOK_NAME = "Asia/Bangkok"
BANGKOK = ZoneInfo(BANGKOK_NAME)
"""Thai time, UTC+7 all year (no daylight saving)."""

BUDDHIST_ERA_OFFSET = 543
"""Buddhist Era year = Common Era year + 543 (2026 CE is 2569 BE)."""


@dataclass(frozen=True, slots=True)
class TimeDisplay:
    """How :func:`bangkok_time` writes a UTC instant."""

    zone: ZoneInfo = BANGKOK
    """The wall clock shown (Asia/Bangkok unless the operator set another)."""
    buddhist_era: bool = False
    """Years in the Buddhist Era (Thai only; ``app.shell.i18n`` decides)."""


_display = TimeDisplay()


def set_time_display(zone_name: str = BANGKOK_NAME, *, buddhist_era: bool = False) -> None:
    """Set the display time zone (IANA name) and era; ValueError for an unknown zone."""
    global _display
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {zone_name!r}") from error
    _display = TimeDisplay(zone, buddhist_era)


def time_display() -> TimeDisplay:
    """The current display settings."""
    return _display


def zone_name(display: TimeDisplay | None = None) -> str:
    """Short name of the display time zone for headers: ``"Bangkok"`` (translated) for
    Asia/Bangkok, else the place of the IANA name (``"New York"``, ``"UTC"``)."""
    key = (display or _display).zone.key
    if key == BANGKOK_NAME:
        return QCoreApplication.translate("formatting", "Bangkok")
    return key.rsplit("/", 1)[-1].replace("_", " ")


def utc_offset_text(at_s: float | None = None, display: TimeDisplay | None = None) -> str:
    """The display zone's offset from UTC at ``at_s`` (default: now): ``"UTC+7"``,
    ``"UTC+5:30"``, ``"UTC-4"``, ``"UTC"``."""
    zone = (display or _display).zone
    moment = datetime.now(zone) if at_s is None else datetime.fromtimestamp(at_s, zone)
    offset = moment.utcoffset()
    minutes = 0 if offset is None else round(offset.total_seconds() / 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


MISSING = "—"
"""Shown where a value is not known (None)."""



def _grouped(value: int | Decimal, decimals: int) -> str:
    """``value`` with thousands separators and exactly ``decimals`` decimals (half-up)."""
    exponent = Decimal(1).scaleb(-decimals)
    return f"{Decimal(value).quantize(exponent, rounding=ROUND_HALF_UP):,.{decimals}f}"


def _scaled(value: int | None, scale: int, decimals: int) -> str:
    """``value / scale`` grouped with ``decimals`` decimals; :data:`MISSING` for None."""
    if value is None:
        return MISSING
    return _grouped(Decimal(value) / scale, decimals)


def integer(value: int | None) -> str:
    """A count or height with thousands separators: ``1234567`` → ``"1,234,567"``."""
    return MISSING if value is None else _grouped(value, 0)


def kwh(wh: int | None) -> str:
    """Energy in kWh, 3 decimals: ``1234567`` Wh → ``"1,234.567"``."""
    return _scaled(wh, 1000, 3)


def thb(satang: int | None) -> str:
    """Money in THB, 2 decimals: ``123456789`` satang → ``"1,234,567.89"``.

    Also prices: satang per kWh → THB per kWh.
    """
    return _scaled(satang, 100, 2)


def hz(mhz: int | None) -> str:
    """Grid frequency in Hz, 3 decimals: ``50012`` mHz → ``"50.012"``."""
    return _scaled(mhz, 1000, 3)


def mw(kw: int | None) -> str:
    """Power in MW, 1 decimal: ``9512340`` kW → ``"9,512.3"``."""
    return _scaled(kw, 1000, 1)


def percent(share: float | None) -> str:
    """A share 0..1 as a percentage, 1 decimal: ``0.5`` → ``"50.0 %"``."""
    return MISSING if share is None else f"{share * 100:.1f} %"


def bangkok_time(ms: int | None, display: TimeDisplay | None = None) -> str:
    """UTC ms since the epoch as wall time: ``YYYY-MM-DD HH:MM:SS``.

    In the display zone (Asia/Bangkok unless set otherwise); with the Buddhist Era the year is
    ``+ 543`` (``2569-11-25 01:00:00`` for 2026-11-25). ``display``: instead of the current
    settings (tests).
    """
    if ms is None:
        return MISSING
    display = display or _display
    local = datetime.fromtimestamp(ms / 1000, display.zone)
    year = local.year + (BUDDHIST_ERA_OFFSET if display.buddhist_era else 0)
    return f"{year:04d}-{local:%m-%d %H:%M:%S}"


def age_text(ms_ago: int | None) -> str:
    """How long ago, coarsely: ``"3 s ago"``, ``"12 min ago"``, ``"5 h ago"``, ``"2 d ago"``.

    Negative ages (a clock a little ahead) read as ``"0 s ago"``.
    """
    if ms_ago is None:
        return MISSING
    seconds = max(0, int(ms_ago)) // 1000
    if seconds < 60:
        return QCoreApplication.translate("formatting", "{n} s ago").format(n=seconds)
    if seconds < 3600:
        return QCoreApplication.translate("formatting", "{n} min ago").format(n=seconds // 60)
    if seconds < 86400:
        return QCoreApplication.translate("formatting", "{n} h ago").format(n=seconds // 3600)
    return QCoreApplication.translate("formatting", "{n} d ago").format(n=seconds // 86400)


def duration_text(ms: int | None) -> str:
    """A latency or lag: ``"850 ms"``, ``"3.2 s"``, ``"4 min 05 s"``, ``"2 h 07 min"``.

    Negative values (clocks of two machines a little apart) keep their sign.
    """
    if ms is None:
        return MISSING
    sign = "-" if ms < 0 else ""
    return sign + _positive_duration(abs(int(ms)))


def _positive_duration(ms: int) -> str:
    # Literal QCoreApplication.translate calls, so that pyside6-lupdate finds the strings.
    if ms < 1000:
        return QCoreApplication.translate("formatting", "{n} ms").format(n=ms)
    if ms < 60_000:
        return QCoreApplication.translate("formatting", "{n} s").format(
            n=_grouped(Decimal(ms) / 1000, 1))
    seconds = ms // 1000
    if seconds < 3600:
        return QCoreApplication.translate("formatting", "{m} min {s} s").format(
            m=seconds // 60, s=f"{seconds % 60:02d}")
    return QCoreApplication.translate("formatting", "{h} h {m} min").format(
        h=integer(seconds // 3600), m=f"{seconds // 60 % 60:02d}")


def short_hash(value: str | None, head: int = 8, tail: int = 4) -> str:
    """A hash or address shortened for a table cell: ``"3fa9c2d1…b41c"``.

    An address keeps its ``0x``: ``"0x1a2b3c4d…9f0e"``. Short strings come back unchanged.
    """
    if value is None:
        return MISSING
    prefix = "0x" if value.startswith("0x") else ""
    body = value[len(prefix):]
    if len(body) <= head + tail + 1:
        return value
    return f"{prefix}{body[:head]}…{body[-tail:]}"
