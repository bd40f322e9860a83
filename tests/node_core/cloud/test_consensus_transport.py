"""Node messages over Pub/Sub: the signed envelopes (no emulator), the raw transport and the
node-facing ``PubSubPeerNetwork`` against the real Pub/Sub emulator — including forged and
replayed messages published straight onto the topic."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from node_core.clock import now_ms
from node_core.cloud.consensus_envelope import (
    EVERYONE,
    EnvelopeGate,
    EnvelopeSealer,
    SessionCertificate,
    SessionKey,
    certificate_digest,
    decode_envelope,
    encode_envelope,
)
from node_core.cloud.consensus_transport import (
    SENDER_ATTRIBUTE,
    ConsensusTransport,
    PubSubPeerNetwork,
    consensus_subscription,
)
from node_core.cloud.pubsub_feeds import CONSENSUS_MESSAGES, create_subscription
from node_core.devnet.layout import prosumer_signer
from node_core.ledger.genesis import AuthorityInfo
from node_core.ledger.types import Hash32
from node_core.signers.file import FileSigner
from tests.helpers.logs import expect_logged
from tests.node_core.cloud.emulated import Estate, wait_for

GENESIS = Hash32("ab" * 32)
OTHER_CHAIN = Hash32("cd" * 32)
T0 = 1_764_086_400_000
NAMES = ("EGAT", "MEA", "PEA")


def signers() -> dict[str, FileSigner]:
    return {name: prosumer_signer(9000 + i) for i, name in enumerate(NAMES)}


def authorities(keys: dict[str, FileSigner]) -> list[AuthorityInfo]:
    return [AuthorityInfo(name, s.address, s.public_key) for name, s in keys.items()]


@pytest.fixture
def keys() -> dict[str, FileSigner]:
    return signers()


def gate_for(keys: dict[str, FileSigner], name: str = "MEA") -> EnvelopeGate:
    return EnvelopeGate(GENESIS, keys[name].address, authorities(keys))


# --- envelopes (no emulator) -------------------------------------------------------------------


def test_an_envelope_opens_once_for_its_recipients(keys: dict[str, FileSigner]) -> None:
    sealer = EnvelopeSealer.issue(keys["EGAT"], GENESIS, T0)
    gate = gate_for(keys)
    data = sealer.seal(b"\x01status", T0 + 5)
    assert gate.open(data, T0 + 10) == (keys["EGAT"].address, b"\x01status")
    assert gate.open(data, T0 + 11) is None and gate.last_refusal == "replayed"
    to_mea = sealer.seal(b"get", T0 + 6, keys["MEA"].address)
    to_pea = sealer.seal(b"get", T0 + 7, keys["PEA"].address)
    assert gate.open(to_mea, T0 + 12) == (keys["EGAT"].address, b"get")
    assert gate.open(to_pea, T0 + 12) is None and gate.last_refusal == "not_for_us"
    assert decode_envelope(data).recipient == EVERYONE


def test_out_of_order_envelopes_within_the_window_are_accepted(
        keys: dict[str, FileSigner]) -> None:
    sealer = EnvelopeSealer.issue(keys["EGAT"], GENESIS, T0)
    gate = gate_for(keys)
    sealed = [sealer.seal(bytes([i]), T0) for i in range(5)]
    for data in reversed(sealed):
        assert gate.open(data, T0) is not None
    assert gate.refused["replayed"] == 0


def test_a_tampered_payload_is_forged(keys: dict[str, FileSigner]) -> None:
    sealer = EnvelopeSealer.issue(keys["EGAT"], GENESIS, T0)
    envelope = decode_envelope(sealer.seal(b"commit", T0))
    tampered = encode_envelope(replace(envelope, payload=b"COMMIT"))
    gate = gate_for(keys)
    assert gate.open(tampered, T0) is None and gate.last_refusal == "forged"


def test_a_session_key_certified_by_another_key_is_forged(keys: dict[str, FileSigner]) -> None:
    """An outsider (any principal allowed to publish) claims EGAT with its own key."""
    outsider = prosumer_signer(1)
    session = SessionKey()
    digest = certificate_digest(GENESIS, keys["EGAT"].address, T0, session.public_key)
    certificate = SessionCertificate(keys["EGAT"].address, T0, session.public_key,
                                     outsider.sign(digest))
    forged = EnvelopeSealer(GENESIS, certificate, session).seal(b"vote", T0)
    gate = gate_for(keys)
    assert gate.open(forged, T0) is None and gate.last_refusal == "forged"


def test_envelopes_of_another_chain_are_forged(keys: dict[str, FileSigner]) -> None:
    other = EnvelopeSealer.issue(keys["EGAT"], OTHER_CHAIN, T0).seal(b"vote", T0)
    gate = gate_for(keys)
    assert gate.open(other, T0) is None and gate.last_refusal == "forged"


def test_stale_unknown_own_and_malformed_envelopes_are_refused(
        keys: dict[str, FileSigner]) -> None:
    gate = gate_for(keys)
    egat = EnvelopeSealer.issue(keys["EGAT"], GENESIS, T0)
    assert gate.open(egat.seal(b"old", T0), T0 + 31_000) is None
    assert gate.last_refusal == "stale"
    assert gate.open(egat.seal(b"ahead", T0 + 31_000), T0) is None
    assert gate.last_refusal == "stale"
    stranger = EnvelopeSealer.issue(prosumer_signer(2), GENESIS, T0)
    assert gate.open(stranger.seal(b"x", T0), T0) is None
    assert gate.last_refusal == "unknown_sender"
    own = EnvelopeSealer.issue(keys["MEA"], GENESIS, T0)
    assert gate.open(own.seal(b"x", T0), T0) is None and gate.last_refusal == "own"
    assert gate.open(b"\x01garbage", T0) is None and gate.last_refusal == "malformed"


def test_a_restarted_sender_replaces_its_session_and_the_old_one_is_stale(
        keys: dict[str, FileSigner]) -> None:
    gate = gate_for(keys)
    first = EnvelopeSealer.issue(keys["EGAT"], GENESIS, T0)
    old_message = first.seal(b"before restart", T0 + 1)
    assert gate.open(first.seal(b"a", T0 + 1), T0 + 1) is not None
    second = EnvelopeSealer.issue(keys["EGAT"], GENESIS, T0 + 2_000)
    assert gate.open(second.seal(b"b", T0 + 2_001), T0 + 2_001) is not None
    assert gate.open(old_message, T0 + 2_002) is None
    assert gate.last_refusal == "stale_session"


def test_an_authority_removed_by_governance_is_no_longer_heard(
        keys: dict[str, FileSigner]) -> None:
    gate = gate_for(keys)
    sealer = EnvelopeSealer.issue(keys["PEA"], GENESIS, T0)
    assert gate.open(sealer.seal(b"a", T0), T0) is not None
    gate.update_authorities([a for a in authorities(keys) if a.name != "PEA"])
    assert gate.open(sealer.seal(b"b", T0), T0) is None
    assert gate.last_refusal == "unknown_sender"


# --- the raw transport (emulator) --------------------------------------------------------------


def test_two_consensus_transports_exchange_payloads(estate: Estate) -> None:
    addresses = {"EGAT": "0x" + "1" * 40, "MEA": "0x" + "2" * 40}
    inbox: dict[str, list[tuple[str, bytes]]] = {"EGAT": [], "MEA": []}

    def transport(name: str) -> ConsensusTransport:
        spec = consensus_subscription(name, addresses[name])
        create_subscription(estate.subscriber, estate.project, spec)
        publisher, subscriber = estate.clients()
        return ConsensusTransport(publisher, subscriber, estate.project, addresses[name],
                                  spec.name, lambda s, p: inbox[name].append((s, p)))

    async def main() -> tuple[ConsensusTransport, ConsensusTransport]:
        egat, mea = transport("EGAT"), transport("MEA")
        egat.start()
        mea.start()
        for i in range(10):
            assert egat.broadcast(b"\x01prepare" + bytes([i])) == 1
        assert mea.broadcast(b"\x02commit\xff") == 1
        await wait_for(lambda: len(inbox["MEA"]) == 10 and len(inbox["EGAT"]) == 1)
        await asyncio.sleep(0.5)  # nothing else (own messages) arrives
        await egat.aclose()
        await mea.aclose()
        return egat, mea

    egat, mea = asyncio.run(main())
    assert inbox["MEA"] == [(addresses["EGAT"], b"\x01prepare" + bytes([i])) for i in range(10)]
    assert inbox["EGAT"] == [(addresses["MEA"], b"\x02commit\xff")]
    assert egat.status().published == 10 and mea.status().published == 1


def test_oversized_consensus_payload_is_dropped_and_counted(estate: Estate) -> None:
    publisher, subscriber = estate.clients()
    node = ConsensusTransport(publisher, subscriber, estate.project, "0x" + "3" * 40,
                              "unused", lambda s, p: None)
    assert node.broadcast(b"x" * 10_000_001) == 0
    assert node.status().dropped == 1 and "limit" in (node.status().last_error or "")
    asyncio.run(node.aclose())



# --- PubSubPeerNetwork (emulator) --------------------------------------------------------------


def test_peer_networks_relay_authenticated_payloads_and_drop_forged_and_replayed_ones(
        estate: Estate, keys: dict[str, FileSigner], caplog: pytest.LogCaptureFixture) -> None:
    inbox: dict[str, list[tuple[str, bytes]]] = {name: [] for name in NAMES}
    captured: list[bytes] = []

    def network(name: str) -> PubSubPeerNetwork:
        publisher, subscriber = estate.clients()
        return PubSubPeerNetwork(
            publisher, subscriber, estate.project, signer=keys[name], genesis_hash=GENESIS,
            authorities=authorities(keys),
            subscription=consensus_subscription(name, keys[name].address),
            on_message=lambda sender, payload: inbox[name].append((sender, payload)))

    def publish_raw(data: bytes, claimed: str) -> None:
        topic = estate.publisher.topic_path(estate.project, CONSENSUS_MESSAGES)
        estate.publisher.publish(topic, data, ordering_key=claimed,
                                 **{SENDER_ATTRIBUTE: claimed}).result(timeout=10)

    def commit_7() -> bytes | None:
        return next((data for data in captured if decode_envelope(data).payload == b"commit 7"),
                    None)

    async def main() -> dict[str, PubSubPeerNetwork]:
        nets = {name: network(name) for name in NAMES}
        for net in nets.values():
            await net.start()
        assert nets["EGAT"].broadcast(b"status from EGAT") >= 0
        assert nets["MEA"].send(keys["PEA"].address, b"blocks for PEA")
        await wait_for(lambda: len(inbox["PEA"]) == 2 and len(inbox["MEA"]) == 1)
        # A snooper copies EGAT's next envelope off the topic and publishes it again.
        spy_sub = consensus_subscription("spy", "0x")
        create_subscription(estate.subscriber, estate.project, spy_sub)
        spy = ConsensusTransport(*estate.clients(), estate.project, "0x" + "f" * 40,
                                 spy_sub.name, lambda _s, data: captured.append(data))
        spy.start()
        await asyncio.sleep(0.5)
        nets["EGAT"].broadcast(b"commit 7")
        await wait_for(lambda: commit_7() is not None and len(inbox["MEA"]) == 2)
        publish_raw(commit_7() or b"", keys["EGAT"].address)
        now = now_ms()
        forger = EnvelopeSealer.issue(prosumer_signer(3), GENESIS, now)
        claimed = replace(forger.certificate, sender=keys["EGAT"].address)
        fake = EnvelopeSealer(GENESIS, claimed, SessionKey()).seal(b"forged commit", now)
        publish_raw(fake, keys["EGAT"].address)
        await wait_for(lambda: nets["MEA"].status().refused["replayed"] == 1
                       and nets["MEA"].status().refused["forged"] == 1)
        await spy.aclose()
        for net in nets.values():
            await net.stop()
        return nets

    nets = asyncio.run(main())
    egat, mea = keys["EGAT"].address, keys["MEA"].address
    assert inbox["MEA"] == [(egat, b"status from EGAT"), (egat, b"commit 7")]
    assert sorted(inbox["PEA"]) == sorted([(egat, b"status from EGAT"), (egat, b"commit 7"),
                                           (mea, b"blocks for PEA")])
    assert inbox["EGAT"] == []
    assert nets["EGAT"].status().refused["not_for_us"] == 1
    assert nets["PEA"].status().refused["replayed"] == 1
    assert nets["MEA"].connected() == [egat]
    expect_logged(caplog, "Pub/Sub envelope refused")
