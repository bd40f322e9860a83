"""Authority signing on a PKCS#11 token (a hardware HSM, or SoftHSM2 on devnets and in tests).

The private key is generated on the token and never leaves it (``SENSITIVE``, not
``EXTRACTABLE``). A ``Pkcs11Signer`` opens one session, logs in as the user, and keeps the
session for its life; ``close()`` logs out. The PIN is passed to ``C_Login`` once and never
stored or logged.

Signing: the caller hashes (SHA-256) and the token signs the 32-byte digest with
``CKM_ECDSA`` — tokens such as SoftHSM 2.6 have no ``CKM_ECDSA_SHA256`` — returning raw
``r || s``; the signer then applies the low-S rule of ``node_core.ledger.keys``.

PKCS#11 facts that shape this module:

* a module is loaded once per process (``pkcs11.lib`` caches it); SoftHSM2 reads
  ``SOFTHSM2_CONF`` and its token list at that moment (see ``node_core.signers.softhsm``);
* the login state belongs to the token and the whole process: while one signer is logged in
  to a token, a second login to it fails (``CKR_USER_ALREADY_LOGGED_IN``), and closing either
  logs both out. Keep one signer per token per process.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from types import TracebackType
from typing import Any, Final

import pkcs11
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass, TokenFlag
from pkcs11 import exceptions as pkcs11_errors
from pkcs11.types import Session, SignMixin, Token
from pkcs11.util.ec import encode_named_curve_parameters

from node_core.ledger.exceptions import KeyNotFound, SignerError, TokenNotFound, WrongPin
from node_core.ledger.keys import (
    normalize_low_s,
    parse_public_key,
    public_key_address,
    sha256,
    verify_signature,
)
from node_core.ledger.types import Address, PublicKey

_TOKEN_READ_ATTEMPTS: Final = 6


class TokenBusy(SignerError):
    """The token reads as not initialised, or fails its login with CKR_GENERAL_ERROR: with
    SoftHSM2 both happen for a moment while another process rewrites the same token directory,
    so opening retries it briefly."""
P256_PARAMS: Final = encode_named_curve_parameters("secp256r1")
"""DER ``EC_PARAMS`` of the named curve P-256 (secp256r1)."""

_SELF_TEST_DIGEST: Final = sha256(b"GTX/pkcs11-signer-self-test")
_KEY_ID_SIZE: Final = 16


class Pkcs11Signer:
    """Signs digests with an EC P-256 private key held on a PKCS#11 token.

    Create with ``open`` (existing key) or ``generate`` (new key); use as a context manager or
    call ``close``. ``sign`` is thread-safe.
    """

    def __init__(
        self,
        session: Session,
        private_key: SignMixin,
        public_key: PublicKey,
        *,
        token_label: str,
        key_label: str,
    ) -> None:
        self._session: Session | None = session
        self._private_key = private_key
        self._public_key = public_key
        self._address = public_key_address(public_key)
        self._lock = threading.Lock()
        self.token_label: Final = token_label
        self.key_label: Final = key_label

    @classmethod
    def open(cls, module_path: str, token_label: str, key_label: str, pin: str) -> Pkcs11Signer:
        """Log in to token ``token_label`` and use its key pair labelled ``key_label``."""
        for attempt in range(_TOKEN_READ_ATTEMPTS):
            token = _find_token(module_path, token_label)
            try:
                session = _log_in(token, pin, rw=False)
                break
            except TokenBusy:
                if attempt == _TOKEN_READ_ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
        return cls._from_session(session, token_label, key_label)

    @classmethod
    def generate(
        cls, module_path: str, token_label: str, key_label: str, pin: str
    ) -> Pkcs11Signer:
        """Generate a new P-256 key pair on the token, replacing any objects labelled
        ``key_label``, and return a signer for it."""
        token = _find_token(module_path, token_label)
        session = _log_in(token, pin, rw=True)
        try:
            _destroy_labelled(session, key_label)
            _generate_key_pair(session, key_label)
        except pkcs11_errors.PKCS11Error as error:
            _close_quietly(session)
            raise SignerError(
                f"token '{token_label}' could not generate key '{key_label}': {_describe(error)}"
            ) from None
        return cls._from_session(session, token_label, key_label)

    @classmethod
    def _from_session(cls, session: Session, token_label: str, key_label: str) -> Pkcs11Signer:
        """Find the key pair in a logged-in session and check that its halves match."""
        try:
            private_key, public_key = _find_key_pair(session, token_label, key_label)
            signer = cls(
                session, private_key, public_key, token_label=token_label, key_label=key_label
            )
            signer._self_test()
        except BaseException:
            _close_quietly(session)
            raise
        return signer

    @property
    def public_key(self) -> PublicKey:
        """The 65-byte uncompressed public key."""
        return self._public_key

    @property
    def address(self) -> Address:
        """The address of ``public_key``."""
        return self._address

    def sign(self, digest: bytes) -> bytes:
        """Sign a 32-byte SHA-256 digest on the token; return 64 bytes ``r || s``, low S."""
        if len(digest) != 32:
            raise ValueError(f"digest must be 32 bytes (SHA-256), got {len(digest)}")
        with self._lock:
            if self._session is None:
                raise SignerError(f"signer for key '{self.key_label}' is closed")
            try:
                raw = self._private_key.sign(bytes(digest), mechanism=Mechanism.ECDSA)
            except pkcs11_errors.PKCS11Error as error:
                raise SignerError(
                    f"token '{self.token_label}' failed to sign with key '{self.key_label}': "
                    f"{_describe(error)}"
                ) from None
        return _low_s_signature(raw, self.token_label)

    def close(self) -> None:
        """Log out and close the session; further ``sign`` calls raise SignerError."""
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            _close_quietly(session)

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"Pkcs11Signer(token={self.token_label!r}, key={self.key_label!r}, "
            f"address={self._address})"
        )

    def _self_test(self) -> None:
        """Sign once and verify: catches a public key that is not the private key's."""
        if not verify_signature(self._public_key, _SELF_TEST_DIGEST, self.sign(_SELF_TEST_DIGEST)):
            raise SignerError(
                f"token '{self.token_label}': the public key labelled '{self.key_label}' does "
                "not match the private key (regenerate the key pair)"
            )


