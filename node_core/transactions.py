"""Transactions: the kinds, their canonical encoding, signing, and stateless checks.

A transaction is signed by its sender's P-256 key over
``digest = SHA-256("GTX/tx" || unsigned encoding)``. The transaction's hash *is* that digest
(hex), so it does not depend on the signature bytes; signatures must be low-S anyway.

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

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any, Final

from node_core.encoding import Reader, Writer, check_u64
from node_core.exceptions import BadTransactionSignature, DecodeError, MalformedTransaction
from node_core.hashing import TX_DOMAIN, tagged_digest
from node_core.signing import Signer, public_key_address, verify_signature
from node_core.types import REGIONS, Address, Hash32, PublicKey, is_address

MAX_TRANSACTION_BYTES: Final = 8192


class TxKind(IntEnum):
    """The kind tag, second byte of every transaction encoding."""

    TRANSFER = 1
    ENERGY_TRADE = 2


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


Payload = Transfer | EnergyTrade


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

    def __post_init__(self) -> None:
        check_u64(self.nonce, "nonce")
        object.__setattr__(self, "sender", _address_or_malformed(self.sender_public_key))
        object.__setattr__(self, "digest", tagged_digest(TX_DOMAIN, _unsigned_bytes(self)))

    @property
    def kind(self) -> TxKind:
        return _KIND_OF[type(self.payload)]

    @property
    def hash(self) -> Hash32:
        return Hash32(self.digest.hex())

    @property
    def energy_wh(self) -> int:
        """Energy this transaction settles (0 for non-trades)."""
        return self.payload.energy_wh if isinstance(self.payload, EnergyTrade) else 0


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
    writer.u64(payload.energy_wh).u64(payload.price_per_kwh).str_(payload.region)


def _read_trade(reader: Reader) -> EnergyTrade:
    return EnergyTrade(
        Address(reader.address()), Address(reader.address()), reader.u64(), reader.u64(),
        reader.str_(16),
    )


PayloadCodec = tuple[type, Callable[[Writer, Any], None], Callable[[Reader], Any]]
PAYLOAD_CODECS: dict[TxKind, PayloadCodec] = {
    TxKind.TRANSFER: (Transfer, _write_transfer, _read_transfer),
    TxKind.ENERGY_TRADE: (EnergyTrade, _write_trade, _read_trade),
}
_KIND_OF: dict[type, TxKind] = {codec[0]: kind for kind, codec in PAYLOAD_CODECS.items()}


def _write_unsigned(writer: Writer, tx: Transaction) -> None:
    kind = _KIND_OF.get(type(tx.payload))
    if kind is None:
        raise MalformedTransaction(f"unknown payload type {type(tx.payload).__name__}")
    writer.u8(1).u8(kind).str_(tx.chain_id).u64(tx.nonce)
    writer.raw(tx.sender_public_key, 65)
    PAYLOAD_CODECS[kind][1](writer, tx.payload)


def _unsigned_bytes(tx: Transaction) -> bytes:
    writer = Writer()
    try:
        _write_unsigned(writer, tx)
    except (ValueError, TypeError, AttributeError) as error:
        raise MalformedTransaction(f"cannot encode transaction: {error}") from None
    return bytes(writer)


def encode_transaction(tx: Transaction) -> bytes:
    """The signed encoding (what blocks carry and peers gossip)."""
    if len(tx.signature) != 64:
        raise MalformedTransaction(f"tx {tx.hash[:16]}: not signed")
    return _unsigned_bytes(tx) + tx.signature


def read_transaction(reader: Reader) -> Transaction:
    reader.version()
    kind_tag = reader.u8()
    if kind_tag not in PAYLOAD_CODECS:
        raise DecodeError(f"unknown transaction kind {kind_tag}")
    chain_id, nonce = reader.str_(64), reader.u64()
    public_key = PublicKey(reader.raw(65))
    payload = PAYLOAD_CODECS[TxKind(kind_tag)][2](reader)
    try:
        return Transaction(chain_id, nonce, public_key, payload, reader.raw(64))
    except MalformedTransaction as error:
        raise DecodeError(str(error)) from None


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
    return replace(tx, signature=signer.sign(tx.digest))


def check_signature(tx: Transaction) -> None:
    """Raise BadTransactionSignature unless the sender's key signed this transaction."""
    if not verify_signature(tx.sender_public_key, tx.digest, tx.signature):
        raise BadTransactionSignature(f"tx {tx.hash[:16]}: signature does not verify")


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


def _require(condition: bool, tx: Transaction, message: str) -> None:
    if not condition:
        raise MalformedTransaction(f"tx {tx.hash[:16]}: {message}")
