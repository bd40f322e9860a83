"""Issue 17, done when: the console on the devnet (offscreen) sends its telemetry where it is
configured — ``$BIGTABLE_EMULATOR_HOST``, then a gcp profile naming another instance — and an
outsider reads all three tables there with Google's ``cbt`` and the committed format file;
and on the plain devnet the history chart shows the previous session after a restart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.shell.console import Console, RunMode
from app.shell.startup import ConsoleOptions
from node_core.devnet.layout import DevnetLayout
from node_core.telemetry import BigtableEmulator, SqliteTelemetryStore, system_frequency
from node_core.telemetry.target import DEFAULT_INSTANCE, DEFAULT_PROJECT
from tests.app.conftest import console_session, when
from tests.helpers.devnet import wait_until
from tests.node_core.telemetry.cbt_reader import cbt, cbt_path, number, read_rows

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[3] / "resources" / "gcp-profile.example.toml"
TABLES = ("GridMetrics", "NodeMetrics", "TradingMetrics")
AUTHORITIES = ("EGAT", "MEA", "PEA")


def staging_profile(path: Path) -> Path:
    """A gcp profile naming another project and instance, signing with the devnet's token."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in (('project = "gridtokenx-prod"', 'project = "gridtokenx-staging"'),
                     ('instance = "gridtokenx-metrics"', 'instance = "telemetry-staging"'),
                     ("block_sink = true", "block_sink = false"),
                     ('"https://api.gridtokenx.example"', '"http://127.0.0.1:9"'),
                     ('backend = "kms"', 'backend = "pkcs11"')):
        text = text.replace(old, new)
    text = "\n".join(line for line in text.splitlines() if not line.startswith("kms_key"))
    path.write_text(text, encoding="utf-8")
    return path


class Instance:
    """One Bigtable instance on the test's emulator, as ``cbt`` sees it."""

    def __init__(self, emulator: BigtableEmulator, project: str, instance: str) -> None:
        self.ids = (emulator.host_port, project, instance)

    def keys(self, table: str) -> list[str]:
        if table not in cbt(*self.ids, "ls").split():
            return []
        return cbt(*self.ids, "read", table, "keys-only=true").split()[1::2]

    def complete(self) -> bool:
        """Rows in every table; NodeMetrics rows of every authority."""
        keys = {table: self.keys(table) for table in TABLES}
        writers = {key.split("#", 1)[0] for key in keys["NodeMetrics"] if key != "-" * 40}
        return all(keys.values()) and writers >= set(AUTHORITIES)


def run_console(console: Console, run, body, timeout_s: float) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        await console_session(console, body)

    run(scenario(), timeout_s)
    assert console.runtime.live_pids() == []


def test_telemetry_reaches_the_configured_bigtable(devnet: DevnetLayout, run, qtbot, settings,
                                                  isa101, monkeypatch, tmp_path) -> None:
    cbt_path()
    with BigtableEmulator() as emulator:
        monkeypatch.setenv("BIGTABLE_EMULATOR_HOST", emulator.host_port)
        _default_instance(devnet, emulator, run, qtbot, settings, isa101)
        _profile_instance(devnet, emulator, run, qtbot, settings, isa101,
                          staging_profile(tmp_path / "staging.toml"))