# --- reading the environment ----------------------------------------------------------------


def pin_from_environment(variable_name: str) -> str:
    """The PIN held in environment variable ``variable_name``; SignerError if unset or empty."""
    pin = os.environ.get(variable_name)
    if not pin:
        raise SignerError(
            f"environment variable {variable_name} is not set; it must hold the token user PIN"
        )
    return pin


def module_token_labels(module_path: str) -> list[str]:
    """Labels of the initialised tokens the module shows (loads the module in this process).

    Raises SignerError if the module cannot be loaded or keeps failing to list its tokens.
    """
    try:
        return _token_labels(_load_module(module_path))
    except pkcs11_errors.PKCS11Error as error:
        raise SignerError(f"PKCS#11 module {module_path} cannot list its tokens: "
                          f"{_describe(error)}") from None


def token_present(module_path: str, token_label: str) -> bool:
    """True if the module shows an initialised token labelled ``token_label``.

    Raises SignerError if the module itself cannot be loaded.
    """
    try:
        return token_label in _token_labels(_load_module(module_path))
    except pkcs11_errors.PKCS11Error:
        return False


# --- tokens and sessions --------------------------------------------------------------------


def _load_module(module_path: str) -> Any:
    """The loaded PKCS#11 module (loaded once per process, then cached by python-pkcs11)."""
    try:
        return pkcs11.lib(module_path)
    except pkcs11_errors.PKCS11Error as error:
        raise SignerError(f"cannot load PKCS#11 module {module_path}: {error}") from None


def reload_module(module_path: str) -> None:
    """Finalise and initialise the module again. SoftHSM2 can go on showing no token, or a
    token without a user PIN, in a process that read its token directory while another process
    was rewriting it, until the module is initialised again. Only for a process with no open
    session on the module (a node before it opens its signer): finalising closes every
    session."""
    _load_module(module_path).reinitialize()


