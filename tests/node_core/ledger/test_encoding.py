"""Canonical encoding: round trips, rejection of non-canonical bytes, stable hashes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node_core.ledger.blocks import (
    AuthoritySignature,
    Block,
    BlockHeader,
    decode_block,
    encode_block,
    encode_header,
)
from node_core.ledger.endorsements import Endorsement
from node_core.ledger.exceptions import DecodeError
from node_core.ledger.grid_state import (
    EMPTY_GRID_SNAPSHOT,
    GridSnapshot,
    RegionLoad,
    decode_grid_snapshot,
    encode_grid_snapshot,
    grid_state_hash,
)
from node_core.ledger.hashing import merkle_leaf
from node_core.ledger.roster import Role, RosterAction
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
    EnergyTrade,
    GovernanceProposal,
    GovernanceVote,
    ProposalAction,
    RosterChange,
    Transaction,
    Transfer,
    VoteChoice,
    decode_transaction,
    encode_transaction,
    sign_transaction,
)
from node_core.ledger.types import REGIONS
from tests.helpers.chain import CHAIN_ID, signer_from_seed

SIGNERS = [signer_from_seed(i) for i in range(3)]
u64 = st.integers(min_value=0, max_value=2**64 - 1)
hash32 = st.binary(min_size=32, max_size=32).map(bytes.hex)
address = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())


@st.composite
def transactions(draw):
    signer = draw(st.sampled_from(SIGNERS))
    if draw(st.booleans()):
        payload = Transfer(draw(address), draw(u64))
    else:
        payload = EnergyTrade(draw(address), signer.address, draw(u64), draw(u64),
                              draw(st.sampled_from(REGIONS)))
    chain_id = draw(st.text(min_size=1, max_size=20))
    tx = Transaction(chain_id, draw(u64), signer.public_key, payload)
    return sign_transaction(tx, signer)


@st.composite
def snapshots(draw):
    regions = draw(st.lists(st.sampled_from(REGIONS), unique=True))
    ordered = [r for r in REGIONS if r in regions]
    return GridSnapshot(draw(u64), draw(u64),
                        tuple(RegionLoad(r, draw(u64), draw(u64)) for r in ordered))


@st.composite
def blocks(draw):
    header = BlockHeader(draw(u64), draw(hash32), draw(u64), draw(address),
                         draw(st.integers(0, 2**32 - 1)), draw(hash32), draw(hash32), draw(u64),
                         draw(hash32))
    seals = tuple(AuthoritySignature(draw(address), draw(st.binary(min_size=64, max_size=64)))
                  for _ in range(draw(st.integers(0, 4))))
    return Block(header, draw(snapshots()), tuple(draw(st.lists(transactions(), max_size=3))),
                 seals)


@given(transactions())
def test_transaction_round_trip(tx):
    data = encode_transaction(tx)
    decoded = decode_transaction(data)
    assert decoded == tx
    assert (decoded.hash, decoded.leaf) == (tx.hash, tx.leaf)
    assert encode_transaction(decoded) == data


@given(snapshots())
def test_grid_snapshot_round_trip(snapshot):
    assert decode_grid_snapshot(encode_grid_snapshot(snapshot)) == snapshot


@settings(max_examples=50)
@given(blocks())
def test_block_round_trip(block):
    data = encode_block(block)
    decoded = decode_block(data)
    assert decoded == block
    assert decoded.hash == block.hash
    assert encode_block(decoded) == data


@given(transactions(), st.binary(min_size=1, max_size=4))
def test_trailing_bytes_are_rejected(tx, extra):
    with pytest.raises(DecodeError):
        decode_transaction(encode_transaction(tx) + extra)


@given(transactions(), st.data())
def test_truncation_is_rejected(tx, data):
    encoded = encode_transaction(tx)
    cut = data.draw(st.integers(0, len(encoded) - 1))
    with pytest.raises(DecodeError):
        decode_transaction(encoded[:cut])


ENDORSEMENT = Endorsement(SIGNERS[2].public_key, b"\x01" * 64)
EVERY_KIND = [
    Transfer(SIGNERS[1].address, 5),
    EnergyTrade(SIGNERS[1].address, SIGNERS[0].address, 500, 420, "PEA"),
    GovernanceProposal("ราคา", "เพดาน", ProposalAction.PARAMETER_CHANGE, 10,
                       parameter="price_cap_per_kwh", value=600),
    GovernanceVote(3, VoteChoice.NO),
    EmergencyAction(EmergencyKind.LOAD_SHED, "MEA", 2, 300, 0, "ความถี่ต่ำ", 1, ENDORSEMENT,
                    ENDORSEMENT),
    RosterChange(RosterAction.ADD, "operator3", Role.OPERATOR, bytes(SIGNERS[2].public_key), 1,
                 ENDORSEMENT),
]


@pytest.mark.parametrize("payload", EVERY_KIND, ids=lambda p: type(p).__name__)
def test_a_transaction_read_from_the_wire_is_hashed_from_the_bytes_it_came_in(payload):
    tx = sign_transaction(Transaction(CHAIN_ID, 7, SIGNERS[0].public_key, payload), SIGNERS[0])
    data = encode_transaction(tx)
    decoded = decode_transaction(data)
    assert decoded.encoded == data and decoded.leaf == merkle_leaf(data) == tx.leaf
    assert decoded.digest == tx.digest


def test_unknown_kind_and_version_are_rejected():
    tx = sign_transaction(Transaction(CHAIN_ID, 0, SIGNERS[0].public_key,
                                      Transfer(SIGNERS[1].address, 5)), SIGNERS[0])
    data = bytearray(encode_transaction(tx))
    with pytest.raises(DecodeError, match="kind"):
        decode_transaction(bytes(data[:1] + b"\x63" + data[2:]))
    with pytest.raises(DecodeError, match="version"):
        decode_transaction(bytes(b"\x02" + data[1:]))


def test_header_hash_is_stable():
    """Pinned: a change here breaks every stored chain."""
    header = BlockHeader(7, "ab" * 32, 1_764_000_000_000, "0x" + "11" * 20, 2, "cd" * 32,
                         "ef" * 32, 12_345, "01" * 32)
    assert encode_header(header).hex()[:18] == "010000000000000007"
    assert header.hash == "d9a9f5f44fe84151036eba1c5a95ae1a7c87cbf8b049f7c2c3b488c568a1901b"


def test_transaction_hash_is_stable_and_excludes_the_signature():
    signer = SIGNERS[0]
    tx = Transaction(CHAIN_ID, 3, signer.public_key,
                     EnergyTrade(SIGNERS[1].address, signer.address, 5000, 450, "MEA"))
    signed = sign_transaction(tx, signer)
    assert tx.hash == signed.hash == (
        "20adfc935e1b180dfa3627be87abd59f883d3cd36157b8a497dd6a917fda0e99")


def test_empty_grid_snapshot_hash_is_defined():
    assert grid_state_hash(EMPTY_GRID_SNAPSHOT) == (
        "6d0e03e16dd55605d4da4fb524a37903a22bee86547f02c4672fdd3248f0a771")
