"""Pkcs11Signer against a real SoftHSM2 token (tests/helpers/softhsm.py)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pkcs11
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from pkcs11 import Attribute, ObjectClass
from pkcs11.exceptions import AttributeSensitive

from node_core.ledger.exceptions import KeyNotFound, SignerError, TokenNotFound, WrongPin
from node_core.ledger.keys import HALF_CURVE_ORDER, Signer, public_key_address, verify_signature
from node_core.signers.pkcs11 import Pkcs11Signer, pin_from_environment, token_present
from node_core.signers.softhsm import (
    find_softhsm_module,
    init_token,
    token_labels,
    write_softhsm_config,
)
from tests.helpers.softhsm import SoftHsmToken


@pytest.fixture
def signer(softhsm_token: SoftHsmToken) -> Iterator[Pkcs11Signer]:
    """A fresh key pair labelled EGAT, logged in for the test only.

    PKCS#11 allows one login per token per process, so no signer outlives its test.
    """
    t = softhsm_token
    with Pkcs11Signer.generate(t.module_path, t.token_label, "EGAT", t.user_pin) as created:
        yield created


def _digest(n: int) -> bytes:
    return hashlib.sha256(f"block {n}".encode()).digest()


@contextmanager
def _objects_labelled(token: SoftHsmToken, label: str) -> Iterator[list[pkcs11.types.Object]]:
    """Objects on the token, read through a session without its own login.

    The PKCS#11 login state is per token and process, so while a signer is open this session
    sees private objects too.
    """
    found = pkcs11.lib(token.module_path).get_token(token_label=token.token_label)
    with found.open() as session:
        yield list(session.get_objects({Attribute.LABEL: label}))


# --- signing --------------------------------------------------------------------------------


def test_signatures_verify_with_cryptography_and_verify_signature(signer: Pkcs11Signer) -> None:
    assert isinstance(signer, Signer)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), signer.public_key)
    for n in range(20):
        digest = _digest(n)
        signature = signer.sign(digest)
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        key.verify(encode_dss_signature(r, s), digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        assert verify_signature(signer.public_key, digest, signature)


def test_signatures_are_always_low_s(signer: Pkcs11Signer) -> None:
    for n in range(200):
        s = int.from_bytes(signer.sign(_digest(n))[32:], "big")
        assert 0 < s <= HALF_CURVE_ORDER


def test_address_derives_from_the_token_public_key(signer: Pkcs11Signer) -> None:
    assert len(signer.public_key) == 65 and signer.public_key[0] == 4
    assert signer.address == public_key_address(signer.public_key)


def test_sign_is_thread_safe(signer: Pkcs11Signer) -> None:
    failures: list[bytes] = []

    def sign_many(offset: int) -> None:
        for n in range(offset, offset + 50):
            if not verify_signature(signer.public_key, _digest(n), signer.sign(_digest(n))):
                failures.append(_digest(n))

    threads = [threading.Thread(target=sign_many, args=(i * 50,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_reopening_finds_the_same_key(softhsm_token: SoftHsmToken) -> None:
    t = softhsm_token
    with Pkcs11Signer.generate(t.module_path, t.token_label, "reopen", t.user_pin) as created:
        address = created.address
    with Pkcs11Signer.open(t.module_path, t.token_label, "reopen", t.user_pin) as reopened:
        assert reopened.address == address


def test_closed_signer_refuses_to_sign(softhsm_token: SoftHsmToken) -> None:
    t = softhsm_token
    closing = Pkcs11Signer.generate(t.module_path, t.token_label, "closing", t.user_pin)
    closing.close()
    with pytest.raises(SignerError, match="closed"):
        closing.sign(_digest(1))


# --- the key on the token -------------------------------------------------------------------


def test_private_key_is_sensitive_and_not_extractable(
    signer: Pkcs11Signer, softhsm_token: SoftHsmToken
) -> None:
    with _objects_labelled(softhsm_token, "EGAT") as objects:
        private = [o for o in objects if o[Attribute.CLASS] == ObjectClass.PRIVATE_KEY]
        assert len(private) == 1
        key = private[0]
        assert key[Attribute.SENSITIVE] is True
        assert key[Attribute.EXTRACTABLE] is False
        assert key[Attribute.TOKEN] is True and key[Attribute.SIGN] is True
        assert key[Attribute.DERIVE] is False
        assert key[Attribute.ID]
        with pytest.raises(AttributeSensitive):
            key[Attribute.VALUE]


def test_regenerating_leaves_exactly_one_key_pair(softhsm_token: SoftHsmToken) -> None:
    t = softhsm_token
    addresses = set()
    for _ in range(3):
        with Pkcs11Signer.generate(t.module_path, t.token_label, "regen", t.user_pin) as fresh:
            addresses.add(fresh.address)
            with _objects_labelled(t, "regen") as objects:
                classes = sorted(o[Attribute.CLASS] for o in objects)
            assert classes == sorted([ObjectClass.PUBLIC_KEY, ObjectClass.PRIVATE_KEY])
    assert len(addresses) == 3


# --- errors ---------------------------------------------------------------------------------


def test_wrong_pin_is_refused(softhsm_token: SoftHsmToken) -> None:
    t = softhsm_token
    with pytest.raises(WrongPin, match=f"token '{t.token_label}' refused the PIN") as refused:
        Pkcs11Signer.open(t.module_path, t.token_label, "EGAT", "0000-wrong")
    assert "0000-wrong" not in str(refused.value)


def test_unknown_token_lists_the_labels_present(softhsm_token: SoftHsmToken) -> None:
    t = softhsm_token
    with pytest.raises(TokenNotFound) as missing:
        Pkcs11Signer.open(t.module_path, "no-such-token", "EGAT", t.user_pin)
    message = str(missing.value)
    assert "'no-such-token'" in message and f"'{t.token_label}'" in message
    assert t.module_path in message


def test_unknown_key_label_is_key_not_found(softhsm_token: SoftHsmToken) -> None:
    t = softhsm_token
    with pytest.raises(KeyNotFound, match="'absent'"):
        Pkcs11Signer.open(t.module_path, t.token_label, "absent", t.user_pin)


def test_second_login_in_one_process_is_explained(
    signer: Pkcs11Signer, softhsm_token: SoftHsmToken
) -> None:
    t = softhsm_token
    with pytest.raises(SignerError, match="already logged in"):
        Pkcs11Signer.open(t.module_path, t.token_label, "EGAT", t.user_pin)
    assert verify_signature(signer.public_key, _digest(1), signer.sign(_digest(1)))


def test_missing_module_is_a_signer_error(softhsm_token: SoftHsmToken) -> None:
    with pytest.raises(SignerError, match="cannot load PKCS#11 module"):
        Pkcs11Signer.open("/nonexistent/libpkcs11.so", "x", "y", "z")


def test_token_present(softhsm_token: SoftHsmToken) -> None:
    assert token_present(softhsm_token.module_path, softhsm_token.token_label)
    assert not token_present(softhsm_token.module_path, "no-such-token")


def test_pin_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GTX_TEST_PIN", "1234")
    assert pin_from_environment("GTX_TEST_PIN") == "1234"
    monkeypatch.delenv("GTX_TEST_PIN")
    with pytest.raises(SignerError, match="GTX_TEST_PIN is not set"):
        pin_from_environment("GTX_TEST_PIN")


# --- SoftHSM2 devnet tokens (softhsm2-util in subprocesses; this process's module untouched) --


def test_softhsm_config_keeps_tokens_in_the_given_directory(tmp_path: Path) -> None:
    conf_path = write_softhsm_config(tmp_path)
    text = conf_path.read_text()
    assert f"directories.tokendir = {tmp_path.resolve() / 'tokens'}" in text
    assert "objectstore.backend = file" in text and "log.level = ERROR" in text
    assert (tmp_path / "tokens").is_dir()


@pytest.mark.usefixtures("softhsm_token")  # SoftHSM2 installed
def test_init_token_is_idempotent(tmp_path: Path) -> None:
    conf_path = write_softhsm_config(tmp_path)
    init_token(conf_path, "devnet-a", "so-pin-1", "user-pin-1")
    init_token(conf_path, "devnet-a", "so-pin-1", "user-pin-1")
    assert token_labels(conf_path) == ["devnet-a"]


@pytest.mark.usefixtures("softhsm_token")  # SoftHSM2 installed
def test_init_token_failure_carries_softhsm_util_message(tmp_path: Path) -> None:
    conf_path = write_softhsm_config(tmp_path)
    with pytest.raises(SignerError, match=r"softhsm2-util --init-token failed: .*PIN"):
        init_token(conf_path, "devnet-b", "1", "2")


def test_find_softhsm_module(softhsm_token: SoftHsmToken) -> None:
    assert find_softhsm_module() == softhsm_token.module_path
