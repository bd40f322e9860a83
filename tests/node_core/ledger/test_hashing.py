"""Merkle roots against hand-computed RFC 6962 vectors."""

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from node_core.ledger.hashing import EMPTY_MERKLE_ROOT, merkle_root


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rfc6962(items: list[bytes]) -> bytes:
    """The RFC's recursive definition, written independently of the implementation."""
    if not items:
        return h(b"")
    if len(items) == 1:
        return h(b"\x00" + items[0])
    k = 1
    while k * 2 < len(items):
        k *= 2
    return h(b"\x01" + rfc6962(items[:k]) + rfc6962(items[k:]))


def test_empty_root_is_sha256_of_nothing():
    assert EMPTY_MERKLE_ROOT == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle_root([]) == EMPTY_MERKLE_ROOT


def test_single_leaf_is_domain_separated():
    assert merkle_root([b"a"]) == h(b"\x00a").hex()
    assert merkle_root([b"a"]) != h(b"a").hex()


def test_three_leaves_by_hand():
    a, b, c = h(b"\x00a"), h(b"\x00b"), h(b"\x00c")
    expected = h(b"\x01" + h(b"\x01" + a + b) + c)
    assert merkle_root([b"a", b"b", b"c"]) == expected.hex()


def test_known_vector_is_stable():
    root = merkle_root([b"a", b"b", b"c"])
    assert root == "36642e73c2540ab121e3a6bf9545b0a24982cd830eb13d3cd19de3ce6c021ec1"


@given(st.lists(st.binary(max_size=40), max_size=40))
def test_matches_the_rfc_definition(items):
    assert merkle_root(items) == rfc6962(items).hex()


def test_leaf_and_node_cannot_be_confused():
    a, b = h(b"\x00a"), h(b"\x00b")
    # A leaf whose data is the concatenation of two child hashes is not the parent node.
    assert merkle_root([a + b]) != merkle_root([b"a", b"b"])
