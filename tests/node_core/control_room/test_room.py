"""The control room of a real in-process authority node (real SQLite stores, real chain):
alarm thresholds from the chain's governance parameters and the ``[alarms]`` configuration,
operator login/logout, unshelve, the alarm history across a restart — each action in the
audit trail — and the retention of both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from node_core.api.wire import ClientError
from node_core.control_room.alarm_history import HISTORY_FILENAME, AlarmHistory
from node_core.control_room.alarms import AlarmEngine, Priority
from node_core.control_room.audit import AuditLog
from node_core.ledger.transactions import ProposalAction
from tests.helpers import chain as chains
from tests.helpers.logs import expect_logged
from tests.helpers.node import TUNING, NodeHarness
from tests.node_core.ledger.test_governance import propose, vote


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[NodeHarness]:
    harness = NodeHarness(tmp_path, chains.make_chain())
    yield harness
    harness.close()


def change_parameter(chain: chains.TestChain, parameter: str, value: int) -> list:
    """A parameter_change proposal and two yes votes: the second block executes it."""
    proposed = chain.extend([propose(chain, action=ProposalAction.PARAMETER_CHANGE,
                                     parameter=parameter, value=value)])
    proposal_id = max(chain.state.proposals)
    return [proposed, chain.extend([vote(chain, 0, proposal_id), vote(chain, 1, proposal_id)])]


# ----- thresholds -------------------------------------------------------------------------------


def test_the_engine_uses_the_chain_limits_and_the_configured_filters(harness) -> None:
    thresholds = harness.node.control.alarms.thresholds
    assert (thresholds.frequency_high_hz, thresholds.frequency_critical_hz) == (0.2, 0.5)
    assert (thresholds.voltage_medium_pct, thresholds.voltage_critical_pct) == (5.0, 10.0)
    assert thresholds.consensus_health_min == 0.8
    assert (thresholds.frequency.deadband, thresholds.frequency.on_delay_ms,
            thresholds.frequency.off_delay_ms) == (0.05, 0, 3000)
    assert thresholds.peer.on_delay_ms == 9000 and thresholds.peer.off_delay_ms == 2000
    assert thresholds.voltage.on_delay_ms == 2000  # not configured: the built-in default
    assert thresholds.finality_stall_intervals == 8
    assert thresholds.max_shelve_ms == 30 * 60_000


def test_configured_delays_and_shelve_limit_apply_to_the_alarms(harness) -> None:
    harness.attest_frequency(50.3)
    harness.node.control.evaluate(harness.chain.state.tip_timestamp)  # on-delay 0: at once
    assert harness.states()["frequency.high"] == "unack_active"
    with pytest.raises(ClientError, match=r"InvalidShelveDuration: .*1\.\.1800000 ms"):
        harness.call("alarms_shelve", by="operator1", id="frequency.high",
                           reason="tap changer work", duration_s=31 * 60)
    assert harness.audit()[-1][4] == ("refused: InvalidShelveDuration: alarm frequency.high: "
                                      "shelve duration 1860000 ms not in 1..1800000 ms")


def test_a_parameter_change_moves_the_limit_at_the_block_that_executes_it(harness):
    chain, control = harness.chain, harness.node.control
    harness.attest_frequency(50.15)  # inside the genesis limit of ±0.2 Hz
    control.evaluate(chain.state.tip_timestamp)
    assert "frequency.high" not in harness.states()

    proposed, executed = change_parameter(chain, "frequency_high_mhz", 100)
    harness.receive_final(proposed)
    assert control.alarms.thresholds.frequency_high_hz == 0.2  # voting still open
    harness.receive_final(executed)
    assert harness.node.state.height == executed.height
    assert control.alarms.thresholds.frequency_high_hz == 0.1  # same block, no restart

    events = control.evaluate(chain.state.tip_timestamp + 1000)
    fired = [e for e in events if e.alarm_id == "frequency.high"]
    assert [str(e.new_state) for e in fired] == ["unack_active"]
    assert "limit ±0.1 Hz" in fired[0].message
    assert control.alarms.thresholds.frequency.deadband == 0.05  # local filter kept


def test_inconsistent_chain_limits_keep_the_last_good_ones_and_alarm(
        harness, caplog: pytest.LogCaptureFixture) -> None:
    chain, control = harness.chain, harness.node.control
    harness.receive_final(*change_parameter(chain, "frequency_high_mhz", 800))  # > critical
    assert control.alarms.thresholds.frequency_high_hz == 0.2
    limits = control.alarms.alarm("alarm.limits")
    assert str(limits.state) == "unack_active" and str(limits.priority) == "high"
    assert "frequency_high_hz < frequency_critical_hz" in limits.message

    harness.receive_final(*change_parameter(chain, "frequency_critical_mhz", 1000))
    assert control.alarms.thresholds.frequency_high_hz == 0.8
    assert control.alarms.thresholds.frequency_critical_hz == 1.0
    assert not control.alarms.alarm("alarm.limits").active
    expect_logged(caplog, "chain alarm limits not used: need 0 < frequency_high_hz")


# ----- operator sessions, unshelve, history -------------------------------------------------------


def test_login_and_logout_are_audited_and_an_unknown_operator_is_refused(harness, caplog):
    assert harness.call("operator_login", by="supervisor1", client="console") == {
        "operator": "supervisor1", "role": "supervisor"}
    mallory = chains.signer_from_seed(sum(b"mallory")).address
    with pytest.raises(ClientError, match="UnknownOperatorKey"):
        harness.call("operator_login", by="mallory", client="console")
    with pytest.raises(ClientError, match="Unsigned"):
        harness.call("operator_login", client="console")
    harness.call("operator_logout", by="supervisor1", client="console")
    assert harness.audit() == [
        ("supervisor1", "supervisor", "login", "console", "ok"),
        (f"unverified {mallory}", "unknown", "login", "", "refused: UnknownOperatorKey: "
         "operator_login: key "
         f"{mallory} is not on this authority's roster"),
        ("unsigned", "unknown", "login", "", "refused: Unsigned: operator_login needs an "
         "operator's signature (auth must be {key, issued_ms, nonce, signature})"),
        ("supervisor1", "supervisor", "logout", "console", "ok")]
    expect_logged(caplog, f"refused operator_login from unverified {mallory}",
                  "refused operator_login from unsigned")


def test_unshelve_returns_the_alarm_to_its_state_for_operators_only(harness, caplog) -> None:
    harness.attest_frequency(49.7)
    harness.node.control.evaluate(harness.chain.state.tip_timestamp)
    harness.call("alarms_shelve", by="operator1", id="frequency.high",
                       reason="drill", duration_s=600)
    assert harness.states()["frequency.high"] == "shelved"
    with pytest.raises(ClientError, match="RoleRefused: auditor1 \\(auditor\\) may not"):
        harness.call("alarms_unshelve", by="auditor1", id="frequency.high")
    answer = harness.call("alarms_unshelve", by="supervisor1", id="frequency.high")
    assert [(e["old_state"], e["new_state"], e["operator"]) for e in answer["events"]] == [
        ("shelved", "unack_active", "supervisor1")]
    with pytest.raises(ClientError, match="UnknownAlarm"):
        harness.call("alarms_unshelve", by="supervisor1", id="no.such.alarm")
    actions = [(a[0], a[2], a[4].split(":")[0]) for a in harness.audit()]
    assert actions == [("operator1", "shelve", "ok"), ("auditor1", "unshelve", "refused"),
                       ("supervisor1", "unshelve", "ok"), ("supervisor1", "unshelve", "refused")]
    expect_logged(caplog, "refused alarms_unshelve from auditor1: RoleRefused")


def test_alarm_events_survive_a_restart_and_are_found_by_time(harness) -> None:
    t0 = harness.chain.state.tip_timestamp
    harness.attest_frequency(50.6)
    harness.node.control.evaluate(t0)
    harness.call("alarms_ack", by="operator1", ids=["frequency.critical"])
    first = (harness.call("alarms_history"))["events"]
    assert {e["alarm_id"] for e in first} >= {"frequency.critical"}

    harness.restart()
    assert harness.node.control.alarms.alarms() == []  # the engine starts empty...
    page = harness.call("alarms_history", since_ms=None, until_ms=None, limit=100)
    assert page["events"] == first and not page["truncated"]  # ...its history does not
    acked = [e for e in page["events"] if e["trigger"] == "acknowledge"]
    assert acked[0]["operator"] == "operator1" and acked[0]["new_state"] == "ack_active"
    assert acked[0]["time_ms"] >= t0

    window = harness.call("alarms_history", since_ms=t0, until_ms=t0, limit=1)
    assert len(window["events"]) == 1 and window["events"][0]["time_ms"] == t0
    assert window["truncated"] == (sum(e["time_ms"] == t0 for e in first) > 1)


def test_pending_transactions_before_the_first_final_block_are_not_a_stall(harness) -> None:
    """Finality is measured from the node's start until its first final block, not from 1970."""
    from node_core.clock import now_ms

    chain = harness.chain
    assert harness.node.submit(chain.transfer(0, 1, 5))
    harness.node.control.evaluate(now_ms())
    assert "finality.stalled" not in harness.states()


