"""Build small real chains for tests: authorities with in-memory P-256 keys, prosumers,
signed transactions and finalized blocks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from cryptography.hazmat.primitives.asymmetric import ec

from node_core.ledger.blocks import (
    AuthoritySignature,
    Block,
    BlockHeader,
    commit_digest,
    finality_quorum,
    proposer_of,
)
from node_core.ledger.endorsements import NO_ENDORSEMENT, endorse
from node_core.ledger.genesis import AuthorityInfo, ChainParameters, Genesis, GenesisAccount
from node_core.ledger.grid_state import EMPTY_GRID_SNAPSHOT, grid_state_hash
from node_core.ledger.hashing import merkle_root
from node_core.ledger.keys import Signer
from node_core.ledger.roster import Role, RosterAction, RosterMember, sorted_roster
from node_core.ledger.state import State, initial_state, state_root
from node_core.ledger.transactions import (
    CRITICAL_EMERGENCIES,
    EmergencyAction,
    EnergyTrade,
    GovernanceProposal,
    GovernanceVote,
    Payload,
    RosterChange,
    Transaction,
    Transfer,
    VoteChoice,
    emergency_digest,
    encode_transaction,
    roster_change_digest,
    sign_transaction,
)
from node_core.ledger.transition import apply_block, build_block, seal_block
from node_core.ledger.types import Address
from node_core.signers.file import FileSigner

GENESIS_TIME = 1_764_000_000_000
CHAIN_ID = "gridtokenx-test"
PEOPLE = (("operator1", Role.OPERATOR), ("operator2", Role.OPERATOR),
          ("supervisor1", Role.SUPERVISOR), ("supervisor2", Role.SUPERVISOR),
          ("auditor1", Role.AUDITOR), ("secadm1", Role.SECURITY_ADMIN),
          ("gridfeed", Role.GRID_FEED))
"""Every test chain's roster: these people on every authority's roster."""


def signer_from_seed(seed: int) -> FileSigner:
    """A deterministic in-memory key (tests only)."""
    key = ec.derive_private_key(seed + 1, ec.SECP256R1())
    return FileSigner(key, allow_file_signer=True)


@dataclass
class TestChain:
    """A chain under construction: genesis, keys, and the current state."""

    authorities: list[FileSigner]
    prosumers: list[FileSigner]
    genesis: Genesis
    state: State
    people: dict[str, FileSigner] = field(default_factory=dict)
    """Roster members' own keys by name (on every authority's roster: :data:`PEOPLE`)."""
    blocks: list[Block] = field(default_factory=list)
    issued_nonces: dict[Address, int] = field(default_factory=dict)
    """Next nonce per sender counting transactions made but not yet applied."""

    def transfer(self, sender: int, recipient: int, amount: int, *, nonce: int | None = None,
                 chain_id: str = CHAIN_ID) -> Transaction:
        signer = self.prosumers[sender]
        payload = Transfer(self.prosumers[recipient].address, amount)
        return self._signed(signer, payload, nonce, chain_id)

    def trade(self, buyer: int, seller: int, energy_wh: int, price_per_kwh: int = 450,
              region: str = "MEA", *, nonce: int | None = None) -> Transaction:
        signer = self.prosumers[buyer]
        payload = EnergyTrade(self.prosumers[seller].address, signer.address, energy_wh,
                              price_per_kwh, region)
        return self._signed(signer, payload, nonce, CHAIN_ID)

    def _signed(self, signer: FileSigner, payload: Payload, nonce: int | None,
                chain_id: str) -> Transaction:
        if nonce is None:
            nonce = max(self.state.account(signer.address).nonce,
                        self.issued_nonces.get(signer.address, 0))
            self.issued_nonces[signer.address] = nonce + 1
        tx = Transaction(chain_id, nonce, signer.public_key, payload)
        return sign_transaction(tx, signer)

    def emergency(self, action: EmergencyAction, *, authority: int = 0,
                  operator: str | None = "operator1", approver: str | None = "supervisor1",
                  nonce: int | None = None) -> Transaction:
        """``action`` issued by authority ``authority``, selected now (the tip's time unless
        ``action.selected_ms`` says), endorsed by ``operator`` and, when critical, ``approver``
        (None: no such endorsement)."""
        signer = self.authorities[authority]
        order = replace(action, selected_ms=action.selected_ms or self.state.tip_timestamp)
        digest = emergency_digest(self.genesis.chain_id, signer.address, order)
        critical = order.kind in CRITICAL_EMERGENCIES
        endorsed = replace(
            order,
            operated_by=endorse(self.people[operator], digest) if operator else NO_ENDORSEMENT,
            approved_by=(endorse(self.people[approver], digest) if approver and critical
                         else NO_ENDORSEMENT))
        return self._signed(signer, endorsed, nonce, CHAIN_ID)

    def roster_change(self, action: RosterAction, name: str, role: Role, *, key: bytes = b"",
                      requester: str = "secadm1", authority: int = 0,
                      nonce: int | None = None) -> Transaction:
        """A change of authority ``authority``'s roster, requested now (the tip's time) and
        endorsed by ``requester``'s own key — or, for a name not in :attr:`people`, by the
        authority's key (its bootstrap)."""
        signer = self.authorities[authority]
        body = RosterChange(action, name, role, key, self.state.tip_timestamp, NO_ENDORSEMENT)
        digest = roster_change_digest(self.genesis.chain_id, signer.address, body)
        endorser = self.people.get(requester) or signer
        return self._signed(signer, replace(body, requested_by=endorse(endorser, digest)),
                            nonce, CHAIN_ID)

    def reissued(self, tx: Transaction, *, authority: int = 0) -> Transaction:
        """``tx``'s payload, its endorsements with it, in a new transaction of authority
        ``authority`` (its next nonce): one endorsement used twice, as a rogue authority
        would."""
        return self._signed(self.authorities[authority], tx.payload, None, CHAIN_ID)

    def govern(self, proposal: GovernanceProposal, *, joining: Sequence[FileSigner] = ()) -> None:
        """``proposal`` by the first authority, passed in the next block by the yes votes of a
        quorum; later blocks are sealed by the authority set it leaves (``joining``: the keys
        of the authorities it adds)."""
        self.extend([self._signed(self.authorities[0], proposal, None, CHAIN_ID)])
        vote = GovernanceVote(self.state.next_proposal_id - 1, VoteChoice.YES)
        quorum = finality_quorum(len(self.authorities))
        self.extend([self._signed(s, vote, None, CHAIN_ID) for s in self.authorities[:quorum]])
        keys = {s.address: s for s in (*self.authorities, *joining)}
        self.authorities = [keys[a.address] for a in self.state.authorities]

    def propose(self, txs: list[Transaction], *, signers: int | None = None,
                timestamp: int | None = None) -> Block:
        """A finalized next block (not yet applied), built by the proposer of its round 0."""
        built = build_block(self.state, txs,
                            proposer=proposer_of(self.state.authorities, self.state.height + 1, 0),
                            timestamp=timestamp or self.state.tip_timestamp + 1000)
        count = len(self.authorities) if signers is None else signers
        return seal(built.block, self.authorities[:count])

    def extend(self, txs: list[Transaction], **kwargs: int) -> Block:
        block = self.propose(txs, **kwargs)
        self.state = apply_block(self.state, block)
        self.blocks.append(block)
        return block


