"""Telemetry time series in Bigtable (the shared instance, or an emulator) or SQLite.

* ``series`` — what a series is (table, family, scope, key), samples, decimation; the
  NodeMetrics metrics and TradingMetrics columns;
* ``layout`` — how it lies in Bigtable: families, row keys, cells, units, retention (GC
  rules), the ``cbt`` format file; ``rollup`` — the per-minute statistics of a gauge;
* ``target`` — where telemetry goes (gcp profile, ``$BIGTABLE_EMULATOR_HOST``, the devnet's
  SQLite); ``opening`` — the store a target names;
* ``store`` — the protocol; ``bigtable_store``, ``sqlite_store`` — the two stores;
  ``bigtable_clients`` — Google's clients for a target (emulator or credentials);
  ``buffered`` — a store wrapper that never blocks and back-fills after an outage;
* ``bigtable_admin`` — tables, families, GC rules, and the instance check of ``config check``
  (imports the admin client: import it only where needed);
* ``node_writer`` — a node's NodeMetrics and TradingMetrics (``trading_minutes``);
* ``emulator`` — Google's Bigtable emulator as a child process (tests, benchmarks).
"""

from node_core.telemetry.bigtable_store import BigtableTelemetryStore
from node_core.telemetry.buffered import BufferedTelemetryStore, BufferState
from node_core.telemetry.emulator import (
    BigtableEmulator,
    EmulatorError,
    emulator_available,
    find_cbtemulator,
    free_loopback_port,
)
from node_core.telemetry.layout import Retention
from node_core.telemetry.opening import open_store
from node_core.telemetry.series import (
    NODE_METRICS,
    TABLE_FAMILIES,
    TRADING_COLUMNS,
    InvalidSeries,
    Series,
    TelemetrySample,
    node_metric_series,
    power_flow_series,
    samples_of,
    system_frequency,
    trading_series,
    voltage_series,
)
from node_core.telemetry.sqlite_store import SqliteTelemetryStore
from node_core.telemetry.store import TelemetryStore, TelemetryUnavailable
from node_core.telemetry.target import (
    BigtableTarget,
    SqliteTarget,
    TelemetryTarget,
    telemetry_target,
)

__all__ = [
    "NODE_METRICS",
    "TABLE_FAMILIES",
    "TRADING_COLUMNS",
    "BigtableEmulator",
    "BigtableTarget",
    "BigtableTelemetryStore",
    "BufferState",
    "BufferedTelemetryStore",
    "EmulatorError",
    "InvalidSeries",
    "Retention",
    "Series",
    "SqliteTarget",
    "SqliteTelemetryStore",
    "TelemetrySample",
    "TelemetryStore",
    "TelemetryTarget",
    "TelemetryUnavailable",
    "emulator_available",
    "find_cbtemulator",
    "free_loopback_port",
    "node_metric_series",
    "open_store",
    "power_flow_series",
    "samples_of",
    "system_frequency",
    "telemetry_target",
    "trading_series",
    "voltage_series",
]
