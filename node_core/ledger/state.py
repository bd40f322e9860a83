"""The ledger state after a block: accounts, the authority set and chain parameters.

``state_root`` commits to all of it: the RFC 6962 merkle root over one leaf per account,
authority, the parameters, each proposal, each halted region, each roster member and each
taken endorsement, in the order and with the bytes specified in ``docs/protocol.md`` §8.1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.fields import AUTHORITY_NAME, REGION
from node_core.ledger.genesis import (
    AuthorityInfo,
    ChainParameters,
    Genesis,
    genesis_hash,
    read_parameters,
    write_parameters,
)
from node_core.ledger.governance import (
    GovernanceState,
    ProposalRecord,
    decode_proposal_record,
    encode_proposal_record,
    proposal_leaf,
)
from node_core.ledger.hashing import merkle_leaf, merkle_root_of_leaves
from node_core.ledger.roster import Roster, decode_roster, encode_roster, member_leaf, sorted_roster
from node_core.ledger.taken_endorsements import (
    NONE_TAKEN,
    TakenEndorsements,
    decode_taken,
    encode_taken,
    taken_leaves,
)
from node_core.ledger.types import Address, Hash32, PublicKey


@dataclass(frozen=True, slots=True)
class Account:
    """One account; absent accounts read as all zeros."""

    address: Address
    balance: int = 0
    """Satang."""
    energy_credits: int = 0
    """Wh of energy the account may sell."""
    nonce: int = 0
    """Number of transactions the account has sent."""


@dataclass(frozen=True, slots=True)
class State:
    """Everything a node needs to validate the next block."""

    chain_id: str
    genesis_hash: Hash32
    height: int
    """Height of the last applied block (0 = genesis)."""
    tip_hash: Hash32
    """Hash of the last applied block (the genesis hash at height 0)."""
    tip_timestamp: int
    """Timestamp (ms, UTC) of the last applied block."""
    authorities: tuple[AuthorityInfo, ...]
    parameters: ChainParameters
    accounts: Mapping[Address, Account] = field(default_factory=lambda: MappingProxyType({}))
    """Read-only; a transition builds a new mapping."""
    proposals: Mapping[int, ProposalRecord] = field(default_factory=lambda: MappingProxyType({}))
    """Governance proposals by id (see :mod:`node_core.ledger.governance`)."""
    next_proposal_id: int = 1
    halted_regions: frozenset[str] = frozenset()
    """Regions where energy trading is halted by an emergency action (``"ALL"``: every one)."""
    roster: Roster = ()
    """Every authority's operators and their roles (:mod:`node_core.ledger.roster`)."""
    taken_endorsements: TakenEndorsements = field(default_factory=lambda: NONE_TAKEN)
    """The endorsed orders and roster changes carried while still fresh
    (:mod:`node_core.ledger.taken_endorsements`)."""

    def trading_halted(self, region: str) -> bool:
        return region in self.halted_regions or "ALL" in self.halted_regions

    def account(self, address: Address) -> Account:
        return self.accounts.get(address) or Account(address)

    def authority_by_address(self, address: Address) -> AuthorityInfo | None:
        return next((a for a in self.authorities if a.address == address), None)


def initial_state(genesis: Genesis) -> State:
    """The state before block 1."""
    accounts = {
        a.address: Account(a.address, a.balance, a.energy_credits, 0) for a in genesis.accounts
    }
    return State(
        chain_id=genesis.chain_id,
        genesis_hash=genesis_hash(genesis),
        height=0,
        tip_hash=genesis_hash(genesis),
        tip_timestamp=genesis.timestamp,
        authorities=genesis.authorities,
        parameters=genesis.parameters,
        accounts=MappingProxyType(accounts),
        roster=sorted_roster(genesis.roster),
    )


def encode_account(account: Account) -> bytes:
    writer = Writer().u8(1).address(account.address)
    writer.u64(account.balance).u64(account.energy_credits).u64(account.nonce)
    return bytes(writer)


def _authority_leaf(authority: AuthorityInfo) -> bytes:
    writer = Writer().str_(authority.name, AUTHORITY_NAME).address(authority.address)
    return b"U" + bytes(writer.raw(authority.public_key, 65))


