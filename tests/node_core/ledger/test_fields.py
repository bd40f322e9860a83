"""One limit per text field, in bytes: whatever a builder accepts the decoder accepts, and the
reverse — with Thai and other multi-byte text at and around every limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node_core.ledger import fields
from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.endorsements import Endorsement
from node_core.ledger.exceptions import FieldTooLong
from node_core.ledger.fields import TEXT_FIELDS, TextField
from node_core.ledger.roster import Role, RosterAction
from node_core.ledger.transactions import (
    MAX_TRANSACTION_BYTES,
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
    check_well_formed,
    decode_transaction,
    encode_transaction,
    sign_transaction,
)
from tests.helpers.chain import CHAIN_ID, signer_from_seed

SENDER, OTHER = signer_from_seed(1), signer_from_seed(2)
THAI_TITLE = "ข้อเสนอปรับเพดานราคาพลังงานไฟฟ้าสำหรับการซื้อขายระหว่างผู้ผลิตและผู้บริโภคในภูมิภาคนะ"
CHARACTERS = ("ก", "ไ", "ำ", "a", "Ω", "電", "😀", " ")
"""Thai (3 bytes in UTF-8), Latin (1), Greek (2), CJK (3), an emoji (4), a space."""


def text_near(field: TextField) -> st.SearchStrategy[str]:
    """Non-blank text whose size is within a few characters of ``field``'s limit, either
    side (blank titles and operators are refused by their own rule)."""
    def around(char: str) -> st.SearchStrategy[str]:
        width = len(char.encode())
        fit = field.max_bytes // width
        return st.integers(max(0, fit - 3), fit + 3).map(lambda n: char * n)
    mixed = st.text(st.sampled_from(CHARACTERS), min_size=1, max_size=field.max_bytes // 2 + 4)
    return st.one_of(*(around(c) for c in CHARACTERS), mixed).filter(str.strip)


def signed(payload: object) -> Transaction:
    return sign_transaction(Transaction(CHAIN_ID, 0, SENDER.public_key, payload), SENDER)


def proposal(title: str, description: str = "") -> GovernanceProposal:
    return GovernanceProposal(title, description, ProposalAction.SIGNAL, 10)


ENDORSEMENT = Endorsement(OTHER.public_key, b"\x01" * 64)
"""Encoded as any endorsement; whether it verifies is a rule of the roster, not of the
encoding."""


def emergency(reason: str) -> EmergencyAction:
    return EmergencyAction(EmergencyKind.LOAD_SHED, "MEA", 1, 300, 0, reason, 1,
                           ENDORSEMENT, ENDORSEMENT)


def roster_change(name: str) -> RosterChange:
    return RosterChange(RosterAction.ADD, name, Role.OPERATOR, bytes(OTHER.public_key), 1,
                        ENDORSEMENT)


BUILDERS = {
    fields.PROPOSAL_TITLE: proposal,
    fields.PROPOSAL_DESCRIPTION: lambda text: proposal("title", text),
    fields.EMERGENCY_REASON: lambda text: emergency(text),
    fields.OPERATOR_NAME: roster_change,
}


@pytest.mark.parametrize("field", list(BUILDERS), ids=lambda f: f.name)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_field_is_carried_exactly_when_it_fits(field: TextField, data: st.DataObject) -> None:
    text = data.draw(text_near(field))
    fits = field.size(text) <= field.max_bytes
    try:
        tx = signed(BUILDERS[field](text))
    except FieldTooLong as error:
        assert not fits
        assert f"the limit is {field.max_bytes} bytes" in str(error)
        return
    assert fits
    check_well_formed(tx)
    assert decode_transaction(encode_transaction(tx)) == tx


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=lambda f: f.name)
def test_the_decoder_refuses_one_byte_more_than_the_encoder_writes(field: TextField) -> None:
    at_limit = "ก" * (field.max_bytes // 3) + "a" * (field.max_bytes % 3)
    assert Reader(bytes(Writer().str_(at_limit, field))).str_(field) == at_limit
    over = at_limit + "a"
    with pytest.raises(FieldTooLong, match=field.name):
        Writer().str_(over, field)
    raw = len(over.encode()).to_bytes(4, "big") + over.encode()
    with pytest.raises(FieldTooLong, match=field.name):
        Reader(raw).str_(field)


def test_the_thai_title_and_reason_of_the_devnet_report_are_carried() -> None:
    """The 85-character (255-byte) title and a 150-character (450-byte) reason that were
    once accepted by one check and refused by the decoder."""
    assert len(THAI_TITLE) == 85 and len(THAI_TITLE.encode()) == 255
    reason = ("ความถี่ต่ำกว่าเกณฑ์" * 10)[:150]
    for payload in (proposal(THAI_TITLE), emergency(reason)):
        tx = signed(payload)
        check_well_formed(tx)
        assert decode_transaction(encode_transaction(tx)) == tx


def largest(kind_payload: object) -> int:
    return len(encode_transaction(signed(kind_payload)))


def full(field: TextField) -> str:
    return "ก" * (field.max_bytes // 3)


def test_the_largest_transaction_of_every_kind_fits_the_transaction_limit() -> None:
    key = OTHER.public_key
    payloads = [
        Transfer(OTHER.address, 1),
        EnergyTrade(OTHER.address, SENDER.address, 1, 1, "MEA"),
        GovernanceProposal(full(fields.PROPOSAL_TITLE), full(fields.PROPOSAL_DESCRIPTION),
                           ProposalAction.ADD_AUTHORITY, 10, full(fields.AUTHORITY_NAME), key,
                           OTHER.address, "p" * fields.PARAMETER_NAME.max_bytes, 1),
        GovernanceVote(1, VoteChoice.YES),
        emergency(full(fields.EMERGENCY_REASON)),
        roster_change(full(fields.OPERATOR_NAME)),
    ]
    sizes = [largest(p) for p in payloads]
    assert max(sizes) <= MAX_TRANSACTION_BYTES
