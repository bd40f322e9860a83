"""The ledger and the independent verifier agree on every rule of §12 of ``docs/protocol.md``
(the two-person rule, endorsements and their single use, the roster rules) and on the roster
of §7 and §8.3: a chain of test keys is written to a real store the way a node keeps it; a
block that breaks a rule is refused by both, naming the same rule, and a chain that keeps the
rules is accepted by both with the same state roots."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from node_core.ledger.blocks import Block
from node_core.ledger.emergency_rules import SamePersonApproval
from node_core.ledger.endorsements import ENDORSEMENT_VALIDITY_MS, BadEndorsement, endorse
from node_core.ledger.exceptions import InvalidGenesis, InvalidTransaction, MalformedTransaction
from node_core.ledger.genesis import validate_genesis
from node_core.ledger.governance import NotAnAuthority
from node_core.ledger.roster import (
    BlankMemberName,
    LastSecurityAdmin,
    NotOnRoster,
    Role,
    RosterAction,
    RosterNameTaken,
    UnknownRosterMember,
    sorted_roster,
)
from node_core.ledger.state import initial_state
from node_core.ledger.taken_endorsements import EndorsementReused
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
    GovernanceProposal,
    ProposalAction,
    Transaction,
    emergency_digest,
)
from node_core.ledger.transition import apply_block
from node_core.node.store import BlockStore
from tests.conformance import verifier
from tests.helpers import chain as chains
from tests.helpers.chain import forged_block, make_chain, signer_from_seed

SHED = EmergencyAction(EmergencyKind.LOAD_SHED, "MEA", stage=1, mw=300, reason="drill")
DEMAND = EmergencyAction(EmergencyKind.DEMAND_RESPONSE, "PEA", mw=50, duration_s=600)
NEWCOMER = signer_from_seed(4242)
ADD, REMOVE = RosterAction.ADD, RosterAction.REMOVE


def stored(chain: chains.TestChain, path: Path, *extra: Block) -> str:
    """The chain's blocks (and ``extra``, as if final) in a node's store at ``path``."""
    with BlockStore.open(path, chain.genesis) as store:
        state = initial_state(chain.genesis)
        for block in chain.blocks:
            state = apply_block(state, block)
            store.commit_block(block, state)
        for block in extra:
            store.commit_block(block, state)
    return str(path)


def reendorsed(chain: chains.TestChain, tx: Transaction, *, approver: str | None = None,
               authority: int = 0, **changes: object) -> Transaction:
    """``tx``'s emergency action with ``changes`` made after it was endorsed (or approved by
    ``approver`` over the changed order), signed by authority ``authority``."""
    action = replace(tx.payload, **changes)
    assert isinstance(action, EmergencyAction)
    if approver is not None:
        digest = emergency_digest(chain.genesis.chain_id, tx.sender, action)
        action = replace(action, approved_by=endorse(chain.people[approver], digest))
    return chain._signed(chain.authorities[authority], action, 0, chains.CHAIN_ID)


def _shed_twice_in_one_block(chain: chains.TestChain) -> list[Transaction]:
    shed = chain.emergency(SHED)
    return [shed, chain.reissued(shed)]


def _shed_again_later(chain: chains.TestChain) -> list[Transaction]:
    shed = chain.emergency(SHED)
    chain.extend([shed])
    return [chain.reissued(shed)]


def _addition_again_after_a_removal(chain: chains.TestChain) -> list[Transaction]:
    add = chain.roster_change(ADD, "somchai.k", Role.SUPERVISOR, key=bytes(NEWCOMER.public_key))
    chain.extend([add])
    chain.extend([chain.roster_change(REMOVE, "somchai.k", Role.SUPERVISOR)])
    return [chain.reissued(add)]


def _old_roster_of_an_authority_added_again(chain: chains.TestChain) -> list[Transaction]:
    pea = chain.authorities[2]
    chain.govern(GovernanceProposal("PEA leaves", "", ProposalAction.REMOVE_AUTHORITY, 10,
                                    authority_address=pea.address))
    chain.govern(GovernanceProposal("PEA returns", "", ProposalAction.ADD_AUTHORITY, 10,
                                    authority_name="PEA", authority_public_key=pea.public_key,
                                    authority_address=pea.address), joining=[pea])
    return [chain.emergency(SHED, authority=2)]


def _by_prosumer(chain: chains.TestChain) -> Transaction:
    tx = chain.emergency(DEMAND)
    return chain._signed(chain.prosumers[0], tx.payload, None, chains.CHAIN_ID)


CASES = {
    "approver-not-on-roster": (lambda c: reendorsed(c, c.emergency(SHED), approver="outsider"),
                               NotOnRoster),
    "operator-may-not-approve": (lambda c: c.emergency(SHED, approver="operator2"),
                                 NotOnRoster),
    "auditor-may-not-operate": (lambda c: c.emergency(SHED, operator="auditor1"), NotOnRoster),
    "self-approval": (lambda c: c.emergency(SHED, operator="supervisor1"), SamePersonApproval),
    "order-changed-after-endorsing": (lambda c: reendorsed(c, c.emergency(SHED), mw=900),
                                      BadEndorsement),
    "endorsed-for-another-authority": (lambda c: reendorsed(c, c.emergency(SHED), authority=1),
                                       BadEndorsement),
    "selected-after-the-block": (
        lambda c: c.emergency(replace(SHED, selected_ms=c.state.tip_timestamp + 1001)),
        BadEndorsement),
    "endorsement-expired": (
        lambda c: c.emergency(replace(SHED, selected_ms=c.state.tip_timestamp + 1000
                                      - ENDORSEMENT_VALIDITY_MS - 1)), BadEndorsement),
    "critical-without-approval": (lambda c: c.emergency(SHED, approver=None),
                                  MalformedTransaction),
    "approval-of-a-normal-action": (
        lambda c: reendorsed(c, c.emergency(DEMAND), approver="supervisor1"),
        MalformedTransaction),
    "emergency-by-a-prosumer": (_by_prosumer, NotAnAuthority),
    "requested-by-a-supervisor": (
        lambda c: c.roster_change(ADD, "new", Role.OPERATOR, key=bytes(NEWCOMER.public_key),
                                  requester="supervisor1"), NotOnRoster),
    "bootstrap-while-an-admin-exists": (
        lambda c: c.roster_change(ADD, "new", Role.SECURITY_ADMIN,
                                  key=bytes(NEWCOMER.public_key), requester="(authority)"),
        NotOnRoster),
    "name-taken": (lambda c: c.roster_change(ADD, "operator1", Role.OPERATOR,
                                             key=bytes(NEWCOMER.public_key)), RosterNameTaken),
    "key-taken": (lambda c: c.roster_change(ADD, "new", Role.OPERATOR,
                                            key=bytes(c.people["operator1"].public_key)),
                  RosterNameTaken),
    "remove-unknown": (lambda c: c.roster_change(REMOVE, "nobody", Role.OPERATOR),
                       UnknownRosterMember),
    "remove-with-another-role": (lambda c: c.roster_change(REMOVE, "operator1", Role.SUPERVISOR),
                                 UnknownRosterMember),
    "remove-last-security-admin": (
        lambda c: c.roster_change(REMOVE, "secadm1", Role.SECURITY_ADMIN), LastSecurityAdmin),
    "remove-naming-a-key": (
        lambda c: c.roster_change(REMOVE, "operator1", Role.OPERATOR,
                                  key=bytes(c.people["operator1"].public_key)),
        MalformedTransaction),
    "add-a-key-off-the-curve": (
        lambda c: c.roster_change(ADD, "new", Role.OPERATOR, key=b"\x04" + bytes(64)),
        MalformedTransaction),
    "blank-name": (lambda c: c.roster_change(ADD, " \u3000", Role.OPERATOR,
                                             key=bytes(NEWCOMER.public_key)),
                   BlankMemberName),
    "order-twice-in-a-block": (_shed_twice_in_one_block, EndorsementReused),
    "order-again-later": (_shed_again_later, EndorsementReused),
    "roster-request-again": (_addition_again_after_a_removal, EndorsementReused),
    "old-roster-after-re-adding": (_old_roster_of_an_authority_added_again, NotOnRoster),
}
"""Each builds what the forged block carries: a transaction, or a list of them; a case with a
history extends the chain first."""


@pytest.fixture
def chain() -> chains.TestChain:
    made = make_chain()
    made.people["outsider"] = signer_from_seed(9999)
    made.extend([made.transfer(0, 1, 100)])
    return made


@pytest.mark.parametrize(("build", "rule"), CASES.values(), ids=CASES.keys())
def test_a_block_breaking_a_rule_is_refused_by_both_naming_it(
        chain, tmp_path, build, rule: type[InvalidTransaction]) -> None:
    made = build(chain)
    block = forged_block(chain, *(made if isinstance(made, list) else [made]))
    with pytest.raises(rule):
        apply_block(chain.state, block)
    with pytest.raises(verifier.Invalid, match=rf"block {block.height} tx .*{rule.__name__}"):
        verifier.verify(stored(chain, tmp_path / "chain.sqlite3", block))


def test_the_roster_as_earlier_transactions_of_the_block_left_it_counts(chain, tmp_path) -> None:
    block = forged_block(chain, chain.roster_change(REMOVE, "operator1", Role.OPERATOR),
                         chain.emergency(DEMAND, nonce=1))
    with pytest.raises(NotOnRoster):
        apply_block(chain.state, block)
    with pytest.raises(verifier.Invalid, match=r"block 2 tx .*§12.2.2 operator: NotOnRoster"):
        verifier.verify(stored(chain, tmp_path / "chain.sqlite3", block))


def test_a_chain_keeping_the_rules_is_accepted_by_both(tmp_path) -> None:
    chain = make_chain()
    pea = chain.authorities[2].address
    chain.state = replace(chain.state, roster=tuple(m for m in chain.state.roster
                                                    if m.authority != pea))
    chain.genesis = replace(chain.genesis, roster=chain.state.roster)
    chain.state = initial_state(chain.genesis)
    chain.extend([chain.roster_change(ADD, "somchai.k", Role.SUPERVISOR,
                                      key=bytes(NEWCOMER.public_key)),
                  chain.emergency(SHED),
                  chain.roster_change(ADD, "pea-admin", Role.SECURITY_ADMIN, authority=2,
                                      key=bytes(chain.people["secadm1"].public_key),
                                      requester="(PEA's own key)")])
    chain.people["somchai.k"] = NEWCOMER
    chain.extend([chain.emergency(SHED, approver="somchai.k"),
                  chain.roster_change(REMOVE, "operator2", Role.OPERATOR),
                  chain.emergency(SHED, operator="supervisor2", approver="supervisor1",
                                  authority=1)])
    assert [len(block.transactions) for block in chain.blocks] == [3, 3]
    assert len(chain.state.taken_endorsements) == 6
    chain.extend([], timestamp=chain.state.tip_timestamp + ENDORSEMENT_VALIDITY_MS + 1)
    assert not chain.state.taken_endorsements
    chain.govern(GovernanceProposal("PEA leaves", "", ProposalAction.REMOVE_AUTHORITY, 10,
                                    authority_address=pea))
    assert all(member.authority != pea for member in chain.state.roster)
    result = verifier.verify(stored(chain, tmp_path / "chain.sqlite3"))
    assert (result.height, result.tip) == (chain.state.height, chain.state.tip_hash)
    assert [order[2:] for order in result.orders] == [
        ("operator1", "supervisor1"), ("operator1", "somchai.k"), ("supervisor2", "supervisor1")]


def test_a_genesis_member_without_a_name_is_refused_by_both(tmp_path) -> None:
    chain = make_chain()
    first, *others = chain.genesis.roster
    chain.genesis = replace(chain.genesis,
                            roster=sorted_roster((replace(first, name="\u3000"), *others)))
    with pytest.raises(InvalidGenesis, match="BlankMemberName"):
        validate_genesis(chain.genesis)
    with pytest.raises(verifier.Invalid, match="genesis: §7 BlankMemberName"):
        verifier.verify(stored(chain, tmp_path / "chain.sqlite3"))
