"""The operator roster on the chain: changed only by an authority's transaction its security
administrator endorsed (once), checked by every authority, part of the state root, in the
genesis, and gone with its authority."""

from __future__ import annotations

from dataclasses import replace

import pytest

from node_core.ledger.endorsements import BadEndorsement
from node_core.ledger.genesis import genesis_from_json, genesis_to_json
from node_core.ledger.roster import (
    BlankMemberName,
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
from node_core.ledger.taken_endorsements import EndorsementReused
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
    GovernanceProposal,
    ProposalAction,
    RosterChange,
)
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


def test_a_member_needs_a_name(chain) -> None:
    for blank in ("", " ", "\t\n", "\u3000"):  # U+3000: the ideographic space
        with pytest.raises(BlankMemberName, match="empty or white space only"):
            validate_transaction(chain.state, chain.roster_change(
                RosterAction.ADD, blank, Role.OPERATOR, key=bytes(NEWCOMER.public_key),
                nonce=0))


def test_a_security_administrators_request_is_carried_once(chain) -> None:
    add = chain.roster_change(RosterAction.ADD, "somchai", Role.SUPERVISOR,
                              key=bytes(NEWCOMER.public_key))
    chain.extend([add])
    chain.extend([chain.roster_change(RosterAction.REMOVE, "somchai", Role.SUPERVISOR)])
    with pytest.raises(EndorsementReused):  # the name is free again; the request is spent
        validate_transaction(chain.state, chain.reissued(add))
    assert "somchai" not in roster_names(chain)


def test_a_removed_authority_takes_its_roster_with_it() -> None:
    chain = chains.make_chain()
    pea = chain.authorities[2]
    chain.govern(GovernanceProposal("PEA leaves", "", ProposalAction.REMOVE_AUTHORITY, 10,
                                    authority_address=pea.address))
    assert not members_of(chain.state.roster, pea.address)
    chain.govern(GovernanceProposal("PEA returns", "", ProposalAction.ADD_AUTHORITY, 10,
                                    authority_name="PEA", authority_public_key=pea.public_key,
                                    authority_address=pea.address), joining=[pea])
    assert roster_names(chain, authority=2) == {}
    demand = EmergencyAction(EmergencyKind.DEMAND_RESPONSE, "PEA", mw=50, duration_s=600)
    with pytest.raises(NotOnRoster):  # its old operators are no one's now
        validate_transaction(chain.state, chain.emergency(
            demand, authority=2, nonce=chain.state.account(pea.address).nonce))
    chain.extend([chain.roster_change(RosterAction.ADD, "pea-admin", Role.SECURITY_ADMIN,
                                      key=bytes(NEWCOMER.public_key), authority=2,
                                      requester="(PEA's own key)")])
    assert roster_names(chain, authority=2) == {"pea-admin": "security_admin"}


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
