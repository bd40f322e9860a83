"""Where telemetry goes: the one rule every writer and reader follows.

:func:`telemetry_target` decides, in this order:

1. a configured Bigtable — the gcp profile's ``[gcp] project`` and ``[bigtable] instance``
   (``GcpProfile.bigtable_target``), on the emulator of ``$BIGTABLE_EMULATOR_HOST`` if set;
2. ``$BIGTABLE_EMULATOR_HOST`` alone — an emulator someone runs, with the default project
   and instance below (as every Google client honours the variable);
3. the devnet's SQLite file, for the processes that have one (console, grid simulator);
4. nothing: the process keeps no telemetry (a devnet node without Bigtable).

The console, its nodes and the grid simulator inherit one environment and one profile, so
they agree. The devnet keeps its telemetry in SQLite rather than in a private Bigtable
emulator: the emulator holds everything in memory (a restart, a crash or a power cut loses
the history) and re-loading a dump grows with the history, while SQLite (WAL) keeps each
sample from the moment it is committed. README "Reading the telemetry" says the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from node_core.telemetry.layout import Retention

EMULATOR_ENV: Final = "BIGTABLE_EMULATOR_HOST"
DEFAULT_PROJECT: Final = "gridtokenx"
DEFAULT_INSTANCE: Final = "gridtokenx-timeseries"
"""The project and instance on ``$BIGTABLE_EMULATOR_HOST`` without a gcp profile (the design's
instance name)."""
SQLITE_FILENAME: Final = "telemetry.sqlite"
"""The SQLite store's file name in a telemetry directory (the devnet's ``telemetry/``)."""


@dataclass(frozen=True, slots=True)
class BigtableTarget:
    """A Bigtable instance: Google's (Application Default Credentials) or an emulator's."""

    project: str
    instance: str
    emulator_host: str | None = None
    """``host:port`` of an emulator; None: Cloud Bigtable."""
    retention: Retention = field(default_factory=Retention)

    @property
    def instance_path(self) -> str:
        return f"projects/{self.project}/instances/{self.instance}"

    def describe(self) -> str:
        """``Bigtable P/I`` or ``Bigtable emulator HOST:PORT P/I`` (logs, errors)."""
        where = f"emulator {self.emulator_host} " if self.emulator_host else ""
        return f"Bigtable {where}{self.project}/{self.instance}"


@dataclass(frozen=True, slots=True)
class SqliteTarget:
    """The devnet's SQLite file."""

    path: Path
    retention: Retention = field(default_factory=Retention)

    def describe(self) -> str:
        return f"SQLite {self.path}"


TelemetryTarget = BigtableTarget | SqliteTarget


def telemetry_target(configured: BigtableTarget | None, environ: Mapping[str, str],
                     sqlite: Path | None = None) -> TelemetryTarget | None:
    """Where this process's telemetry goes (see the module docstring)."""
    if configured is not None:
        return configured
    host = environ.get(EMULATOR_ENV)
    if host:
        return BigtableTarget(DEFAULT_PROJECT, DEFAULT_INSTANCE, host)
    return SqliteTarget(sqlite) if sqlite is not None else None