def _parameters_leaf(p: ChainParameters) -> bytes:
    writer = Writer()
    write_parameters(writer, p)
    return b"P" + bytes(writer)


def state_root(state: State) -> Hash32:
    """The commitment a block header carries (see the module docstring)."""
    leaves = [merkle_leaf(b"A" + encode_account(state.accounts[a])) for a in sorted(state.accounts)]
    leaves += [merkle_leaf(_authority_leaf(a)) for a in state.authorities]
    leaves.append(merkle_leaf(_parameters_leaf(state.parameters)))
    leaves += [merkle_leaf(proposal_leaf(state.proposals[i])) for i in sorted(state.proposals)]
    leaves += [merkle_leaf(b"H" + region.encode()) for region in sorted(state.halted_regions)]
    leaves += [merkle_leaf(member_leaf(member)) for member in state.roster]
    leaves += [merkle_leaf(leaf) for leaf in taken_leaves(state.taken_endorsements)]
    return merkle_root_of_leaves(leaves)


def governed_parts(state: State) -> dict[str, bytes]:
    """Everything of the state but accounts and the tip, as named canonical parts: the store
    keeps these beside its Accounts table (``authorities``, ``parameters``, ``halted_regions``,
    ``next_proposal_id``, ``roster``, ``taken_endorsements`` and one ``proposal/N`` per
    proposal)."""
    authorities = Writer().u32(len(state.authorities))
    for a in state.authorities:
        authorities.str_(a.name, AUTHORITY_NAME).address(a.address).raw(a.public_key, 65)
    parameters = Writer()
    write_parameters(parameters, state.parameters)
    halted = Writer().u32(len(state.halted_regions))
    for region in sorted(state.halted_regions):
        halted.str_(region, REGION)
    parts = {"authorities": bytes(authorities), "parameters": bytes(parameters),
             "halted_regions": bytes(halted),
             "next_proposal_id": bytes(Writer().u64(state.next_proposal_id)),
             "roster": encode_roster(state.roster),
             "taken_endorsements": encode_taken(state.taken_endorsements)}
    parts.update({f"proposal/{i}": encode_proposal_record(r) for i, r in state.proposals.items()})
    return parts


def with_governed_parts(state: State, parts: Mapping[str, bytes]) -> State:
    """``state`` with the parts of :func:`governed_parts` (those present) put back."""
    changes: dict[str, object] = {}
    if "authorities" in parts:
        reader = Reader(parts["authorities"])
        changes["authorities"] = tuple(
            AuthorityInfo(reader.str_(AUTHORITY_NAME), Address(reader.address()),
                          PublicKey(reader.raw(65)))
            for _ in range(reader.count()))
        reader.finish()
    if "parameters" in parts:
        reader = Reader(parts["parameters"])
        changes["parameters"] = read_parameters(reader)
        reader.finish()
    if "halted_regions" in parts:
        reader = Reader(parts["halted_regions"])
        changes["halted_regions"] = frozenset(reader.str_(REGION) for _ in range(reader.count()))
        reader.finish()
    if "roster" in parts:
        changes["roster"] = decode_roster(parts["roster"])
    if "taken_endorsements" in parts:
        changes["taken_endorsements"] = decode_taken(parts["taken_endorsements"])
    if "next_proposal_id" in parts:
        reader = Reader(parts["next_proposal_id"])
        changes["next_proposal_id"] = reader.u64()
        reader.finish()
    records = [decode_proposal_record(data) for name, data in parts.items()
               if name.startswith("proposal/")]
    if records:
        changes["proposals"] = MappingProxyType({r.proposal_id: r for r in records})
    return replace(state, **changes)  # type: ignore[arg-type]


def governance_of(state: State) -> GovernanceState:
    return GovernanceState(state.authorities, state.parameters, state.proposals,
                           state.next_proposal_id)


def with_governance(state: State, governance: GovernanceState) -> State:
    return replace(state, authorities=governance.authorities, parameters=governance.parameters,
                   proposals=MappingProxyType(dict(governance.proposals)),
                   next_proposal_id=governance.next_proposal_id)
