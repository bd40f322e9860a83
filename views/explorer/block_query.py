"""What the block explorer's search box accepts: a height, a full hash, or a hash prefix.

Plain Python, no Qt: :func:`parse_block_query` turns the typed text into a
:class:`BlockQuery` or raises :class:`BlockQueryError` whose ``problem`` the explorer turns
into a translated message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

MIN_PREFIX = 8
"""Hex characters a hash prefix needs (fewer match too many blocks to be useful)."""
HASH_LENGTH = 64
MAX_HEIGHT = 2**64 - 1
"""Heights are u64 on the wire."""

_DIGIT_GROUPING = re.compile(r"[,_\s]")
"""Separators people paste with a height (the table shows ``12,345``)."""
_HEX = re.compile(r"[0-9a-f]+")


class QueryProblem(Enum):
    """Why the text is not a block query."""

    EMPTY = "empty"
    HEIGHT_TOO_LARGE = "height too large"
    PREFIX_TOO_SHORT = "prefix too short"
    HASH_TOO_LONG = "hash too long"
    NOT_A_BLOCK = "not a height or hash"


class BlockQueryError(ValueError):
    """The text is not a height, a hash or a hash prefix."""

    def __init__(self, problem: QueryProblem, text: str) -> None:
        super().__init__(f"{problem.value}: {text!r}")
        self.problem = problem
        self.text = text


@dataclass(frozen=True, slots=True)
class BlockQuery:
    """Exactly one of the fields is set."""

    height: int | None = None
    hash: str | None = None
    """64 lowercase hex chars."""
    hash_prefix: str | None = None
    """8 to 63 lowercase hex chars."""


def parse_block_query(text: str) -> BlockQuery:
    """A height (``12345``, ``12,345``), a hash, or a prefix of at least 8 hex characters.

    Case is ignored. Decimal digits are a height (unless there are 64 of them: a hash);
    ``0x`` in front makes them a hash prefix (about 2 % of 8-character prefixes are all
    digits).
    """
    cleaned = text.strip()
    if not cleaned:
        raise BlockQueryError(QueryProblem.EMPTY, text)
    digits = _DIGIT_GROUPING.sub("", cleaned)
    if digits.isascii() and digits.isdigit() and len(digits) != HASH_LENGTH:
        return _height(digits, text)
    return _hash_or_prefix(cleaned.lower().removeprefix("0x"), text)


def _height(digits: str, text: str) -> BlockQuery:
    height = int(digits)
    if height > MAX_HEIGHT:
        raise BlockQueryError(QueryProblem.HEIGHT_TOO_LARGE, text)
    return BlockQuery(height=height)


def _hash_or_prefix(value: str, text: str) -> BlockQuery:
    if _HEX.fullmatch(value) is None:
        raise BlockQueryError(QueryProblem.NOT_A_BLOCK, text)
    if len(value) == HASH_LENGTH:
        return BlockQuery(hash=value)
    if len(value) > HASH_LENGTH:
        raise BlockQueryError(QueryProblem.HASH_TOO_LONG, text)
    if len(value) < MIN_PREFIX:
        raise BlockQueryError(QueryProblem.PREFIX_TOO_SHORT, text)
    return BlockQuery(hash_prefix=value)
