"""How telemetry lies in Bigtable, for this code and for anyone reading it with ``cbt``.

Pure: no I/O. The README section "Reading the telemetry" explains the same layout with the
``cbt`` commands; ``resources/telemetry/cbt-format.yaml`` is :func:`cbt_format_yaml` (a test
keeps the two equal).

Tables and families
-------------------
The design's tables and families (:data:`~node_core.telemetry.series.TABLE_FAMILIES`).
GridMetrics and NodeMetrics hold *gauges* (a value at an instant): each design family holds
the raw samples, and a second family ``<family>_1m`` their per-minute rollup. TradingMetrics
holds one row per region per minute already. Garbage collection is set per family
(:class:`Retention`): raw samples for days, rollups and trading minutes for years — a GC rule
belongs to a family, so raw and rollup cells need families of their own.

Row keys (ASCII, ``#``-separated, time last, UTC)
-------------------------------------------------
``{scope}#{family}#{key}#raw#{YYYYMMDDHHMM}``      raw samples of one gauge in one minute
``{scope}#{family}#{key}#1m#{stat}#{YYYYMMDDHH}``  one rollup statistic for each minute of an
                                                   hour (qualifier: the minute, ``00``..``59``)
``{region}#1m#{YYYYMMDDHHMM}``                     TradingMetrics: one region's minute

``scope`` is the authority that measured the value (its grid feed, its node) or, for trading,
the market region. Leading with it keeps three authorities sharing one instance apart and
makes "everything of EGAT" one prefix scan (``cbt read NodeMetrics prefix=EGAT#``). The
series comes next and the time last, so one series over a time range — what the console's
charts and an analyst's day query read — is one contiguous scan, and the key of a day
(``…#raw#20240521``) is a readable prefix. Keys never *start* with the time: a
timestamp-first key sends every current write to the one tablet at the end of the key space
(a hot spot); here the ~100 series of each authority append at ~100 places spread over the
key space, and Bigtable splits tablets by load. Earlier versions salted keys with a hash
prefix; at a few hundred rows a minute per authority that spreading is not needed, and it
made keys unreadable to an outsider (the hash had to be computed to find a series).

Cells (every value one plain big-endian 8-byte number)
------------------------------------------------------
Raw family: qualifier = milliseconds into the minute (``00000``..``59999``), value float64,
cell timestamp = the sample's own time. Rollup family: a row per statistic
(:data:`ROLLUP_STATS`) and hour, a float64 column per minute; TradingMetrics: the columns of
:data:`~node_core.telemetry.series.TRADING_COLUMNS`; their cell timestamp is the minute's
start. Every cell is a pure function of the facts it stores — value, qualifier and timestamp —
so a restarted writer, or three nodes writing the same final blocks' trades, write identical
cells (Bigtable keeps one version).

Why an hour's minutes per rollup row (measured on the emulator, 50 series × 24 h): the client
and the emulator pay per row (~60 µs) and per cell (~5 µs); a chart of a day needs each
minute's minimum and maximum, which these rows give as 2 × 24 rows of 60 cells per series
(1.6 s for 50 series, ``python -m tests.perf history``), where a row per minute with every
statistic took 24 s, and a server filter picking columns out of wider rows costs about as
much as reading them.
"""

from __future__ import annotations

import calendar
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from node_core.telemetry.series import TABLE_FAMILIES, TRADING_COLUMNS, CellType, Series

MINUTE_MS: Final = 60_000
ROLLUP_SUFFIX: Final = "_1m"
RAW_MARK: Final = "raw"
MINUTE_MARK: Final = "1m"
GAUGE_TABLES: Final = ("GridMetrics", "NodeMetrics")
UNITS: Final[Mapping[str, str]] = {
    "frequency": "Hz", "voltage": "kV", "power_flow": "MW",
    "performance": "in the metric's name", "network": "in the metric's name",
    "consensus": "in the metric's name",
    "price": "satang per kWh", "volume": "in the column's name",
    "liquidity": "distinct addresses",
}
"""The unit of every design family's values."""

ROLLUP_STATS: Final = ("min", "max", "mean", "count", "first_at", "last_at", "min_at",
                       "max_at")
"""A minute's statistics: lowest, highest and mean value (the family's unit), how many
samples, and when (seconds into the minute) the first, last, lowest and highest was taken."""

FamilyKind = Literal["raw", "minute"]
_CODECS: Final[Mapping[CellType, struct.Struct]] = {
    "float64": struct.Struct(">d"), "int64": struct.Struct(">q")}
_DAY_MS: Final = 86_400_000


@dataclass(frozen=True, slots=True)
class Retention:
    """How long Bigtable keeps telemetry: a garbage-collection rule per family (also how
    long the devnet's SQLite store keeps it). ``[bigtable]`` of the gcp profile sets it."""

    raw_days: int = 35
    """Raw samples (1 s grid, 5 s node): a calendar month to review, and a margin."""
    rollup_days: int = 2557
    """Per-minute rollups and TradingMetrics: 7 years, the regulator's retention."""

    def days(self, kind: FamilyKind) -> int:
        return self.raw_days if kind == "raw" else self.rollup_days


RETENTION_KEYS: Final = {"raw_retention_days": "raw_days",
                         "rollup_retention_days": "rollup_days"}
"""The configuration keys (``[bigtable]``) and the :class:`Retention` field each sets."""
MAX_RETENTION_DAYS: Final = 36_600


