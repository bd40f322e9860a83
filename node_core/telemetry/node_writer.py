"""A node's own telemetry: NodeMetrics of its status, TradingMetrics of its final blocks.

The node hands over two things and nothing else: each final block
(:meth:`NodeTelemetry.on_final_block`, cheap, never waits) and a status source it samples
every :data:`NODE_METRICS_EVERY_S` seconds. Everything goes through a
:class:`~node_core.telemetry.buffered.BufferedTelemetryStore` in the node's data directory —
a local SQLite insert, then a background drain to Bigtable in batches — so a Bigtable that is
slow or down never holds up consensus; the buffer back-fills when it returns, and is bounded.

Only a Bigtable target is written (``node_core.telemetry.target``: the ``[cloud]`` profile's
``[bigtable]``, or ``$BIGTABLE_EMULATOR_HOST``); a devnet node without one keeps no
telemetry. At start the node replays the final blocks of the previous and the current minute,
so the last closed minute is written again (the same cells: idempotent) even if the node
stopped before its row left the buffer, and the open minute counts every trade (two minutes
are at most 1,200 blocks at the fastest block interval, 100 ms: within ``recent_blocks``'
bound of 2,000).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol

from node_core.api.trading_overview import recent_blocks
from node_core.clock import now_ms
from node_core.ledger.blocks import Block
from node_core.node.metrics import finality_lag_blocks
from node_core.telemetry.buffered import BufferedTelemetryStore, BufferState
from node_core.telemetry.layout import MINUTE_MS
from node_core.telemetry.opening import open_store
from node_core.telemetry.series import TelemetrySample, node_metric_series
from node_core.telemetry.store import TelemetryUnavailable
from node_core.telemetry.target import BigtableTarget, telemetry_target
from node_core.telemetry.trading_minutes import TradingMinutes

if TYPE_CHECKING:
    from node_core.api.node_queries import NodeQueries
    from node_core.ledger.state import State
    from node_core.node.config import NodeConfig
    from node_core.node.store import BlockStore

_log = logging.getLogger(__name__)

NODE_METRICS_EVERY_S: Final = 5.0
BUFFER_FILENAME: Final = "telemetry-buffer.sqlite"
_FLUSH_ON_STOP_S: Final = 2.0

StatusSource = Callable[[], Mapping[str, Any]]


def node_metric_samples(authority: str, summary: Mapping[str, Any], at_ms: int,
                        previous: tuple[int, int] | None) -> list[TelemetrySample]:
    """The NodeMetrics of one ``status_summary``; ``previous``: (time, tx_finalized) of the
    last sample, for ``tx_per_s``."""
    values: dict[str, Any] = {
        "height": summary["height"], "lag_blocks": finality_lag_blocks(summary),
        "round": summary["round"], "health": summary.get("consensus_health"),
        "finality_p50_ms": summary.get("finality_p50_ms"),
        "finality_p99_ms": summary.get("finality_p99_ms"), "mempool": summary["mempool"],
        "peers_connected": sum(1 for p in summary.get("peers", ()) if p.get("connected")),
    }
    if previous is not None and at_ms > previous[0]:
        values["tx_per_s"] = (summary["tx_finalized"] - previous[1]) * 1000 / (at_ms - previous[0])
    return [TelemetrySample(node_metric_series(authority, metric), at_ms, float(value))
            for metric, value in values.items() if value is not None]


class NodeTelemetry:
    """One node's telemetry writer (see the module docstring). ``start`` on the node's loop."""

    def __init__(self, authority: str, store: BufferedTelemetryStore, status: StatusSource,
                 clock: Callable[[], int] = now_ms,
                 every_s: float = NODE_METRICS_EVERY_S) -> None:
        self._authority = authority
        self._store = store
        self._status = status
        self._clock = clock
        self._every_s = every_s
        self._trading = TradingMinutes()
        self._previous: tuple[int, int] | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def state(self) -> BufferState:
        """The buffer's state: connected, buffering or unreachable."""
        return self._store.state

    def start(self, recent: Iterable[Block]) -> None:
        """Replay ``recent`` final blocks (previous and current minute), then sample."""
        self._enqueue(self._trading.replay(recent))
        self._task = asyncio.get_running_loop().create_task(self._run(), name="telemetry")

    def on_final_block(self, block: Block) -> None:
        """Count the block's trades; a minute it closes goes to the buffer."""
        self._enqueue(self._trading.add(block))

    def sample(self) -> None:
        """Write the node's status as NodeMetrics now."""
        summary, at = self._status(), self._clock()
        self._enqueue(node_metric_samples(self._authority, summary, at, self._previous))
        self._previous = (at, int(summary["tx_finalized"]))

    def _enqueue(self, samples: list[TelemetrySample]) -> None:
        if samples:
            self._store.enqueue(samples)

    async def _run(self) -> None:
        while True:
            try:
                self.sample()
            except Exception:  # a bug here must not end the node's telemetry for its life
                _log.exception("node telemetry: sampling failed")
            await asyncio.sleep(self._every_s)

    async def aclose(self) -> None:
        """Stop sampling, give the buffer a moment to drain, close (what is left stays in the
        buffer file for the next start)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._store.flush(timeout_s=_FLUSH_ON_STOP_S)
        await self._store.close()


class TelemetryNode(Protocol):
    """What the writer reads of its node (the AuthorityNode satisfies it)."""

    @property
    def authority_name(self) -> str: ...

    @property
    def config(self) -> NodeConfig: ...

    @property
    def queries(self) -> NodeQueries: ...

    @property
    def state(self) -> State: ...

    @property
    def store(self) -> BlockStore: ...


async def open_node_telemetry(node: TelemetryNode, configured: BigtableTarget | None
                              ) -> NodeTelemetry | None:
    """The node's writer on its Bigtable target, started; None without one (or when its
    client cannot be made: logged, the node runs on)."""
    target = telemetry_target(configured, os.environ)
    if not isinstance(target, BigtableTarget):
        return None
    try:
        backing = await open_store(target)
    except TelemetryUnavailable as error:
        _log.warning("node telemetry off: %s", error)
        return None
    store = BufferedTelemetryStore(backing, node.config.data_dir / BUFFER_FILENAME)
    telemetry = NodeTelemetry(node.authority_name, store, node.queries.status_summary)
    tip = node.state.tip_timestamp
    since = tip - tip % MINUTE_MS - MINUTE_MS - 1
    telemetry.start(recent_blocks(node.store.blocks, node.state.height, since))
    _log.info("node telemetry to %s", target.describe())
    return telemetry
