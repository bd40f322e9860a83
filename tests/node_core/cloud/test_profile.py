"""The gcp profile: the example parses; every kind of problem gets its own clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from node_core.cloud.profile import (
    DevnetProfile,
    GcpProfile,
    ProfileError,
    check_profile_file,
    load_gcp_profile,
    load_profile,
)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "resources" / "gcp-profile.example.toml"
KEY = ("projects/gridtokenx-prod/locations/asia-southeast1/keyRings/gridtokenx-keys/"
       "cryptoKeys/validator-signing-key/cryptoKeyVersions/1")
VALID = f"""
[gcp]
project = "gridtokenx-prod"

[spanner]
instance = "gridtokenx-instance"
database = "blockchain-state"

[bigtable]
instance = "gridtokenx-metrics"

[backend]
api_base_url = "https://api.gridtokenx.example/"

[signer]
backend = "kms"
kms_key_version = "{KEY}"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    return check_profile_file(write(tmp_path, text), environ or {})


def test_the_example_profile_parses() -> None:
    profile = load_gcp_profile(EXAMPLE, {})
    assert profile.project == "gridtokenx-prod"
    assert (profile.spanner.instance, profile.spanner.database) == (
        "gridtokenx-instance", "blockchain-state")
    assert profile.spanner.block_sink and profile.bigtable_instance == "gridtokenx-metrics"
    assert profile.pubsub.grid_alerts_subscription == "grid-monitor-sub"
    assert profile.pubsub.consensus_transport == "tcp"
    assert profile.signer.backend == "kms" and profile.signer.kms_key_version == KEY
    assert profile.credentials == "application-default"


def test_devnet_is_the_default_profile() -> None:
    assert load_profile() == DevnetProfile()
    assert isinstance(load_profile(EXAMPLE, {}), GcpProfile)


def test_minimal_profile_gets_defaults_and_emulator_hosts(tmp_path: Path) -> None:
    environ = {"PUBSUB_EMULATOR_HOST": "127.0.0.1:8085", "SPANNER_EMULATOR_HOST": "localhost:9010"}
    profile = load_gcp_profile(write(tmp_path, VALID), environ)
    assert profile.api_base_url == "https://api.gridtokenx.example"
    assert profile.pubsub.blockchain_events_topic == "blockchain-events"
    assert not profile.spanner.block_sink
    assert (profile.emulators.pubsub, profile.emulators.spanner, profile.emulators.bigtable) == (
        "127.0.0.1:8085", "localhost:9010", None)


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t + "\n[firestore]\nx = 1\n", "unknown section [firestore]"),
    (lambda t: "region = 'asia'\n" + t, "unknown top-level key 'region'"),
    (lambda t: t.replace('[bigtable]\n', '[bigtable]\ntables = 3\n'),
     "[bigtable] unknown key 'tables'"),
    (lambda t: t.replace('database = "blockchain-state"', 'database = 7'),
     "[spanner] database must be a string, not integer"),
    (lambda t: t.replace('[spanner]\n', '[spanner]\nblock_sink = "yes"\n'),
     "[spanner] block_sink must be a boolean, not string"),
    (lambda t: t.replace('project = "gridtokenx-prod"', ''), "[gcp] missing 'project'"),
    (lambda t: t.replace('instance = "gridtokenx-metrics"', ''), "[bigtable] missing 'instance'"),
    (lambda t: t.replace('project = "gridtokenx-prod"', 'project = "GridTokenX"'),
     "[gcp] project 'GridTokenX' is not a valid id"),
    (lambda t: t.replace('"gridtokenx-instance"', '"9inst"'),
     "[spanner] instance '9inst' is not a valid id"),
    (lambda t: t.replace('"blockchain-state"', '"blockchain-state-database-for-authorities"'),
     "[spanner] database 'blockchain-state-database-for-authorities' is not a valid id"),
    (lambda t: t + '\n[pubsub]\nconsensus_topic = "goog-consensus"\n',
     "[pubsub] consensus_topic 'goog-consensus' is not a valid Pub/Sub name"),
    (lambda t: t + '\n[pubsub]\nconsensus_transport = "udp"\n',
     "[pubsub] consensus_transport must be 'tcp' or 'pubsub', not 'udp'"),
    (lambda t: t.replace('https://api', 'http://api'),
     "[backend] api_base_url 'http://api.gridtokenx.example/' must be an https:// URL"),
    (lambda t: t.replace('backend = "kms"', 'backend = "yubikey"'),
     "[signer] backend must be 'pkcs11' or 'kms', not 'yubikey'"),
    (lambda t: t.replace(f'kms_key_version = "{KEY}"', ''),
     "[signer] backend 'kms' needs kms_key_version"),
    (lambda t: t.replace('backend = "kms"', 'backend = "pkcs11"'),
     "[signer] kms_key_version is only used with backend 'kms'"),
    (lambda t: t.replace(KEY, "validator-signing-key"),
     "[signer] kms_key_version 'validator-signing-key' is not a CryptoKeyVersion name"),
    (lambda t: t.replace('[gcp]\n', '[gcp]\ncredentials = "key.json"\n'),
     "[gcp] credentials must be 'application-default'"),
    (lambda t: "spanner = 1\n" + t.replace("[spanner]", "[old]"),
     "spanner must be a [spanner] table"),
    (lambda t: t + "\n[monitoring]\ninterval_s = 5\n",
     "[monitoring] interval_s must be at least 10 (Cloud Monitoring's limit per series), not 5"),
    (lambda t: t + "\n[monitoring]\ninterval_s = 30.5\n",
     "[monitoring] interval_s must be an integer, not number"),
    (lambda t: t + "\n[monitoring]\ninterval_s = true\n",
     "[monitoring] interval_s must be an integer, not boolean"),
    (lambda t: t + "\n[monitoring]\nendpoint = \"x\"\n", "[monitoring] unknown key 'endpoint'"),
])
def test_each_problem_has_its_own_clear_line(tmp_path: Path, edit, expected: str) -> None:
    problems = problems_of(tmp_path, edit(VALID))
    assert any(p.startswith(expected) for p in problems), problems


