'''Canonical binary encoding of everything the chain hashes or signs.

There is exactly one encoding of each value, so two nodes that hold the same object compute
the same bytes, the same hash and the same signature digest. Decoding accepts only canonical
bytes: a decoder that consumed a different byte string than the encoder would produce raises
:class:`~node_core.ledger.exceptions.DecodeError`.

Primitives (all integers big-endian, unsigned)::

    u8, u16, u32, u64   fixed width; a value out of range cannot be encoded
    bytes               u32 length || raw bytes
    str                 bytes of the UTF-8 encoding (NFC is not imposed; bytes are what count),
                        at most the field's limit in bytes (node_core.ledger.fields)
    hash32              32 raw bytes (the 64-hex-char Hash32 decoded)
    address             20 raw bytes (the 40 hex chars after ``0x``)
    public_key          65 raw bytes (uncompressed SEC1 P-256 point 0x04 || X || Y)
    signature           64 raw bytes (r || s, 32 bytes each, low-S)
    sequence<T>         u32 count || T ...

Objects are the concatenation of their fields in declaration order; every top-level object
starts with a ``u8`` version (currently ``1``). The layout of every object — transactions of
each kind, grid snapshot, header, block, account leaf, proposal record, genesis, consensus
message — and every hash over them is specified in ``docs/protocol.md`` (their one home
in prose; the defining code is in the module of each object).
'''

from __future__ import annotations

import struct
from typing import Final

from node_core.ledger.exceptions import DecodeError, FieldTooLong
from node_core.ledger.fields import TextField

VERSION: Final = 1

_U8 = struct.Struct(">B")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_MAX_U64: Final = 2**64 - 1


class Writer:
    """Appends canonical primitives to a growing buffer; ``bytes(writer)`` is the result."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def __bytes__(self) -> bytes:
        return b"".join(self._parts)

    def u8(self, value: int) -> Writer:
        self._parts.append(_U8.pack(value))
        return self

    def u16(self, value: int) -> Writer:
        self._parts.append(_U16.pack(value))
        return self

    def u32(self, value: int) -> Writer:
        self._parts.append(_U32.pack(value))
        return self

    def u64(self, value: int) -> Writer:
        self._parts.append(_U64.pack(value))
        return self

    def raw(self, value: bytes, length: int) -> Writer:
        """Fixed-length raw bytes (hashes, addresses, keys, signatures)."""
        if len(value) != length:
            raise ValueError(f"expected {length} bytes, got {len(value)}")
        self._parts.append(value)
        return self

    def bytes_(self, value: bytes) -> Writer:
        self._parts.append(_U32.pack(len(value)))
        self._parts.append(value)
        return self

    def str_(self, value: str, field: TextField) -> Writer:
        """UTF-8 text of ``field``; raises FieldTooLong past its limit."""
        field.check(value)
        return self.bytes_(value.encode("utf-8"))

    def hash32(self, value: str) -> Writer:
        return self.raw(bytes.fromhex(value), 32)

    def address(self, value: str) -> Writer:
        return self.raw(bytes.fromhex(value[2:]), 20)


class Reader:
    """Reads canonical primitives from ``data``; :meth:`finish` insists nothing is left."""

    __slots__ = ("_data", "_offset")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    @property
    def offset(self) -> int:
        """How many bytes have been read."""
        return self._offset

    def since(self, start: int) -> bytes:
        """The bytes read from ``start`` (an earlier :attr:`offset`) up to now: exactly the
        encoding of what was decoded in between, the decoding being canonical."""
        return self._data[start : self._offset]

    def _take(self, length: int) -> bytes:
        end = self._offset + length
        if length < 0 or end > len(self._data):
            raise DecodeError(f"truncated: need {length} bytes at offset {self._offset}")
        chunk = self._data[self._offset : end]
        self._offset = end
        return chunk

    def u8(self) -> int:
        return int(_U8.unpack(self._take(1))[0])

    def u16(self) -> int:
        return int(_U16.unpack(self._take(2))[0])

    def u32(self) -> int:
        return int(_U32.unpack(self._take(4))[0])

    def u64(self) -> int:
        return int(_U64.unpack(self._take(8))[0])

    def raw(self, length: int) -> bytes:
        return self._take(length)

    def bytes_(self, max_length: int = 1 << 24) -> bytes:
        length = self.u32()
        if length > max_length:
            raise DecodeError(f"field of {length} bytes exceeds the limit of {max_length}")
        return self._take(length)

    def str_(self, field: TextField) -> str:
        """UTF-8 text of ``field``; raises FieldTooLong past its limit."""
        length = self.u32()
        if length > field.max_bytes:
            raise FieldTooLong(field.too_long(length))
        try:
            return self._take(length).decode("utf-8")
        except UnicodeDecodeError as error:
            raise DecodeError(f"{field.name} is not UTF-8: {error}") from None

    def hash32(self) -> str:
        return self._take(32).hex()

    def address(self) -> str:
        return "0x" + self._take(20).hex()

    def count(self, max_count: int = 1 << 20) -> int:
        """A sequence length, bounded so a hostile length cannot exhaust memory."""
        value = self.u32()
        if value > max_count:
            raise DecodeError(f"sequence of {value} items exceeds the limit of {max_count}")
        return value

    def version(self) -> None:
        found = self.u8()
        if found != VERSION:
            raise DecodeError(f"unsupported encoding version {found}")

    def finish(self) -> None:
        if self._offset != len(self._data):
            raise DecodeError(f"{len(self._data) - self._offset} trailing bytes")


def check_u64(value: int, name: str) -> None:
    """Raise ValueError unless ``0 <= value < 2**64`` (every amount is a u64)."""
    if not 0 <= value <= _MAX_U64:
        raise ValueError(f"{name} {value} is outside 0..2^64-1")
