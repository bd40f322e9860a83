"""Every text field of the canonical encoding, with its size limit in UTF-8 bytes.

This module is the one home of these limits. The encoder refuses a longer value
(:class:`~node_core.ledger.exceptions.FieldTooLong`), so nothing can be built, signed or
submitted that a peer's decoder would refuse; the decoder refuses it with the same error; the
console's input widgets and the CLI take their limits from here. Limits are in **bytes**
because the encoding counts bytes: a Thai character is 3 bytes in UTF-8, a Latin letter 1, so
the title's 360 bytes hold 120 Thai characters or 360 Latin letters.

Fixed-size fields (hashes, addresses, keys, signatures, integers) need no limit: their size is
their type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from node_core.ledger.exceptions import FieldTooLong


@dataclass(frozen=True, slots=True)
class TextField:
    """A variable-length UTF-8 text field (encoded as ``u32 length || bytes``)."""

    name: str
    """What an operator calls it: ``"proposal title"``."""
    max_bytes: int
    """The most UTF-8 bytes the field may hold."""

    def size(self, text: str) -> int:
        """Bytes ``text`` takes in this field."""
        return len(text.encode("utf-8"))

    def room(self, text: str) -> int:
        """Bytes still free after ``text`` (negative: over the limit by that much)."""
        return self.max_bytes - self.size(text)

    def check(self, text: str) -> None:
        """Raise FieldTooLong unless ``text`` fits."""
        size = self.size(text)
        if size > self.max_bytes:
            raise FieldTooLong(self.too_long(size))

    def too_long(self, size: int) -> str:
        """The message of :class:`FieldTooLong` for a value of ``size`` bytes."""
        return (f"{self.name} is {size} bytes in UTF-8; the limit is {self.max_bytes} bytes "
                f"(about {self.max_bytes // 3} Thai or {self.max_bytes} Latin characters)")


CHAIN_ID: Final = TextField("chain id", 64)
AUTHORITY_NAME: Final = TextField("authority name", 32)
REGION: Final = TextField("region", 8)
PARAMETER_NAME: Final = TextField("parameter name", 64)
AUTHORITY_ADDRESS_TEXT: Final = TextField("authority address", 42)
"""A governance proposal's authority address as text (``0x`` + 40 hex, or empty)."""
PROPOSAL_TITLE: Final = TextField("proposal title", 360)
PROPOSAL_DESCRIPTION: Final = TextField("proposal description", 12_000)
PROPOSAL_OUTCOME: Final = TextField("proposal outcome", 64)
"""Why a proposal closed (``passed``, ``quorum out of reach``...): written by the ledger."""
EMERGENCY_REASON: Final = TextField("emergency reason", 600)
OPERATOR_NAME: Final = TextField("operator name", 64)

TEXT_FIELDS: Final = (CHAIN_ID, AUTHORITY_NAME, REGION, PARAMETER_NAME, AUTHORITY_ADDRESS_TEXT,
                      PROPOSAL_TITLE, PROPOSAL_DESCRIPTION, PROPOSAL_OUTCOME, EMERGENCY_REASON,
                      OPERATOR_NAME)
"""All of them, for the protocol document's table and its test."""