def _default_instance(devnet, emulator, run, qtbot, settings, isa101) -> None:  # type: ignore[no-untyped-def]
    """$BIGTABLE_EMULATOR_HOST alone: the default project and instance; a trade minute must
    close, so this session lasts a minute or so."""
    options = ConsoleOptions(data_dir=devnet.data_dir, base_port=devnet.base_port)
    console = Console(options, RunMode(interactive=False), isa101, settings)
    qtbot.addWidget(console.window)
    default = Instance(emulator, DEFAULT_PROJECT, DEFAULT_INSTANCE)

    async def body() -> None:
        label = console.window.store_label
        await wait_until(when(lambda: label.text() == (
            "telemetry: emulator gridtokenx-timeseries")), 30, "label")
        assert label.toolTip() == (f"Bigtable emulator at {emulator.host_port}: "
                                   "projects/gridtokenx/instances/gridtokenx-timeseries")
        await wait_until(when(default.complete), 150, "rows in every table")

    run_console(console, run, body, 240)
    lows, highs, counts = (
        [number(v) for row in read_rows(*default.ids, "GridMetrics",
                                        f"prefix=EGAT#frequency#system#1m#{stat}#").values()
         for v in row.values()] for stat in ("min", "max", "count"))
    assert lows and len(lows) == len(highs) == len(counts)
    assert all(49.0 < low <= high < 51.0 for low, high in zip(lows, highs, strict=True))
    assert all(count >= 1 for count in counts)
    node = read_rows(*default.ids, "NodeMetrics", "prefix=PEA#consensus#height#1m#")
    assert node and all(number(v) >= 0 for row in node.values() for v in row.values())
    trading = read_rows(*default.ids, "TradingMetrics")
    assert all(number(v) >= 0 for row in trading.values() for v in row.values())
    assert any(int(row.get("volume:trades", "0")) > 0 for row in trading.values())


def _profile_instance(devnet, emulator, run, qtbot, settings, isa101, profile: Path) -> None:  # type: ignore[no-untyped-def]
    """``--profile``: the profile's project and instance, for the console and every child. The
    nodes rewrite the last closed minute at start, so its trades arrive at once."""
    options = ConsoleOptions(data_dir=devnet.data_dir, base_port=devnet.base_port,
                             profile=profile)
    console = Console(options, RunMode(interactive=False), isa101, settings)
    qtbot.addWidget(console.window)
    staging = Instance(emulator, "gridtokenx-staging", "telemetry-staging")

    async def body() -> None:
        await wait_until(when(lambda: console.window.store_label.toolTip().endswith(
            "projects/gridtokenx-staging/instances/telemetry-staging")), 30, "label")
        assert console.window.store_label.text() == "telemetry: emulator telemetry-staging"
        await wait_until(when(staging.complete), 90, "rows in every staging table")

    run_console(console, run, body, 180)
    assert read_rows(*staging.ids, "TradingMetrics", "count=1")


def test_the_history_chart_shows_the_previous_session_after_a_restart(
        devnet: DevnetLayout, run, qtbot, settings, isa101, monkeypatch) -> None:
    """The plain devnet keeps its telemetry in SQLite in its data directory."""
    monkeypatch.delenv("BIGTABLE_EMULATOR_HOST", raising=False)
    options = ConsoleOptions(data_dir=devnet.data_dir, base_port=devnet.base_port)
    first = Console(options, RunMode(interactive=False), isa101, settings)
    qtbot.addWidget(first.window)

    async def stored_seconds() -> int:
        store = SqliteTelemetryStore(devnet.telemetry_sqlite)
        try:
            ts, _ = await store.read_range(system_frequency("EGAT"), 0, 2**62)
        finally:
            await store.close()
        return len(ts)

    async def first_body() -> None:
        label = first.window.store_label
        await wait_until(when(lambda: label.text() == "telemetry: SQLite (devnet)"), 30,
                         "label")
        assert label.toolTip() == str(devnet.telemetry_sqlite)
        await wait_until(lambda: _at_least(stored_seconds, 10), 60, "10 s of stored frequency")

    run_console(first, run, first_body, 120)
    restarted_s = time.time()
    second = Console(options, RunMode(interactive=False), isa101, settings)
    qtbot.addWidget(second.window)
    plot = second.window.charts.frequency_plot

    async def second_body() -> None:
        await wait_until(when(lambda: (plot.history_samples("frequency")[0] < restarted_s
                                       ).sum() >= 10), 60, "the first session in the chart")

    run_console(second, run, second_body, 120)


async def _at_least(count, wanted: int) -> bool:  # type: ignore[no-untyped-def]
    return await count() >= wanted
