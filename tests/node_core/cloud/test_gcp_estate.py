"""Three authority processes on a gcp profile against the real Pub/Sub and Spanner emulators
and the wire-level fakes of Cloud Monitoring, Cloud KMS and the backend REST API: what the
estate sees of them, and how they ride out a Monitoring outage.

EGAT signs with Cloud KMS (the fake's key is EGAT's key in the genesis); MEA and PEA with the
devnet's SoftHSM2 token. The node does not call the backend REST API (the console does,
``app.links.backend_link``): the fake is configured and the node reports that part ``off``.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest

from node_core.cloud.emulators import PubSubEmulator, SpannerEmulator
from node_core.cloud.kms_signer import open_kms_signer
from node_core.cloud.monitoring import metric_type
from node_core.cloud.pubsub_feeds import (
    BLOCKCHAIN_EVENTS,
    GRID_ALERTS,
    SubscriptionSpec,
    create_subscription,
)
from node_core.cloud.spanner_sink import create_instance_and_database, read_block, spanner_client
from node_core.devnet.layout import DevnetLayout
from node_core.ledger.genesis import AuthorityInfo, load_genesis, save_genesis
from tests.helpers.devnet import apply_load, heights, running, status, wait_until
from tests.node_core.cloud.emulated import SPANNER_INSTANCE, Estate, new_database_id
from tests.node_core.cloud.fake_backend import FakeBackend
from tests.node_core.cloud.fake_kms import KEY_VERSION, FakeKms
from tests.node_core.cloud.fake_metric_service import FakeMetricService
from tests.node_core.cloud.gcp_devnet import ProfileSpec, use_profile, verify_chains

pytestmark = pytest.mark.slow

ALERT = {"id": "S-1", "priority": "critical", "area": "PEA South",
         "message": "500 kV Surat Thani line 2 tripped", "time": "2025-11-25T10:40:00Z"}


def give_egat_the_kms_key(layout: DevnetLayout, kms: FakeKms) -> str:
    """Ask the KMS (the real client, against the fake) for its public key and make it EGAT's
    key in the genesis, as an operator does before the chain starts."""
    signer = open_kms_signer(KEY_VERSION, kms.address)
    genesis = load_genesis(layout.genesis)
    egat = next(a for a in genesis.authorities if a.name == "EGAT")
    authorities = tuple(AuthorityInfo(a.name, signer.address, signer.public_key)
                        if a is egat else a for a in genesis.authorities)
    roster = tuple(replace(m, authority=signer.address) if m.authority == egat.address else m
                   for m in genesis.roster)
    save_genesis(replace(genesis, authorities=authorities, roster=roster), layout.genesis)
    return str(signer.address)


def pull_events(estate: Estate, subscription: str) -> list[dict[str, Any]]:
    """Every message waiting on ``subscription`` (pulled and acked until none is left)."""
    path = estate.subscriber.subscription_path(estate.project, subscription)
    events: list[dict[str, Any]] = []
    while True:
        response = estate.subscriber.pull(
            request={"subscription": path, "max_messages": 1000}, timeout=10)
        if not response.received_messages:
            return events
        events += [json.loads(m.message.data) for m in response.received_messages]
        estate.subscriber.acknowledge(request={"subscription": path, "ack_ids": [
            m.ack_id for m in response.received_messages]})


def test_an_authority_estate_on_gcp(
        devnet: DevnetLayout, estate: Estate, pubsub_emulator: PubSubEmulator,
        spanner_emulator: SpannerEmulator, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    kms = FakeKms()
    kms.start()
    egat_address = give_egat_the_kms_key(devnet, kms)
    database = create_instance_and_database(
        spanner_client(estate.project, spanner_emulator.host_port), SPANNER_INSTANCE,
        new_database_id())
    create_subscription(estate.subscriber, estate.project,
                        SubscriptionSpec("events-watch", BLOCKCHAIN_EVENTS, 10))
    for name in devnet.authorities:
        create_subscription(estate.subscriber, estate.project, SubscriptionSpec(
            f"grid-monitor-{name.lower()}", GRID_ALERTS, 30, ordered=True))
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator.host_port)
    monkeypatch.setenv("SPANNER_EMULATOR_HOST", spanner_emulator.host_port)
    monkeypatch.setenv("KMS_EMULATOR_HOST", kms.address)
    metrics = FakeMetricService()
    backend = FakeBackend()

    async def scenario() -> int:
        monkeypatch.setenv("MONITORING_EMULATOR_HOST", await metrics.start())
        url = await backend.start()
        for name in devnet.authorities:
            use_profile(devnet, name, ProfileSpec(
                estate.project, spanner_database=database.database_id, block_sink=True,
                api_base_url=url, monitoring_interval_s=10,
                alerts_subscription=f"grid-monitor-{name.lower()}",
                kms_key_version=KEY_VERSION if name == "EGAT" else None))
        try:
            async with running(devnet) as (nodes, clients):
                return await on_the_estate(devnet, nodes, clients)
        finally:
            await metrics.stop()
            await backend.stop()

    async def on_the_estate(layout: DevnetLayout, nodes: list, clients: list) -> int:
        assert (await status(nodes[0]))["address"] == egat_address
        await apply_load(layout, clients, rate=40, seconds=3)
        publish = estate.publisher.publish(estate.publisher.topic_path(
            estate.project, GRID_ALERTS), json.dumps(ALERT).encode(), ordering_key="south")
        await asyncio.to_thread(publish.result, 10)

        async def alert_listed() -> bool:
            lists = [await c.call("alarms_list") for c in clients]
            return all(any(a["alarm_id"] == "grid-alert/S-1" and a["priority"] == "critical"
                           for a in listed["alarms"]) for listed in lists)
        await wait_until(alert_listed, 20, "the grid alert in every node's alarm list")

        async def metrics_arrived() -> bool:
            return {ts.metric.labels["authority"] for ts in metrics.series} == set(NAMES)
        await wait_until(metrics_arrived, 20, "metrics from every authority")
        by_type = {ts.metric.type for ts in metrics.series}
        assert metric_type("blockchain/block_height") in by_type
        assert metric_type("node/peers_connected") in by_type

        await metrics.stop()  # Cloud Monitoring goes away

        async def monitoring_failing() -> bool:
            cloud = await clients[0].call("cloud_status")
            return cloud["monitoring"] != "ok"
        await wait_until(monitoring_failing, 25, "EGAT to report Monitoring failing")
        cloud = await clients[0].call("cloud_status")
        assert cloud["monitoring"] in ("retrying", ) or cloud["monitoring"].startswith("down")
        assert "monitoring" in cloud["since_ms"]
        assert (cloud["pubsub"], cloud["spanner"], cloud["backend"]) == ("ok", "ok", "off")
        before = await heights(nodes)
        await apply_load(layout, clients, rate=40, seconds=2)
        assert min(await heights(nodes)) > max(before), "finalizing while Monitoring is down"

        await metrics.start(int(metrics.address.rsplit(":", 1)[1]))  # and comes back

        async def monitoring_ok() -> bool:
            return (await clients[0].call("cloud_status"))["monitoring"] == "ok"
        await wait_until(monitoring_ok, 30, "EGAT to report Monitoring ok again")

        async def same_tip() -> bool:
            tips = {(s["height"], s["tip"]) for s in [await status(n) for n in nodes]}
            return len(tips) == 1
        await wait_until(same_tip, 20, "the same tip on every node")
        final = (await status(nodes[0]))["height"]
        blocks = await clients[0].call("blocks", start=1, end=final)

        async def all_in_spanner() -> bool:
            stored = await asyncio.to_thread(read_block, database, final)
            return stored is not None
        await wait_until(all_in_spanner, 20, "the last final block in Spanner")
        for block in blocks:
            stored = await asyncio.to_thread(read_block, database, block["height"])
            assert stored is not None and stored.hash == block["hash"]
        spanner = [(await c.call("cloud_status"))["details"]["spanner"] for c in clients]
        assert all(s["last_error"] is None and s["dropped"] == 0 for s in spanner)
        assert any(b["proposer"] == egat_address for b in blocks)
        return final

    try:
        final = asyncio.run(scenario())
    finally:
        kms.stop()
    assert len(kms.sign_requests) > final, "EGAT sealed blocks with the KMS key"
    notices = pull_events(estate, "events-watch")
    finalized = {(n["authority"], n["height"]) for n in notices if n["kind"] == "block_finalized"}
    assert {(name, final) for name in NAMES} <= finalized
    verify_chains(devnet)
    assert capsys.readouterr().out.count("OK height") == 3


NAMES = ("EGAT", "MEA", "PEA")
