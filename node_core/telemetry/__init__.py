"""Telemetry storage: Bigtable (emulator or cloud), embedded SQLite, and a buffering wrapper."""

from node_core.telemetry.bigtable_store import BigtableTelemetryStore
from node_core.telemetry.buffered import BufferedTelemetryStore, BufferState
from node_core.telemetry.emulator import (
    BigtableEmulator,
    EmulatorError,
    emulator_available,
    find_cbtemulator,
    free_loopback_port,
)
from node_core.telemetry.series import (
    SYSTEM_FREQUENCY,
    TABLE_FAMILIES,
    InvalidSeries,
    Series,
    TelemetrySample,
    node_metric_series,
    power_flow_series,
    samples_of,
    voltage_series,
)
from node_core.telemetry.sqlite_store import SqliteTelemetryStore
from node_core.telemetry.store import TelemetryStore, TelemetryUnavailable

__all__ = [
    "SYSTEM_FREQUENCY",
    "TABLE_FAMILIES",
    "BigtableEmulator",
    "BigtableTelemetryStore",
    "BufferState",
    "BufferedTelemetryStore",
    "EmulatorError",
    "InvalidSeries",
    "Series",
    "SqliteTelemetryStore",
    "TelemetrySample",
    "TelemetryStore",
    "TelemetryUnavailable",
    "emulator_available",
    "find_cbtemulator",
    "free_loopback_port",
    "node_metric_series",
    "power_flow_series",
    "samples_of",
    "voltage_series",
]