# ----- retention --------------------------------------------------------------------------------


def test_records_past_their_retention_are_pruned_at_start_and_the_audit_still_verifies(
        tmp_path: Path) -> None:
    day = 86_400_000
    now = 1_800_000_000_000
    data = tmp_path / "egat"
    data.mkdir()
    with AuditLog.open(data / "audit.sqlite3") as audit:  # written under a longer retention
        audit.append(now - 400 * day, "operator1", "operator", "acknowledge", "frequency.high")
        audit.append(now - 10 * day, "supervisor1", "supervisor", "approve", "selection 1")
    history = AlarmHistory.open(data / HISTORY_FILENAME, session_ms=now - 40 * day)
    engine = AlarmEngine(sink=history)
    engine.raise_external("feeder.7", Priority.LOW, "PEA", "trip", now - 40 * day)
    engine.raise_external("feeder.8", Priority.LOW, "PEA", "trip", now - 5 * day)
    history.close()

    harness = NodeHarness(tmp_path, chains.make_chain(),
                          TUNING + "\n[retention]\naudit_years = 1\nalarm_history_days = 30\n")
    try:
        harness.node.control.evaluate(now)  # the first evaluation after start prunes
        assert harness.node.control.prune(now) == (0, 0)  # nothing left to prune
        stored = harness.call("alarms_history", since_ms=now - 1000 * day)["events"]
        assert [e["alarm_id"] for e in stored] == ["feeder.8"]
    finally:
        harness.close()
    trail = harness.audit()
    assert [(operator, action) for operator, _, action, _, _ in trail] == [
        ("supervisor1", "approve"), ("system", "prune")]
    with AuditLog.open_existing(data / "audit.sqlite3") as audit:
        assert audit.verify().ok
        checkpoint = list(audit.entries())[-1].details_obj()
    assert checkpoint["pruned_count"] == 1 and checkpoint["retention_ms"] == 366 * day
