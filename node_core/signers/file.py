"""A P-256 key in a passphrase-encrypted PKCS#8 file: for tests and development only.

Authority nodes and operators sign with a hardware token (:mod:`node_core.signers.pkcs11`);
a key file must be allowed explicitly (``allow_file_signer``).
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from node_core.ledger.exceptions import KeyNotFound, SignerError, SignerNotAllowed, WrongPin
from node_core.ledger.keys import (
    CURVE,
    ECDSA_PREHASHED,
    normalize_low_s,
    public_key_address,
    require_digest,
    uncompressed_public_key,
)
from node_core.ledger.types import Address, PublicKey


def _require_file_signer_allowed(allow_file_signer: bool) -> None:
    if allow_file_signer is not True:
        raise SignerNotAllowed(
            "file keys are for tests and development only; authority nodes sign with a "
            "PKCS#11 token. To use a key file anyway, enable it explicitly "
            "(allow_file_signer=True, or --allow-file-signer on the command line)"
        )


class FileSigner:
    """A P-256 key kept in a passphrase-encrypted PKCS#8 PEM file (development only).

    The decrypted key lives in this process's memory for the signer's life; the passphrase is
    used once to decrypt and not kept.
    """

    def __init__(
        self, private_key: ec.EllipticCurvePrivateKey, *, allow_file_signer: bool = False
    ) -> None:
        _require_file_signer_allowed(allow_file_signer)
        if private_key.curve.name != CURVE.name:
            raise SignerError(f"file key is on curve {private_key.curve.name}, not P-256")
        self._private_key = private_key
        self._public_key = uncompressed_public_key(private_key.public_key())
        self._address = public_key_address(self._public_key)

    @property
    def public_key(self) -> PublicKey:
        """The 65-byte uncompressed public key."""
        return self._public_key

    @property
    def address(self) -> Address:
        """The address of ``public_key``."""
        return self._address

    def sign(self, digest: bytes) -> bytes:
        """Sign a 32-byte SHA-256 digest; return 64 bytes ``r || s`` with low S."""
        require_digest(digest)
        der = self._private_key.sign(bytes(digest), ECDSA_PREHASHED)
        return normalize_low_s(*decode_dss_signature(der))

    @classmethod
    def generate(
        cls, path: str | os.PathLike[str], passphrase: str, *, allow_file_signer: bool
    ) -> FileSigner:
        """Create a new key and write it to ``path`` (mode 0600); never overwrites a file."""
        _require_file_signer_allowed(allow_file_signer)
        private_key = ec.generate_private_key(CURVE)
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(_passphrase_bytes(passphrase)),
        )
        _write_new_private_file(Path(path), pem)
        return cls(private_key, allow_file_signer=allow_file_signer)

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], passphrase: str, *, allow_file_signer: bool
    ) -> FileSigner:
        """Decrypt the key file at ``path``."""
        _require_file_signer_allowed(allow_file_signer)
        file_path = Path(path)
        try:
            pem = file_path.read_bytes()
        except FileNotFoundError:
            raise KeyNotFound(f"key file {file_path} does not exist") from None
        except OSError as error:
            raise SignerError(f"cannot read key file {file_path}: {error.strerror}") from None
        private_key = _decrypt_private_key(file_path, pem, passphrase)
        return cls(private_key, allow_file_signer=allow_file_signer)


def _passphrase_bytes(passphrase: str) -> bytes:
    if not passphrase:
        raise SignerError("the key file passphrase must not be empty")
    return passphrase.encode("utf-8")


def _write_new_private_file(path: Path, content: bytes) -> None:
    """Write ``content`` to a file that must not exist yet, readable by its owner only."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SignerError(f"key file {path} already exists; refusing to overwrite it") from None
    except OSError as error:
        raise SignerError(f"cannot create key file {path}: {error.strerror}") from None
    with os.fdopen(fd, "wb") as file:
        file.write(content)


def _decrypt_private_key(path: Path, pem: bytes, passphrase: str) -> ec.EllipticCurvePrivateKey:
    """Decrypt PKCS#8 PEM; map cryptography's errors to signer errors."""
    if b"ENCRYPTED PRIVATE KEY" not in pem:
        raise SignerError(f"key file {path} is not an encrypted PKCS#8 PEM private key")
    try:
        key = serialization.load_pem_private_key(pem, _passphrase_bytes(passphrase))
    except ValueError:
        raise WrongPin(
            f"key file {path} could not be decrypted with the given passphrase "
            "(wrong passphrase, or the file is damaged)"
        ) from None
    except (TypeError, UnsupportedAlgorithm) as error:
        raise SignerError(f"key file {path} is not usable: {error}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SignerError(f"key file {path} holds a {type(key).__name__}, not an EC P-256 key")
    return key
