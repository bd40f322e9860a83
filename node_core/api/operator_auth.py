"""Who is asking: the node's check of every signed request before any handler runs.

For a method with ``roles`` (:mod:`node_core.api.methods`) the endpoint hands the request's
``auth`` (:mod:`node_core.api.signed_requests`) to :class:`RequestGate`, which, in this
order, refuses with one named error:

1. ``Unsigned`` — no ``auth`` (or one that is not its shape);
2. ``StaleRequest`` — ``issued_ms`` more than the window away from the node's clock, or
   before the node started (the nonces it remembers are those of this run);
3. ``UnknownOperatorKey`` — the key is not on this authority's roster at the node's tip;
4. ``BadRequestSignature`` — the signature does not verify over the request digest;
5. ``ReplayedRequest`` — the nonce was seen within the window (a request is taken once);
6. ``RoleRefused`` — its member's role is not one the method allows.

The signature is checked before anything is said about the member, so a request that only
*claims* a member's key is refused as ``BadRequestSignature`` and audited as an unverified
key, never in the member's name.

A request that passes becomes a :class:`Caller`: the member's roster name, role and key and
the signed request itself, which the handler acts for and the audit trail keeps. The client
never names the operator; the signature does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from node_core.api.methods import Method
from node_core.api.signed_requests import (
    REQUEST_WINDOW_MS,
    MalformedAuth,
    RequestAuth,
    request_digest,
)
from node_core.clock import now_ms
from node_core.ledger.exceptions import GridTokenXError
from node_core.ledger.keys import public_key_address, verify_signature
from node_core.ledger.roster import Role, Roster, member_with_key
from node_core.ledger.types import Address, PublicKey

MAX_REMEMBERED_NONCES: Final = 200_000
"""Nonces kept for the replay check (at most the window's worth of requests)."""


class RequestRefused(GridTokenXError):
    """A request was refused before it reached its handler; the subclass names the rule."""


class Unsigned(RequestRefused):
    """The method needs an operator's signature and the request has none."""


class StaleRequest(RequestRefused):
    """The request's time is too far from the node's clock."""


class UnknownOperatorKey(RequestRefused):
    """The signing key is not on this authority's roster."""


class RoleRefused(RequestRefused):
    """The signer's role may not call this method."""


class BadRequestSignature(RequestRefused):
    """The signature does not verify over the request."""


class ReplayedRequest(RequestRefused):
    """The request (its nonce) was already taken."""


@dataclass(frozen=True, slots=True)
class Caller:
    """The roster member a signed request comes from, and the request as signed."""

    name: str
    role: Role
    public_key: PublicKey
    method: str
    params: Any
    """The request's parameters as received (what was signed)."""
    auth: RequestAuth
    chain_id: str
    authority: Address
    """The authority whose node took the request (part of what was signed)."""

    def signed_request(self) -> dict[str, Any]:
        """The request as the audit trail keeps it: enough to verify the signature again."""
        return {"chain_id": self.chain_id, "authority": self.authority, "method": self.method,
                "params": self.params, **self.auth.to_json()}


@dataclass(frozen=True, slots=True)
class Refusal:
    """Who was refused, as far as the node can tell, and why (for the audit trail)."""

    who: str
    """The member's roster name, the key's address, or ``unsigned``."""
    role: str
    error: RequestRefused


class RequestGate:
    """The checks above for one authority's node (see the module docstring)."""

    def __init__(self, chain_id: str, authority: Address, roster: Callable[[], Roster], *,
                 clock: Callable[[], int] = now_ms, window_ms: int = REQUEST_WINDOW_MS) -> None:
        self._chain_id, self._authority, self._roster = chain_id, authority, roster
        self._clock, self._window_ms = clock, window_ms
        self._nonces: dict[bytes, int] = {}
        """nonce -> when it may be forgotten."""
        self._started_ms = clock()

    def caller(self, method: Method[Any, Any], params: Any, auth_json: object) -> Caller:
        """The caller of a signed request, or the RequestRefused rule it breaks."""
        try:
            auth = RequestAuth.from_json(auth_json)
        except MalformedAuth as error:
            raise Unsigned(f"{method.name} needs an operator's signature ({error})") from None
        now = self._clock()
        if abs(now - auth.issued_ms) > self._window_ms:
            raise StaleRequest(f"{method.name}: signed {now - auth.issued_ms} ms ago; a request "
                               f"is taken within ±{self._window_ms} ms of the node's clock")
        if auth.issued_ms < self._started_ms:
            raise StaleRequest(f"{method.name}: signed before this node started; sign it again")
        member = member_with_key(self._roster(), self._authority, auth.public_key)
        if member is None:
            raise UnknownOperatorKey(f"{method.name}: key {public_key_address(auth.public_key)} "
                                     "is not on this authority's roster")
        digest = request_digest(self._chain_id, self._authority, method.name, params,
                                auth.issued_ms, auth.nonce)
        if not verify_signature(auth.public_key, digest, auth.signature):
            raise BadRequestSignature(f"{method.name}: the signature does not verify over "
                                      "this request with the key it names")
        self._remember(auth.nonce, now, method.name)
        if member.role not in method.roles:
            allowed = " or ".join(sorted(r.text for r in method.roles))
            raise RoleRefused(f"{member.name} ({member.role.text}) may not {method.name}; "
                              f"{allowed} may")
        return Caller(member.name, member.role, auth.public_key, method.name, params, auth,
                      self._chain_id, self._authority)

    def refusal(self, auth_json: object, error: RequestRefused) -> Refusal:
        """Who a refused request comes from, for the audit trail: a member's name only when
        their signature verified (``RoleRefused``, ``ReplayedRequest``); else the key it
        claims, as unverified."""
        try:
            auth = RequestAuth.from_json(auth_json)
        except MalformedAuth:
            return Refusal("unsigned", "unknown", error)
        member = member_with_key(self._roster(), self._authority, auth.public_key)
        if member is None or not isinstance(error, RoleRefused | ReplayedRequest):
            return Refusal(f"unverified {public_key_address(auth.public_key)}", "unknown",
                           error)
        return Refusal(member.name, member.role.text, error)

    def _remember(self, nonce: bytes, now: int, method: str) -> None:
        if len(self._nonces) >= MAX_REMEMBERED_NONCES:
            self._nonces = {n: t for n, t in self._nonces.items() if t > now}
        if self._nonces.get(nonce, 0) > now:
            raise ReplayedRequest(f"{method}: this request was already taken (nonce "
                                  f"{nonce.hex()})")
        self._nonces[nonce] = now + 2 * self._window_ms

