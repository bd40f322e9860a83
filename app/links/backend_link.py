"""BackendLink: the trading overview and the cloud side's degraded mode, as Qt signals.

Every ``POLL_S`` it asks the node (over ``NodeLink``) for ``cloud_status``:

* a devnet node (no ``[cloud] profile``): the overview is the node's ``trading_overview``
  (computed from its own chain's settlements, so never empty); the status bar reads
  ``devnet: no cloud backend``;
* a node with a ``gcp`` profile: the link loads that profile (the node runs on this machine)
  and reads the overview with ``BackendApi.trading_overview`` (Application Default
  Credentials). When the API fails or its circuit is open, it shows the node's own chain
  overview instead (``fallback``) and keeps trying; the status bar names each part's state:
  ``Monitoring: retrying · Pub/Sub: ok · Spanner: down since 17:40 · API: circuit open``.

Nothing here blocks: node calls and the API are awaited on the qasync loop, the profile is
read in a worker thread; a failure only changes the status text, and the link recovers by
itself on the next poll.

Signals:
    overview_changed(overview: dict): the overview to show (``views.trading.trading_overview``).
    backend_state(text: str, abnormal: bool): the status bar's backend part.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from app.links.node_link import NodeLink
from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.trading_overview import backend_overview_dict
from node_core.cloud.backend_api import BackendApi, TokenProvider
from node_core.cloud.circuit import CircuitState
from node_core.cloud.profile import load_gcp_profile
from node_core.ledger.exceptions import GridTokenXError
from views.common import formatting as fmt

log = logging.getLogger(__name__)

POLL_S: Final = 2.0
PART_NAMES: Final = (("monitoring", "Monitoring"), ("pubsub", "Pub/Sub"),
                     ("spanner", "Spanner"))
DEVNET_TEXT: Final = "devnet: no cloud backend"
CLOUD_SCOPE: Final = "https://www.googleapis.com/auth/cloud-platform"

ApiFactory = Callable[[str], BackendApi]
"""``api_base_url`` → a BackendApi (tests pass one with a local transport)."""


def adc_token_provider() -> TokenProvider:
    """Bearer tokens from Application Default Credentials, refreshed in a worker thread."""
    import google.auth
    import google.auth.transport.requests

    credentials, _ = google.auth.default(scopes=[CLOUD_SCOPE])  # type: ignore[no-untyped-call]

    async def provide() -> str:
        if not credentials.valid:
            await asyncio.to_thread(credentials.refresh,
                                    google.auth.transport.requests.Request())
        return str(credentials.token)

    return provide


def default_api(base_url: str) -> BackendApi:
    return BackendApi(base_url, adc_token_provider())


def api_state_text(api: BackendApi | None, problem: str | None) -> str:
    """The API part: ``ok``, ``retrying``, ``circuit open``, ``circuit half-open`` or the
    problem that kept it from starting (no credentials)."""
    if api is None:
        return problem or "off"
    state = api.state
    if state is CircuitState.OPEN:
        return "circuit open"
    if state is CircuitState.HALF_OPEN:
        return "circuit half-open"
    return "retrying" if api.last_error else "ok"


def part_text(state: str, since_ms: int | None) -> str:
    """One part's state, a ``down since`` time shown as local ``HH:MM``."""
    if state.startswith("down since") and since_ms is not None:
        return f"down since {fmt.bangkok_time(since_ms)[11:16]}"
    return state


def backend_text(cloud: Mapping[str, Any], api: str) -> tuple[str, bool]:
    """The status bar's backend part and whether it is abnormal (any part not ok/off)."""
    if cloud.get("profile") != "gcp":
        return QCoreApplication.translate("BackendLink", "devnet: no cloud backend"), False
    since = cloud.get("since_ms") or {}
    parts = [(label, part_text(str(cloud.get(key, "off")), since.get(key)))
             for key, label in PART_NAMES]
    parts.append(("API", api))
    abnormal = any(state not in ("ok", "off") for _, state in parts)
    return " · ".join(f"{label}: {state}" for label, state in parts), abnormal


class BackendLink(QObject):
    """Polls the node's cloud status and the trading overview; see the module docstring.

    Signals:
        overview_changed(TradingOverview): the market overview (``node_core.api.answers``).
        backend_state(str, bool): the status-bar text of the cloud side, and whether it is
            degraded.
    """

    overview_changed = Signal(ans.TradingOverview)
    backend_state = Signal(str, bool)

    def __init__(self, node_link: NodeLink, parent: QObject | None = None, *,
                 poll_s: float = POLL_S, api_factory: ApiFactory = default_api) -> None:
        super().__init__(parent)
        self._node = node_link
        self._poll_s = poll_s
        self._api_factory = api_factory
        self._api: BackendApi | None = None
        self._api_problem: str | None = None
        self._profile_path: str | None = None
        self._task: asyncio.Task[None] | None = None

    @Slot()
    def start(self) -> None:
        """Start polling on the running loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    @Slot()
    def stop(self) -> None:
        """Stop polling and close the API client (in the background)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
        api, self._api = self._api, None
        if api is not None:
            with contextlib.suppress(RuntimeError):
                asyncio.get_running_loop().create_task(api.aclose())

    async def _run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except Exception:  # a bug here must not end the polling
                log.exception("backend link: poll failed")
            await asyncio.sleep(self._poll_s)

    async def poll_once(self) -> None:
        """One round: cloud status, then the overview from the API or the node."""
        if not self._node.connected:
            return
        try:
            cloud = await self._node.request(m.CLOUD_STATUS, r.NoParams())
        except GridTokenXError as error:
            log.debug("cloud_status: %s", error)
            return
        if cloud.get("profile") == "gcp":
            await self._ensure_api(cloud.get("profile_path"))
        overview = await self._overview()
        if overview is not None:
            self.overview_changed.emit(overview)
        text, abnormal = backend_text(cloud, api_state_text(self._api, self._api_problem)
                                      if cloud.get("profile") == "gcp" else "off")
        self.backend_state.emit(text, abnormal)

    async def _ensure_api(self, profile_path: str | None) -> None:
        if profile_path is None or profile_path == self._profile_path:
            return
        self._profile_path = profile_path
        try:
            profile = await asyncio.to_thread(load_gcp_profile, Path(profile_path))
            self._api = self._api_factory(profile.api_base_url)
            self._api_problem = None
        except Exception as error:  # no credentials, unreadable profile: degraded, not fatal
            self._api_problem = f"unavailable ({type(error).__name__})"
            log.warning("backend API not available: %s", error)

    async def _overview(self) -> ans.TradingOverview | None:
        if self._api is not None:
            try:
                o = await self._api.trading_overview()
            except GridTokenXError as error:
                log.debug("backend trading overview: %s", error)
            else:
                return backend_overview_dict(o.orders_per_second, dict(o.price_by_region),
                                             o.volume_wh, o.market_halted, o.as_of_ms)
        try:
            overview = await self._node.request(m.TRADING_OVERVIEW, r.TradingOverviewRequest())
        except GridTokenXError as error:
            log.debug("trading_overview: %s", error)
            return None
        if self._api is not None:
            overview["fallback"] = True
        return overview
