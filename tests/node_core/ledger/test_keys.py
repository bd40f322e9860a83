"""Keys, addresses and low-S signatures (node_core.ledger.keys), with a real encrypted key file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from hypothesis import given
from hypothesis import strategies as st

from node_core.ledger.keys import (
    CURVE_ORDER,
    HALF_CURVE_ORDER,
    Signer,
    normalize_low_s,
    parse_public_key,
    public_key_address,
    verify_signature,
)
from node_core.ledger.types import is_address
from node_core.signers.file import FileSigner

PASSPHRASE = "correct horse battery staple"
digests = st.binary(min_size=32, max_size=32)


@pytest.fixture(scope="module")
def file_signer(tmp_path_factory: pytest.TempPathFactory) -> FileSigner:
    path = tmp_path_factory.mktemp("keys") / "dev.pem"
    return FileSigner.generate(path, PASSPHRASE, allow_file_signer=True)


def _split(signature: bytes) -> tuple[int, int]:
    return int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")


def _high_s(signature: bytes) -> bytes:
    r, s = _split(signature)
    return r.to_bytes(32, "big") + (CURVE_ORDER - s).to_bytes(32, "big")


def _cryptography_accepts(public_key: bytes, digest: bytes, signature: bytes) -> bool:
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
    try:
        key.verify(encode_dss_signature(*_split(signature)), digest,
                   ec.ECDSA(Prehashed(hashes.SHA256())))
    except Exception:
        return False
    return True


# --- signatures -----------------------------------------------------------------------------


def test_file_signer_is_a_signer(file_signer: FileSigner) -> None:
    assert isinstance(file_signer, Signer)
    assert len(file_signer.public_key) == 65 and file_signer.public_key[0] == 4


@given(digest=digests)
def test_signatures_are_low_s_and_verify(file_signer: FileSigner, digest: bytes) -> None:
    signature = file_signer.sign(digest)
    assert len(signature) == 64
    r, s = _split(signature)
    assert 0 < r < CURVE_ORDER and 0 < s <= HALF_CURVE_ORDER
    assert verify_signature(file_signer.public_key, digest, signature)
    assert _cryptography_accepts(file_signer.public_key, digest, signature)


@given(digest=digests, bit=st.integers(0, 255))
def test_tampered_digest_is_rejected(file_signer: FileSigner, digest: bytes, bit: int) -> None:
    signature = file_signer.sign(digest)
    tampered = bytearray(digest)
    tampered[bit // 8] ^= 1 << (bit % 8)
    assert not verify_signature(file_signer.public_key, bytes(tampered), signature)


@given(digest=digests, bit=st.integers(0, 511))
def test_tampered_signature_is_rejected(file_signer: FileSigner, digest: bytes, bit: int) -> None:
    tampered = bytearray(file_signer.sign(digest))
    tampered[bit // 8] ^= 1 << (bit % 8)
    assert not verify_signature(file_signer.public_key, digest, bytes(tampered))


@given(digest=digests)
def test_high_s_twin_is_valid_ecdsa_but_rejected(file_signer: FileSigner, digest: bytes) -> None:
    high = _high_s(file_signer.sign(digest))
    assert _cryptography_accepts(file_signer.public_key, digest, high)
    assert not verify_signature(file_signer.public_key, digest, high)


def test_signature_by_another_key_is_rejected(file_signer: FileSigner, tmp_path: Path) -> None:
    other = FileSigner.generate(tmp_path / "other.pem", PASSPHRASE, allow_file_signer=True)
    digest = hashlib.sha256(b"block 7").digest()
    assert not verify_signature(file_signer.public_key, digest, other.sign(digest))


@given(public_key=st.binary(max_size=70), digest=st.binary(max_size=40),
       signature=st.binary(max_size=70))
def test_verify_never_raises_on_garbage(public_key: bytes, digest: bytes, signature: bytes) -> None:
    assert verify_signature(public_key, digest, signature) is False


@pytest.mark.parametrize("r, s", [(0, 1), (1, 0), (CURVE_ORDER, 1), (1, CURVE_ORDER)])
def test_out_of_range_components_are_rejected(file_signer: FileSigner, r: int, s: int) -> None:
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert not verify_signature(file_signer.public_key, bytes(32), signature)


@given(r=st.integers(1, CURVE_ORDER - 1), s=st.integers(1, CURVE_ORDER - 1))
def test_normalize_low_s(r: int, s: int) -> None:
    r_out, s_out = _split(normalize_low_s(r, s))
    assert r_out == r
    assert s_out <= HALF_CURVE_ORDER and s_out in (s, CURVE_ORDER - s)


def test_wrong_digest_size_is_a_caller_error(file_signer: FileSigner) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        file_signer.sign(b"not a digest")


# --- addresses and public keys --------------------------------------------------------------


@given(secret=st.integers(1, CURVE_ORDER - 1))
def test_address_is_42_lowercase_chars_and_stable(secret: int) -> None:
    public_key = _point(ec.derive_private_key(secret, ec.SECP256R1()).public_key())
    address = public_key_address(public_key)
    assert is_address(address) and len(address) == 42 and address == address.lower()
    assert address == "0x" + hashlib.sha256(public_key).hexdigest()[-40:]
    assert public_key_address(bytes(public_key)) == address


@pytest.mark.parametrize("bad", [b"", b"\x04" + bytes(64), b"\x04" + b"\xff" * 64, bytes(65)])
def test_address_of_invalid_key_raises(bad: bytes) -> None:
    with pytest.raises(ValueError, match="P-256"):
        public_key_address(bad)


@given(secret=st.integers(1, CURVE_ORDER - 1))
def test_parse_public_key_round_trips(secret: int) -> None:
    key = ec.derive_private_key(secret, ec.SECP256R1()).public_key()
    raw = _point(key)
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = key.public_bytes(serialization.Encoding.DER, spki)
    pem = key.public_bytes(serialization.Encoding.PEM, spki)
    assert parse_public_key(raw) == parse_public_key(der) == parse_public_key(pem) == raw


@given(garbage=st.binary(max_size=200))
def test_parse_public_key_rejects_garbage(garbage: bytes) -> None:
    with pytest.raises(ValueError):
        parse_public_key(garbage)


def test_parse_public_key_rejects_other_curves() -> None:
    key = ec.generate_private_key(ec.SECP384R1()).public_key()
    pem = key.public_bytes(serialization.Encoding.PEM,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ValueError, match="P-256"):
        parse_public_key(pem)


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962,
                            serialization.PublicFormat.UncompressedPoint)
