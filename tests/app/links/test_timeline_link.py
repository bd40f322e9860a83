"""The incident timeline takes a past window's alarms from the node's stored alarm history
(events from before the console started); a node without that method falls back to the
events pushed during this session."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from app.links.telemetry_link import TelemetryLink
from app.links.timeline_link import TimelineLink
from node_core.api.methods import Method, request_params
from node_core.api.wire import ClientError
from node_core.control_room.incident import EventKind
from tests.app.conftest import when
from tests.helpers.devnet import wait_until

T0 = 1_764_000_000_000


def stored(seq: int, time_ms: int, alarm_id: str) -> dict[str, Any]:
    return {"session_ms": T0 - 3_600_000, "seq": seq, "time_ms": time_ms,
            "alarm_id": alarm_id, "kind": "frequency", "priority": "critical",
            "region": "EGAT", "substation": None, "old_state": "normal",
            "new_state": "unack_active", "trigger": "alarm", "value": 49.4,
            "operator": "system", "message": "System frequency 49.400 Hz", "reason": None,
            "until_ms": None}


class ScriptedNode(QObject):
    event_pushed = Signal(str, object)

    def __init__(self, has_history: bool) -> None:
        super().__init__()
        self.has_history = has_history
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def request(self, method_: Method[Any, Any], request: object) -> Any:
        method, params = method_.name, request_params(request)
        self.calls.append((method, params))
        if method == "alarms_history":
            if not self.has_history:
                raise ClientError("UnknownMethod", "no method 'alarms_history'")
            return {"events": [stored(7, T0 + 5_000, "frequency.critical")],
                    "truncated": False}
        if method == "alarms_list":
            return {"alarms": [], "last_seq": 0}
        if method == "status":
            return {"height": 0}
        return []


def load(run, node: ScriptedNode):  # type: ignore[no-untyped-def]
    link = TimelineLink(node, TelemetryLink())  # without a store: events, no frequency
    records: list[Any] = []
    link.record_ready.connect(records.append)
    node.event_pushed.emit("alarm_events", [stored(1, T0 + 9_000, "peer.MEA")])

    async def scenario() -> None:
        link.request(T0, T0 + 60_000)
        await wait_until(when(lambda: records), 5, "the record")

    run(scenario(), 10)
    return [(e.time_ms - T0, e.title.split(":")[0]) for e in records[0].of_kind(EventKind.ALARM)]


def test_a_past_window_takes_its_alarms_from_the_nodes_history(run, qtbot) -> None:
    node = ScriptedNode(has_history=True)
    assert load(run, node) == [(5_000, "frequency.critical")]
    assert ("alarms_history", {"since_ms": T0, "until_ms": T0 + 60_000,
                               "limit": 50_000}) in node.calls


def test_a_node_without_history_gives_the_alarms_seen_live(run, qtbot) -> None:
    assert load(run, ScriptedNode(has_history=False)) == [(9_000, "peer.MEA")]
