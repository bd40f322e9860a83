"""``keys init`` and ``keys show``: create and inspect an authority's signing key.

Two backends:

* ``pkcs11`` (authorities): the key pair is generated on a PKCS#11 token and never leaves it.
  ``--module`` names the PKCS#11 library (default: ``$GRIDTOKENX_PKCS11_MODULE``, else an
  installed SoftHSM2); ``--softhsm-conf`` points SoftHSM2 at a devnet token directory.
* ``file`` (tests and development only, needs ``--allow-file-signer``): a passphrase-encrypted
  PKCS#8 key file.

The PIN (passphrase) is read from the environment variable named by ``--pin-env``
(``--passphrase-env``); when that is not given or not set, it is prompted for without echo.
It is never printed, logged or stored. Errors print ``error: ...`` and exit with status 2.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from node_core.ledger.exceptions import KeyNotFound, SignerError
from node_core.ledger.keys import (
    Signer,
)
from node_core.signers.file import FileSigner
from node_core.signers.pkcs11 import Pkcs11Signer
from node_core.signers.softhsm import activate_config, find_softhsm_module

EXIT_ERROR = 2
MODULE_ENVIRONMENT_VARIABLE = "GRIDTOKENX_PKCS11_MODULE"


@dataclass(frozen=True, slots=True)
class KeyIdentity:
    """What ``keys`` prints: an authority and its public identity."""

    authority: str
    address: str
    public_key: str
    """Uncompressed SEC1 point, lowercase hex (130 chars, starts with ``04``)."""


class UsageError(SignerError):
    """The options given do not select a key."""


# --- argument parsing -----------------------------------------------------------------------


def register(subparsers: Any) -> None:
    """Add ``keys init`` and ``keys show`` to the top-level sub-command parsers."""
    keys_parser = subparsers.add_parser("keys", help="create or show an authority signing key")
    actions = keys_parser.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    init_parser = actions.add_parser("init", help="generate the authority's key pair")
    _add_key_selectors(init_parser)
    init_parser.add_argument(
        "--replace",
        action="store_true",
        help="destroy an existing key with this label and generate a new one",
    )
    init_parser.set_defaults(handler=run_init)
    show_parser = actions.add_parser("show", help="print the authority's address and public key")
    _add_key_selectors(show_parser)
    show_parser.set_defaults(handler=run_show)


def _add_key_selectors(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--authority", required=True, help="authority name, e.g. EGAT")
    parser.add_argument("--backend", choices=("pkcs11", "file"), default="pkcs11")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    token = parser.add_argument_group("pkcs11 backend")
    token.add_argument(
        "--module", help=f"PKCS#11 library (default: ${MODULE_ENVIRONMENT_VARIABLE}, else SoftHSM2)"
    )
    token.add_argument("--softhsm-conf", help="SoftHSM2 config to use (sets SOFTHSM2_CONF)")
    token.add_argument("--token-label", help="label of the token holding the key")
    token.add_argument("--key-label", help="label of the key pair (default: the authority)")
    token.add_argument("--pin-env", metavar="VAR", help="environment variable holding the PIN")
    key_file = parser.add_argument_group("file backend (development only)")
    key_file.add_argument("--key-file", help="encrypted PKCS#8 PEM key file")
    key_file.add_argument("--allow-file-signer", action="store_true", help="allow a file key")
    key_file.add_argument("--passphrase-env", metavar="VAR", help="variable holding the passphrase")


# --- handlers -------------------------------------------------------------------------------


def run_init(args: argparse.Namespace) -> int:
    """``keys init``: generate the key, print its identity."""
    return _report_errors(lambda: _print_identity(args, _initialise(args)))


def run_show(args: argparse.Namespace) -> int:
    """``keys show``: print the identity of an existing key."""
    return _report_errors(lambda: _print_identity(args, _show(args)))


def _report_errors(action: Callable[[], None]) -> int:
    try:
        action()
    except SignerError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _initialise(args: argparse.Namespace) -> KeyIdentity:
    if args.backend == "file":
        secret = _secret(args.passphrase_env, "key file passphrase", confirm=True)
        signer: Signer = FileSigner.generate(
            _required(args.key_file, "--key-file"), secret,
            allow_file_signer=args.allow_file_signer,
        )
        return _identity(args.authority, signer)
    module, token_label, key_label = _token_selection(args)
    pin = _secret(args.pin_env, f"PIN for token '{token_label}'")
    if not args.replace:
        _refuse_existing_key(module, token_label, key_label, pin)
    with Pkcs11Signer.generate(module, token_label, key_label, pin) as token_signer:
        return _identity(args.authority, token_signer)


def _refuse_existing_key(module: str, token_label: str, key_label: str, pin: str) -> None:
    """Never destroy an authority key by accident: ``--replace`` must say so."""
    try:
        with Pkcs11Signer.open(module, token_label, key_label, pin) as existing:
            address = existing.address
    except KeyNotFound:
        return
    raise SignerError(
        f"token '{token_label}' already holds key '{key_label}' (address {address}); "
        "pass --replace to destroy it and generate a new one"
    )


def _show(args: argparse.Namespace) -> KeyIdentity:
    if args.backend == "file":
        secret = _secret(args.passphrase_env, "key file passphrase")
        signer: Signer = FileSigner.load(
            _required(args.key_file, "--key-file"), secret,
            allow_file_signer=args.allow_file_signer,
        )
        return _identity(args.authority, signer)
    module, token_label, key_label = _token_selection(args)
    pin = _secret(args.pin_env, f"PIN for token '{token_label}'")
    with Pkcs11Signer.open(module, token_label, key_label, pin) as token_signer:
        return _identity(args.authority, token_signer)


# --- options, secrets, output ---------------------------------------------------------------


def _token_selection(args: argparse.Namespace) -> tuple[str, str, str]:
    """(module path, token label, key label); activates ``--softhsm-conf`` if given."""
    if args.softhsm_conf:
        activate_config(args.softhsm_conf)
    module = args.module or os.environ.get(MODULE_ENVIRONMENT_VARIABLE) or find_softhsm_module()
    token_label = _required(args.token_label, "--token-label")
    return module, token_label, args.key_label or args.authority


def _required(value: str | None, option: str) -> str:
    if not value:
        raise UsageError(f"{option} is required with this --backend")
    return value


def _secret(variable: str | None, what: str, *, confirm: bool = False) -> str:
    """The secret from ``$variable``, else prompted for without echo."""
    if variable and os.environ.get(variable):
        return os.environ[variable]
    source = f"environment variable {variable} is not set" if variable else "no variable given"
    if not sys.stdin.isatty():
        raise SignerError(f"{what} needed: {source} and stdin is not a terminal to ask on")
    secret = _prompt(f"{what}: ")
    if confirm and _prompt(f"{what} (again): ") != secret:
        raise SignerError(f"the two {what} entries differ")
    return secret


def _prompt(prompt: str) -> str:
    try:
        secret = getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        raise SignerError("no secret entered") from None
    if not secret:
        raise SignerError("an empty secret was entered")
    return secret


def _identity(authority: str, signer: Signer) -> KeyIdentity:
    return KeyIdentity(authority, signer.address, bytes(signer.public_key).hex())


def _print_identity(args: argparse.Namespace, identity: KeyIdentity) -> None:
    if args.json:
        fields = {
            "authority": identity.authority,
            "address": identity.address,
            "public_key": identity.public_key,
        }
        print(json.dumps(fields))
        return
    print(f"authority: {identity.authority}")
    print(f"address: {identity.address}")
    print(f"public_key: {identity.public_key}")
