"""The state transition: validating transactions and blocks, applying them, building them.

``apply_block(state, block) -> state`` is deterministic and pure: it reads as the list of
checks a block must pass, each raising one named error, then the state change. Nodes skip
re-verifying transaction signatures they already verified at mempool admission by passing
``verified`` (a container of signing digests); everything else is always re-checked.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from node_core.blocks import (
    AuthoritySignature,
    Block,
    BlockHeader,
    commit_digest,
    finality_quorum,
)
from node_core.exceptions import (
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
    StateRootMismatch,
    TimestampBeforeParent,
    TimestampInFuture,
    TooManyTransactions,
    TotalEnergyMismatch,
    UnknownAuthority,
    WrongChain,
    WrongHeight,
)
from node_core.grid_state import EMPTY_GRID_SNAPSHOT, GridSnapshot, grid_state_hash
from node_core.hashing import merkle_root
from node_core.signing import verify_signature
from node_core.state import Account, State, state_root
from node_core.transactions import (
    EnergyTrade,
    Transaction,
    Transfer,
    check_signature,
    check_well_formed,
    encode_transaction,
)
from node_core.types import Address, Hash32

_MAX_AMOUNT = 2**63 - 1  # SQLite INTEGER is signed 64-bit
_NOTHING: frozenset[bytes] = frozenset()


# --- transactions ---------------------------------------------------------------------------


def validate_transaction(
    state: State, tx: Transaction, *, verified: Container[bytes] = _NOTHING
) -> None:
    """Check ``tx`` against ``state`` alone (no mempool): chain, fields, signature, nonce,
    funds. Raise the InvalidTransaction subclass of the first rule broken."""
    _check_transaction(state.chain_id, state.accounts, tx, verified)


def _check_transaction(
    chain_id: str, accounts: Mapping[Address, Account], tx: Transaction, verified: Container[bytes]
) -> None:
    if tx.chain_id != chain_id:
        raise WrongChain(f"tx {tx.hash[:16]}: signed for chain {tx.chain_id!r}, not {chain_id!r}")
    check_well_formed(tx)
    if tx.digest not in verified:
        check_signature(tx)
    sender = accounts.get(tx.sender) or Account(tx.sender)
    if tx.nonce != sender.nonce:
        raise NonceMismatch(f"tx {tx.hash[:16]}: nonce {tx.nonce}, account expects {sender.nonce}")
    _check_funds(accounts, tx, sender)


def _check_funds(accounts: Mapping[Address, Account], tx: Transaction, sender: Account) -> None:
    payload = tx.payload
    cost = payload.amount if isinstance(payload, Transfer) else payload.payment
    if sender.balance < cost:
        raise InsufficientBalance(
            f"tx {tx.hash[:16]}: {sender.address} has {sender.balance} satang, needs {cost}"
        )
    if isinstance(payload, EnergyTrade):
        seller = accounts.get(payload.seller) or Account(payload.seller)
        if seller.energy_credits < payload.energy_wh:
            raise InsufficientEnergyCredits(
                f"tx {tx.hash[:16]}: seller {seller.address} has {seller.energy_credits} Wh, "
                f"trade settles {payload.energy_wh} Wh"
            )


def _apply_transaction(accounts: dict[Address, Account], tx: Transaction) -> None:
    """Apply an already-checked transaction to the working account map."""
    sender = accounts.get(tx.sender) or Account(tx.sender)
    payload = tx.payload
    if isinstance(payload, Transfer):
        accounts[tx.sender] = replace(
            sender, balance=sender.balance - payload.amount, nonce=sender.nonce + 1
        )
        _credit(accounts, payload.recipient, payload.amount, 0, tx)
    else:
        accounts[tx.sender] = replace(
            sender,
            balance=sender.balance - payload.payment,
            energy_credits=_bounded(sender.energy_credits + payload.energy_wh, tx),
            nonce=sender.nonce + 1,
        )
        seller = accounts.get(payload.seller) or Account(payload.seller)
        accounts[payload.seller] = replace(
            seller, energy_credits=seller.energy_credits - payload.energy_wh
        )
        _credit(accounts, payload.seller, payload.payment, 0, tx)


def _credit(accounts: dict[Address, Account], address: Address, satang: int, wh: int,
            tx: Transaction) -> None:
    account = accounts.get(address) or Account(address)
    accounts[address] = replace(
        account,
        balance=_bounded(account.balance + satang, tx),
        energy_credits=_bounded(account.energy_credits + wh, tx),
    )


def _bounded(value: int, tx: Transaction) -> int:
    if value > _MAX_AMOUNT:
        raise MalformedTransaction(f"tx {tx.hash[:16]}: amount overflows an account field (2^63-1)")
    return value


def apply_transactions(
    state: State, transactions: Iterable[Transaction], *, verified: Container[bytes] = _NOTHING
) -> dict[Address, Account]:
    """Check and apply in order; return the new account map. Raises on the first bad tx."""
    accounts = dict(state.accounts)
    seen: set[bytes] = set()
    for tx in transactions:
        if tx.digest in seen:
            raise DuplicateTransaction(f"tx {tx.hash[:16]} appears twice")
        seen.add(tx.digest)
        _check_transaction(state.chain_id, accounts, tx, verified)
        _apply_transaction(accounts, tx)
    return accounts


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


def validate_body(state: State, block: Block) -> None:
    """The header's commitments to the body: merkle root, energy, grid snapshot, size."""
    where = f"block {block.height}"
    limit = state.parameters.max_transactions_per_block
    if len(block.transactions) > limit:
        raise TooManyTransactions(f"{where}: {len(block.transactions)} transactions > {limit}")
    if merkle_root(encode_transaction(tx) for tx in block.transactions) != block.header.merkle_root:
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
        accounts = apply_transactions(state, block.transactions, verified=verified)
    except InvalidTransaction as error:
        raise type(error)(f"block {block.height}: {error}") from None
    new_state = _advance(state, block.header, accounts)
    if state_root(new_state) != block.header.state_root:
        raise StateRootMismatch(f"block {block.height}: state_root does not match the state "
                                f"after its transactions")
    return new_state


