"""The operator roster on the chain: changed only by an authority's transaction its security
administrator endorsed, checked by every authority, part of the state root, in the genesis."""

from __future__ import annotations

from dataclasses import replace

import pytest

from node_core.ledger.endorsements import BadEndorsement
from node_core.ledger.genesis import genesis_from_json, genesis_to_json
from node_core.ledger.roster import (
    LastSecurityAdmin,
    NotOnRoster,
    Role,
    RosterAction,
    RosterNameTaken,
    UnknownRosterMember,
    decode_roster,
    encode_roster,
    members_of,
)
from node_core.ledger.state import state_root
from node_core.ledger.transactions import RosterChange
from node_core.ledger.transition import validate_transaction
from tests.helpers import chain as chains
from tests.helpers.chain import signer_from_seed

NEWCOMER = signer_from_seed(4242)


def roster_names(chain: chains.TestChain, authority: int = 0) -> dict[str, str]:
    return {m.name: m.role.text
            for m in members_of(chain.state.roster, chain.authorities[authority].address)}


def test_a_security_administrator_adds_and_removes_a_member_of_their_authority(chain) -> None:
    root = state_root(chain.state)
    chain.extend([chain.roster_change(RosterAction.ADD, "somchai", Role.SUPERVISOR,
                                      key=bytes(NEWCOMER.public_key))])
    assert roster_names(chain)["somchai"] == "supervisor"
    assert "somchai" not in roster_names(chain, authority=1)  # MEA's roster is its own
    assert state_root(chain.state) != root
    chain.extend([chain.roster_change(RosterAction.REMOVE, "somchai", Role.SUPERVISOR)])
    assert "somchai" not in roster_names(chain)


@pytest.mark.parametrize(("requester", "rule"), [
    ("supervisor1", NotOnRoster),   # not a security administrator
    ("operator1", NotOnRoster),
])
def test_only_a_security_administrator_may_request_it(chain, requester, rule) -> None:
    with pytest.raises(rule):
        validate_transaction(chain.state, chain.roster_change(
            RosterAction.ADD, "somchai", Role.OPERATOR, key=bytes(NEWCOMER.public_key),
            requester=requester))


def test_the_rules_of_additions_and_removals(chain) -> None:
    def refused(rule: type[Exception], action: RosterAction, name: str, role: Role,
                key: bytes = b"") -> None:
        with pytest.raises(rule):
            validate_transaction(chain.state, chain.roster_change(action, name, role, key=key,
                                                                  nonce=0))

    refused(RosterNameTaken, RosterAction.ADD, "operator1", Role.OPERATOR,
            bytes(NEWCOMER.public_key))
    refused(RosterNameTaken, RosterAction.ADD, "again", Role.OPERATOR,  # the same key
            bytes(chain.people["operator1"].public_key))
    refused(UnknownRosterMember, RosterAction.REMOVE, "nobody", Role.OPERATOR)
    refused(UnknownRosterMember, RosterAction.REMOVE, "operator1", Role.SUPERVISOR)  # its role
    refused(LastSecurityAdmin, RosterAction.REMOVE, "secadm1", Role.SECURITY_ADMIN)


def test_an_endorsement_for_another_change_does_not_verify(chain) -> None:
    tx = chain.roster_change(RosterAction.ADD, "somchai", Role.OPERATOR,
                             key=bytes(NEWCOMER.public_key))
    payload = tx.payload
    assert isinstance(payload, RosterChange)
    promoted = replace(payload, role=Role.SECURITY_ADMIN)
    with pytest.raises(BadEndorsement):
        validate_transaction(chain.state, chain._signed(chain.authorities[0], promoted, 0,
                                                        chains.CHAIN_ID))


def test_a_new_authority_may_appoint_its_first_security_administrator_itself() -> None:
    chain = chains.make_chain()
    egat = chain.authorities[0].address
    chain.state = replace(chain.state, roster=tuple(m for m in chain.state.roster
                                                    if m.authority != egat))
    chain.extend([chain.roster_change(RosterAction.ADD, "first-admin", Role.SECURITY_ADMIN,
                                      key=bytes(NEWCOMER.public_key),
                                      requester="(the authority key)")])
    assert roster_names(chain) == {"first-admin": "security_admin"}
    with pytest.raises(NotOnRoster):  # from then on, only its security administrators
        validate_transaction(chain.state, chain.roster_change(
            RosterAction.ADD, "second", Role.SECURITY_ADMIN,
            key=bytes(signer_from_seed(77).public_key), requester="(the authority key)"))


def test_the_roster_travels_in_the_genesis_and_encodes_canonically(chain) -> None:
    genesis = genesis_from_json(genesis_to_json(chain.genesis))
    assert genesis == chain.genesis
    assert decode_roster(encode_roster(chain.state.roster)) == chain.state.roster


@pytest.fixture
def chain() -> chains.TestChain:
    return chains.make_chain()
