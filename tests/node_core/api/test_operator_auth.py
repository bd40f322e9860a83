"""The node's gate for signed requests: each rule refuses with its name, in the documented
order, and a refusal names a member only when their signature verified."""

from dataclasses import replace

import pytest

from node_core.api import methods as m
from node_core.api.operator_auth import (
    BadRequestSignature,
    ReplayedRequest,
    RequestGate,
    RequestRefused,
    RoleRefused,
    StaleRequest,
    UnknownOperatorKey,
    Unsigned,
)
from node_core.api.signed_requests import REQUEST_WINDOW_MS, RequestSigner
from node_core.ledger.roster import Role
from tests.helpers.chain import make_chain, signer_from_seed

NOW = 1_767_225_600_000
ACK = {"ids": ["frequency"]}


@pytest.fixture
def chain():
    return make_chain()


@pytest.fixture
def gate(chain) -> RequestGate:
    egat = chain.authorities[0].address
    return RequestGate(chain.genesis.chain_id, egat, lambda: chain.state.roster,
                       clock=lambda: NOW)


def signed(chain, name_or_signer, method=m.ALARMS_ACK, params=ACK, *, at=NOW, authority=0):
    key = (chain.people[name_or_signer] if isinstance(name_or_signer, str)
           else name_or_signer)
    signer = RequestSigner(key, chain.genesis.chain_id, chain.authorities[authority].address)
    return signer.auth(method.name, params, at).to_json()


def refused(gate, method, params, auth) -> RequestRefused:
    with pytest.raises(RequestRefused) as caught:
        gate.caller(method, params, auth)
    return caught.value


def test_a_member_with_the_role_is_the_caller_named_by_their_signature(chain, gate) -> None:
    caller = gate.caller(m.ALARMS_ACK, ACK, signed(chain, "operator1"))
    assert (caller.name, caller.role) == ("operator1", Role.OPERATOR)
    assert caller.public_key == chain.people["operator1"].public_key


@pytest.mark.parametrize(("auth", "rule"), [
    (None, Unsigned),
    ({"key": "00"}, Unsigned),
    ("not an object", Unsigned),
])
def test_a_request_without_a_well_formed_signature_is_unsigned(chain, gate, auth, rule):
    error = refused(gate, m.ALARMS_ACK, ACK, auth)
    assert type(error) is rule
    assert gate.refusal(auth, error).who == "unsigned"


def test_each_rule_refuses_with_its_name(chain, gate) -> None:
    window = REQUEST_WINDOW_MS
    mallory = signer_from_seed(99)
    cases = [
        (signed(chain, "operator1", at=NOW - window - 1), ACK, StaleRequest),
        (signed(chain, "operator1", at=NOW + window + 1), ACK, StaleRequest),
        (signed(chain, mallory), ACK, UnknownOperatorKey),
        (signed(chain, "operator1"), {"ids": ["voltage"]}, BadRequestSignature),
        (signed(chain, "operator1", authority=1), ACK, BadRequestSignature),
        (signed(chain, "operator1", m.ALARMS_SHELVE), ACK, BadRequestSignature),
        (signed(chain, "auditor1"), ACK, RoleRefused),
    ]
    for auth, params, rule in cases:
        assert type(refused(gate, m.ALARMS_ACK, params, auth)) is rule, (auth, rule)


def test_a_request_is_taken_once(chain, gate) -> None:
    auth = signed(chain, "operator1")
    gate.caller(m.ALARMS_ACK, ACK, auth)
    error = refused(gate, m.ALARMS_ACK, ACK, auth)
    assert type(error) is ReplayedRequest
    assert gate.refusal(auth, error).who == "operator1"


def test_a_claimed_key_with_a_bad_signature_is_not_audited_in_its_owners_name(chain, gate):
    """Anyone can copy auditor1's public key from the chain: without auditor1's signature the
    refusal is not attributed to auditor1, and the roles are not even looked at."""
    auth = signed(chain, "auditor1")
    forged = {**auth, "signature": signed(chain, "operator1")["signature"]}
    error = refused(gate, m.EMERGENCY_SELECT, {"kind": "trading_halt", "region": "ALL"},
                    forged)
    assert type(error) is BadRequestSignature
    refusal = gate.refusal(forged, error)
    assert refusal.who.startswith("unverified 0x") and refusal.role == "unknown"


def test_the_wrong_role_is_refused_only_after_the_signature_verified(chain, gate) -> None:
    auth = signed(chain, "auditor1", m.EMERGENCY_APPROVE, {"id": 1, "endorsement": ""})
    error = refused(gate, m.EMERGENCY_APPROVE, {"id": 1, "endorsement": ""}, auth)
    assert type(error) is RoleRefused
    assert gate.refusal(auth, error).who == "auditor1"


def test_a_member_of_another_authority_is_not_a_member_here(chain, gate) -> None:
    chain.state = replace(chain.state, roster=tuple(
        r for r in chain.state.roster
        if not (r.name == "operator2" and r.authority == chain.authorities[0].address)))
    error = refused(gate, m.ALARMS_ACK, ACK, signed(chain, "operator2"))
    assert type(error) is UnknownOperatorKey


def test_a_request_signed_before_the_node_started_is_stale(chain) -> None:
    """The nonces a node remembers are those of its current run: a request signed before it
    started could have been taken by the run before, so it is not taken now."""
    auth = signed(chain, "operator1", at=NOW - 1000)
    restarted = RequestGate(chain.genesis.chain_id, chain.authorities[0].address,
                            lambda: chain.state.roster, clock=lambda: NOW)
    error = refused(restarted, m.ALARMS_ACK, ACK, auth)
    assert type(error) is StaleRequest and "before this node started" in str(error)
