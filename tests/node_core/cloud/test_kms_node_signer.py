"""A node config whose gcp profile says ``[signer] backend = "kms"`` opens a ``KmsSigner``
(the real client against the local gRPC KMS fake); a wrong key version stops the node at
start with one clear line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import kms

from app.cli import main
from node_core.cloud.errors import KeyNotInHsm, KmsCallFailed
from node_core.cloud.kms_signer import KmsSigner
from node_core.ledger.keys import public_key_address, verify_signature
from node_core.node.config import load_node_config, open_signer
from tests.node_core.cloud.fake_kms import KEY_VERSION, FakeKms
from tests.node_core.cloud.gcp_devnet import ProfileSpec, profile_text

NODE = """[node]
authority = "EGAT"
data_dir = "egat"
genesis = "genesis.json"
listen = "127.0.0.1:1"
client = "127.0.0.1:2"

[signer]
backend = "pkcs11"
token_label = "gridtokenx-devnet"

[cloud]
profile = "gcp.toml"
"""


@pytest.fixture
def fake_kms() -> Iterator[FakeKms]:
    fake = FakeKms()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


def node_config(tmp_path: Path, key_version: str | None = KEY_VERSION) -> Path:
    (tmp_path / "gcp.toml").write_text(profile_text(ProfileSpec(
        "gridtokenx-test", kms_key_version=key_version)), encoding="utf-8")
    path = tmp_path / "EGAT.toml"
    path.write_text(NODE, encoding="utf-8")
    return path


def test_the_profile_kms_signer_replaces_the_token(
        tmp_path: Path, fake_kms: FakeKms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KMS_EMULATOR_HOST", fake_kms.address)
    config = load_node_config(node_config(tmp_path))
    assert (config.signer.backend, config.signer.kms_key_version) == ("kms", KEY_VERSION)
    signer = open_signer(config.signer)
    assert isinstance(signer, KmsSigner)
    public_key = fake_kms.private_key.public_key().public_numbers()
    assert signer.public_key[1:33] == public_key.x.to_bytes(32, "big")
    assert signer.address == public_key_address(signer.public_key)
    digest = bytes(range(32))
    assert verify_signature(signer.public_key, digest, signer.sign(digest))


def test_a_pkcs11_profile_keeps_the_node_config_signer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_node_config(node_config(tmp_path, key_version=None))
    assert config.signer.backend == "pkcs11" and config.signer.kms_key_version is None


def test_an_unknown_key_version_fails_at_start_naming_it(
        tmp_path: Path, fake_kms: FakeKms, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KMS_EMULATOR_HOST", fake_kms.address)
    wrong = KEY_VERSION.replace("cryptoKeyVersions/1", "cryptoKeyVersions/7")
    config = load_node_config(node_config(tmp_path, wrong))
    with pytest.raises(KmsCallFailed, match=r"kms_key_version.*cryptoKeyVersions/7.*NotFound"):
        open_signer(config.signer)
    assert main(["node", "--config", str(tmp_path / "EGAT.toml")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: Cloud KMS signer not opened (gcp profile [signer] "
                          "kms_key_version)") and "NotFound" in err and "\n" not in err


def test_a_key_outside_an_hsm_is_refused_at_start(
        tmp_path: Path, fake_kms: FakeKms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KMS_EMULATOR_HOST", fake_kms.address)
    fake_kms.protection_level = kms.ProtectionLevel.SOFTWARE
    with pytest.raises(KeyNotInHsm, match="SOFTWARE"):
        open_signer(load_node_config(node_config(tmp_path)).signer)


def test_kms_identity_prints_what_the_genesis_lists(
        tmp_path: Path, fake_kms: FakeKms, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KMS_EMULATOR_HOST", fake_kms.address)
    node_config(tmp_path)
    assert main(["config", "kms-identity", str(tmp_path / "gcp.toml")]) == 0
    identity = json.loads(capsys.readouterr().out)
    assert identity["address"] == public_key_address(bytes.fromhex(identity["public_key"]))
    assert identity["kms_key_version"] == KEY_VERSION
    node_config(tmp_path, key_version=None)
    assert main(["config", "kms-identity", str(tmp_path / "gcp.toml")]) == 2
    assert "[signer] backend is not 'kms'" in capsys.readouterr().err
