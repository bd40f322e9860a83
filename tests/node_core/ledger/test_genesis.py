"""The genesis file every node of a chain starts from: what a node refuses to start on (each
problem named), and that the file round-trips to the same genesis hash."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from node_core.ledger.exceptions import InvalidGenesis
from node_core.ledger.genesis import (
    ChainParameters,
    GenesisAccount,
    genesis_from_json,
    genesis_hash,
    genesis_to_json,
    load_genesis,
    save_genesis,
    validate_genesis,
)
from node_core.ledger.roster import Role
from tests.helpers.chain import make_chain, signer_from_seed


@pytest.fixture
def genesis():
    return make_chain().genesis


def test_a_saved_genesis_loads_back_with_the_same_hash(genesis, tmp_path: Path) -> None:
    path = tmp_path / "genesis.json"
    save_genesis(genesis, path)
    loaded = load_genesis(path)
    assert loaded == genesis and genesis_hash(loaded) == genesis_hash(genesis)


@pytest.mark.parametrize("change", [
    lambda g: replace(g, chain_id="gridtokenx-other"),
    lambda g: replace(g, timestamp=g.timestamp + 1),
    lambda g: replace(g, parameters=ChainParameters(price_cap_per_kwh=500)),
    lambda g: replace(g, authorities=g.authorities[:2]),
    lambda g: replace(g, accounts=(*g.accounts[:-1], replace(g.accounts[-1], balance=1))),
    lambda g: replace(g, roster=g.roster[1:]),
    lambda g: replace(g, roster=(replace(g.roster[0], role=Role.VIEWER), *g.roster[1:])),
], ids=["chain_id", "timestamp", "parameter", "authorities", "balance", "roster", "role"])
def test_every_field_is_in_the_genesis_hash(genesis, change) -> None:
    assert genesis_hash(change(genesis)) != genesis_hash(genesis)


def _other_authority_key(g):
    first, other = g.authorities[0], signer_from_seed(999)
    return replace(g, authorities=(replace(first, public_key=other.public_key),
                                   *g.authorities[1:]))


def _roster(g, *members):
    return replace(g, roster=tuple(members))


@pytest.mark.parametrize(("change", "rule"), [
    (lambda g: replace(g, chain_id=""), "chain_id is empty"),
    (lambda g: replace(g, chain_id="ก" * 22),
     "chain id is 66 bytes in UTF-8; the limit is 64 bytes"),
    (lambda g: replace(g, authorities=()), "at least one authority is required"),
    (lambda g: replace(g, authorities=(*g.authorities, g.authorities[0])),
     "authority names repeat"),
    (_other_authority_key, "authority EGAT: address does not match public key"),
    (lambda g: replace(g, accounts=(*g.accounts, g.accounts[0])), "an account appears twice"),
    (lambda g: replace(g, accounts=(GenesisAccount("0xnot-an-address", 5),)),
     "'0xnot-an-address' is not an address"),
    (lambda g: replace(g, accounts=(replace(g.accounts[0], balance=-1),)),
     r"account 0x[0-9a-f]{40}: balance -1 is outside 0\.\.2\^64-1"),
    (lambda g: replace(g, parameters=ChainParameters(block_interval_ms=50)),
     "parameters: block_interval_ms must be within 100..60000, not 50"),
    (lambda g: _roster(g, replace(g.roster[0], authority=g.accounts[0].address)),
     "roster: 'auditor1' of 0x[0-9a-f]{40} is not a member of an authority"),
    (lambda g: _roster(g, replace(g.roster[0], name="")),
     "roster: BlankMemberName: roster of 0x[0-9a-f]{40}: member name '' is empty"),
    (lambda g: _roster(g, replace(g.roster[0], name=" \t\u3000")),
     "roster: BlankMemberName: roster of 0x[0-9a-f]{40}: .* is empty or white space only"),
    (lambda g: _roster(g, replace(g.roster[0], name="x" * 65)), "operator name is 65 bytes"),
    (lambda g: _roster(g, g.roster[0], replace(g.roster[1], name=g.roster[0].name)),
     "'auditor1' \\(or its key\\) appears twice on one authority's roster"),
    (lambda g: _roster(g, g.roster[0], replace(g.roster[1], public_key=g.roster[0].public_key)),
     "appears twice on one authority's roster"),
    (lambda g: _roster(g, g.roster[1], g.roster[0]), "members are not sorted"),
], ids=["empty-chain-id", "long-chain-id", "no-authority", "repeated-name", "key-mismatch",
        "repeated-account", "bad-address", "negative-balance", "parameter-range",
        "roster-of-no-authority", "unnamed-member", "blank-member-name", "long-member-name",
        "member-name-twice",
        "member-key-twice", "roster-order"])
def test_a_broken_genesis_is_refused_naming_the_problem(genesis, change, rule) -> None:
    with pytest.raises(InvalidGenesis, match=rule):
        validate_genesis(change(genesis))


@pytest.mark.parametrize(("edit", "named"), [
    (lambda data: data.pop("chain_id"), "KeyError: 'chain_id'"),
    (lambda data: data["authorities"][0].update(public_key="04abcd"), "ValueError"),
    (lambda data: data["parameters"].update(no_such_parameter=1), "no_such_parameter"),
    (lambda data: data.update(timestamp="yesterday"), "ValueError"),
], ids=["missing-field", "short-key", "unknown-parameter", "bad-timestamp"])
def test_a_malformed_file_is_refused_naming_the_field(genesis, edit, named) -> None:
    data = json.loads(json.dumps(genesis_to_json(genesis)))
    edit(data)
    with pytest.raises(InvalidGenesis, match=named):
        genesis_from_json(data)


def test_an_unreadable_file_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "genesis.json"
    with pytest.raises(InvalidGenesis, match=f"cannot read genesis {path}"):
        load_genesis(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidGenesis, match=r"cannot read genesis .*Expecting property name"):
        load_genesis(path)
