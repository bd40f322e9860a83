"""KmsSigner through the real KeyManagementServiceClient against a local gRPC KMS fake."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from google.cloud import kms

from node_core.cloud.errors import (
    DigestNotVerified,
    KeyNotInHsm,
    KeyVersionMismatch,
    KmsCallFailed,
    PublicKeyChecksumMismatch,
    SignatureChecksumMismatch,
    UnsupportedKeyAlgorithm,
)
from node_core.cloud.kms_signer import KmsSigner, crc32c, kms_client
from node_core.ledger.exceptions import SignerError
from node_core.ledger.keys import (
    HALF_CURVE_ORDER,
    Signer,
    public_key_address,
    sha256,
    verify_signature,
)
from tests.node_core.cloud.fake_kms import KEY_VERSION, FakeKms


@pytest.fixture
def fake_kms() -> Iterator[FakeKms]:
    fake = FakeKms()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def make_signer(fake_kms: FakeKms) -> Iterator[Callable[..., KmsSigner]]:
    channels = []

    def make(name: str = KEY_VERSION, **options: object) -> KmsSigner:
        client, channel = fake_kms.client()
        channels.append(channel)
        return KmsSigner(name, client, **options)  # type: ignore[arg-type]

    yield make
    for channel in channels:
        channel.close()


def uncompressed(fake: FakeKms) -> bytes:
    return fake.private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def test_signatures_verify_are_low_s_and_carry_the_digest_crc(
    fake_kms: FakeKms, make_signer: Callable[..., KmsSigner]
) -> None:
    signer = make_signer()
    assert isinstance(signer, Signer)
    for i in range(20):
        digest = sha256(f"block {i}".encode())
        signature = signer.sign(digest)
        assert len(signature) == 64
        assert int.from_bytes(signature[32:], "big") <= HALF_CURVE_ORDER
        assert verify_signature(signer.public_key, digest, signature)
    request = fake_kms.sign_requests[-1]
    assert request.name == KEY_VERSION
    assert request.digest.sha256 == digest
    assert request.digest_crc32c == crc32c(digest)


def test_high_s_from_kms_is_normalized(
    fake_kms: FakeKms, make_signer: Callable[..., KmsSigner]
) -> None:
    fake_kms.high_s = True
    signer = make_signer()
    digest = sha256(b"settlement")
    signature = signer.sign(digest)
    assert int.from_bytes(signature[32:], "big") <= HALF_CURVE_ORDER
    assert verify_signature(signer.public_key, digest, signature)


def test_public_key_and_address_come_from_kms_once(
    fake_kms: FakeKms, make_signer: Callable[..., KmsSigner]
) -> None:
    signer = make_signer()
    assert signer.public_key == uncompressed(fake_kms)
    assert signer.address == public_key_address(uncompressed(fake_kms))
    signer.sign(sha256(b"a"))
    signer.sign(sha256(b"b"))
    assert fake_kms.public_key_requests == 1


def test_wrong_digest_size_is_a_caller_error(make_signer: Callable[..., KmsSigner]) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        make_signer().sign(b"short")


# --- integrity failures ------------------------------------------------------------------------


def test_corrupted_signature_crc_is_retried_then_raised(
    fake_kms: FakeKms, make_signer: Callable[..., KmsSigner]
) -> None:
    signer = make_signer()
    signer.load_public_key()
    fake_kms.corrupt_signature_crc = -1
    with pytest.raises(SignatureChecksumMismatch, match="signature_crc32c"):
        signer.sign(sha256(b"x"))
    assert len(fake_kms.sign_requests) == 3


def test_one_corrupted_signature_crc_is_survived(
    fake_kms: FakeKms, make_signer: Callable[..., KmsSigner]
) -> None:
    signer = make_signer()
    fake_kms.corrupt_signature_crc = 1
    digest = sha256(b"x")
    assert verify_signature(signer.public_key, digest, signer.sign(digest))
    assert len(fake_kms.sign_requests) == 2


def test_unverified_digest_crc_is_raised(
    fake_kms: FakeKms, make_signer: Callable[..., KmsSigner]
) -> None:
    fake_kms.unverified_digest = True
    with pytest.raises(DigestNotVerified):
        make_signer().sign(sha256(b"x"))


def test_response_for_another_key_version_is_raised(
    fake_kms: FakeKms, make_signer: Callable[..., KmsSigner]
) -> None:
    signer = make_signer()
    signer.load_public_key()
    fake_kms.answer_name = KEY_VERSION.replace("/1", "/2")
    with pytest.raises(KeyVersionMismatch, match="cryptoKeyVersions/2"):
        signer.sign(sha256(b"x"))
    assert len(fake_kms.sign_requests) == 1  # not a transit error: not retried


def test_corrupted_public_key_crc_is_raised(
    fake_kms: FakeKms, make_signer: Callable[..., KmsSigner]
) -> None:
    fake_kms.corrupt_pem_crc = -1
    with pytest.raises(PublicKeyChecksumMismatch):
        _ = make_signer().public_key
    assert fake_kms.public_key_requests == 3


def test_other_algorithm_is_refused_clearly(
    fake_kms: FakeKms, make_signer: Callable[..., KmsSigner]
) -> None:
    fake_kms.algorithm = kms.CryptoKeyVersion.CryptoKeyVersionAlgorithm.EC_SIGN_P384_SHA384
    with pytest.raises(UnsupportedKeyAlgorithm, match=r"EC_SIGN_P384_SHA384.*EC_SIGN_P256_SHA256"):
        make_signer().sign(sha256(b"x"))
    assert fake_kms.sign_requests == []


def test_software_key_is_refused_unless_allowed(
    fake_kms: FakeKms, make_signer: Callable[..., KmsSigner]
) -> None:
    fake_kms.protection_level = kms.ProtectionLevel.SOFTWARE
    with pytest.raises(KeyNotInHsm, match="SOFTWARE"):
        make_signer().load_public_key()
    assert len(make_signer(require_hsm=False).sign(sha256(b"x"))) == 64


def test_rpc_failures_are_signer_errors(make_signer: Callable[..., KmsSigner]) -> None:
    unknown = KEY_VERSION.replace("validator-signing-key", "nope")
    with pytest.raises(KmsCallFailed, match="NotFound") as caught:
        make_signer(unknown).load_public_key()
    assert isinstance(caught.value, SignerError)


def test_not_a_key_version_name_is_refused(make_signer: Callable[..., KmsSigner]) -> None:
    with pytest.raises(ValueError, match="CryptoKeyVersion"):
        make_signer("projects/p/locations/l/keyRings/r/cryptoKeys/k")


def test_unreachable_kms_fails_within_the_timeout(fake_kms: FakeKms) -> None:
    address = fake_kms.address
    fake_kms.stop()
    channel = grpc.insecure_channel(address)
    signer = KmsSigner(KEY_VERSION, kms_client(channel), timeout_s=1.0)
    began = time.monotonic()
    with pytest.raises(KmsCallFailed, match="GetPublicKey"):
        signer.sign(sha256(b"x"))
    assert time.monotonic() - began < 3.0
    channel.close()


def test_signer_is_thread_safe_and_fetches_the_key_once(
    fake_kms: FakeKms, make_signer: Callable[..., KmsSigner]
) -> None:
    signer = make_signer()
    digests = [sha256(f"vote {i}".encode()) for i in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        signatures = list(pool.map(signer.sign, digests))
    assert all(verify_signature(signer.public_key, d, s)
               for d, s in zip(digests, signatures, strict=True))
    assert fake_kms.public_key_requests == 1
