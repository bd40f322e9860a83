"""The node's control-room side: its alarm engine, its emergency control desk, and the audit
trail of every operator action — served to the console and the CLI on the client endpoint.

Alarm inputs come from the node itself (peers, consensus health, finality, HSM token) and
from the grid feed that attests grid state to the node (``attest_grid``: frequency and
substation voltages). Every operator action (login, logout, acknowledge, shelve, unshelve,
select, operate, approve, cancel, propose, vote, roster change) is appended to ``audit.sqlite3``
in the node's data directory with the operator's roster name, role, time, outcome and the
operator's signed request itself — refused requests too. Every alarm event is also kept in
``alarm_history.sqlite3`` (:mod:`node_core.control_room.alarm_history`), so the alarms of
earlier sessions can be read back (``alarms_history``). Both are kept as long as the node's
``[retention]`` says (default: audit 7 years, alarm history 2 years) and pruned when the node
starts and once a day (:meth:`ControlRoom.prune`; the audit trail keeps a verifiable
checkpoint of what it pruned).

Where the alarm thresholds come from, in order of precedence:

1. **Limits: the chain.** Frequency, voltage and consensus-health limits are the governance
   parameters of the state at the node's tip (``ChainParameters.frequency_high_mhz`` ...).
   When a ``parameter_change`` proposal executes, the node switches to the new limits in the
   same final block (:meth:`ControlRoom.on_final_block`) — no restart, and every authority
   alarms on the same agreed values. Nothing local overrides them. If the chain's limits do
   not fit together (e.g. a high limit voted above the critical one), the node keeps the last
   consistent limits (at start: the built-in defaults) and raises the ``alarm.limits`` alarm.
2. **Filters: the node configuration.** Deadbands, on/off delays, the finality stall and the
   longest shelving come from ``[alarms]`` of the node's TOML file
   (:mod:`node_core.control_room.alarms.tuning`).
3. **Built-in defaults** (:class:`~node_core.control_room.alarms.AlarmThresholds`) for whatever
   ``[alarms]`` leaves out; the nominal frequency is always 50 Hz.

Operators: every operator request is signed with the operator's own key (their token, opened
with their own PIN at the client: the PIN never reaches the node) and checked against the
authority's roster on the chain before anything happens (:mod:`node_core.api.operator_auth`);
``operator_login`` / ``operator_logout`` record a console session. A request from a key not on
the roster, with the wrong role, unsigned, stale or replayed is refused and recorded too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from node_core.api.answers import EmergencyFinal
from node_core.api.methods import ALARM_EVENTS, EMERGENCY_EVENT, NODE_METHODS, Method
from node_core.api.operator_auth import Caller, Refusal
from node_core.clock import now_ms
from node_core.control_room.alarm_history import HISTORY_FILENAME, AlarmHistory
from node_core.control_room.alarms import (
    AlarmEngine,
    AlarmEvent,
    AlarmInputs,
    AlarmThresholds,
    InvalidThresholds,
    Priority,
    UnknownAlarm,
    thresholds_for,
)
from node_core.control_room.audit import DAY_MS, REFUSED, AuditLog
from node_core.control_room.desk import ControlDesk, Selection
from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.genesis import ChainParameters
from node_core.ledger.transactions import EmergencyAction, Transaction, emergency_digest

if TYPE_CHECKING:
    from node_core.api.endpoint import ClientEndpoint
    from node_core.api.node_queries import NodeQueries
    from node_core.ledger.keys import Signer
    from node_core.ledger.state import State
    from node_core.ledger.transactions import Payload
    from node_core.node.config import NodeConfig
    from node_core.node.mempool import Mempool
    from node_core.node.metrics import NodeMetrics

log = logging.getLogger(__name__)
AUDIT_FILENAME = "audit.sqlite3"
LIMITS_ALARM: Final = "alarm.limits"
"""External alarm: the chain's alarm limits are inconsistent; the previous ones stay in use."""
T = TypeVar("T")


