"""Telemetry series, samples, and the min/max decimation every store shares.

A ``Series`` names one time series the way the Bigtable design files it: a table
(``GridMetrics``, ``TradingMetrics``, ``NodeMetrics``), a column family within it
(``frequency``, ``voltage``, ``power_flow``; ``price``, ``volume``, ``liquidity``;
``performance``, ``network``, ``consensus``), a scope and a key:

* GridMetrics — scope: the authority whose grid feed measured it; key: ``system`` (the
  system frequency) or a substation id;
* NodeMetrics — scope: the authority whose node it is; key: a metric of
  :data:`NODE_METRICS` (its unit is in its name);
* TradingMetrics — scope: the market region; key: a column of :data:`TRADING_COLUMNS`
  (one value per region per minute, computed from the chain's final blocks).

The scope comes first in every row key (:mod:`node_core.telemetry.layout`), so three
authorities writing one shared instance never overwrite each other's measurements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from node_core.grid.simulator import GridSample
from node_core.ledger.exceptions import GridTokenXError

TABLE_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "GridMetrics": ("frequency", "voltage", "power_flow"),
    "TradingMetrics": ("price", "volume", "liquidity"),
    "NodeMetrics": ("performance", "network", "consensus"),
}
"""The tables and column families of the GridTokenX Bigtable design."""

CellType = Literal["float64", "int64"]
"""How a cell's 8 bytes read: a big-endian IEEE-754 double or a big-endian signed integer."""

NODE_METRICS: Final[Mapping[str, tuple[str, str]]] = {
    "height": ("consensus", "the newest final block's height"),
    "lag_blocks": ("consensus", "final blocks behind the furthest peer (the status bar's lag)"),
    "round": ("consensus", "consensus round at the current height (0 when healthy)"),
    "health": ("consensus", "share of the last 100 blocks final in round 0, every authority "
                            "signing (0..1)"),
    "tx_per_s": ("performance", "transactions finalized per second since the previous sample"),
    "finality_p50_ms": ("performance", "submission to finality, median, ms"),
    "finality_p99_ms": ("performance", "submission to finality, 99th percentile, ms"),
    "mempool": ("performance", "transactions waiting in the mempool"),
    "peers_connected": ("network", "other authorities this node is connected to"),
}
"""Every NodeMetrics metric: its family and what it measures (the unit is in the name)."""

TRADING_COLUMNS: Final[Mapping[str, Mapping[str, CellType]]] = {
    "price": {"vwap_satang_per_kwh": "float64", "min_satang_per_kwh": "int64",
              "max_satang_per_kwh": "int64"},
    "volume": {"energy_wh": "int64", "payment_satang": "int64", "trades": "int64"},
    "liquidity": {"sellers": "int64", "buyers": "int64"},
}
"""TradingMetrics columns per family and their cell types (units in the names)."""

FloatArray = npt.NDArray[np.float64]


class InvalidSeries(GridTokenXError):
    """A series names a table, family, metric or column outside the design, or has an empty
    scope or key, or one holding a separator (``#`` or ``/``)."""


@dataclass(frozen=True, slots=True, order=True)
class Series:
    """One time series: table, column family, scope, key (see the module docstring)."""

    table: str
    family: str
    scope: str
    """The authority that measured it (grid feed, node), or the market region (trading)."""
    key: str
    """``system``, a substation id, a node metric, or a trading column."""

    def __post_init__(self) -> None:
        if self.family not in TABLE_FAMILIES.get(self.table, ()):
            raise InvalidSeries(f"{self.table}/{self.family} is not in the design")
        for part, value in (("scope", self.scope), ("key", self.key)):
            if not value or "#" in value or "/" in value:
                raise InvalidSeries(f"series {part} {value!r} must be non-empty without "
                                    "'#' or '/'")
        if self.table == "NodeMetrics" and NODE_METRICS.get(self.key, ("",))[0] != self.family:
            raise InvalidSeries(f"{self.key!r} is not a NodeMetrics {self.family} metric")
        if self.table == "TradingMetrics" and self.key not in TRADING_COLUMNS[self.family]:
            raise InvalidSeries(f"{self.key!r} is not a TradingMetrics {self.family} column")

    @property
    def name(self) -> str:
        """``table/family/scope/key``: a stable text form (the SQLite series column)."""
        return f"{self.table}/{self.family}/{self.scope}/{self.key}"

    @classmethod
    def parse(cls, name: str) -> Series:
        """Inverse of ``name``; ``InvalidSeries`` for anything else."""
        parts = name.split("/")
        if len(parts) != 4:
            raise InvalidSeries(f"{name!r} is not table/family/scope/key")
        return cls(*parts)


