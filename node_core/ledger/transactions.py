"""Transactions: the kinds, their canonical encoding, signing, and stateless checks.

A transaction is signed by its sender's P-256 key over
``digest = SHA-256("GTX/tx" || unsigned encoding)``. The transaction's hash *is* that digest
(hex), so it does not depend on the signature bytes; signatures must be low-S anyway. Its
**leaf** — the merkle leaf of its signed encoding, ``SHA-256(0x00 || unsigned encoding ||
signature)`` — names one signed copy: what a block's merkle root is computed from, what a
signature verdict is kept under (a hash does not cover the signature, and ECDSA signs one
digest many ways) and what a compact proposal lists.

Each transaction is encoded once: a decoded one keeps the bytes it was read from (decoding
is canonical, so they are the bytes its fields encode to) and hashes them; a new one is
encoded when made. :func:`encode_transaction` returns those bytes.

Kinds in this module:

* ``Transfer`` — the sender pays ``amount`` satang to ``recipient``.
* ``EnergyTrade`` — settlement of a matched energy trade. The **buyer** is the sender and
  signs: it pays ``ceil(energy_wh × price_per_kwh / 1000)`` satang to the seller and
  receives ``energy_wh`` of the seller's energy credits. The seller's consent is its order
  matched at the trading engine; a seller counter-signature would double verification cost
  and is left for a later design decision. ``total_energy`` of a block is the sum of
  ``energy_wh`` it settles.

Later kinds (governance, emergency actions) add a tag to :class:`TxKind` and a codec to
``PAYLOAD_CODECS``; old transactions keep their bytes and hashes.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Final

from node_core.ledger.encoding import Reader, Writer, check_u64
from node_core.ledger.endorsements import (
    EMERGENCY_DOMAIN,
    NO_ENDORSEMENT,
    ROSTER_DOMAIN,
    Endorsement,
    endorsement_digest,
    read_endorsement,
    write_endorsement,
)
from node_core.ledger.exceptions import (
    BadTransactionSignature,
    DecodeError,
    FieldTooLong,
    MalformedTransaction,
)
from node_core.ledger.fields import (
    AUTHORITY_ADDRESS_TEXT,
    AUTHORITY_NAME,
    CHAIN_ID,
    EMERGENCY_REASON,
    OPERATOR_NAME,
    PARAMETER_NAME,
    PROPOSAL_DESCRIPTION,
    PROPOSAL_TITLE,
    REGION,
)
from node_core.ledger.genesis import check_parameter
from node_core.ledger.hashing import TX_DOMAIN, merkle_leaf, tagged_digest
from node_core.ledger.keys import (
    PUBLIC_KEY_SIZE,
    Signer,
    parse_public_key,
    public_key_address,
    verify_signature,
)
from node_core.ledger.roster import Role, RosterAction
from node_core.ledger.types import REGIONS, Address, Hash32, PublicKey, is_address

MAX_TRANSACTION_BYTES: Final = 16 * 1024
"""Larger than the largest transaction the field limits allow (a proposal with a full title
and description, about 12.9 kB; ``tests/node_core/ledger/test_fields.py`` checks it), so
the text fields are what limit a transaction's size."""
NO_ADDRESS: Final = Address("")
"""A proposal's authority address when its action names none."""


class TxKind(IntEnum):
    """The kind tag, second byte of every transaction encoding."""

    TRANSFER = 1
    ENERGY_TRADE = 2
    GOVERNANCE_PROPOSAL = 16
    GOVERNANCE_VOTE = 17
    EMERGENCY_ACTION = 32
    ROSTER_CHANGE = 48


class EmergencyKind(IntEnum):
    TRADING_HALT = 1
    TRADING_RESUME = 2
    LOAD_SHED = 3
    """Under-frequency load-shedding order: stage, region, MW."""
    DEMAND_RESPONSE = 4
    """Demand-response call: region, MW, duration."""


CRITICAL_EMERGENCIES: Final = frozenset({EmergencyKind.TRADING_HALT, EmergencyKind.LOAD_SHED})
"""Actions that need a supervisor's approval (two-person rule), recorded on chain."""
HALT_KINDS: Final = frozenset({EmergencyKind.TRADING_HALT, EmergencyKind.TRADING_RESUME})
"""The actions that may name ``ALL`` regions."""
ALL_REGIONS: Final = "ALL"
MAX_SHED_STAGE: Final = 5
MAX_VOTING_PERIOD: Final = 100_000
"""Blocks a proposal may stay open."""


