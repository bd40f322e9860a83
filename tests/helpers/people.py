"""The devnet's people signing in a test: each one's key on their own SoftHSM2 token, used by
a child process (SoftHSM2 reads its token directory once per process, and the test process may
already have loaded it for other tokens). ``person(layout, "operator1")`` is a real
``Signer`` — real token, real PIN, real signatures — for signed requests and endorsements;
``authority_key(layout, "EGAT")`` is an authority's key on the devnet's token, for blocks a
test forges as colluding authorities could."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager

from app.cli.node_access import bound_signer
from node_core.api import methods as m
from node_core.api.answers import SelectionView
from node_core.api.client import NodeClient
from node_core.api.endorsing import endorse_order
from node_core.api.requests import EndorsedSelectionRequest, SelectRequest
from node_core.api.signed_requests import RequestSigner
from node_core.devnet.layout import DEVNET_PIN, DEVNET_TOKEN, DevnetLayout, person_pin
from node_core.ledger.keys import Signer, public_key_address
from node_core.ledger.types import Address, PublicKey

_CHILD = """
import sys
from node_core.signers.pkcs11 import Pkcs11Signer
from node_core.signers.softhsm import find_softhsm_module
token, key = sys.argv[1:3]
pin = sys.stdin.readline().strip()
with Pkcs11Signer.open(find_softhsm_module(), token, key, pin) as signer:
    print(bytes(signer.public_key).hex(), flush=True)
    for line in sys.stdin:
        print(signer.sign(bytes.fromhex(line.strip())).hex(), flush=True)
"""


class TokenSigner:
    """A person's token, signing in a child process (see the module docstring)."""

    def __init__(self, child: subprocess.Popen[str]) -> None:
        self._child = child
        assert child.stdout is not None
        self._public_key = PublicKey(bytes.fromhex(child.stdout.readline().strip()))

    @property
    def public_key(self) -> PublicKey:
        return self._public_key

    @property
    def address(self) -> Address:
        return public_key_address(self._public_key)

    def sign(self, digest: bytes) -> bytes:
        assert self._child.stdin is not None and self._child.stdout is not None
        self._child.stdin.write(digest.hex() + "\n")
        self._child.stdin.flush()
        return bytes.fromhex(self._child.stdout.readline().strip())


def person(layout: DevnetLayout, name: str) -> AbstractContextManager[TokenSigner]:
    """``name``'s own token and key (both labelled with their name), with their PIN."""
    return token_key(layout, name, name, person_pin(name))


def authority_key(layout: DevnetLayout, authority: str) -> AbstractContextManager[TokenSigner]:
    """``authority``'s block-signing key on the devnet's authority token."""
    return token_key(layout, DEVNET_TOKEN, authority, DEVNET_PIN)


@contextmanager
def token_key(layout: DevnetLayout, token: str, label: str, pin: str) -> Iterator[TokenSigner]:
    """Key ``label`` on token ``token`` of the devnet's SoftHSM2, its PIN given on a pipe."""
    child = subprocess.Popen([sys.executable, "-c", _CHILD, token, label],
                             env=layout.environment(), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None
    child.stdin.write(pin + "\n")  # the PIN on a pipe, never in argv
    child.stdin.flush()
    try:
        yield TokenSigner(child)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)


@asynccontextmanager
async def signed_in(layout: DevnetLayout, client: NodeClient,
                    name: str) -> AsyncIterator[RequestSigner]:
    """``name``'s token open and bound to the node ``client`` talks to."""
    with person(layout, name) as key:
        yield await signer_for(client, key)


async def signer_for(client: NodeClient, key: Signer) -> RequestSigner:
    """``key`` bound to the node ``client`` talks to (its chain and authority)."""
    return await bound_signer(client, key)


async def two_person_order(layout: DevnetLayout, client: NodeClient, action: SelectRequest, *,
                           operator: str = "operator1",
                           supervisor: str = "supervisor1") -> SelectionView:
    """Select-before-operate on ``client``'s desk as the console does it: ``operator`` selects
    and operates (endorsing the order), ``supervisor`` approves with their own token. Returns
    the selection as the node answers the approval (a non-critical action needs none)."""
    with person(layout, operator) as operating, person(layout, supervisor) as approving:
        by_operator = await signer_for(client, operating)
        selected = await client.request(m.EMERGENCY_SELECT, action, signer=by_operator)
        operated = await client.request(m.EMERGENCY_OPERATE, EndorsedSelectionRequest(
            selected["id"], endorse_order(by_operator, selected)), signer=by_operator)
        if operated["step"] != "awaiting approval":
            return operated
        by_supervisor = await signer_for(client, approving)
        return await client.request(m.EMERGENCY_APPROVE, EndorsedSelectionRequest(
            selected["id"], endorse_order(by_supervisor, selected)), signer=by_supervisor)