def test_bad_emulator_host_variable_is_a_problem(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, VALID, {"SPANNER_EMULATOR_HOST": "http://localhost:9010"})
    assert problems == ["$SPANNER_EMULATOR_HOST='http://localhost:9010' is not host:port"]


def test_monitoring_interval_and_fake_endpoints_are_read(tmp_path: Path) -> None:
    environ = {"MONITORING_EMULATOR_HOST": "127.0.0.1:7001", "KMS_EMULATOR_HOST": "localhost:7002"}
    profile = load_gcp_profile(write(tmp_path, VALID + "\n[monitoring]\ninterval_s = 15\n"),
                               environ)
    assert profile.monitoring_interval_s == 15
    assert (profile.emulators.monitoring, profile.emulators.kms) == (
        "127.0.0.1:7001", "localhost:7002")
    assert load_gcp_profile(write(tmp_path, VALID), {}).monitoring_interval_s == 60


def test_plaintext_fake_endpoints_must_be_loopback(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, VALID, {"KMS_EMULATOR_HOST": "kms.example.com:443",
                                             "MONITORING_EMULATOR_HOST": "10.0.0.5:80"})
    assert problems == [
        "$MONITORING_EMULATOR_HOST='10.0.0.5:80' must be a loopback host (it is a plaintext "
        "endpoint for a local fake)",
        "$KMS_EMULATOR_HOST='kms.example.com:443' must be a loopback host (it is a plaintext "
        "endpoint for a local fake)"]


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    text = (VALID.replace('project = "gridtokenx-prod"', 'project = 42')
            .replace('instance = "gridtokenx-metrics"', 'instanse = "x"')
            .replace('backend = "kms"', 'backend = "hsm"'))
    with pytest.raises(ProfileError) as raised:
        load_gcp_profile(write(tmp_path, text), {})
    assert raised.value.problems == [
        "[gcp] project must be a string, not integer",
        "[bigtable] unknown key 'instanse'",
        "[bigtable] missing 'instance'",
        "[signer] backend must be 'pkcs11' or 'kms', not 'hsm'",
    ]
    assert str(raised.value).count("\n  ") == 4


def test_unreadable_and_invalid_toml_are_one_line_each(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "[gcp\nproject = 1")[0].startswith("not valid TOML:")
    missing = check_profile_file(tmp_path / "absent.toml", {})
    assert len(missing) == 1 and missing[0].startswith("cannot read the file")
