"""The state transition: validating transactions and blocks, applying them, building them.

``apply_block(state, block) -> state`` is deterministic and pure: it reads as the list of
checks a block must pass, each raising one named error, then the state change. Nodes skip
re-verifying transaction signatures they already verified at mempool admission by passing
``verified``, a container of transaction leaves (:attr:`Transaction.leaf`: the verdict is
kept for the signed copy checked, never for another signature of the same transaction);
everything else is always re-checked.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Container, Iterable
from dataclasses import dataclass, replace
from types import MappingProxyType

from node_core.ledger.blocks import (
    AuthoritySignature,
    Block,
    BlockHeader,
    commit_digest,
    finality_quorum,
    proposer_of,
)
from node_core.ledger.emergency_rules import (
    check_authority_sender,
    check_emergency_action,
    halted_after,
)
from node_core.ledger.exceptions import (
    BadAuthoritySignature,
    BlockHashMismatch,
    BrokenHashLink,
    DuplicateAuthoritySignature,
    DuplicateTransaction,
    GridStateHashMismatch,
    InsufficientBalance,
    InsufficientEnergyCredits,
    InsufficientFinality,
    InvalidTransaction,
    MalformedTransaction,
    MerkleRootMismatch,
    NonceMismatch,
    PriceAboveCap,
    StateRootMismatch,
    TimestampBeforeParent,
    TimestampInFuture,
    TooManyTransactions,
    TotalEnergyMismatch,
    TradingHalted,
    UnknownAuthority,
    WrongChain,
    WrongHeight,
    WrongProposer,
)
from node_core.ledger.governance import (
    apply_governance,
    check_governance,
    expire_proposals,
)
from node_core.ledger.grid_state import EMPTY_GRID_SNAPSHOT, GridSnapshot, grid_state_hash
from node_core.ledger.hashing import merkle_root_of_leaves
from node_core.ledger.keys import verify_signature
from node_core.ledger.roster import rosters_of
from node_core.ledger.roster_rules import check_roster_change, roster_after
from node_core.ledger.state import Account, State, governance_of, state_root, with_governance
from node_core.ledger.taken_endorsements import still_fresh, taken_with
from node_core.ledger.transactions import (
    ALL_REGIONS,
    EmergencyAction,
    EnergyTrade,
    GovernanceProposal,
    GovernanceVote,
    RosterChange,
    Transaction,
    Transfer,
    check_signature,
    check_well_formed,
    emergency_digest,
    roster_change_digest,
)
from node_core.ledger.types import Address, Hash32

_MAX_AMOUNT = 2**63 - 1  # SQLite INTEGER is signed 64-bit
_NOTHING: frozenset[bytes] = frozenset()


# --- transactions ---------------------------------------------------------------------------


def validate_transaction(
    state: State, tx: Transaction, *, at_ms: int | None = None,
    verified: Container[bytes] = _NOTHING
) -> None:
    """Check ``tx`` against ``state`` alone (no mempool): chain, fields, signature, nonce,
    funds, governance, emergency and roster rules. ``at_ms``: the time a block would carry
    (the caller's clock) for the freshness of endorsements; None skips that one check. Raise
    the InvalidTransaction subclass of the first rule broken."""
    _Ledger(state, verified, at_ms).check(tx)


class _Ledger:
    """The state being built during a block: accounts, governance, the roster and the taken
    endorsements, changed in place; ``block_ms`` is the block's timestamp (None: checking
    outside a block)."""

    def __init__(self, state: State, verified: Container[bytes], block_ms: int | None) -> None:
        self.state = state
        self.height = state.height + 1
        self.block_ms = block_ms
        self.accounts: ChainMap[Address, Account] = ChainMap({}, state.accounts)  # type: ignore[arg-type]
        """Changes of this block over the parent's accounts (nothing is copied up front)."""
        self.governance = governance_of(state)
        self.halted = state.halted_regions
        self.roster = state.roster
        self.taken = state.taken_endorsements
        self._verified = verified
        self._seen: set[bytes] = set()

    def check(self, tx: Transaction) -> None:
        if tx.chain_id != self.state.chain_id:
            raise WrongChain(f"tx {tx.hash[:16]}: signed for chain {tx.chain_id!r}, "
                             f"not {self.state.chain_id!r}")
        check_well_formed(tx)
        if tx.leaf not in self._verified:
            check_signature(tx)
        sender = self.accounts.get(tx.sender) or Account(tx.sender)
        if tx.nonce != sender.nonce:
            raise NonceMismatch(f"tx {tx.hash[:16]}: nonce {tx.nonce}, "
                                f"account expects {sender.nonce}")
        authorities = self.governance.authorities
        if isinstance(tx.payload, GovernanceProposal | GovernanceVote):
            check_governance(self.governance, tx, self.height)
        elif isinstance(tx.payload, EmergencyAction):
            check_emergency_action(self.state.chain_id, authorities, self.roster, self.taken,
                                   tx, self.block_ms)
        elif isinstance(tx.payload, RosterChange):
            check_authority_sender(authorities, tx, "roster changes")
            check_roster_change(self.state.chain_id, tx.sender_public_key, self.roster,
                                self.taken, tx, self.block_ms)
        else:
            self._check_funds(tx, sender)

    def _check_funds(self, tx: Transaction, sender: Account) -> None:
        if sender.balance < tx.cost:
            raise InsufficientBalance(f"tx {tx.hash[:16]}: {sender.address} has "
                                      f"{sender.balance} satang, needs {tx.cost}")
        payload = tx.payload
        if not isinstance(payload, EnergyTrade):
            return
        if payload.region in self.halted or ALL_REGIONS in self.halted:
            raise TradingHalted(f"tx {tx.hash[:16]}: energy trading in {payload.region} is "
                                "halted by an emergency action; settle after it resumes")
        cap = self.governance.parameters.price_cap_per_kwh
        if cap and payload.price_per_kwh > cap:
            raise PriceAboveCap(f"tx {tx.hash[:16]}: price {payload.price_per_kwh} satang/kWh "
                                f"above the cap of {cap}")
        seller = self.accounts.get(payload.seller) or Account(payload.seller)
        if seller.energy_credits < payload.energy_wh:
            raise InsufficientEnergyCredits(
                f"tx {tx.hash[:16]}: seller {seller.address} has {seller.energy_credits} Wh, "
                f"trade settles {payload.energy_wh} Wh")

    def apply(self, tx: Transaction) -> None:
        """Check, then apply ``tx``; raise (changing nothing) if it breaks a rule."""
        if tx.digest in self._seen:
            raise DuplicateTransaction(f"tx {tx.hash[:16]} appears twice")
        self.check(tx)
        self._seen.add(tx.digest)
        sender = self.accounts.get(tx.sender) or Account(tx.sender)
        payload = tx.payload
        if isinstance(payload, GovernanceProposal | GovernanceVote):
            self.governance = apply_governance(self.governance, tx, self.height)
            self.roster = rosters_of(self.roster, (a.address for a in self.governance.authorities))
            self.accounts[tx.sender] = replace(sender, nonce=sender.nonce + 1)
        elif isinstance(payload, EmergencyAction):
            self.halted = halted_after(self.halted, payload)
            self.taken = taken_with(self.taken, emergency_digest(
                self.state.chain_id, tx.sender, payload), payload.selected_ms)
            self.accounts[tx.sender] = replace(sender, nonce=sender.nonce + 1)
        elif isinstance(payload, RosterChange):
            self.roster = roster_after(self.roster, tx)
            self.taken = taken_with(self.taken, roster_change_digest(
                self.state.chain_id, tx.sender, payload), payload.requested_ms)
            self.accounts[tx.sender] = replace(sender, nonce=sender.nonce + 1)
        elif isinstance(payload, Transfer):
            self._credit(payload.recipient, payload.amount, 0, tx)
            self._debit(tx)
        else:
            seller = self.accounts.get(payload.seller) or Account(payload.seller)
            self.accounts[payload.seller] = replace(
                seller, energy_credits=seller.energy_credits - payload.energy_wh)
            self._credit(payload.seller, payload.payment, 0, tx)
            self._credit(tx.sender, 0, payload.energy_wh, tx)
            self._debit(tx)

    def _debit(self, tx: Transaction) -> None:
        sender = self.accounts.get(tx.sender) or Account(tx.sender)
        self.accounts[tx.sender] = replace(sender, balance=sender.balance - tx.cost,
                                           nonce=sender.nonce + 1)

    def _credit(self, address: Address, satang: int, wh: int, tx: Transaction) -> None:
        account = self.accounts.get(address) or Account(address)
        self.accounts[address] = replace(account,
                                         balance=_bounded(account.balance + satang, tx),
                                         energy_credits=_bounded(account.energy_credits + wh, tx))

    def finish(self) -> State:
        """The state after the block's transactions and its end of block: proposals past
        their deadline expire, endorsements no longer fresh leave the taken set (the tip
        fields are advanced by the caller)."""
        governance = expire_proposals(self.governance, self.height)
        taken = self.taken if self.block_ms is None else still_fresh(self.taken, self.block_ms)
        accounts = MappingProxyType({**self.state.accounts, **self.accounts.maps[0]})
        return with_governance(replace(self.state, accounts=accounts,
                                       halted_regions=self.halted, roster=self.roster,
                                       taken_endorsements=taken),
                               governance)


