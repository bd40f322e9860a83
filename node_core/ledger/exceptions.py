"""Every error node_core raises, under one root.

Validation reads as a list of checks; each check raises exactly one of the classes below,
with a message that names the block or transaction and the rule. Callers catch a family
(``InvalidBlock``, ``InvalidTransaction``) or a single rule.
"""

from __future__ import annotations


class GridTokenXError(Exception):
    """Root of every error raised by node_core."""


# --- encoding -------------------------------------------------------------------------------


class DecodeError(GridTokenXError):
    """Bytes are not a valid canonical encoding (truncated, trailing bytes, bad tag...)."""


class FieldTooLong(DecodeError, ValueError):
    """A text field is longer, in UTF-8 bytes, than its limit (:mod:`node_core.ledger.fields`):
    raised by the encoder (nothing over a limit can be built or signed) and by the decoder."""


# --- transactions ---------------------------------------------------------------------------


class InvalidTransaction(GridTokenXError):
    """A transaction breaks a rule; the subclass names the rule."""


class MalformedTransaction(InvalidTransaction):
    """Fields out of range: negative amount, bad address, unknown region, self-trade..."""


class WrongChain(InvalidTransaction):
    """The transaction was signed for another chain id (cross-chain replay)."""


class BadTransactionSignature(InvalidTransaction):
    """The signature does not verify against the sender's public key, or is high-S."""


class NonceMismatch(InvalidTransaction):
    """The nonce is not the sender account's next nonce (replay or gap)."""


class InsufficientBalance(InvalidTransaction):
    """The payer's balance does not cover the amount."""


class InsufficientEnergyCredits(InvalidTransaction):
    """The seller's energy credits do not cover the settled energy."""


class TradingHalted(InvalidTransaction):
    """An energy trade settles in a region where trading is halted by an emergency action."""


class PriceAboveCap(InvalidTransaction):
    """An energy trade's price is above the governance price cap per kWh."""


class MempoolRejection(GridTokenXError):
    """The mempool will not hold a transaction that may be valid later or elsewhere."""


class MempoolFull(MempoolRejection):
    """The mempool holds its maximum number of transactions; retry later."""


class NonceOutOfWindow(MempoolRejection):
    """The nonce is further ahead of the account than the mempool's nonce window."""


# --- blocks ---------------------------------------------------------------------------------


class InvalidBlock(GridTokenXError):
    """A block breaks a rule; the subclass names the rule."""


class WrongHeight(InvalidBlock):
    """The block's height is not parent height + 1."""


class BrokenHashLink(InvalidBlock):
    """previous_hash is not the parent's hash."""


class BlockHashMismatch(InvalidBlock):
    """The stored or announced hash is not the hash of the header."""


class MerkleRootMismatch(InvalidBlock):
    """merkle_root does not commit to the block's transactions."""


class StateRootMismatch(InvalidBlock):
    """state_root is not the root of the state after applying the block."""


class TotalEnergyMismatch(InvalidBlock):
    """total_energy is not the energy the block's transactions settle."""


class GridStateHashMismatch(InvalidBlock):
    """grid_state_hash is not the hash of the carried grid snapshot."""


class TimestampBeforeParent(InvalidBlock):
    """The block's timestamp is earlier than its parent's."""


class TimestampInFuture(InvalidBlock):
    """The block's timestamp is further in the future than the allowed drift."""


class UnknownAuthority(InvalidBlock):
    """The proposer or a signer is not in the authority set."""


class BadAuthoritySignature(InvalidBlock):
    """An authority commit signature does not verify."""


class DuplicateAuthoritySignature(InvalidBlock):
    """The same authority signed the block twice."""


class InsufficientFinality(InvalidBlock):
    """Fewer than quorum = ceil(2n/3) authorities signed the block."""


class TooManyTransactions(InvalidBlock):
    """The block carries more transactions than the chain allows."""


class DuplicateTransaction(InvalidBlock):
    """The same transaction appears twice in a block."""


class WrongProposer(InvalidBlock):
    """The header's proposer is not the proposer of its height and round,
    ``A[(height + round) mod n]`` over the parent state's authority set."""


# --- genesis --------------------------------------------------------------------------------


class InvalidGenesis(GridTokenXError, ValueError):
    """The genesis file is malformed; the message names the field."""


# --- signing --------------------------------------------------------------------------------


class SignerError(GridTokenXError):
    """The signing key cannot be used (token missing, wrong PIN, key missing...)."""


class TokenNotFound(SignerError):
    """No PKCS#11 token with the configured label is present."""


class WrongPin(SignerError):
    """The token refused the PIN."""


class KeyNotFound(SignerError):
    """The token or key file holds no key with the configured label."""


class SignerNotAllowed(SignerError):
    """The configuration forbids this signer backend (file keys outside development)."""


# --- storage --------------------------------------------------------------------------------


class StoreError(GridTokenXError):
    """The embedded store is unusable or inconsistent."""


class StoreCorrupted(StoreError):
    """What the store holds does not check out (tip hash, link, state)."""


class GenesisMismatch(StoreError):
    """The store belongs to another chain than the configured genesis."""


class UnknownSchemaVersion(StoreError):
    """The store's ``PRAGMA user_version`` is not the schema version this code reads."""


class SchemaAltered(StoreCorrupted):
    """The store's tables, indexes or triggers are not exactly the ones this code creates."""


class StoredValueMismatch(StoreCorrupted):
    """A stored column differs, in type or in value, from what the replayed chain derives."""


class MissingRow(StoreCorrupted):
    """A row the replayed chain derives is not in the store."""


class UnexpectedRow(StoreCorrupted):
    """The store holds a row the replayed chain does not derive."""


class InvalidEvidence(StoreCorrupted):
    """A stored equivocation is not two validly signed, conflicting messages of an authority
    (or its columns do not describe them)."""