def _advance(state: State, header: BlockHeader, accounts: dict[Address, Account]) -> State:
    return replace(state, height=header.height, tip_hash=header.hash,
                   tip_timestamp=header.timestamp, accounts=MappingProxyType(accounts))


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
    accounts = dict(state.accounts)
    included: list[Transaction] = []
    rejected: list[tuple[Transaction, InvalidTransaction]] = []
    seen: set[bytes] = set()
    limit = state.parameters.max_transactions_per_block
    for tx in candidates:
        if len(included) >= limit:
            break
        if tx.digest in seen:
            continue
        try:
            _check_transaction(state.chain_id, accounts, tx, verified)
            _apply_transaction(accounts, tx)
        except InvalidTransaction as error:
            rejected.append((tx, error))
            continue
        seen.add(tx.digest)
        included.append(tx)
    return _assemble(state, accounts, tuple(included), tuple(rejected),
                     proposer, max(timestamp, state.tip_timestamp), round, grid_snapshot)


def _assemble(state: State, accounts: dict[Address, Account], txs: tuple[Transaction, ...],
              rejected: tuple[tuple[Transaction, InvalidTransaction], ...], proposer: Address,
              timestamp: int, round: int, grid_snapshot: GridSnapshot) -> BuiltBlock:
    provisional = replace(state, accounts=MappingProxyType(accounts))
    header = BlockHeader(
        height=state.height + 1,
        previous_hash=state.tip_hash,
        timestamp=timestamp,
        proposer=proposer,
        round=round,
        merkle_root=merkle_root(encode_transaction(tx) for tx in txs),
        state_root=state_root(provisional),
        total_energy=sum(tx.energy_wh for tx in txs),
        grid_state_hash=grid_state_hash(grid_snapshot),
    )
    block = Block(header, grid_snapshot, txs)
    return BuiltBlock(block, _advance(state, header, accounts), rejected)


def seal_block(block: Block, signatures: Iterable[AuthoritySignature]) -> Block:
    """The block with its commit signatures, ordered by authority address (canonical)."""
    return replace(block, authority_signatures=tuple(sorted(signatures,
                                                            key=lambda s: s.authority)))
