"""§7 genesis, §8 the state (with §8.3 the roster, §8.4 the taken endorsements) and its
root."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from tests.conformance.verifier.encoding import (
    LIMITS,
    Invalid,
    addr,
    address_of,
    merkle,
    require,
    tagged,
    text,
    u,
)

PARAMETERS = {"block_interval_ms": 1000, "max_transactions_per_block": 5000, "empty_blocks": 0,
              "timestamp_drift_ms": 15000, "price_cap_per_kwh": 0, "frequency_high_mhz": 200,
              "frequency_critical_mhz": 500, "voltage_high_permille": 50,
              "voltage_critical_permille": 100, "consensus_health_min_permille": 800}
RANGES = {"block_interval_ms": (100, 60000), "max_transactions_per_block": (1, 50000),
          "empty_blocks": (0, 1), "timestamp_drift_ms": (1000, 600000),
          "price_cap_per_kwh": (0, 10000000), "frequency_high_mhz": (10, 5000),
          "frequency_critical_mhz": (10, 5000), "voltage_high_permille": (1, 500),
          "voltage_critical_permille": (1, 500), "consensus_health_min_permille": (0, 1000)}
ROLES = {"viewer": 1, "operator": 2, "supervisor": 3, "engineer": 4, "security_admin": 5,
         "auditor": 6, "grid_feed": 7}
"""§8.3: role name -> tag."""


@dataclass(frozen=True)
class Member:
    """§8.3 a roster member."""

    authority: str
    name: str
    role: int
    key: bytes

    def encode(self) -> bytes:
        return addr(self.authority) + text(self.name) + u(self.role, 1) + self.key

    def order(self) -> tuple[bytes, bytes]:
        return addr(self.authority), self.name.encode("utf-8")


@dataclass
class Proposal:
    id: int
    proposer: str
    created: int
    deadline: int
    payload: bytes
    body: dict[str, Any]
    electorate: list[str]
    votes: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    status: int = 1
    closed: int = 0
    outcome: str = ""

    def encode(self) -> bytes:
        votes = [addr(v) + u(c, 1) + h for v, (c, h) in sorted(self.votes.items())]
        return (u(1, 1) + u(self.id, 8) + addr(self.proposer) + u(self.created, 8)
                + u(self.deadline, 8) + self.payload + u(len(self.electorate), 4)
                + b"".join(map(addr, self.electorate)) + u(len(votes), 4) + b"".join(votes)
                + u(self.status, 1) + u(self.closed, 8) + text(self.outcome))


@dataclass
class State:
    chain_id: str
    genesis_hash: str
    accounts: dict[str, list[int]]
    """address -> [balance, energy_credits, nonce]"""
    authorities: list[tuple[str, str, bytes]]
    parameters: dict[str, int]
    roster: list[Member] = field(default_factory=list)
    """In roster order (§8.3)."""
    proposals: dict[int, Proposal] = field(default_factory=dict)
    halted: set[str] = field(default_factory=set)
    taken: dict[bytes, int] = field(default_factory=dict)
    """§8.4: endorsement digest -> asked_ms."""
    height: int = 0
    tip: str = ""
    timestamp: int = 0

    def parameters_bytes(self) -> bytes:
        return u(len(self.parameters), 4) + b"".join(
            text(name) + u(value, 8) for name, value in self.parameters.items())

    def authorities_bytes(self) -> bytes:
        return u(len(self.authorities), 4) + b"".join(
            text(name) + addr(address) + key for name, address, key in self.authorities)

    def roster_bytes(self) -> bytes:
        return u(len(self.roster), 4) + b"".join(m.encode() for m in self.roster)

    def taken_bytes(self) -> list[bytes]:
        """§8.4 ``taken`` of every taken digest, by digest."""
        return [d + u(self.taken[d], 8) for d in sorted(self.taken)]

    def set_roster(self, members: list[Member]) -> None:
        self.roster = sorted(members, key=Member.order)

    def root(self) -> str:
        leaves = [b"A" + u(1, 1) + addr(a) + b"".join(u(v, 8) for v in self.accounts[a])
                  for a in sorted(self.accounts)]
        leaves += [b"U" + text(n) + addr(a) + k for n, a, k in self.authorities]
        leaves.append(b"P" + self.parameters_bytes())
        leaves += [b"G" + self.proposals[i].encode() for i in sorted(self.proposals)]
        leaves += [b"H" + region.encode() for region in sorted(self.halted)]
        leaves += [b"R" + m.encode() for m in self.roster]
        leaves += [b"E" + taken for taken in self.taken_bytes()]
        return merkle(leaves)


def genesis_state(text_json: str) -> State:
    g = json.loads(text_json)
    parameters = {**PARAMETERS, **g.get("parameters", {})}
    authorities = [(a["name"], a["address"], bytes.fromhex(a["public_key"]))
                   for a in g["authorities"]]
    accounts = [(a["address"], a.get("balance", 0), a.get("energy_credits", 0))
                for a in g.get("accounts", [])]
    if any(address_of(k) != a for _, a, k in authorities) or not authorities:
        raise Invalid("§7 an authority's address is not its key's")
    state = State(g["chain_id"], "", {a: [b, e, 0] for a, b, e in accounts}, authorities,
                  parameters, timestamp=g["timestamp"])
    state.set_roster(genesis_roster(g.get("roster", []), authorities))
    encoded = (u(1, 1) + text(g["chain_id"]) + u(g["timestamp"], 8) + state.parameters_bytes()
               + state.authorities_bytes() + u(len(accounts), 4)
               + b"".join(addr(a) + u(b, 8) + u(e, 8) for a, b, e in accounts)
               + state.roster_bytes())
    state.genesis_hash = state.tip = tagged(b"GTX/genesis", encoded).hex()
    return state


def genesis_roster(entries: list[dict[str, str]],
                   authorities: list[tuple[str, str, bytes]]) -> list[Member]:
    """§7: members of genesis authorities, named, of a known role, keys on P-256, no name
    or key twice on one authority's roster."""
    addresses = {name: address for name, address, _ in authorities}
    members = []
    for e in entries:
        size = len(e["name"].encode("utf-8"))
        require(e["authority"] in addresses and size <= LIMITS["operator name"]
                and e["role"] in ROLES, "genesis", f"§7 roster member {e['name']!r}")
        require(not blank(e["name"]), "genesis", f"§7 BlankMemberName {e['name']!r}")
        key = bytes.fromhex(e["public_key"])
        address_of(key)
        members.append(Member(addresses[e["authority"]], e["name"], ROLES[e["role"]], key))
    for distinct in ({(m.authority, m.name) for m in members},
                     {(m.authority, m.key) for m in members}):
        require(len(distinct) == len(members), "genesis", "§7 a roster name or key twice")
    return members


def blank(name: str) -> bool:
    """§8.3: empty, or only characters of general category Zs or bidirectional class WS, B,
    S."""
    return all(unicodedata.category(c) == "Zs" or unicodedata.bidirectional(c) in ("WS", "B", "S")
               for c in name)