class RoomNode(Protocol):
    """What the control room sees and does of its node (the AuthorityNode satisfies it)."""

    @property
    def config(self) -> NodeConfig: ...

    @property
    def state(self) -> State: ...

    @property
    def authority_name(self) -> str: ...

    @property
    def signer(self) -> Signer: ...

    @property
    def queries(self) -> NodeQueries:
        """For the status the health alarms read."""
        ...

    @property
    def metrics(self) -> NodeMetrics: ...

    @property
    def mempool(self) -> Mempool: ...

    @property
    def endpoint(self) -> ClientEndpoint:
        """Where alarm and emergency events are published to subscribers."""
        ...

    def submit_as_authority(self, payload: Payload) -> Transaction: ...


class ControlRoom:
    """Alarms, emergency desk and audit of one authority node."""

    def __init__(self, node: RoomNode) -> None:
        self._node = node
        self.history = AlarmHistory.open(node.config.data_dir / HISTORY_FILENAME, now_ms())
        self._parameters: ChainParameters | None = node.state.parameters
        try:
            thresholds = thresholds_for(node.state.parameters, node.config.alarms)
        except InvalidThresholds:
            thresholds, self._parameters = AlarmThresholds(), None  # alarm on first evaluate
        self.alarms = AlarmEngine(thresholds, sink=self.history)
        self.desk = ControlDesk(self._submit_emergency, self._order_digest)
        retention = node.config.retention
        self._alarm_history_ms = retention.alarm_history_days * DAY_MS
        self.audit = AuditLog.open(node.config.data_dir / AUDIT_FILENAME,
                                   retention_ms=retention.audit_years * 366 * DAY_MS)
        self._next_prune_ms = 0
        self.grid: dict[str, Any] = {}
        self.hsm_present: bool | None = True
        self._started_ms = now_ms()
        """Finality is measured from here until this node sees its first final block."""

    def close(self) -> None:
        """Write the last alarm events and close both stores (node shutdown)."""
        self.history.close()
        self.audit.close()

    # --- alarms -----------------------------------------------------------------------------

    def follow_chain(self, now_ms: int) -> list[AlarmEvent]:
        """Take the alarm limits of the state at the tip if they changed (see the module
        docstring); raises / clears the ``alarm.limits`` alarm."""
        parameters = self._node.state.parameters
        if parameters == self._parameters:
            return []
        self._parameters = parameters
        try:
            thresholds = thresholds_for(parameters, self._node.config.alarms)
        except InvalidThresholds as error:
            log.warning("chain alarm limits not used: %s", error)
            return self.alarms.raise_external(
                LIMITS_ALARM, Priority.HIGH, self._node.authority_name,
                f"Alarm limits on chain are inconsistent ({error}); previous limits in use",
                now_ms)
        self.alarms.set_thresholds(thresholds)
        log.info("alarm limits from the chain: frequency ±%g/±%g Hz, voltage ±%g/±%g %%, "
                 "consensus health %g", thresholds.frequency_high_hz,
                 thresholds.frequency_critical_hz, thresholds.voltage_medium_pct,
                 thresholds.voltage_critical_pct, thresholds.consensus_health_min)
        try:
            return self.alarms.clear_external(LIMITS_ALARM, now_ms, "Alarm limits on chain "
                                              "are consistent again")
        except UnknownAlarm:
            return []

    def prune(self, now_ms: int) -> tuple[int, int]:
        """Delete audit entries and alarm events past their retention (the audit trail
        appends its checkpoint); how many of each. Due at start and then daily
        (:meth:`evaluate` calls it)."""
        self._next_prune_ms = now_ms + DAY_MS
        checkpoint = self.audit.prune(now_ms)
        audit = 0 if checkpoint is None else int(checkpoint.details_obj()["pruned_count"])
        alarms = self.history.prune(now_ms - self._alarm_history_ms)
        if audit or alarms:
            log.info("retention: pruned %d audit entries and %d alarm events", audit, alarms)
        return audit, alarms

    def evaluate(self, now_ms: int) -> list[AlarmEvent]:
        """One evaluation of every rule (called each second by the node)."""
        if now_ms >= self._next_prune_ms:
            self.prune(now_ms)
        self.publish(self.follow_chain(now_ms))
        node = self._node
        status = node.queries.status_summary()
        inputs = AlarmInputs(
            frequency_hz=self.grid.get("frequency_hz"),
            voltages={k: tuple(v) for k, v in self.grid.get("voltages", {}).items()},
            consensus_health=status["consensus_health"],
            peers={p["name"]: p["connected"] for p in status["peers"]},
            hsm_present=self.hsm_present,
            last_final_ms=(node.metrics.last_block_ms or self._started_ms) if len(node.mempool)
            else now_ms,
            block_interval_ms=node.state.parameters.block_interval_ms,
            authority=node.authority_name,
        )
        events = self.alarms.evaluate(inputs, now_ms) + self.alarms.tick(now_ms)
        self.publish(events)
        return events

    def publish(self, events: list[AlarmEvent]) -> None:
        """Store alarm events in the history and push them to the node's subscribers."""
        self.history.flush()
        if events:
            self._node.endpoint.publish(ALARM_EVENTS.name, [e.to_dict() for e in events])

    # --- the one audited path ----------------------------------------------------------------

    def audited(self, caller: Caller, target: str, work: Callable[[int], T], *,
                details: dict[str, Any] | None = None,
                outcome: Callable[[T], str] = lambda _: "ok",
                result_details: Callable[[T], dict[str, Any]] = lambda _: {}) -> T:
        """The one path of every operator action: do ``work(now)`` for ``caller`` (a roster
        member whose signed request the endpoint verified) and record it in the audit trail,
        under its method's action name and with that signed request, either way — refused:
        the rule and its message; done: ``outcome(result)`` with ``details`` and
        ``result_details(result)``."""
        now = now_ms()
        action = NODE_METHODS[caller.method].audit_action
        request = caller.signed_request()
        try:
            result = work(now)
        except GridTokenXError as error:
            self.audit.append(now, caller.name, caller.role.text, action, target,
                              f"{REFUSED}{type(error).__name__}: {error}", details, request)
            raise
        self.audit.append(now, caller.name, caller.role.text, action, target, outcome(result),
                          {**(details or {}), **result_details(result)} or None, request)
        return result

    def record_refusal(self, method: Method[Any, Any], refusal: Refusal) -> None:
        """A request the endpoint refused before any handler (unsigned, stale, replayed, a
        key not on the roster, the wrong role): it is in the audit trail too."""
        error = refusal.error
        log.warning("refused %s from %s: %s: %s", method.name, refusal.who,
                    type(error).__name__, error)
        self.audit.append(now_ms(), refusal.who, refusal.role, method.audit_action, "",
                          f"{REFUSED}{type(error).__name__}: {error}")

    def desk_step(self, caller: Caller, target: str,
                  work: Callable[[int], Selection]) -> Selection:
        return self.audited(caller, target, work,
                            outcome=lambda s: s.step.value,
                            result_details=lambda s: {"selection": s.selection_id,
                                                      "tx_hash": s.tx_hash,
                                                      "outcome": s.outcome})

    # --- chain side -------------------------------------------------------------------------

    def _submit_emergency(self, action: EmergencyAction) -> str:
        return self._node.submit_as_authority(action).hash

    def _order_digest(self, action: EmergencyAction) -> bytes:
        node = self._node
        return emergency_digest(node.state.chain_id, node.signer.address, action)

    def on_final_block(self, tx_hashes: list[str], height: int) -> None:
        """A block is final (the node's state is already the new one)."""
        self.publish(self.follow_chain(now_ms()))
        for tx_hash in tx_hashes:
            if self.desk.record_final(tx_hash, height) is not None:
                final: EmergencyFinal = {"tx_hash": tx_hash, "height": height}
                self._node.endpoint.publish(EMERGENCY_EVENT.name, final)

    def on_dropped(self, tx: Transaction, error: GridTokenXError) -> None:
        self.desk.record_rejected(tx.hash, f"{type(error).__name__}: {error}")

