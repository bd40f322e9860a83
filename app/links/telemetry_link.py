"""TelemetryLink: the grid simulator's live stream and the telemetry store's history, as Qt
signals.

* Live: the grid simulator process serves the node's JSON-lines protocol; this object
  subscribes (``grid_sample`` events, one a second) and re-emits each sample. Until the
  simulator answers it reports ``waiting for grid simulator`` and keeps retrying.
* History: ``request_history(series_id, t0_s, t1_s)`` (wired to
  ``GridChartsPanel.history_requested``) reads the store asynchronously, decimated to
  ``HISTORY_POINTS`` per request (min/max per bucket, done by the store: SQLite in a worker
  thread, Bigtable over gRPC asyncio), and answers with ``history_ready``. A newer request for
  the same series cancels the older one, so scrolling never queues work.
* Node metrics: ``record_node_status`` writes the console's NodeMetrics (height, finality,
  peers) through a ``BufferedTelemetryStore``, which never blocks and back-fills after an
  outage; shutdown flushes it (``close``).

Series ids are the charts' (``frequency``, ``voltage_pu/<id>``, ``power_mw/<id>``); voltages
are stored in kV and converted to per-unit with the nominal seen in the live stream.

Signals:
    grid_sample(sample: dict): one live sample (the chart panel's ``on_grid_sample`` shape).
    gridsim_state(text: str): ``waiting for grid simulator`` / ``live`` / ``not configured``.
    store_state(text: str): e.g. ``Bigtable emulator`` (connected), ``SQLite fallback ·
        buffering 120 samples``, ``Bigtable emulator · unreachable (120 buffered)``, ``none``.
    history_ready(series_id: str, t: object, v: object): float64 numpy arrays (s, value).
    history_busy(busy: bool): a history read is running (for a progress indicator).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import Any, Final

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.client import NodeClient
from node_core.api.wire import ClientError
from node_core.clock import now_ms
from node_core.telemetry import (
    SYSTEM_FREQUENCY,
    BufferedTelemetryStore,
    Series,
    TelemetrySample,
    node_metric_series,
    power_flow_series,
    voltage_series,
)

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
    store_state = Signal(str)
    history_ready = Signal(str, object, object)
    history_busy = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store: BufferedTelemetryStore | None = None
        self._store_kind = ""
        self._client: NodeClient | None = None
        self._stream: asyncio.Task[None] | None = None
        self._history: dict[str, asyncio.Task[None]] = {}
        self._nominal_kv: dict[str, float] = {}
        self.samples_received = 0
        self._state_timer = QTimer(self, interval=1000)
        self._state_timer.timeout.connect(self._report_store_state)

    # ----- store ----------------------------------------------------------------------------

    def attach_store(self, store: BufferedTelemetryStore, kind: str) -> None:
        """Use ``store`` for history and node metrics; ``kind`` names it in the status bar."""
        self._store, self._store_kind = store, kind
        store.start()
        self._state_timer.start()
        self._report_store_state()

    def store_label(self) -> str:
        if self._store is None:
            return self.tr("none")
        state = self._store.state
        if state.status == "connected":
            return self._store_kind
        return f"{self._store_kind} · {state.label}"

    @Slot()
    def _report_store_state(self) -> None:
        self.store_state.emit(self.store_label())

    @Slot(dict)
    def record_node_status(self, status: dict) -> None:
        """Store the node's key metrics (NodeMetrics table) at the current time."""
        if self._store is None:
            return
        now = now_ms()
        values = {("consensus", "height"): status.get("height"),
                  ("performance", "finality_p50_ms"): status.get("finality_p50_ms"),
                  ("performance", "mempool"): status.get("mempool"),
                  ("network", "peers_connected"):
                      sum(1 for p in status.get("peers", ()) if p.get("connected"))}
        samples = [TelemetrySample(node_metric_series(family, metric), now, float(value))
                   for (family, metric), value in values.items() if value is not None]
        asyncio.get_running_loop().create_task(self._store.write(samples))

    # ----- live stream ----------------------------------------------------------------------

    def start_stream(self, host: str, port: int) -> None:
        """Subscribe to the grid simulator at ``host:port`` (retrying until it answers)."""
        self.gridsim_state.emit(self.tr("waiting for grid simulator"))  # == WAITING
        if self._stream is None:
            self._stream = asyncio.get_running_loop().create_task(self._run(host, port))

    async def schedule_event(self, event: str) -> Any:
        """Ask the simulator to script ``event`` (e.g. ``generator_trip@+5:1000``)."""
        if self._client is None:
            raise ClientError("Unreachable", WAITING)
        return await self._client.request(m.SCHEDULE_EVENT, r.ScheduleEventRequest(event))

    async def _run(self, host: str, port: int) -> None:
        while True:
            try:
                self._client = await NodeClient.connect(host, port, timeout_s=2.0)
                await self._client.request(m.GRIDSIM_STATUS, r.NoParams())
                log.info("grid simulator stream connected at %s:%d", host, port)
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
            t, v = await self._store.read_range(series, int(t0_s * 1000), int(t1_s * 1000),
                                                HISTORY_POINTS)
        except Exception as error:  # the store may be down: the chart keeps its live data
            log.warning("history of %s not read: %s", series_id, error)
            return
        self.history_ready.emit(series_id, t, v * scale if scale != 1.0 else v)

    def _series_of(self, series_id: str) -> tuple[Series, float]:
        """The stored series of a chart series id, and the factor to the chart's unit."""
        kind, _, key = series_id.partition("/")
        if kind == "frequency":
            return SYSTEM_FREQUENCY, 1.0
        if kind == "voltage_pu":
            nominal = self._nominal_kv.get(key, math.nan)
            return voltage_series(key), 1.0 / nominal if nominal > 0 else math.nan
        if kind == "power_mw":
            return power_flow_series(key), 1.0
        raise KeyError(series_id)

    # ----- shutdown -------------------------------------------------------------------------

    async def close(self, flush_timeout_s: float = 5.0) -> None:
        """Stop the stream and history reads, flush node metrics, close the store."""
        self._state_timer.stop()
        tasks = [t for t in (self._stream, *self._history.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._stream = None
        await self._drop_client()
        store, self._store = self._store, None
        if store is not None:
            flushed = await store.flush(timeout_s=flush_timeout_s)
            log.info("telemetry store flushed (%s)", "complete" if flushed else
                     f"{store.state.buffered} samples kept on disk for next start")
            await store.close()