def _bounded(value: int, tx: Transaction) -> int:
    if value > _MAX_AMOUNT:
        raise MalformedTransaction(f"tx {tx.hash[:16]}: amount overflows an account field "
                                   "(2^63-1)")
    return value


def apply_transactions(
    state: State, transactions: Iterable[Transaction], *, block_ms: int | None = None,
    verified: Container[bytes] = _NOTHING
) -> State:
    """Check and apply in order, then end-of-block governance. Raises on the first bad tx.
    ``block_ms``: the block's timestamp. The returned state's tip fields are still the
    parent's."""
    ledger = _Ledger(state, verified, block_ms)
    for tx in transactions:
        ledger.apply(tx)
    return ledger.finish()


# --- blocks ---------------------------------------------------------------------------------


def validate_header(state: State, header: BlockHeader, *, now_ms: int | None = None) -> None:
    """Header checks against the parent state (before any transaction runs)."""
    where = f"block {header.height}"
    if header.height != state.height + 1:
        raise WrongHeight(f"{where}: height must be {state.height + 1}")
    if header.previous_hash != state.tip_hash:
        raise BrokenHashLink(
            f"{where}: previous_hash {header.previous_hash[:16]} is not the parent "
            f"{state.tip_hash[:16]}"
        )
    if header.timestamp < state.tip_timestamp:
        raise TimestampBeforeParent(f"{where}: timestamp {header.timestamp} before parent "
                                    f"{state.tip_timestamp}")
    if now_ms is not None and header.timestamp > now_ms + state.parameters.timestamp_drift_ms:
        raise TimestampInFuture(f"{where}: timestamp {header.timestamp - now_ms} ms in the future")
    if state.authority_by_address(header.proposer) is None:
        raise UnknownAuthority(f"{where}: proposer {header.proposer} is not an authority")
    expected = proposer_of(state.authorities, header.height, header.round)
    if header.proposer != expected:
        raise WrongProposer(f"{where}: proposer {header.proposer} is not the proposer of round "
                            f"{header.round}, {expected}")


