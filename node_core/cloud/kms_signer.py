"""Authority signing with a Cloud KMS ``EC_SIGN_P256_SHA256`` key (the design's
``validator-signing-key``, HSM protection level).

``KmsSigner`` implements ``node_core.ledger.keys.Signer``: the private key never leaves Cloud KMS;
``sign`` sends the 32-byte SHA-256 digest (``AsymmetricSign`` with ``digest.sha256``) and turns
the DER signature KMS returns into the chain's 64-byte ``r || s`` with low S.

Integrity, as Google recommends for every KMS call:

* the request carries ``digest_crc32c``; the response must say ``verified_digest_crc32c``;
* the response's ``name`` must be the key version asked for;
* the signature's CRC32C must equal ``signature_crc32c``;
* the public key's PEM CRC32C must equal ``pem_crc32c``.

A CRC mismatch or an unverified digest may be corruption in transit: the call is repeated a
limited number of times (``integrity_attempts``), then the named ``KmsIntegrityError`` subclass
is raised. A wrong name is raised at once. Finally every signature is verified locally against
the key version's public key, so a signature that would be rejected by the chain never leaves
the signer.

The public key is fetched once (``GetPublicKey``), checked (algorithm ``EC_SIGN_P256_SHA256``,
HSM protection unless ``require_hsm=False``) and cached. The first use of ``public_key``,
``address`` or ``sign`` does that call; ``load_public_key()`` does it up front, e.g. at start.

Threads: the client is the synchronous ``KeyManagementServiceClient``, because
``Signer.sign`` is synchronous. Each call is a network round trip (tens of ms), so asyncio code
must call ``sign`` through ``asyncio.to_thread`` (or the loop's executor), never on the loop.
The signer is thread-safe.

IAM: ``roles/cloudkms.signerVerifier`` on the key (``useToSign`` and ``viewPublicKey``) — not
the ``cryptoKeyEncrypterDecrypter`` role, which cannot sign.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from typing import Final, TypeVar

import google_crc32c
import grpc
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from google.api_core import exceptions as api_errors
from google.api_core import retry as api_retry
from google.cloud import kms
from google.cloud.kms_v1.services.key_management_service.transports import (
    KeyManagementServiceGrpcTransport,
)

from node_core.cloud.errors import (
    DigestNotVerified,
    KeyNotInHsm,
    KeyVersionMismatch,
    KmsCallFailed,
    KmsError,
    KmsIntegrityError,
    KmsSignatureInvalid,
    PublicKeyChecksumMismatch,
    SignatureChecksumMismatch,
    UnsupportedKeyAlgorithm,
)
from node_core.ledger.keys import (
    DIGEST_SIZE,
    normalize_low_s,
    parse_public_key,
    public_key_address,
    verify_signature,
)
from node_core.ledger.types import Address, PublicKey

_Algorithm = kms.CryptoKeyVersion.CryptoKeyVersionAlgorithm
ALGORITHM: Final = _Algorithm.EC_SIGN_P256_SHA256
_T = TypeVar("_T")
_RETRIED: Final = (DigestNotVerified, SignatureChecksumMismatch, PublicKeyChecksumMismatch)


def crc32c(data: bytes) -> int:
    """The CRC32C checksum KMS uses in its integrity fields."""
    return int(google_crc32c.value(bytes(data)))


def kms_client(channel: grpc.Channel | None = None) -> kms.KeyManagementServiceClient:
    """A KMS client: Application Default Credentials, or over ``channel`` if given (an
    insecure local channel in tests; ``client_options`` endpoints always use TLS)."""
    if channel is None:
        return kms.KeyManagementServiceClient()
    return kms.KeyManagementServiceClient(
        transport=KeyManagementServiceGrpcTransport(channel=channel)
    )


class KmsSigner:
    """A ``Signer`` whose P-256 key lives in Cloud KMS (see the module docstring).

    ``key_version_name`` is the full resource name,
    ``projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/V``
    (``KeyManagementServiceClient.crypto_key_version_path`` builds it).
    """

    def __init__(
        self,
        key_version_name: str,
        client: kms.KeyManagementServiceClient,
        *,
        require_hsm: bool = True,
        integrity_attempts: int = 3,
        timeout_s: float = 5.0,
    ) -> None:
        if "/cryptoKeyVersions/" not in key_version_name:
            raise ValueError(f"{key_version_name!r} is not a CryptoKeyVersion resource name")
        if integrity_attempts < 1:
            raise ValueError("integrity_attempts must be at least 1")
        self.key_version_name: Final = key_version_name
        self._client = client
        self._require_hsm = require_hsm
        self._attempts = integrity_attempts
        self._timeout_s = timeout_s
        self._retry = _transient_retry(timeout_s)
        self._lock = threading.Lock()
        self._public_key: PublicKey | None = None
        self._address: Address | None = None

    @property
    def public_key(self) -> PublicKey:
        """The 65-byte uncompressed public key (fetched from KMS on first use)."""
        return self.load_public_key()

    @property
    def address(self) -> Address:
        """The address of ``public_key``."""
        self.load_public_key()
        assert self._address is not None
        return self._address

    def load_public_key(self) -> PublicKey:
        """Fetch, check and cache the key version's public key; later calls use the cache."""
        cached = self._public_key
        if cached is not None:
            return cached
        with self._lock:
            if self._public_key is None:
                key = self._with_integrity_retries(self._fetch_public_key)
                self._address = public_key_address(key)
                self._public_key = key
            return self._public_key

    def sign(self, digest: bytes) -> bytes:
        """Sign a 32-byte SHA-256 digest in KMS; return 64 bytes ``r || s`` with low S.

        Blocks for a network round trip: call it from a worker thread in asyncio code.
        """
        digest = bytes(digest)
        if len(digest) != DIGEST_SIZE:
            raise ValueError(f"digest must be {DIGEST_SIZE} bytes (SHA-256), got {len(digest)}")
        public_key = self.public_key
        return self._with_integrity_retries(lambda: self._sign_once(digest, public_key))

    # --- one call each -------------------------------------------------------------------------

    def _fetch_public_key(self) -> PublicKey:
        response = self._call(
            "GetPublicKey", lambda: self._client.get_public_key(
                request={"name": self.key_version_name}, retry=self._retry,
                timeout=self._timeout_s))
        if response.pem_crc32c != crc32c(response.pem.encode("utf-8")):
            raise PublicKeyChecksumMismatch(
                f"{self.key_version_name}: public key PEM does not match its pem_crc32c")
        self._check_name(response.name)
        self._check_key_kind(response)
        try:
            return parse_public_key(response.pem.encode("utf-8"))
        except ValueError as error:
            raise KmsIntegrityError(f"{self.key_version_name}: unusable public key: {error}") \
                from None

    def _sign_once(self, digest: bytes, public_key: PublicKey) -> bytes:
        request = {"name": self.key_version_name, "digest": {"sha256": digest},
                   "digest_crc32c": crc32c(digest)}
        response = self._call(
            "AsymmetricSign",
            lambda: self._client.asymmetric_sign(
                request=request, retry=self._retry, timeout=self._timeout_s))
        if not response.verified_digest_crc32c:
            raise DigestNotVerified(
                f"{self.key_version_name}: KMS did not verify the request's digest_crc32c")
        self._check_name(response.name)
        if response.signature_crc32c != crc32c(response.signature):
            raise SignatureChecksumMismatch(
                f"{self.key_version_name}: signature does not match its signature_crc32c")
        signature = self._raw_low_s(response.signature)
        if not verify_signature(public_key, digest, signature):
            raise KmsSignatureInvalid(
                f"{self.key_version_name}: signature does not verify against the public key")
        return signature

    # --- checks --------------------------------------------------------------------------------

    def _with_integrity_retries(self, call: Callable[[], _T]) -> _T:
        """Repeat ``call`` while it fails a retryable integrity check, a bounded number of
        times; then raise the last failure."""
        for attempt in range(1, self._attempts + 1):
            try:
                return call()
            except _RETRIED:
                if attempt == self._attempts:
                    raise
        raise AssertionError("unreachable: at least one attempt is made")

    def _call(self, method: str, call: Callable[[], _T]) -> _T:
        try:
            return call()
        except api_errors.GoogleAPIError as error:
            raise KmsCallFailed(
                f"{self.key_version_name}: {method} failed: {type(error).__name__}: {error}"
            ) from error

    def _check_name(self, name: str) -> None:
        if name != self.key_version_name:
            raise KeyVersionMismatch(
                f"KMS answered for {name!r}, not for {self.key_version_name!r}")

    def _check_key_kind(self, response: kms.PublicKey) -> None:
        if response.algorithm != ALGORITHM:
            algorithm = _enum_name(_Algorithm, response.algorithm)
            raise UnsupportedKeyAlgorithm(
                f"{self.key_version_name} is a {algorithm} key; authority signing needs "
                "EC_SIGN_P256_SHA256 (ECDSA P-256 over a SHA-256 digest)")
        if self._require_hsm and response.protection_level != kms.ProtectionLevel.HSM:
            level = _enum_name(kms.ProtectionLevel, response.protection_level)
            raise KeyNotInHsm(f"{self.key_version_name} has protection level {level}; "
                              "authority keys must be HSM-protected")

    def _raw_low_s(self, der: bytes) -> bytes:
        try:
            return normalize_low_s(*decode_dss_signature(der))
        except ValueError as error:
            raise KmsIntegrityError(
                f"{self.key_version_name}: KMS returned an unusable signature: {error}") from None


