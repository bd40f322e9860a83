"""Telemetry series, samples, and the min/max decimation every store shares.

A ``Series`` names one time series the way the Bigtable design files it: a table
(``GridMetrics``, ``TradingMetrics``, ``NodeMetrics``), a column family within it
(``frequency``, ``voltage``, ``power_flow``; ``price``, ``volume``, ``liquidity``;
``performance``, ``network``, ``consensus``) and a key: ``system`` for the system frequency,
a substation id for voltage and power flow, a metric name for node metrics.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

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

FloatArray = npt.NDArray[np.float64]


class InvalidSeries(GridTokenXError):
    """A series names a table or family outside the design, or has an empty key."""


@dataclass(frozen=True, slots=True, order=True)
class Series:
    """One time series: table, column family, key."""

    table: str
    family: str
    key: str
    """``system``, a substation id, or a metric name."""

    def __post_init__(self) -> None:
        if self.family not in TABLE_FAMILIES.get(self.table, ()):
            raise InvalidSeries(f"{self.table}/{self.family} is not in the design")
        if not self.key or "#" in self.key:
            raise InvalidSeries(f"series key {self.key!r} must be non-empty without '#'")

    @property
    def name(self) -> str:
        """``table/family/key``: a stable text form (used as the SQLite series column)."""
        return f"{self.table}/{self.family}/{self.key}"

    @classmethod
    def parse(cls, name: str) -> Series:
        """Inverse of ``name``."""
        table, family, key = name.split("/", 2)
        return cls(table, family, key)


SYSTEM_FREQUENCY: Final = Series("GridMetrics", "frequency", "system")


def voltage_series(substation_id: str) -> Series:
    """The voltage (kV) series of one substation."""
    return Series("GridMetrics", "voltage", substation_id)


def power_flow_series(substation_id: str) -> Series:
    """The power-flow (MW) series of one substation."""
    return Series("GridMetrics", "power_flow", substation_id)


def node_metric_series(family: str, metric: str) -> Series:
    """A NodeMetrics series: family ``performance``/``network``/``consensus``, a metric name."""
    return Series("NodeMetrics", family, metric)


@dataclass(frozen=True, slots=True)
class TelemetrySample:
    """One value of one series at one instant."""

    series: Series
    timestamp_ms: int
    """UTC milliseconds since the epoch."""
    value: float


def samples_of(sample: GridSample) -> list[TelemetrySample]:
    """Flatten a grid sample into telemetry: system frequency, voltage and flow per substation."""
    ts = sample.timestamp_ms
    out = [TelemetrySample(SYSTEM_FREQUENCY, ts, sample.frequency_hz)]
    for reading in sample.substations:
        out.append(TelemetrySample(voltage_series(reading.substation_id), ts, reading.voltage_kv))
        out.append(
            TelemetrySample(power_flow_series(reading.substation_id), ts, reading.power_flow_mw)
        )
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
