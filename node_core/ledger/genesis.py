"""Genesis: the chain's first definition — chain id, authorities, parameters, accounts.

The genesis hash identifies the chain; block 1's ``previous_hash`` is the genesis hash.
On disk a genesis is a JSON file::

    {"chain_id": "gridtokenx-devnet", "timestamp": 1764000000000,
     "parameters": {"block_interval_ms": 1000, "max_transactions_per_block": 5000,
                    "empty_blocks": 0, "timestamp_drift_ms": 15000, ...},
     "authorities": [{"name": "EGAT", "address": "0x…", "public_key": "04…"}, …],
     "accounts": [{"address": "0x…", "balance": 100000, "energy_credits": 50000}, …]}

The encoding hashed for the genesis hash, and the JSON's defaults, are specified in
``docs/protocol.md`` §7.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node_core.ledger.encoding import Reader, Writer, check_u64
from node_core.ledger.exceptions import DecodeError, FieldTooLong, InvalidGenesis
from node_core.ledger.fields import (
    AUTHORITY_NAME,
    CHAIN_ID,
    OPERATOR_NAME,
    PARAMETER_NAME,
    TextField,
)
from node_core.ledger.hashing import GENESIS_DOMAIN, tagged_hash
from node_core.ledger.keys import parse_public_key, public_key_address
from node_core.ledger.roster import (
    BlankMemberName,
    Role,
    RosterMember,
    check_member_name,
    sorted_roster,
    write_member,
)
from node_core.ledger.types import Address, Hash32, PublicKey, is_address


@dataclass(frozen=True, slots=True)
class AuthorityInfo:
    """An authority that proposes and co-signs blocks."""

    name: str
    """Short name: EGAT, MEA, PEA, ..."""
    address: Address
    public_key: PublicKey


@dataclass(frozen=True, slots=True)
class ChainParameters:
    """Parameters every node must agree on; governance changes them by name.

    Encoded (genesis hash, state root) as the sequence of ``str name || u64 value`` in field
    order, so a new parameter is a new name and old encodings keep their meaning.
    """

    block_interval_ms: int = 1000
    max_transactions_per_block: int = 5000
    empty_blocks: int = 0
    """1: propose blocks with no transactions (a heartbeat) instead of waiting for some."""
    timestamp_drift_ms: int = 15_000
    """How far in the future a block timestamp may be, against the validator's clock."""
    price_cap_per_kwh: int = 0
    """Highest energy-trade price in satang per kWh; 0 = no cap."""
    frequency_high_mhz: int = 200
    """Alarm threshold: |f - 50 Hz| above this (mHz) is a high-priority alarm."""
    frequency_critical_mhz: int = 500
    """... above this it is critical (the design's grid emergency)."""
    voltage_high_permille: int = 50
    """Voltage outside nominal ± this (per mille) is a medium-priority alarm."""
    voltage_critical_permille: int = 100
    """Voltage outside nominal ± this (per mille) is a critical alarm."""
    consensus_health_min_permille: int = 800
    """consensus_health below this (per mille) is a consensus failure."""

    def items(self) -> list[tuple[str, int]]:
        return [(name, int(getattr(self, name))) for name in PARAMETER_LIMITS]


PARAMETER_LIMITS: dict[str, tuple[int, int]] = {
    "block_interval_ms": (100, 60_000),
    "max_transactions_per_block": (1, 50_000),
    "empty_blocks": (0, 1),
    "timestamp_drift_ms": (1000, 600_000),
    "price_cap_per_kwh": (0, 10_000_000),
    "frequency_high_mhz": (10, 5000),
    "frequency_critical_mhz": (10, 5000),
    "voltage_high_permille": (1, 500),
    "voltage_critical_permille": (1, 500),
    "consensus_health_min_permille": (0, 1000),
}
"""Every parameter with its allowed range (inclusive); genesis and governance check it."""


def write_parameters(writer: Writer, parameters: ChainParameters) -> None:
    items = parameters.items()
    writer.u32(len(items))
    for name, value in items:
        writer.str_(name, PARAMETER_NAME).u64(value)