def open_kms_signer(key_version_name: str, endpoint: str | None = None) -> KmsSigner:
    """The node's signer for a gcp profile with ``[signer] backend = "kms"``: a ``KmsSigner``
    over Application Default Credentials, or a plaintext channel to ``endpoint`` (a local fake,
    ``$KMS_EMULATOR_HOST``). The public key is fetched and checked now, so a wrong key version
    (not found, not EC_SIGN_P256_SHA256, not HSM) or an unreachable KMS stops the node at start
    with the ``KmsError`` that says which — never at its first block."""
    channel = grpc.insecure_channel(endpoint) if endpoint else None
    signer = KmsSigner(key_version_name, kms_client(channel))
    try:
        signer.load_public_key()
    except KmsError as error:
        raise type(error)(f"Cloud KMS signer not opened (gcp profile [signer] "
                          f"kms_key_version): {error}") from error
    return signer


def _transient_retry(total_s: float) -> api_retry.Retry:
    """Retry UNAVAILABLE / DEADLINE_EXCEEDED quickly, for at most ``total_s`` in all: a signer
    that cannot reach KMS must fail within a consensus round, not after the client's default
    minute."""
    return api_retry.Retry(
        predicate=api_retry.if_exception_type(
            api_errors.ServiceUnavailable, api_errors.DeadlineExceeded),
        initial=0.1, maximum=1.0, multiplier=2.0, timeout=total_s)


def _enum_name(kind: type[enum.IntEnum], value: int) -> str:
    """The name of a proto enum value, or its number if this client does not know it."""
    try:
        return kind(value).name
    except ValueError:
        return str(value)