def retention_problems(values: Mapping[str, Any], section: str = "[bigtable]") -> list[str]:
    """One line per retention value out of range (types are checked by the caller)."""
    problems = [f"{section} {key} must be within 1..{MAX_RETENTION_DAYS} days, not {value}"
                for key in RETENTION_KEYS if isinstance(value := values.get(key), int)
                and not isinstance(value, bool) and not 1 <= value <= MAX_RETENTION_DAYS]
    raw, rollup = values.get("raw_retention_days"), values.get("rollup_retention_days")
    if not problems and isinstance(raw, int) and isinstance(rollup, int) and rollup < raw:
        problems.append(f"{section} rollup_retention_days ({rollup}) must not be shorter "
                        f"than raw_retention_days ({raw})")
    return problems


def retention_of(values: Mapping[str, Any]) -> Retention:
    """The :class:`Retention` of checked configuration values (defaults for absent keys)."""
    return Retention(**{field: values[key] for key, field in RETENTION_KEYS.items()
                        if key in values})


def table_families(table: str) -> dict[str, FamilyKind]:
    """Every column family of ``table`` and what it holds."""
    if table not in GAUGE_TABLES:
        return dict.fromkeys(TABLE_FAMILIES[table], "minute")
    families: dict[str, FamilyKind] = {}
    for family in TABLE_FAMILIES[table]:
        families[family] = "raw"
        families[family + ROLLUP_SUFFIX] = "minute"
    return families


# --- row keys ------------------------------------------------------------------------------


def minute_text(timestamp_ms: int) -> str:
    """``YYYYMMDDHHMM`` (UTC) of the minute holding ``timestamp_ms``."""
    t = time.gmtime(timestamp_ms // 1000)
    return f"{t.tm_year:04d}{t.tm_mon:02d}{t.tm_mday:02d}{t.tm_hour:02d}{t.tm_min:02d}"


def minute_ms(row_key: bytes) -> int:
    """The first millisecond of the minute a row key ends with."""
    text = row_key[-12:].decode()
    fields = (int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:]), 0)
    return calendar.timegm(fields) * 1000


def series_prefix(series: Series) -> str:
    """``{scope}#{family}#{key}#``: what every row of a gauge series starts with."""
    return f"{series.scope}#{series.family}#{series.key}#"


def raw_row_key(series: Series, timestamp_ms: int) -> bytes:
    """The raw row of the minute of ``timestamp_ms``."""
    return f"{series_prefix(series)}{RAW_MARK}#{minute_text(timestamp_ms)}".encode()


def rollup_row_key(series: Series, stat: str, timestamp_ms: int) -> bytes:
    """The row of one rollup statistic for the hour of ``timestamp_ms``."""
    return f"{series_prefix(series)}{MINUTE_MARK}#{stat}#{minute_text(timestamp_ms)[:10]}".encode()


def rollup_qualifier(timestamp_ms: int) -> str:
    """The minute of the hour, two digits."""
    return minute_text(timestamp_ms)[10:]


def hour_ms(row_key: bytes) -> int:
    """The first millisecond of the hour a rollup row key ends with."""
    return minute_ms(row_key + b"00")


def trading_row_key(region: str, timestamp_ms: int) -> bytes:
    """The TradingMetrics row of one region's minute."""
    return f"{region}#{MINUTE_MARK}#{minute_text(timestamp_ms)}".encode()


def raw_qualifier(timestamp_ms: int) -> str:
    """Milliseconds into the minute, five digits."""
    return f"{timestamp_ms % MINUTE_MS:05d}"


# --- cells ---------------------------------------------------------------------------------


def column_type(family: str, qualifier: str) -> CellType:
    """The type of the cells of one column (gauges and their rollups are float64)."""
    columns = TRADING_COLUMNS.get(family)
    return columns[qualifier] if columns is not None else "float64"


def encode(value: float, cell_type: CellType) -> bytes:
    """The 8 big-endian bytes of a cell (an int64 column gets the value rounded)."""
    if cell_type == "int64":
        return _CODECS["int64"].pack(round(value))
    return _CODECS["float64"].pack(value)


def decode(data: bytes, cell_type: CellType) -> float:
    """A cell's number."""
    return float(_CODECS[cell_type].unpack(data)[0])


# --- the cbt format file -------------------------------------------------------------------


def cbt_format_yaml() -> str:
    """The format file that makes ``cbt read … format-file=F`` print every cell as a number."""
    lines = ["# cbt format file of the GridTokenX telemetry tables (README: Reading the",
             "# telemetry). Generated by node_core/telemetry/layout.py: cbt_format_yaml().",
             "# Every cell is float64 but these TradingMetrics columns, int64:",
             "default_encoding: BigEndian", "default_type: float64", "families:"]
    for family, columns in TRADING_COLUMNS.items():
        ints = [name for name, kind in columns.items() if kind == "int64"]
        if len(ints) == len(columns):
            lines += [f"  {family}:", "    default_type: int64"]
        elif ints:
            lines += [f"  {family}:", "    columns:",
                      *(f"      {name}: {{type: int64}}" for name in ints)]
    return "\n".join(lines) + "\n"


def cutoff_ms(now_ms: int, days: int) -> int:
    """The oldest time a retention of ``days`` keeps at ``now_ms``."""
    return now_ms - days * _DAY_MS
