"""app.shell.startup: the start-up order, supervision, and the one shutdown path (real devnet)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.links.operator_session import DEVNET_PERSONS, TokenSource
from app.shell.startup import ConsoleOptions, ConsoleRuntime
from node_core.devnet.layout import DEVNET_PIN, PIN_ENV, DevnetLayout
from tests.app.conftest import alive
from tests.helpers.devnet import wait_until
from tests.helpers.logs import expect_logged


async def _login(source: TokenSource) -> bool:
    """The runtime only needs to know that someone logged in (the console's login is
    tests/app/shell/test_console.py and the drill's)."""
    return True



def _devnet_options(devnet: DevnetLayout, authority: str = "EGAT") -> ConsoleOptions:
    return ConsoleOptions(authority=authority, data_dir=devnet.data_dir,
                          base_port=devnet.base_port)


def test_start_up_order_is_declared_once() -> None:
    devnet = [text for text, _ in ConsoleRuntime(ConsoleOptions(), _login).steps()]
    assert devnet == ["preparing devnet", "opening telemetry store", "starting authority nodes",
                      "starting grid simulator", "connecting", "operator login"]
    configured = ConsoleRuntime(ConsoleOptions(config=Path("EGAT.toml")), _login).steps()
    assert [text for text, _ in configured] == ["reading node config", "opening telemetry store",
                                                "starting authority node", "connecting",
                                                "operator login"]


@pytest.mark.slow
def test_shutdown_leaves_no_child_process(devnet: DevnetLayout, run, qtbot) -> None:
    runtime = ConsoleRuntime(_devnet_options(devnet, "MEA"), _login)
    steps: list[str] = []
    runtime.step_started.connect(lambda text, i, n: steps.append(text))
    run(runtime.start(), 90)
    assert len(steps) == 6
    source = runtime.token_source()  # the people's tokens, never the authorities' token
    assert source.people == DEVNET_PERSONS and "gridfeed" not in source.people
    assert source.excluded == ("gridtokenx-devnet",) and source.authority == "MEA"
    pids = runtime.live_pids()
    assert len(pids) == 4  # three nodes and the grid simulator
    assert runtime.nodes[0].name == "MEA"  # the console's own authority starts first

    run(runtime.shutdown(), 60)
    run(runtime.shutdown(), 5)  # a second call is harmless
    assert runtime.live_pids() == []
    assert [pid for pid in pids if alive(pid)] == []


@pytest.mark.slow
def test_a_dead_node_is_reported_and_restarted(
        devnet: DevnetLayout, run, qtbot, caplog: pytest.LogCaptureFixture) -> None:
    runtime = ConsoleRuntime(_devnet_options(devnet), _login)
    died: list[str] = []
    restarted: list[str] = []
    runtime.child_died.connect(lambda name, detail: died.append(name))
    runtime.child_restarted.connect(restarted.append)

    async def scenario() -> None:
        await runtime.start()
        peer = runtime.nodes[1]
        peer.kill()
        await wait_until(_true_when(lambda: peer.name in restarted), 20, "restart")
        await peer.wait_ready()

    try:
        run(scenario(), 90)
        assert died == [runtime.nodes[1].name]
    finally:
        run(runtime.shutdown(), 60)
    assert runtime.live_pids() == []
    expect_logged(caplog, f"{died[0]} died unexpectedly; restarting", f"restarted {died[0]}")


@pytest.mark.slow
def test_config_mode_connects_to_a_node_that_already_answers(devnet: DevnetLayout, run,
                                                             qtbot, monkeypatch) -> None:
    """--config FILE: start only that node, or just connect if its endpoint answers."""
    monkeypatch.setenv(PIN_ENV, DEVNET_PIN)  # the node reads its PIN like `main.py node`

    owner = ConsoleRuntime(ConsoleOptions(config=devnet.config("EGAT")), _login)
    guest = ConsoleRuntime(ConsoleOptions(config=devnet.config("EGAT")), _login)
    statuses: list[dict] = []
    guest.node_link.status_changed.connect(statuses.append)
    try:
        run(owner.start(), 60)
        assert len(owner.nodes) == 1 and owner.nodes[0].running
        run(guest.start(), 60)
        assert guest.nodes == []  # connected only: nothing of its own to stop
        run(wait_until(_true_when(lambda: bool(statuses)), 20, "status"), 30)
        assert statuses[0]["authority"] == "EGAT"
        source = guest.token_source()  # any token of the node's module but its own
        assert source.people == () and source.excluded == ("gridtokenx-devnet",)
        assert source.softhsm_conf == devnet.softhsm_conf.resolve()
    finally:
        run(guest.shutdown(), 30)
        run(owner.shutdown(), 60)
    assert owner.live_pids() == []


def _true_when(predicate):  # type: ignore[no-untyped-def]
    async def check() -> bool:
        return bool(predicate())

    return check
