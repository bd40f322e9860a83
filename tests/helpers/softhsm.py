"""A SoftHSM2 token for the whole pytest session, in a temporary directory.

SoftHSM2 reads ``SOFTHSM2_CONF`` and its token list once per process, when python-pkcs11 first
loads the module; so the session uses ONE configuration, set in ``os.environ`` before any test
touches the module, and creates its tokens up front. Tests that need more tokens in this
process give them distinct labels in ``SESSION_TOKEN_LABELS``; subprocesses (the CLI) load the
module afresh and see tokens created later with ``node_core.signers.softhsm.init_token``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from node_core.signers.softhsm import find_softhsm_module, init_token, write_softhsm_config

TOKEN_LABEL = "gtx-test"
SESSION_TOKEN_LABELS = (TOKEN_LABEL,)
SO_PIN = "gtx-so-pin-0000"
USER_PIN = "gtx-user-pin-1234"


@dataclass(frozen=True, slots=True)
class SoftHsmToken:
    """An initialised SoftHSM2 token and everything needed to log in to it."""

    module_path: str
    conf_path: Path
    token_label: str
    user_pin: str
    so_pin: str


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsmToken]:
    """The session's SoftHSM2 token ``gtx-test``; SOFTHSM2_CONF is set for the process."""
    module_path = find_softhsm_module()
    conf_path = write_softhsm_config(tmp_path_factory.mktemp("softhsm"))
    for label in SESSION_TOKEN_LABELS:
        init_token(conf_path, label, SO_PIN, USER_PIN)
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf_path)
    yield SoftHsmToken(module_path, conf_path, TOKEN_LABEL, USER_PIN, SO_PIN)
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="session", autouse=True)
def pkcs11_module_loaded(softhsm_token: SoftHsmToken) -> None:
    """Load the PKCS#11 module in the test process first, with the test token's config:
    SoftHSM2 reads its configuration once per process, so whichever test loaded it first
    would decide for all (the console's login then checks other tokens in a child process)."""
    from node_core.signers.pkcs11 import token_present

    assert token_present(softhsm_token.module_path, softhsm_token.token_label)
