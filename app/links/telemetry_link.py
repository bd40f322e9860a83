"""TelemetryLink: the grid simulator's live stream and the telemetry store's history, as Qt
signals.

* Live: the grid simulator process serves the node's JSON-lines protocol; this object
  subscribes (``grid_sample`` events, one a second) and re-emits each sample. Until the
  simulator answers it reports ``waiting for grid simulator`` and keeps retrying.
* History: ``request_history(series_id, t0_s, t1_s)`` (wired to
  ``GridChartsPanel.history_requested``) reads the store asynchronously, decimated to
  ``HISTORY_POINTS`` per request (min/max per bucket, done by the store: SQLite in a worker
  thread, Bigtable over gRPC asyncio), and answers with ``history_ready``. A newer request for
  the same series cancels the older one, so scrolling never queues work. The console only
  reads: the grid simulator writes GridMetrics and each node its NodeMetrics and
  TradingMetrics (``node_core.telemetry``), to the same target.

Series ids are the charts' (``frequency``, ``voltage_pu/<id>``, ``power_mw/<id>``), of the
console's own authority's grid feed; voltages are stored in kV and converted to per-unit with
the nominal seen in the live stream.

Signals:
    grid_sample(sample: dict): one live sample (the chart panel's ``on_grid_sample`` shape).
    gridsim_state(text: str): ``waiting for grid simulator`` / ``live`` / ``not configured``.
    store_state(text: str, detail: str, reachable: bool): where telemetry goes, e.g.
        ``Bigtable gridtokenx-metrics``, ``emulator gridtokenx-timeseries`` (a Bigtable
        emulator's instance) or ``SQLite (devnet)``, with ``· unreachable`` (and ``reachable``
        False) while history reads fail, or ``none``; ``detail`` names the project, instance
        and emulator address, or the SQLite file (a tooltip).
    history_ready(series_id: str, t: object, v: object): float64 numpy arrays (s, value).
    history_busy(busy: bool): a history read is running (for a progress indicator).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import Any, Final

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.links.node_link import cancelled
from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.client import NodeAddress, NodeClient
from node_core.api.wire import ClientError
from node_core.telemetry import (
    BigtableTarget,
    Series,
    TelemetryStore,
    TelemetryTarget,
    power_flow_series,
    system_frequency,
    voltage_series,
)
from node_core.telemetry.series import FloatArray

log = logging.getLogger(__name__)

HISTORY_POINTS: Final = 4000
"""Points per history answer (2 per bucket: min and max); a few per screen pixel."""
RETRY_S: Final = 2.0
WAITING: Final = "waiting for grid simulator"


class TelemetryLink(QObject):
    """Bridges the grid simulator stream and the telemetry store to Qt.

    Signals:
        grid_sample(GridSampleView): one simulator sample (``node_core.api.answers``).
        gridsim_state(str): the simulator's connection, in words for the status bar.
        store_state(str): where telemetry goes, in words for the status bar.
        history_ready(str, object, object): a history read: series name, times (float64
            numpy array, s) and values.
        history_busy(bool): a history read started or ended.
    """

    grid_sample = Signal(ans.GridSampleView)
    gridsim_state = Signal(str)
    store_state = Signal(str, str, bool)
    history_ready = Signal(str, object, object)
    history_busy = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store: TelemetryStore | None = None
        self._where = ("", "")
        self._authority = ""
        self._read_failed = False
        self._client: NodeClient | None = None
        self._stream: asyncio.Task[None] | None = None
        self._history: dict[str, asyncio.Task[None]] = {}
        self._nominal_kv: dict[str, float] = {}
        self.samples_received = 0
        self._state_timer = QTimer(self, interval=1000)
        self._state_timer.timeout.connect(self._report_store_state)

    # ----- store ----------------------------------------------------------------------------

    def attach_store(self, store: TelemetryStore, target: TelemetryTarget,
                     authority: str) -> None:
        """Read history of ``authority``'s grid feed from ``store`` (``target``'s)."""
        self._store, self._authority = store, authority
        self._where = self.describe(target)
        self._state_timer.start()
        self._report_store_state()

    def describe(self, target: TelemetryTarget) -> tuple[str, str]:
        """(status bar text, tooltip) naming where telemetry goes."""
        if not isinstance(target, BigtableTarget):
            return self.tr("SQLite (devnet)"), str(target.path)
        if target.emulator_host is None:
            return (self.tr("Bigtable {instance}").format(instance=target.instance),
                    target.instance_path)
        return (self.tr("emulator {instance}").format(instance=target.instance),
                self.tr("Bigtable emulator at {host}: {path}").format(
                    host=target.emulator_host, path=target.instance_path))

    def show_no_store(self, why: str, *, reachable: bool) -> None:
        """Say that history has no store (``why`` in the tooltip)."""
        self.store_state.emit(self.tr("none"), why, reachable)

    @Slot()
    def _report_store_state(self) -> None:
        where, detail = self._where
        if self._read_failed:
            where = self.tr("{where} · unreachable").format(where=where)
        self.store_state.emit(where, detail, not self._read_failed)

    async def read_frequency(self, start_ms: int, end_ms: int,
                             max_points: int) -> tuple[FloatArray, FloatArray]:
        """The own grid feed's system frequency in ``[start_ms, end_ms)`` (empty without a
        store); raises what the store raises."""
        if self._store is None:
            return np.empty(0), np.empty(0)
        return await self._read_range(system_frequency(self._authority), start_ms, end_ms,
                                      max_points)

    async def _read_range(self, series: Series, start_ms: int, end_ms: int,
                          max_points: int) -> tuple[FloatArray, FloatArray]:
        assert self._store is not None
        try:
            answer = await self._store.read_range(series, start_ms, end_ms, max_points)
        except Exception:
            self._read_failed = True
            raise
        self._read_failed = False
        return answer

    # ----- live stream ----------------------------------------------------------------------

    def start_stream(self, address: NodeAddress) -> None:
        """Subscribe to the grid simulator at ``address`` (with its cookie; retrying until it
        answers)."""
        self.gridsim_state.emit(self.tr("waiting for grid simulator"))  # == WAITING
        if self._stream is None:
            self._stream = asyncio.get_running_loop().create_task(self._run(address))

    async def schedule_event(self, event: str) -> Any:
        """Ask the simulator to script ``event`` (e.g. ``generator_trip@+5:1000``)."""
        if self._client is None:
            raise ClientError("Unreachable", WAITING)
        return await self._client.request(m.SCHEDULE_EVENT, r.ScheduleEventRequest(event))

    async def _run(self, address: NodeAddress) -> None:
        while True:
            try:
                self._client = await NodeClient.connect(address, timeout_s=2.0)
                await self._client.request(m.GRIDSIM_STATUS, r.NoParams())
                log.info("grid simulator stream connected at %s", address)
                self.gridsim_state.emit(self.tr("live"))
                async for event in self._client.subscribe():
                    if event.get("event") == "grid_sample":
                        self._on_sample(event["data"])
            except (ClientError, OSError):
                pass
            finally:
                await self._drop_client()
            self.gridsim_state.emit(self.tr("waiting for grid simulator"))  # == WAITING
            await asyncio.sleep(RETRY_S)

    def _on_sample(self, sample: dict[str, Any]) -> None:
        self.samples_received += 1
        for sub in sample.get("substations", ()):
            self._nominal_kv[sub["id"]] = float(sub["nominal_kv"])
        self.grid_sample.emit(sample)

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.close()

    # ----- history --------------------------------------------------------------------------

    @Slot(str, float, float)
    def request_history(self, series_id: str, t0_s: float, t1_s: float) -> None:
        """Read ``[t0_s, t1_s)`` of a chart series from the store; answers history_ready."""
        if self._store is None or t1_s <= t0_s:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # a chart asked after the console's loop ended (shutting down): nothing to do
        previous = self._history.pop(series_id, None)
        if previous is not None:
            previous.cancel()
        task = loop.create_task(self._read(series_id, t0_s, t1_s))
        self._history[series_id] = task
        self.history_busy.emit(True)
        task.add_done_callback(lambda done: self._history_done(series_id, done))

    def _history_done(self, series_id: str, task: asyncio.Task[None]) -> None:
        if self._history.get(series_id) is task:
            del self._history[series_id]
        if not self._history:
            self.history_busy.emit(False)

    async def _read(self, series_id: str, t0_s: float, t1_s: float) -> None:
        assert self._store is not None
        series, scale = self._series_of(series_id)
        try:
            t, v = await self._read_range(series, int(t0_s * 1000), int(t1_s * 1000),
                                          HISTORY_POINTS)
        except Exception as error:  # the store may be down: the chart keeps its live data
            log.warning("history of %s not read: %s", series_id, error)
            return
        self.history_ready.emit(series_id, t, v * scale if scale != 1.0 else v)

    def _series_of(self, series_id: str) -> tuple[Series, float]:
        """The stored series of a chart series id, and the factor to the chart's unit."""
        kind, _, key = series_id.partition("/")
        if kind == "frequency":
            return system_frequency(self._authority), 1.0
        if kind == "voltage_pu":
            nominal = self._nominal_kv.get(key, math.nan)
            return (voltage_series(self._authority, key),
                    1.0 / nominal if nominal > 0 else math.nan)
        if kind == "power_mw":
            return power_flow_series(self._authority, key), 1.0
        raise KeyError(series_id)

    # ----- shutdown -------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop the stream and history reads, close the store."""
        self._state_timer.stop()
        await cancelled(t for t in (self._stream, *self._history.values()) if t is not None)
        self._stream = None
        await self._drop_client()
        store, self._store = self._store, None
        if store is not None:
            await store.close()