def _token_labels(module: Any) -> list[str]:
    """Labels of the initialised tokens the module shows (uninitialised slots skipped)."""
    return [token.label for token in module.get_tokens() if token.label]


def _tokens_labelled(module: Any, token_label: str) -> list[Token]:
    """SoftHSM2 answers CKR_GENERAL_ERROR now and then while another process updates the
    same token directory (seen when a node restarts beside its peers): retry briefly. (When it
    shows no token at all, only initialising the module again helps: see reload_module.)"""
    for attempt in range(_TOKEN_READ_ATTEMPTS):
        try:
            return list(module.get_tokens(token_label=token_label))
        except pkcs11_errors.GeneralError:
            if attempt == _TOKEN_READ_ATTEMPTS - 1:
                raise SignerError(f"the PKCS#11 module keeps failing to read token "
                                  f"'{token_label}' (CKR_GENERAL_ERROR)") from None
            time.sleep(0.1 * (attempt + 1))
    return []


def _find_token(module_path: str, token_label: str) -> Token:
    """The token labelled ``token_label``; TokenNotFound listing the labels present."""
    module = _load_module(module_path)
    matching = _tokens_labelled(module, token_label)
    if len(matching) > 1:
        raise SignerError(
            f"{len(matching)} tokens are labelled '{token_label}' in PKCS#11 module "
            f"{module_path}; relabel or remove the duplicates so the key is unambiguous"
        )
    if matching:
        return matching[0]
    present = ", ".join(repr(label) for label in _token_labels(module)) or "none"
    raise TokenNotFound(
        f"no token labelled '{token_label}' in PKCS#11 module {module_path}; "
        f"tokens present: {present}{_softhsm_hint(module_path)}; check that the HSM is "
        "connected and that [signer] token_label and module name it"
    )


def _softhsm_hint(module_path: str) -> str:
    if "softhsm" not in module_path.lower():
        return ""
    conf = os.environ.get("SOFTHSM2_CONF", "the system default")
    return f" (SoftHSM2 reads its tokens from SOFTHSM2_CONF={conf} when the module loads)"


def _log_in(token: Token, pin: str, *, rw: bool) -> Session:
    """Open a session and log in as the user, mapping PIN failures to WrongPin."""
    label = token.label
    if token.flags & TokenFlag.USER_PIN_LOCKED:
        raise WrongPin(_locked_message(label))
    try:
        return token.open(rw=rw, user_pin=pin)
    except pkcs11_errors.PinIncorrect:
        raise WrongPin(
            f"token '{label}' refused the PIN (CKR_PIN_INCORRECT); check the PIN — repeated "
            "failures may lock the token"
        ) from None
    except pkcs11_errors.PinLocked:
        raise WrongPin(_locked_message(label)) from None
    except (pkcs11_errors.PinLenRange, pkcs11_errors.PinInvalid):
        raise WrongPin(f"token '{label}' refused the PIN: wrong length or characters") from None
    except pkcs11_errors.UserPinNotInitialized:
        raise TokenBusy(f"token '{label}' reports no user PIN set; initialise it first (or "
                        "another process was rewriting the token)") from None
    except pkcs11_errors.GeneralError:
        raise TokenBusy(f"token '{label}' answered CKR_GENERAL_ERROR at login (SoftHSM2 does "
                        "while another process rewrites its token directory)") from None
    except pkcs11_errors.UserAlreadyLoggedIn:
        raise SignerError(
            f"token '{label}' is already logged in by another signer in this process; "
            "PKCS#11 allows one login per token per process — close the other signer first"
        ) from None
    except pkcs11_errors.PKCS11Error as error:
        raise SignerError(f"cannot log in to token '{label}': {_describe(error)}") from None


def _locked_message(label: str) -> str:
    return (
        f"token '{label}' has locked its user PIN after too many wrong attempts; the token's "
        "security officer must unlock it (reset the user PIN) before it can sign"
    )


