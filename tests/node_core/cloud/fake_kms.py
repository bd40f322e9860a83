"""A wire-level fake of Cloud KMS's ``google.cloud.kms.v1.KeyManagementService``.

Serves ``GetPublicKey`` and ``AsymmetricSign`` from a local gRPC server holding a real P-256
key (``cryptography``), with real CRC32C integrity fields, so the real
``KeyManagementServiceClient`` can be pointed at it over an insecure channel. Attributes
script faults: corrupted checksums, an unverified digest, a wrong name, another algorithm.
"""

from __future__ import annotations

from concurrent import futures
from typing import Any

import grpc
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)
from google.cloud import kms

from node_core.cloud.kms_signer import crc32c, kms_client
from node_core.ledger.keys import CURVE_ORDER, HALF_CURVE_ORDER

SERVICE = "google.cloud.kms.v1.KeyManagementService"
KEY_VERSION = ("projects/gtx-prod/locations/asia-southeast1/keyRings/gridtokenx-keys/"
               "cryptoKeys/validator-signing-key/cryptoKeyVersions/1")
_P256_SHA256 = kms.CryptoKeyVersion.CryptoKeyVersionAlgorithm.EC_SIGN_P256_SHA256


class FakeKms:
    """One EC_SIGN_P256_SHA256 HSM key version; records calls; fault switches below."""

    def __init__(self, key_version: str = KEY_VERSION) -> None:
        self.key_version = key_version
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.algorithm: Any = _P256_SHA256
        self.protection_level: Any = kms.ProtectionLevel.HSM
        self.corrupt_signature_crc = 0
        """Number of coming sign responses whose signature_crc32c is wrong (-1: all)."""
        self.corrupt_pem_crc = 0
        """Number of coming public key responses whose pem_crc32c is wrong (-1: all)."""
        self.unverified_digest = False
        self.answer_name: str | None = None
        """If set, responses name this key version instead of the one asked for."""
        self.high_s = False
        """Return the high-S form of each signature (valid ECDSA, not the chain's encoding)."""
        self.sign_requests: list[kms.AsymmetricSignRequest] = []
        self.public_key_requests = 0
        self._server: grpc.Server | None = None
        self.address = ""

    def start(self) -> str:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        handlers = {
            "GetPublicKey": grpc.unary_unary_rpc_method_handler(
                self._get_public_key,
                request_deserializer=kms.GetPublicKeyRequest.deserialize,
                response_serializer=kms.PublicKey.serialize),
            "AsymmetricSign": grpc.unary_unary_rpc_method_handler(
                self._asymmetric_sign,
                request_deserializer=kms.AsymmetricSignRequest.deserialize,
                response_serializer=kms.AsymmetricSignResponse.serialize),
        }
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self._server = server
        self.address = f"127.0.0.1:{port}"
        return self.address

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=None).wait()
            self._server = None

    def client(self) -> tuple[kms.KeyManagementServiceClient, grpc.Channel]:
        channel = grpc.insecure_channel(self.address)
        return kms_client(channel), channel

    @property
    def public_pem(self) -> str:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    # --- RPCs ------------------------------------------------------------------------------------

    def _get_public_key(self, request: kms.GetPublicKeyRequest, context: Any) -> kms.PublicKey:
        self.public_key_requests += 1
        self._require_known(request.name, context)
        pem = self.public_pem
        return kms.PublicKey(
            pem=pem, pem_crc32c=self._maybe_corrupt(crc32c(pem.encode()), "corrupt_pem_crc"),
            algorithm=self.algorithm, name=self.answer_name or request.name,
            protection_level=self.protection_level)

    def _asymmetric_sign(
        self, request: kms.AsymmetricSignRequest, context: Any
    ) -> kms.AsymmetricSignResponse:
        self.sign_requests.append(request)
        self._require_known(request.name, context)
        digest = request.digest.sha256
        if request.digest_crc32c is not None and request.digest_crc32c != crc32c(digest):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "digest_crc32c mismatch")
        signature = self._der_signature(digest)
        return kms.AsymmetricSignResponse(
            signature=signature,
            signature_crc32c=self._maybe_corrupt(crc32c(signature), "corrupt_signature_crc"),
            verified_digest_crc32c=request.digest_crc32c is not None and not self.unverified_digest,
            name=self.answer_name or request.name, protection_level=self.protection_level)

    def _der_signature(self, digest: bytes) -> bytes:
        der = self.private_key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        r, s = decode_dss_signature(der)
        if self.high_s and s <= HALF_CURVE_ORDER:
            s = CURVE_ORDER - s
        return encode_dss_signature(r, s)

    def _require_known(self, name: str, context: Any) -> None:
        if name != self.key_version:
            context.abort(grpc.StatusCode.NOT_FOUND, f"{name} not found")

    def _maybe_corrupt(self, checksum: int, switch: str) -> int:
        remaining = getattr(self, switch)
        if remaining == 0:
            return checksum
        if remaining > 0:
            setattr(self, switch, remaining - 1)
        return (checksum + 1) % 2**32
