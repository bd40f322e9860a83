"""Errors raised by ``node_core.cloud``, each under the node's single root ``GridTokenXError``.

Signing errors derive from ``SignerError`` so code that handles a failing hardware token
handles a failing Cloud KMS key the same way.
"""

from __future__ import annotations

from node_core.ledger.exceptions import GridTokenXError, SignerError

# --- Cloud KMS ------------------------------------------------------------------------------


class KmsError(SignerError):
    """Cloud KMS could not produce a usable signature or public key."""


class KmsCallFailed(KmsError):
    """The KMS call itself failed (unreachable, permission, quota, key disabled...)."""


class UnsupportedKeyAlgorithm(KmsError):
    """The key version is not an ``EC_SIGN_P256_SHA256`` key."""


class KeyNotInHsm(KmsError):
    """The key version is not protected by an HSM, and the signer requires one."""


class KmsIntegrityError(KmsError):
    """A KMS response failed an integrity check (CRC32C, resource name, signature)."""


class DigestNotVerified(KmsIntegrityError):
    """KMS did not confirm it checked the request's ``digest_crc32c``."""


class SignatureChecksumMismatch(KmsIntegrityError):
    """The signature's CRC32C is not the ``signature_crc32c`` KMS returned."""


class PublicKeyChecksumMismatch(KmsIntegrityError):
    """The public key PEM's CRC32C is not the ``pem_crc32c`` KMS returned."""


class KeyVersionMismatch(KmsIntegrityError):
    """KMS answered for another key version than the one asked for."""


class KmsSignatureInvalid(KmsIntegrityError):
    """The returned signature does not verify against the key version's public key."""


# --- backend REST API -----------------------------------------------------------------------


class BackendError(GridTokenXError):
    """A backend REST call failed; the subclass says how."""


class BackendUnavailable(BackendError):
    """The backend did not answer usefully after the allowed retries (5xx, timeouts, drops)."""


class CircuitOpen(BackendUnavailable):
    """The circuit breaker is open: the call failed fast without touching the network."""


class BackendRateLimited(BackendUnavailable):
    """The backend kept answering 429 Too Many Requests, or asked to wait too long."""


class BackendRejected(BackendError):
    """The backend refused the request (4xx other than 429): retrying will not help."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class BackendResponseInvalid(BackendError):
    """The backend answered 2xx with a body that is not the documented shape."""
