"""The store a :data:`~node_core.telemetry.target.TelemetryTarget` names."""

from __future__ import annotations

from node_core.telemetry.bigtable_store import BigtableTelemetryStore
from node_core.telemetry.sqlite_store import SqliteTelemetryStore
from node_core.telemetry.store import TelemetryStore
from node_core.telemetry.target import SqliteTarget, TelemetryTarget


async def open_store(target: TelemetryTarget) -> TelemetryStore:
    """The store of ``target``: Bigtable clients (``TelemetryUnavailable`` without
    credentials), or the SQLite file."""
    if isinstance(target, SqliteTarget):
        return SqliteTelemetryStore(target.path)
    return await BigtableTelemetryStore.open(target)