def validate_body(state: State, block: Block) -> None:
    """The header's commitments to the body: merkle root, energy, grid snapshot, size."""
    where = f"block {block.height}"
    limit = state.parameters.max_transactions_per_block
    if len(block.transactions) > limit:
        raise TooManyTransactions(f"{where}: {len(block.transactions)} transactions > {limit}")
    if merkle_root_of_leaves([tx.leaf for tx in block.transactions]) != block.header.merkle_root:
        raise MerkleRootMismatch(f"{where}: merkle_root does not match its transactions")
    energy = sum(tx.energy_wh for tx in block.transactions)
    if energy != block.header.total_energy:
        raise TotalEnergyMismatch(f"{where}: total_energy {block.header.total_energy} Wh, "
                                  f"transactions settle {energy} Wh")
    if grid_state_hash(block.grid_snapshot) != block.header.grid_state_hash:
        raise GridStateHashMismatch(f"{where}: grid_state_hash does not match the snapshot")


def validate_signatures(state: State, block: Block) -> None:
    """Finality: at least quorum distinct authorities signed the commit digest."""
    where = f"block {block.height}"
    digest = commit_digest(block.hash)
    signers: set[str] = set()
    for seal in block.authority_signatures:
        authority = state.authority_by_address(seal.authority)
        if authority is None:
            raise UnknownAuthority(f"{where}: signature by non-authority {seal.authority}")
        if seal.authority in signers:
            raise DuplicateAuthoritySignature(f"{where}: {authority.name} signed twice")
        if not verify_signature(authority.public_key, digest, seal.signature):
            raise BadAuthoritySignature(f"{where}: signature of {authority.name} does not verify")
        signers.add(seal.authority)
    quorum = finality_quorum(len(state.authorities))
    if len(signers) < quorum:
        raise InsufficientFinality(f"{where}: {len(signers)} of {len(state.authorities)} "
                                   f"authorities signed, quorum is {quorum}")