def _close_quietly(session: Session) -> None:
    """Log out and close; a session the token already dropped is not an error here."""
    with contextlib.suppress(pkcs11_errors.PKCS11Error):
        session.close()


def _describe(error: pkcs11_errors.PKCS11Error) -> str:
    detail = str(error)
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


# --- keys -----------------------------------------------------------------------------------


def _destroy_labelled(session: Session, key_label: str) -> None:
    """Destroy every object labelled ``key_label`` (so a new pair does not duplicate it)."""
    for obj in list(session.get_objects({Attribute.LABEL: key_label})):
        obj.destroy()


def _generate_key_pair(session: Session, key_label: str) -> None:
    """Generate a P-256 pair on the token: private sensitive, non-extractable, sign only."""
    session.generate_keypair(
        KeyType.EC,
        id=os.urandom(_KEY_ID_SIZE),
        label=key_label,
        store=True,
        capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
        public_template={Attribute.EC_PARAMS: P256_PARAMS, Attribute.VERIFY: True},
        private_template={
            Attribute.SENSITIVE: True,
            Attribute.EXTRACTABLE: False,
            Attribute.SIGN: True,
            Attribute.DERIVE: False,
            Attribute.PRIVATE: True,
        },
    )


def _find_key_pair(
    session: Session, token_label: str, key_label: str
) -> tuple[SignMixin, PublicKey]:
    """The private key labelled ``key_label`` and its public key (same ID, else same label)."""
    private_key = _single_object(session, ObjectClass.PRIVATE_KEY, token_label, key_label)
    if not isinstance(private_key, SignMixin):
        raise SignerError(f"token '{token_label}': key '{key_label}' is not allowed to sign")
    if private_key[Attribute.KEY_TYPE] != KeyType.EC:
        raise SignerError(f"token '{token_label}': key '{key_label}' is not an EC key")
    public_object = _single_object(session, ObjectClass.PUBLIC_KEY, token_label, key_label)
    return private_key, _public_key_of(public_object, token_label, key_label)


def _single_object(session: Session, object_class: ObjectClass, token: str, key: str) -> Any:
    """The one object of ``object_class`` labelled ``key``; KeyNotFound / SignerError."""
    found = list(session.get_objects({Attribute.CLASS: object_class, Attribute.LABEL: key}))
    kind = "private" if object_class == ObjectClass.PRIVATE_KEY else "public"
    if not found:
        raise KeyNotFound(f"token '{token}' holds no {kind} key labelled '{key}': create the "
                          "key pair (`main.py keys init`) or fix [signer] key_label")
    if len(found) > 1:
        raise SignerError(
            f"token '{token}' holds {len(found)} {kind} keys labelled '{key}'; "
            "regenerate the key (which removes the old objects) or delete the duplicates"
        )
    return found[0]


def _public_key_of(public_object: Any, token: str, key: str) -> PublicKey:
    """The 65-byte point of a P-256 public key object (``EC_POINT`` unwrapped from DER)."""
    if public_object[Attribute.EC_PARAMS] != P256_PARAMS:
        raise SignerError(f"token '{token}': key '{key}' is not on curve P-256")
    point = _unwrap_ec_point(bytes(public_object[Attribute.EC_POINT]))
    try:
        return parse_public_key(point)
    except ValueError as error:
        raise SignerError(f"token '{token}': public key '{key}' is unusable: {error}") from None


def _unwrap_ec_point(ec_point: bytes) -> bytes:
    """``EC_POINT`` is a DER OCTET STRING holding the point (some tokens give it bare)."""
    if len(ec_point) == 67 and ec_point[:2] == b"\x04\x41":
        return ec_point[2:]
    return ec_point


def _low_s_signature(raw: bytes, token_label: str) -> bytes:
    """Token output ``r || s`` (64 bytes) → low-S ``r || s``."""
    if len(raw) != 64:
        raise SignerError(
            f"token '{token_label}' returned a {len(raw)}-byte ECDSA signature, expected 64"
        )
    try:
        return normalize_low_s(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    except ValueError as error:
        raise SignerError(f"token '{token_label}' returned a bad signature: {error}") from None
