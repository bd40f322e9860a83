"""A SoftHSM2 token for the whole pytest session, in a temporary directory — only for the
tests that ask for it (``softhsm_token``, or a devnet: ``tests.helpers.devnet``), so that the
other tests run on a machine without SoftHSM2.

SoftHSM2 reads ``SOFTHSM2_CONF`` and its token list once per process, when python-pkcs11 first
loads the module; so the session uses ONE configuration, set in ``os.environ`` by
``softhsm_token`` before it loads the module, and creates its tokens up front. Tests that need
more tokens in this process give them distinct labels in ``SESSION_TOKEN_LABELS``;
subprocesses (the CLI, the nodes) load the module afresh and see tokens created later with
``node_core.signers.softhsm.init_token``. A test that loads the module in this process without
``softhsm_token`` would fix another configuration for the rest of the session: it fails
(``pkcs11_loaded_only_after_the_session_token``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from node_core.signers.pkcs11 import token_present
from node_core.signers.softhsm import find_softhsm_module, init_token, write_softhsm_config

TOKEN_LABEL = "gtx-test"
SESSION_TOKEN_LABELS = (TOKEN_LABEL,)
SO_PIN = "gtx-so-pin-0000"
USER_PIN = "gtx-user-pin-1234"
_SESSION_TOKEN_LOADED = pytest.StashKey[bool]()
"""Set once ``softhsm_token`` has loaded the PKCS#11 module in this process."""


@dataclass(frozen=True, slots=True)
class SoftHsmToken:
    """An initialised SoftHSM2 token and everything needed to log in to it."""

    module_path: str
    conf_path: Path
    token_label: str
    user_pin: str
    so_pin: str


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory,
                  request: pytest.FixtureRequest) -> Iterator[SoftHsmToken]:
    """The session's SoftHSM2 token ``gtx-test``; SOFTHSM2_CONF is set for the process and the
    PKCS#11 module is loaded with it (see the module docstring)."""
    module_path = find_softhsm_module()
    conf_path = write_softhsm_config(tmp_path_factory.mktemp("softhsm"))
    for label in SESSION_TOKEN_LABELS:
        init_token(conf_path, label, SO_PIN, USER_PIN)
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf_path)
    assert token_present(module_path, TOKEN_LABEL)
    request.session.stash[_SESSION_TOKEN_LOADED] = True
    yield SoftHsmToken(module_path, conf_path, TOKEN_LABEL, USER_PIN, SO_PIN)
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(autouse=True)
def pkcs11_loaded_only_after_the_session_token(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that loaded a PKCS#11 module in this process before ``softhsm_token`` did:
    it should request ``softhsm_token`` (or a devnet). Checks ``pkcs11._loaded`` without
    importing anything."""
    yield
    loaded = getattr(sys.modules.get("pkcs11"), "_loaded", {})
    if loaded and not request.session.stash.get(_SESSION_TOKEN_LOADED, False):
        pytest.fail(f"{request.node.nodeid} loaded {', '.join(sorted(loaded))} in the test "
                    "process without the session's SoftHSM2 configuration: request the "
                    "softhsm_token fixture (tests.helpers.softhsm)", pytrace=False)