def system_frequency(authority: str) -> Series:
    """The system frequency (Hz) as ``authority``'s grid feed measures it."""
    return Series("GridMetrics", "frequency", authority, "system")


def voltage_series(authority: str, substation_id: str) -> Series:
    """The voltage (kV) of one substation, from ``authority``'s grid feed."""
    return Series("GridMetrics", "voltage", authority, substation_id)


def power_flow_series(authority: str, substation_id: str) -> Series:
    """The power flow (MW) of one substation, from ``authority``'s grid feed."""
    return Series("GridMetrics", "power_flow", authority, substation_id)


def node_metric_series(authority: str, metric: str) -> Series:
    """A NodeMetrics series of ``authority``'s node (its family from :data:`NODE_METRICS`)."""
    if metric not in NODE_METRICS:
        raise InvalidSeries(f"{metric!r} is not a NodeMetrics metric")
    return Series("NodeMetrics", NODE_METRICS[metric][0], authority, metric)


def trading_series(region: str, family: str, column: str) -> Series:
    """A TradingMetrics series: one column of one region, a value per minute."""
    return Series("TradingMetrics", family, region, column)


@dataclass(frozen=True, slots=True)
class TelemetrySample:
    """One value of one series at one instant."""

    series: Series
    timestamp_ms: int
    """UTC milliseconds since the epoch (TradingMetrics: the minute's first millisecond)."""
    value: float


def samples_of(sample: GridSample, authority: str) -> list[TelemetrySample]:
    """Flatten a grid sample from ``authority``'s feed into telemetry: system frequency,
    voltage and flow per substation."""
    ts = sample.timestamp_ms
    out = [TelemetrySample(system_frequency(authority), ts, sample.frequency_hz)]
    for reading in sample.substations:
        sub = reading.substation_id
        out.append(TelemetrySample(voltage_series(authority, sub), ts, reading.voltage_kv))
        out.append(TelemetrySample(power_flow_series(authority, sub), ts, reading.power_flow_mw))
    return out


def group_by_series(samples: Iterable[TelemetrySample]) -> dict[Series, list[TelemetrySample]]:
    """Samples grouped per series, each group in the order given."""
    groups: dict[Series, list[TelemetrySample]] = {}
    for sample in samples:
        groups.setdefault(sample.series, []).append(sample)
    return groups


def bucket_width_ms(start_ms: int, end_ms: int, max_points: int) -> int:
    """Bucket width so that two points (min, max) per bucket fit in ``max_points``."""
    buckets = max(1, max_points // 2)
    return max(1, -(-(end_ms - start_ms) // buckets))


def decimate_min_max(
    timestamps_ms: npt.NDArray[np.int64], values: FloatArray, start_ms: int, width_ms: int
) -> tuple[FloatArray, FloatArray]:
    """Per bucket of ``width_ms``, keep the minimum and the maximum in time order.

    Returns (timestamps in float64 seconds, values); a bucket with one sample yields one point.
    """
    if timestamps_ms.size == 0:
        return np.empty(0), np.empty(0)
    bucket = (timestamps_ms - start_ms) // width_ms
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    argmin = _segment_arg(values, starts, np.minimum)
    argmax = _segment_arg(values, starts, np.maximum)
    keep = np.unique(np.concatenate([argmin, argmax]))
    return timestamps_ms[keep].astype(np.float64) / 1000.0, values[keep]


def _segment_arg(values: FloatArray, starts: npt.NDArray[np.intp], ufunc: np.ufunc) -> np.ndarray:
    """Index of the first extreme (per ``ufunc``) of each segment beginning at ``starts``."""
    extremes = ufunc.reduceat(values, starts)
    ends = np.r_[starts[1:], values.size]
    seg = np.repeat(np.arange(starts.size), ends - starts)
    hit = np.flatnonzero(values == extremes[seg])
    first = np.r_[True, seg[hit][1:] != seg[hit][:-1]]
    return hit[first]