def forged_block(chain: TestChain, *txs: Transaction, timestamp: int | None = None) -> Block:
    """:func:`forge` on the test chain's tip, sealed by all its authorities."""
    return forge(chain.state, txs, chain.authorities, timestamp=timestamp)[0]


def forge(state: State, txs: Sequence[Transaction], sealers: Sequence[Signer], *,
          timestamp: int | None = None,
          effect: Callable[[State], State] = lambda state: state) -> tuple[Block, State]:
    """A block carrying ``txs`` whatever the rules say of them — what colluding authorities
    could seal — and the state after it as they would hold it: each sender's nonce + 1 per
    transaction, then ``effect`` (what they would do if the rules let them through; nothing,
    for emergency actions that change no state). The state root commits to that state."""
    accounts = dict(state.accounts)
    for tx in txs:
        sender = accounts.get(tx.sender) or state.account(tx.sender)
        accounts[tx.sender] = replace(sender, nonce=sender.nonce + 1)
    after = effect(replace(state, accounts=MappingProxyType(accounts)))
    header = BlockHeader(
        height=state.height + 1, previous_hash=state.tip_hash,
        timestamp=timestamp or state.tip_timestamp + 1000,
        proposer=proposer_of(state.authorities, state.height + 1, 0), round=0,
        merkle_root=merkle_root(encode_transaction(tx) for tx in txs),
        state_root=state_root(after), total_energy=sum(tx.energy_wh for tx in txs),
        grid_state_hash=grid_state_hash(EMPTY_GRID_SNAPSHOT))
    block = seal(Block(header, EMPTY_GRID_SNAPSHOT, tuple(txs)), sealers)
    return block, replace(after, height=header.height, tip_hash=block.hash,
                          tip_timestamp=header.timestamp)


def seal(block: Block, signers: Sequence[Signer]) -> Block:
    digest = commit_digest(block.hash)
    return seal_block(block, [AuthoritySignature(s.address, s.sign(digest)) for s in signers])


def make_chain(authority_count: int = 3, prosumer_count: int = 4, *,
               balance: int = 1_000_000, energy_credits: int = 100_000,
               parameters: ChainParameters | None = None) -> TestChain:
    authorities = [signer_from_seed(1000 + i) for i in range(authority_count)]
    prosumers = [signer_from_seed(i) for i in range(prosumer_count)]
    people = {name: signer_from_seed(2000 + i) for i, (name, _) in enumerate(PEOPLE)}
    names = ["EGAT", "MEA", "PEA", "AUX1", "AUX2", "AUX3", "AUX4"]
    genesis = Genesis(
        chain_id=CHAIN_ID,
        timestamp=GENESIS_TIME,
        authorities=tuple(AuthorityInfo(names[i], s.address, s.public_key)
                          for i, s in enumerate(authorities)),
        parameters=parameters or ChainParameters(),
        accounts=tuple(GenesisAccount(p.address, balance, energy_credits) for p in prosumers),
        roster=sorted_roster(RosterMember(a.address, name, role, people[name].public_key)
                             for a in authorities for name, role in PEOPLE),
    )
    return TestChain(authorities, prosumers, genesis, initial_state(genesis), people=people)
