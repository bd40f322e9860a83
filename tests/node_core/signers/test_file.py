"""The development key file (node_core.signers.file): refused unless allowed, private and
encrypted on disk, never overwritten, the passphrase checked."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from node_core.ledger.exceptions import KeyNotFound, SignerError, SignerNotAllowed, WrongPin
from node_core.signers.file import FileSigner

PASSPHRASE = "correct horse battery staple"



def test_file_signer_refused_without_the_flag(tmp_path: Path) -> None:
    with pytest.raises(SignerNotAllowed, match="development") as refused:
        FileSigner.generate(tmp_path / "k.pem", PASSPHRASE, allow_file_signer=False)
    assert "allow_file_signer=True" in str(refused.value)
    with pytest.raises(SignerNotAllowed):
        FileSigner(ec.generate_private_key(ec.SECP256R1()))
    assert not (tmp_path / "k.pem").exists()


def test_key_file_is_private_encrypted_and_reloads(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    created = FileSigner.generate(path, PASSPHRASE, allow_file_signer=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = FileSigner.load(path, PASSPHRASE, allow_file_signer=True)
    assert loaded.public_key == created.public_key and loaded.address == created.address


def test_generate_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_bytes(b"precious")
    with pytest.raises(SignerError, match="already exists"):
        FileSigner.generate(path, PASSPHRASE, allow_file_signer=True)
    assert path.read_bytes() == b"precious"


def test_wrong_passphrase_is_wrong_pin(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    FileSigner.generate(path, PASSPHRASE, allow_file_signer=True)
    with pytest.raises(WrongPin, match="passphrase") as refused:
        FileSigner.load(path, "not the passphrase", allow_file_signer=True)
    assert "not the passphrase" not in str(refused.value)


def test_missing_key_file_is_key_not_found(tmp_path: Path) -> None:
    with pytest.raises(KeyNotFound, match="does not exist"):
        FileSigner.load(tmp_path / "absent.pem", PASSPHRASE, allow_file_signer=True)


def test_unencrypted_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.pem"
    path.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    with pytest.raises(SignerError, match="not an encrypted"):
        FileSigner.load(path, PASSPHRASE, allow_file_signer=True)