def read_parameters(reader: Reader) -> ChainParameters:
    """Inverse of :func:`write_parameters`; raises DecodeError on an unknown or repeated name."""
    values: dict[str, int] = {}
    for _ in range(reader.count(len(PARAMETER_LIMITS))):
        name, value = reader.str_(PARAMETER_NAME), reader.u64()
        if name not in PARAMETER_LIMITS or name in values:
            raise DecodeError(f"unknown or repeated parameter {name!r}")
        values[name] = value
    return ChainParameters(**values)


def check_parameter(name: str, value: int) -> None:
    """Raise ValueError unless ``name`` is a parameter and ``value`` within its range."""
    if name not in PARAMETER_LIMITS:
        raise ValueError(f"unknown parameter {name!r} (known: {', '.join(PARAMETER_LIMITS)})")
    low, high = PARAMETER_LIMITS[name]
    if not low <= value <= high:
        raise ValueError(f"{name} must be within {low}..{high}, not {value}")


@dataclass(frozen=True, slots=True)
class GenesisAccount:
    address: Address
    balance: int = 0
    energy_credits: int = 0


@dataclass(frozen=True, slots=True)
class Genesis:
    chain_id: str
    timestamp: int
    """ms since epoch, UTC; the parent timestamp of block 1."""
    authorities: tuple[AuthorityInfo, ...]
    parameters: ChainParameters = field(default_factory=ChainParameters)
    accounts: tuple[GenesisAccount, ...] = ()
    roster: tuple[RosterMember, ...] = ()
    """The authorities' first operators (:mod:`node_core.ledger.roster`), in canonical order."""


def encode_genesis(genesis: Genesis) -> bytes:
    writer = Writer().u8(1).str_(genesis.chain_id, CHAIN_ID).u64(genesis.timestamp)
    write_parameters(writer, genesis.parameters)
    writer.u32(len(genesis.authorities))
    for authority in genesis.authorities:
        writer.str_(authority.name, AUTHORITY_NAME).address(authority.address)
        writer.raw(authority.public_key, 65)
    writer.u32(len(genesis.accounts))
    for account in genesis.accounts:
        writer.address(account.address).u64(account.balance).u64(account.energy_credits)
    writer.u32(len(genesis.roster))
    for member in genesis.roster:
        write_member(writer, member)
    return bytes(writer)


def genesis_hash(genesis: Genesis) -> Hash32:
    return tagged_hash(GENESIS_DOMAIN, encode_genesis(genesis))


def validate_genesis(genesis: Genesis) -> None:
    """Raise InvalidGenesis naming the first problem."""
    if not genesis.chain_id:
        raise InvalidGenesis("chain_id is empty")
    _check_text(CHAIN_ID, genesis.chain_id)
    if not genesis.authorities:
        raise InvalidGenesis("at least one authority is required")
    for authority in genesis.authorities:
        _check_text(AUTHORITY_NAME, authority.name)
    names = [a.name for a in genesis.authorities]
    if len(set(names)) != len(names):
        raise InvalidGenesis(f"authority names repeat: {names}")
    for authority in genesis.authorities:
        if public_key_address(authority.public_key) != authority.address:
            raise InvalidGenesis(f"authority {authority.name}: address does not match public key")
    addresses = [a.address for a in genesis.accounts]
    if len(set(addresses)) != len(addresses):
        raise InvalidGenesis("an account appears twice")
    for account in genesis.accounts:
        if not is_address(account.address):
            raise InvalidGenesis(f"account {account.address!r} is not an address")
        try:
            check_u64(account.balance, "balance")
            check_u64(account.energy_credits, "energy_credits")
        except ValueError as error:
            raise InvalidGenesis(f"account {account.address}: {error}") from None
    for name, value in genesis.parameters.items():
        try:
            check_parameter(name, value)
        except ValueError as error:
            raise InvalidGenesis(f"parameters: {error}") from None
    _validate_roster(genesis)