def apply_block(
    state: State,
    block: Block,
    *,
    now_ms: int | None = None,
    verified: Container[bytes] = _NOTHING,
    require_finality: bool = True,
) -> State:
    """The state after ``block``. Raises the InvalidBlock/InvalidTransaction rule broken.

    ``now_ms`` enables the future-drift check (live blocks; omit when replaying history).
    ``require_finality=False`` validates a proposal before it has commit signatures.
    """
    validate_header(state, block.header, now_ms=now_ms)
    validate_body(state, block)
    if require_finality:
        validate_signatures(state, block)
    try:
        after = apply_transactions(state, block.transactions, block_ms=block.header.timestamp,
                                   verified=verified)
    except InvalidTransaction as error:
        raise type(error)(f"block {block.height}: {error}") from None
    new_state = _advance(after, block.header)
    if state_root(new_state) != block.header.state_root:
        raise StateRootMismatch(f"block {block.height}: state_root does not match the state "
                                f"after its transactions")
    return new_state


def _advance(state: State, header: BlockHeader) -> State:
    return replace(state, height=header.height, tip_hash=header.hash,
                   tip_timestamp=header.timestamp)


def check_block_hash(block: Block, claimed: Hash32) -> None:
    """Raise BlockHashMismatch when a stored/announced hash is not the header's hash."""
    if block.hash != claimed:
        raise BlockHashMismatch(f"block {block.height}: hash {claimed[:16]} is not the hash of "
                                f"its header {block.hash[:16]}")


# --- building (the proposer's side) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuiltBlock:
    """A proposal before commit signatures, and the state it leads to."""

    block: Block
    state: State
    rejected: tuple[tuple[Transaction, InvalidTransaction], ...]
    """Candidates left out, with the rule each broke."""


def build_block(
    state: State,
    candidates: Iterable[Transaction],
    *,
    proposer: Address,
    timestamp: int,
    round: int = 0,
    grid_snapshot: GridSnapshot = EMPTY_GRID_SNAPSHOT,
    verified: Container[bytes] = _NOTHING,
) -> BuiltBlock:
    """Assemble the next block from ``candidates`` in order, skipping invalid ones."""
    block_ms = max(timestamp, state.tip_timestamp)
    ledger = _Ledger(state, verified, block_ms)
    included: list[Transaction] = []
    rejected: list[tuple[Transaction, InvalidTransaction]] = []
    limit = state.parameters.max_transactions_per_block
    for tx in candidates:
        if len(included) >= limit:
            break
        try:
            ledger.apply(tx)
        except DuplicateTransaction:
            continue
        except InvalidTransaction as error:
            rejected.append((tx, error))
            continue
        included.append(tx)
    after = ledger.finish()
    txs = tuple(included)
    header = BlockHeader(
        height=state.height + 1,
        previous_hash=state.tip_hash,
        timestamp=block_ms,
        proposer=proposer,
        round=round,
        merkle_root=merkle_root_of_leaves([tx.leaf for tx in txs]),
        state_root=state_root(after),
        total_energy=sum(tx.energy_wh for tx in txs),
        grid_state_hash=grid_state_hash(grid_snapshot),
    )
    return BuiltBlock(Block(header, grid_snapshot, txs), _advance(after, header),
                      tuple(rejected))


def seal_block(block: Block, signatures: Iterable[AuthoritySignature]) -> Block:
    """The block with its commit signatures, ordered by authority address (canonical)."""
    return replace(block, authority_signatures=tuple(sorted(signatures,
                                                            key=lambda s: s.authority)))