class ProposalAction(IntEnum):
    ADD_AUTHORITY = 1
    REMOVE_AUTHORITY = 2
    PARAMETER_CHANGE = 3
    SIGNAL = 4
    """Text only: records the authorities' position, changes nothing."""


class VoteChoice(IntEnum):
    YES = 1
    NO = 2
    ABSTAIN = 3


@dataclass(frozen=True, slots=True)
class Transfer:
    """Pay ``amount`` satang from the sender to ``recipient``."""

    recipient: Address
    amount: int
    """Satang, > 0."""


@dataclass(frozen=True, slots=True)
class EnergyTrade:
    """Settle ``energy_wh`` bought by ``buyer`` (the sender) from ``seller``."""

    seller: Address
    buyer: Address
    energy_wh: int
    """Energy settled, Wh, > 0."""
    price_per_kwh: int
    """Agreed price, satang per kWh, > 0."""
    region: str
    """Grid region where the energy is delivered; one of :data:`REGIONS`."""

    @property
    def payment(self) -> int:
        """Satang the buyer pays: ``ceil(energy_wh × price_per_kwh / 1000)``."""
        return -(-self.energy_wh * self.price_per_kwh // 1000)


@dataclass(frozen=True, slots=True)
class GovernanceProposal:
    """An authority proposes a change; the authorities vote (see
    :mod:`node_core.ledger.governance`)."""

    title: str
    description: str
    action: ProposalAction
    voting_period: int
    """Blocks after the creation height during which votes count."""
    authority_name: str = ""
    """ADD_AUTHORITY: the new authority's name."""
    authority_public_key: bytes = b""
    """ADD_AUTHORITY: its 65-byte P-256 public key."""
    authority_address: Address = NO_ADDRESS
    """ADD/REMOVE_AUTHORITY: the authority's address (must match the key when adding)."""
    parameter: str = ""
    """PARAMETER_CHANGE: the parameter's name (see genesis.PARAMETER_LIMITS)."""
    value: int = 0
    """PARAMETER_CHANGE: its new value."""


@dataclass(frozen=True, slots=True)
class GovernanceVote:
    """An authority's vote; a later vote on the same proposal replaces an earlier one."""

    proposal_id: int
    choice: VoteChoice


@dataclass(frozen=True, slots=True)
class EmergencyAction:
    """An authority's emergency control action, signed by its HSM key after the
    select-before-operate flow of :mod:`node_core.control_room.desk`, and endorsed by the people
    who ordered it: the operator who operated it and, for a critical action, the supervisor
    who approved it (the two-person rule, checked by every authority against the roster:
    :mod:`node_core.ledger.emergency_rules`)."""

    kind: EmergencyKind
    region: str
    """A region of :data:`REGIONS`, or ``"ALL"`` (halt/resume only)."""
    stage: int = 0
    """LOAD_SHED: the under-frequency load-shedding stage, 1..MAX_SHED_STAGE."""
    mw: int = 0
    """LOAD_SHED / DEMAND_RESPONSE: MW to shed or to reduce."""
    duration_s: int = 0
    """DEMAND_RESPONSE: how long."""
    reason: str = ""
    selected_ms: int = 0
    """When the operator selected it (UTC ms): endorsements of it are valid for a while only."""
    operated_by: Endorsement = NO_ENDORSEMENT
    """The operating operator's endorsement of :func:`emergency_order` (an operator or
    supervisor of the issuing authority)."""
    approved_by: Endorsement = NO_ENDORSEMENT
    """Critical actions only: the approving supervisor's endorsement of the same order
    (another member than the operator)."""


@dataclass(frozen=True, slots=True)
class RosterChange:
    """An authority's roster change, requested (endorsed) by its security administrator
    (:mod:`node_core.ledger.roster`)."""

    action: RosterAction
    name: str
    """The member added or removed."""
    role: Role
    """ADD: the new member's role; REMOVE: the removed member's role (it must match)."""
    public_key: bytes = b""
    """ADD: the new member's 65-byte P-256 key; REMOVE: empty."""
    requested_ms: int = 0
    """When the security administrator requested it (UTC ms)."""
    requested_by: Endorsement = NO_ENDORSEMENT
    """The security administrator's endorsement of :func:`roster_change_body`."""


Payload = (Transfer | EnergyTrade | GovernanceProposal | GovernanceVote | EmergencyAction
           | RosterChange)


@dataclass(frozen=True, slots=True)
class Transaction:
    """A signed instruction from one account."""

    chain_id: str
    """The chain this transaction is valid on (cross-chain replay protection)."""
    nonce: int
    """The sender account's nonce before this transaction."""
    sender_public_key: PublicKey
    """65-byte uncompressed P-256 point; the sender address derives from it."""
    payload: Payload
    signature: bytes = b""
    """64 bytes r||s, low-S; empty while unsigned."""
    sender: Address = field(init=False, repr=False, compare=False)
    """Derived: the address of ``sender_public_key``."""
    digest: bytes = field(init=False, repr=False, compare=False)
    """Derived: the 32-byte signing digest."""
    encoded: bytes = field(init=False, repr=False, compare=False)
    """Derived: the signed encoding (the unsigned one followed by ``signature``)."""
    leaf: bytes = field(init=False, repr=False, compare=False)
    """Derived: the merkle leaf of ``encoded`` (see the module docstring)."""
    hash: Hash32 = field(init=False, repr=False, compare=False)
    """Derived: ``digest`` as hex, the transaction's name."""

    def __post_init__(self) -> None:
        _derive(self, _unsigned_bytes(self))

    @property
    def kind(self) -> TxKind:
        return _KIND_OF[type(self.payload)]

    @property
    def cost(self) -> int:
        """Satang the sender pays."""
        payload = self.payload
        if isinstance(payload, Transfer):
            return payload.amount
        return payload.payment if isinstance(payload, EnergyTrade) else 0

    @property
    def energy_wh(self) -> int:
        """Energy this transaction settles (0 for non-trades)."""
        return self.payload.energy_wh if isinstance(self.payload, EnergyTrade) else 0


_INIT_FIELDS: Final = ("chain_id", "nonce", "sender_public_key", "payload", "signature")


def _derive(tx: Transaction, unsigned: bytes) -> None:
    """Set the derived fields of ``tx`` from its unsigned encoding."""
    check_u64(tx.nonce, "nonce")
    object.__setattr__(tx, "sender", _address_or_malformed(tx.sender_public_key))
    digest = tagged_digest(TX_DOMAIN, unsigned)
    object.__setattr__(tx, "digest", digest)
    object.__setattr__(tx, "hash", Hash32(digest.hex()))
    encoded = unsigned + tx.signature
    object.__setattr__(tx, "encoded", encoded)
    object.__setattr__(tx, "leaf", merkle_leaf(encoded))


def _encoded_as(values: tuple[Any, ...], unsigned: bytes) -> Transaction:
    """The transaction of the fields ``values`` (in :data:`_INIT_FIELDS` order) whose
    unsigned encoding is known to be ``unsigned`` (read from the wire, or just made), hashed
    from those bytes instead of encoded again."""
    tx: Transaction = object.__new__(Transaction)
    for name, value in zip(_INIT_FIELDS, values, strict=True):
        object.__setattr__(tx, name, value)
    _derive(tx, unsigned)
    return tx


def _address_or_malformed(public_key: bytes) -> Address:
    try:
        return public_key_address(public_key)
    except ValueError as error:
        raise MalformedTransaction(f"sender public key: {error}") from None


# --- encoding -------------------------------------------------------------------------------


def _write_transfer(writer: Writer, payload: Any) -> None:
    writer.address(payload.recipient).u64(payload.amount)


def _read_transfer(reader: Reader) -> Transfer:
    return Transfer(Address(reader.address()), reader.u64())


def _write_trade(writer: Writer, payload: Any) -> None:
    writer.address(payload.seller).address(payload.buyer)
    writer.u64(payload.energy_wh).u64(payload.price_per_kwh).str_(payload.region, REGION)


def _read_trade(reader: Reader) -> EnergyTrade:
    return EnergyTrade(
        Address(reader.address()), Address(reader.address()), reader.u64(), reader.u64(),
        reader.str_(REGION),
    )


def write_governance_proposal(writer: Writer, p: Any) -> None:
    writer.str_(p.title, PROPOSAL_TITLE).str_(p.description, PROPOSAL_DESCRIPTION)
    writer.u8(p.action).u32(p.voting_period)
    writer.str_(p.authority_name, AUTHORITY_NAME).bytes_(p.authority_public_key)
    writer.str_(p.authority_address, AUTHORITY_ADDRESS_TEXT).str_(p.parameter, PARAMETER_NAME)
    writer.u64(p.value)


def read_governance_proposal(reader: Reader) -> GovernanceProposal:
    title, description = reader.str_(PROPOSAL_TITLE), reader.str_(PROPOSAL_DESCRIPTION)
    action = reader.u8()
    if action not in ProposalAction._value2member_map_:
        raise DecodeError(f"unknown proposal action {action}")
    return GovernanceProposal(
        title, description, ProposalAction(action), reader.u32(), reader.str_(AUTHORITY_NAME),
        reader.bytes_(PUBLIC_KEY_SIZE), Address(reader.str_(AUTHORITY_ADDRESS_TEXT)),
        reader.str_(PARAMETER_NAME), reader.u64())


def _write_vote(writer: Writer, v: Any) -> None:
    writer.u64(v.proposal_id).u8(v.choice)


def _read_vote(reader: Reader) -> GovernanceVote:
    proposal_id, choice = reader.u64(), reader.u8()
    if choice not in VoteChoice._value2member_map_:
        raise DecodeError(f"unknown vote choice {choice}")
    return GovernanceVote(proposal_id, VoteChoice(choice))


def _write_order(writer: Writer, e: EmergencyAction) -> None:
    writer.u8(e.kind).str_(e.region, REGION).u8(e.stage).u32(e.mw).u32(e.duration_s)
    writer.str_(e.reason, EMERGENCY_REASON).u64(e.selected_ms)


def emergency_order(action: EmergencyAction) -> bytes:
    """The order the operator and the supervisor endorse: everything of the action but the
    endorsements."""
    writer = Writer()
    _write_order(writer, action)
    return bytes(writer)


def emergency_digest(chain_id: str, authority: Address, action: EmergencyAction) -> bytes:
    """What the operating operator and the approving supervisor sign."""
    return endorsement_digest(EMERGENCY_DOMAIN, chain_id, authority, emergency_order(action))


def _write_emergency(writer: Writer, e: Any) -> None:
    _write_order(writer, e)
    write_endorsement(writer, e.operated_by)
    write_endorsement(writer, e.approved_by)


def _read_emergency(reader: Reader) -> EmergencyAction:
    kind = reader.u8()
    if kind not in EmergencyKind._value2member_map_:
        raise DecodeError(f"unknown emergency kind {kind}")
    return EmergencyAction(EmergencyKind(kind), reader.str_(REGION), reader.u8(), reader.u32(),
                           reader.u32(), reader.str_(EMERGENCY_REASON), reader.u64(),
                           read_endorsement(reader), read_endorsement(reader))


def _write_roster_body(writer: Writer, c: RosterChange) -> None:
    writer.u8(c.action).str_(c.name, OPERATOR_NAME).u8(c.role).bytes_(c.public_key)
    writer.u64(c.requested_ms)


def roster_change_body(change: RosterChange) -> bytes:
    """What the security administrator endorses: the change without the endorsement."""
    writer = Writer()
    _write_roster_body(writer, change)
    return bytes(writer)


def roster_change_digest(chain_id: str, authority: Address, change: RosterChange) -> bytes:
    """What the requesting security administrator signs."""
    return endorsement_digest(ROSTER_DOMAIN, chain_id, authority, roster_change_body(change))


def _write_roster_change(writer: Writer, c: Any) -> None:
    _write_roster_body(writer, c)
    write_endorsement(writer, c.requested_by)


def _read_roster_change(reader: Reader) -> RosterChange:
    action, name, role = reader.u8(), reader.str_(OPERATOR_NAME), reader.u8()
    if action not in RosterAction._value2member_map_:
        raise DecodeError(f"unknown roster action {action}")
    if role not in Role._value2member_map_:
        raise DecodeError(f"unknown role {role}")
    return RosterChange(RosterAction(action), name, Role(role), reader.bytes_(PUBLIC_KEY_SIZE),
                        reader.u64(), read_endorsement(reader))


PayloadCodec = tuple[type, Callable[[Writer, Any], None], Callable[[Reader], Any]]
PAYLOAD_CODECS: dict[TxKind, PayloadCodec] = {
    TxKind.TRANSFER: (Transfer, _write_transfer, _read_transfer),
    TxKind.ENERGY_TRADE: (EnergyTrade, _write_trade, _read_trade),
    TxKind.GOVERNANCE_PROPOSAL: (GovernanceProposal, write_governance_proposal,
                                 read_governance_proposal),
    TxKind.GOVERNANCE_VOTE: (GovernanceVote, _write_vote, _read_vote),
    TxKind.EMERGENCY_ACTION: (EmergencyAction, _write_emergency, _read_emergency),
    TxKind.ROSTER_CHANGE: (RosterChange, _write_roster_change, _read_roster_change),
}
_KIND_OF: dict[type, TxKind] = {codec[0]: kind for kind, codec in PAYLOAD_CODECS.items()}


def _write_unsigned(writer: Writer, tx: Transaction) -> None:
    kind = _KIND_OF.get(type(tx.payload))
    if kind is None:
        raise MalformedTransaction(f"unknown payload type {type(tx.payload).__name__}")
    writer.u8(1).u8(kind).str_(tx.chain_id, CHAIN_ID).u64(tx.nonce)
    writer.raw(tx.sender_public_key, 65)
    PAYLOAD_CODECS[kind][1](writer, tx.payload)


def _unsigned_bytes(tx: Transaction) -> bytes:
    writer = Writer()
    try:
        _write_unsigned(writer, tx)
    except FieldTooLong:
        raise
    except (ValueError, TypeError, AttributeError, struct.error) as error:
        raise MalformedTransaction(f"cannot encode transaction: {error}") from None
    return bytes(writer)


def encode_transaction(tx: Transaction) -> bytes:
    """The signed encoding (what blocks carry and peers gossip)."""
    if len(tx.signature) != 64:
        raise MalformedTransaction(f"tx {tx.hash[:16]}: not signed")
    return tx.encoded


def read_transaction(reader: Reader) -> Transaction:
    start = reader.offset
    reader.version()
    kind_tag = reader.u8()
    if kind_tag not in PAYLOAD_CODECS:
        raise DecodeError(f"unknown transaction kind {kind_tag}")
    chain_id, nonce = reader.str_(CHAIN_ID), reader.u64()
    public_key = PublicKey(reader.raw(65))
    payload = PAYLOAD_CODECS[TxKind(kind_tag)][2](reader)
    unsigned = reader.since(start)
    try:
        return _encoded_as((chain_id, nonce, public_key, payload, reader.raw(64)), unsigned)
    except MalformedTransaction as error:
        raise DecodeError(str(error)) from None


def hash_of_encoded(data: bytes) -> Hash32:
    """The hash a signed encoding would have as a transaction (the tagged digest of all but
    its 64-byte signature), computed without decoding it: what a node names when it drops
    bytes it cannot decode."""
    return Hash32(tagged_digest(TX_DOMAIN, data[:-64]).hex())


def decode_transaction(data: bytes) -> Transaction:
    """Inverse of :func:`encode_transaction`; raises DecodeError on non-canonical bytes."""
    if len(data) > MAX_TRANSACTION_BYTES:
        raise DecodeError(f"transaction of {len(data)} bytes exceeds {MAX_TRANSACTION_BYTES}")
    reader = Reader(data)
    tx = read_transaction(reader)
    reader.finish()
    return tx


# --- signing and stateless checks ------------------------------------------------------------


def sign_transaction(tx: Transaction, signer: Signer) -> Transaction:
    """Return ``tx`` signed by ``signer``, which must hold the sender's key."""
    if bytes(signer.public_key) != bytes(tx.sender_public_key):
        raise MalformedTransaction(f"tx {tx.hash[:16]}: signer {signer.address} is not the sender")
    unsigned = tx.encoded[:len(tx.encoded) - len(tx.signature)]
    return _encoded_as((tx.chain_id, tx.nonce, tx.sender_public_key, tx.payload,
                        signer.sign(tx.digest)), unsigned)


def check_signature(tx: Transaction) -> None:
    """Raise BadTransactionSignature unless the sender's key signed this transaction."""
    if not verify_signature(tx.sender_public_key, tx.digest, tx.signature):
        raise signature_error(tx)


def signature_error(tx: Transaction) -> BadTransactionSignature:
    """The error of ``tx`` when its signature does not verify (here, or where it was
    verified for the node)."""
    return BadTransactionSignature(f"tx {tx.hash[:16]}: signature does not verify")


def check_well_formed(tx: Transaction) -> None:
    """Stateless field checks; raise MalformedTransaction naming the field."""
    payload = tx.payload
    if isinstance(payload, Transfer):
        _require(is_address(payload.recipient), tx, "recipient is not an address")
        _require(payload.amount > 0, tx, "amount must be positive")
        _require(payload.recipient != tx.sender, tx, "transfer to self")
    elif isinstance(payload, EnergyTrade):
        _require(is_address(payload.seller), tx, "seller is not an address")
        _require(payload.buyer == tx.sender, tx, "the buyer must be the sender")
        _require(payload.seller != payload.buyer, tx, "seller and buyer are the same account")
        _require(payload.energy_wh > 0, tx, "energy_wh must be positive")
        _require(payload.price_per_kwh > 0, tx, "price_per_kwh must be positive")
        _require(payload.region in REGIONS, tx, f"region {payload.region!r} not in {REGIONS}")
    elif isinstance(payload, GovernanceProposal):
        check_proposal_fields(tx, payload)
    elif isinstance(payload, EmergencyAction):
        check_emergency_fields(tx, payload)
    elif isinstance(payload, RosterChange):
        check_roster_change_fields(tx, payload)


def check_emergency_fields(tx: Transaction, e: EmergencyAction) -> None:
    """Stateless checks of an emergency action; MalformedTransaction names the field. (Who
    endorsed it is checked against the roster: :mod:`node_core.ledger.emergency_rules`.)"""
    regions = (*REGIONS, ALL_REGIONS) if e.kind in HALT_KINDS else REGIONS
    _require(e.region in regions, tx, f"region {e.region!r} not in {regions}")
    _require(e.operated_by != NO_ENDORSEMENT, tx, "the operating operator's endorsement is "
             "missing")
    if e.kind == EmergencyKind.LOAD_SHED:
        _require(1 <= e.stage <= MAX_SHED_STAGE, tx, f"stage must be 1..{MAX_SHED_STAGE}")
        _require(e.mw > 0, tx, "load shedding needs MW > 0")
    if e.kind == EmergencyKind.DEMAND_RESPONSE:
        _require(e.mw > 0 and e.duration_s > 0, tx, "demand response needs MW and duration")
    if e.kind in CRITICAL_EMERGENCIES:
        _require(e.approved_by != NO_ENDORSEMENT, tx, "a critical action needs a supervisor's "
                 "approval (two-person rule)")
    else:
        _require(e.approved_by == NO_ENDORSEMENT, tx, "only a critical action carries an "
                 "approval")


def check_roster_change_fields(tx: Transaction, c: RosterChange) -> None:
    """Stateless checks of a roster change; MalformedTransaction names the field. (Who asked
    for it, and the member's name, are roster rules: :mod:`node_core.ledger.roster_rules`.)"""
    _require(c.requested_by != NO_ENDORSEMENT, tx, "the security administrator's "
             "endorsement is missing")
    if c.action == RosterAction.REMOVE:
        _require(c.public_key == b"", tx, "a removal names the member, not a key")
        return
    try:
        parse_public_key(c.public_key)
    except ValueError as error:
        raise MalformedTransaction(f"tx {tx.hash[:16]}: member key: {error}") from None
    _require(len(c.public_key) == PUBLIC_KEY_SIZE, tx, "the member key must be the 65-byte "
             "uncompressed point")


def check_proposal_fields(tx: Transaction, p: GovernanceProposal) -> None:
    """Stateless checks of a proposal; MalformedTransaction names the field."""
    _require(bool(p.title.strip()), tx, "proposal title is empty")
    _require(1 <= p.voting_period <= MAX_VOTING_PERIOD, tx,
             f"voting period must be 1..{MAX_VOTING_PERIOD} blocks")
    if p.action == ProposalAction.ADD_AUTHORITY:
        _require(bool(p.authority_name), tx, "authority name is empty")
        try:
            key = parse_public_key(p.authority_public_key)
        except ValueError as error:
            raise MalformedTransaction(f"tx {tx.hash[:16]}: public key: {error}") from None
        _require(public_key_address(key) == p.authority_address, tx,
                 "authority address does not match its public key")
    elif p.action == ProposalAction.REMOVE_AUTHORITY:
        _require(is_address(p.authority_address), tx, "authority address is not an address")
    elif p.action == ProposalAction.PARAMETER_CHANGE:
        try:
            check_parameter(p.parameter, p.value)
        except ValueError as error:
            raise MalformedTransaction(f"tx {tx.hash[:16]}: {error}") from None


def _require(condition: bool, tx: Transaction, message: str) -> None:
    if not condition:
        raise MalformedTransaction(f"tx {tx.hash[:16]}: {message}")
