"""Three authority processes with no TCP link between them reach consensus over the
``consensus-messages`` topic of the real Pub/Sub emulator (``consensus_transport = "pubsub"``).
"""

from __future__ import annotations

import asyncio

import pytest

from node_core.cloud.emulators import PubSubEmulator
from node_core.devnet.layout import DevnetLayout
from tests.helpers.devnet import apply_load, forks, running, status, wait_until
from tests.node_core.cloud.emulated import Estate
from tests.node_core.cloud.gcp_devnet import ProfileSpec, listening, use_profile, verify_chains

pytestmark = pytest.mark.slow


def test_authorities_without_tcp_links_finalize_over_pubsub(
        devnet: DevnetLayout, estate: Estate, pubsub_emulator: PubSubEmulator,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator.host_port)
    monkeypatch.setenv("MONITORING_EMULATOR_HOST", "127.0.0.1:9")  # nothing: never flushed
    spec = ProfileSpec(estate.project, transport="pubsub")
    for name in devnet.authorities:
        use_profile(devnet, name, spec, tcp_peers=False)

    async def scenario() -> None:
        async with running(devnet) as (nodes, clients):
            assert not any(listening(devnet.p2p_port(name)) for name in devnet.authorities)
            report = await apply_load(devnet, clients, rate=60, seconds=5)

            async def same_tip() -> bool:
                tips = {(s["height"], s["tip"]) for s in [await status(n) for n in nodes]}
                return len(tips) == 1
            await wait_until(same_tip, 30, "the same tip on every node")
            statuses = [await status(n) for n in nodes]
            assert statuses[0]["height"] >= 5
            assert report.finalized == report.accepted > 100
            assert all(sum(p["connected"] for p in s["peers"]) == 2 for s in statuses)
            assert await forks(nodes) == 0
            relay = (await clients[0].call("cloud_status"))["details"]["consensus_relay"]
            assert relay["receiving"] and relay["accepted"] > 0
            assert set(relay["refused"]) <= {"not_for_us"}

    asyncio.run(scenario())
    verify_chains(devnet)
    assert capsys.readouterr().out.count("OK height") == 3