def _validate_roster(genesis: Genesis) -> None:
    """Members of known authorities, named, each name and key once per roster, canonical
    order."""
    authorities = {a.address for a in genesis.authorities}
    seen: set[tuple[str, str]] = set()
    for member in genesis.roster:
        _check_text(OPERATOR_NAME, member.name)
        if member.authority not in authorities:
            raise InvalidGenesis(f"roster: {member.name!r} of {member.authority} is not a "
                                 "member of an authority")
        try:
            check_member_name(member.name, f"roster of {member.authority}")
        except BlankMemberName as error:
            raise InvalidGenesis(f"roster: {type(error).__name__}: {error}") from None
        for key in ((member.authority, member.name), (member.authority, member.address)):
            if key in seen:
                raise InvalidGenesis(f"roster: {member.name!r} (or its key) appears twice on "
                                     "one authority's roster")
            seen.add(key)
    if tuple(genesis.roster) != sorted_roster(genesis.roster):
        raise InvalidGenesis("roster: members are not sorted by authority and name")


def _check_text(field: TextField, text: str) -> None:
    try:
        field.check(text)
    except FieldTooLong as error:
        raise InvalidGenesis(str(error)) from None


def genesis_to_json(genesis: Genesis) -> dict[str, Any]:
    names = {a.address: a.name for a in genesis.authorities}
    return {
        "chain_id": genesis.chain_id,
        "timestamp": genesis.timestamp,
        "parameters": dict(genesis.parameters.items()),
        "authorities": [
            {"name": a.name, "address": a.address, "public_key": bytes(a.public_key).hex()}
            for a in genesis.authorities
        ],
        "accounts": [
            {"address": a.address, "balance": a.balance, "energy_credits": a.energy_credits}
            for a in genesis.accounts
        ],
        "roster": [
            {"authority": names[m.authority], "name": m.name, "role": m.role.text,
             "public_key": bytes(m.public_key).hex()}
            for m in genesis.roster
        ],
    }


def genesis_from_json(data: dict[str, Any]) -> Genesis:
    """Build and validate a Genesis; InvalidGenesis names the bad field."""
    try:
        authorities = tuple(
            AuthorityInfo(str(a["name"]), Address(a["address"]),
                          parse_public_key(bytes.fromhex(a["public_key"])))
            for a in data["authorities"])
        genesis = Genesis(
            chain_id=str(data["chain_id"]),
            timestamp=int(data["timestamp"]),
            parameters=ChainParameters(**{k: int(v) for k, v in
                                          data.get("parameters", {}).items()}),
            authorities=authorities,
            accounts=tuple(
                GenesisAccount(Address(a["address"]), int(a.get("balance", 0)),
                               int(a.get("energy_credits", 0)))
                for a in data.get("accounts", [])
            ),
            roster=_roster_from_json(data.get("roster", []), authorities),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidGenesis(f"genesis: {type(error).__name__}: {error}") from None
    validate_genesis(genesis)
    return genesis


def _roster_from_json(entries: list[dict[str, Any]],
                      authorities: tuple[AuthorityInfo, ...]) -> tuple[RosterMember, ...]:
    addresses = {a.name: a.address for a in authorities}
    members = []
    for entry in entries:
        if entry["authority"] not in addresses:
            raise ValueError(f"roster: {entry['name']!r} belongs to {entry['authority']!r}, "
                             "which is not an authority")
        members.append(RosterMember(
            addresses[entry["authority"]], str(entry["name"]), Role.of(str(entry["role"])),
            parse_public_key(bytes.fromhex(entry["public_key"]))))
    return sorted_roster(members)


def load_genesis(path: Path) -> Genesis:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InvalidGenesis(f"cannot read genesis {path}: {error}") from None
    return genesis_from_json(data)


def save_genesis(genesis: Genesis, path: Path) -> None:
    Path(path).write_text(json.dumps(genesis_to_json(genesis), indent=2) + "\n", encoding="utf-8")
