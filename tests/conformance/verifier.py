"""An independent GridTokenX chain verifier, written from ``docs/protocol.md`` alone.

It imports nothing of the node (the Python standard library and ``cryptography`` only) and
reads a node's store with ``sqlite3`` as §14 describes it. It re-derives every hash, merkle
root, signature, proposer, quorum and, by its own replay of the transition, every state root,
then the derived tables. Each check names the section of the document it comes from, so a
reader can hold the two side by side.

    python -m tests.conformance.verifier DATA_DIR/chain.sqlite3
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature


class Invalid(Exception):
    """The chain breaks the protocol: the message says where, and the section's rule."""


# --- §1 primitives ------------------------------------------------------------------------

LIMITS = {"chain id": 64, "authority name": 32, "region": 8, "parameter name": 64,
          "authority address": 42, "proposal title": 360, "proposal description": 12000,
          "proposal outcome": 64, "emergency reason": 600, "operator name": 64}
REGIONS = ("EGAT", "MEA", "PEA")


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise Invalid(f"§1 truncated at byte {self.at}")
        self.at += n
        return self.data[self.at - n:self.at]

    def int(self, n: int) -> int:
        return int.from_bytes(self.take(n), "big")

    def blob(self, limit: int = 1 << 24) -> bytes:
        n = self.int(4)
        if n > limit:
            raise Invalid(f"§1 field of {n} bytes over its limit {limit}")
        return self.take(n)

    def text(self, name: str) -> str:
        try:
            return self.blob(LIMITS[name]).decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid(f"§1 {name} is not UTF-8") from None

    def hash(self) -> str:
        return self.take(32).hex()

    def address(self) -> str:
        return "0x" + self.take(20).hex()

    def many(self, limit: int, read: Any) -> list[Any]:
        n = self.int(4)
        if n > limit:
            raise Invalid(f"§1 sequence of {n} over its limit {limit}")
        return [read() for _ in range(n)]

    def version(self) -> None:
        if self.int(1) != 1:
            raise Invalid("§1 unknown version")

    def end(self) -> None:
        if self.at != len(self.data):
            raise Invalid(f"§1 {len(self.data) - self.at} trailing bytes")


def u(value: int, n: int) -> bytes:
    return value.to_bytes(n, "big")


def text(value: str) -> bytes:
    data = value.encode("utf-8")
    return u(len(data), 4) + data


def addr(value: str) -> bytes:
    return bytes.fromhex(value[2:])


# --- §2 hashes, §3 keys and signatures -------------------------------------------------------


def tagged(tag: bytes, data: bytes) -> bytes:
    return hashlib.sha256(tag + data).digest()


def merkle(items: list[bytes]) -> str:
    level = [hashlib.sha256(b"\x00" + item).digest() for item in items]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        paired = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
                  for i in range(0, len(level) - 1, 2)]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    return level[0].hex()


N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@cache
def point(key: bytes) -> ec.EllipticCurvePublicKey:
    if len(key) != 65 or key[0] != 4:
        raise Invalid("§3 a public key is 65 bytes 04 || X || Y")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
    except ValueError:
        raise Invalid("§3 public key not on P-256") from None


def address_of(key: bytes) -> str:
    point(key)
    return "0x" + hashlib.sha256(key).digest()[-20:].hex()


def verifies(key: bytes, digest: bytes, signature: bytes) -> bool:
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if len(signature) != 64 or not (0 < r < N and 0 < s <= N // 2):
        return False
    try:
        point(key).verify(encode_dss_signature(r, s), digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        return False
    return True


# --- §4 transactions ----------------------------------------------------------------------


@dataclass
class Tx:
    kind: int
    chain_id: str
    nonce: int
    key: bytes
    body: dict[str, Any]
    signed: bytes
    payload: bytes
    """The payload's bytes (a proposal record repeats them, §8.2)."""
    sender: str = ""
    hash: bytes = b""


def read_tx(data: bytes) -> Tx:
    if len(data) > 16384:
        raise Invalid("§1 transaction over 16,384 bytes")
    r = Reader(data)
    r.version()
    kind, chain_id, nonce, key = r.int(1), r.text("chain id"), r.int(8), r.take(65)
    if kind not in PAYLOADS:
        raise Invalid(f"§4 unknown kind {kind}")
    start = r.at
    body = PAYLOADS[kind](r)
    tx = Tx(kind, chain_id, nonce, key, body, data, data[start:r.at])
    r.take(64)
    r.end()
    tx.sender, tx.hash = address_of(key), tagged(b"GTX/tx", data[:-64])
    return tx


def choice(value: int, allowed: range, what: str) -> int:
    if value not in allowed:
        raise Invalid(f"§4 unknown {what} {value}")
    return value


PAYLOADS = {
    1: lambda r: {"recipient": r.address(), "amount": r.int(8)},
    2: lambda r: {"seller": r.address(), "buyer": r.address(), "energy_wh": r.int(8),
                  "price": r.int(8), "region": r.text("region")},
    16: lambda r: {"title": r.text("proposal title"), "description": r.text("proposal description"),
                   "action": choice(r.int(1), range(1, 5), "action"), "period": r.int(4),
                   "name": r.text("authority name"), "key": r.blob(65),
                   "address": r.text("authority address"), "parameter": r.text("parameter name"),
                   "value": r.int(8)},
    17: lambda r: {"id": r.int(8), "choice": choice(r.int(1), range(1, 4), "choice")},
    32: lambda r: {"kind": choice(r.int(1), range(1, 5), "emergency kind"),
                   "region": r.text("region"), "stage": r.int(1), "mw": r.int(4),
                   "duration_s": r.int(4), "reason": r.text("emergency reason"),
                   "operator": r.text("operator name"), "approver": r.text("operator name")},
}


# --- §5 grid snapshot, §6 blocks -----------------------------------------------------------


def check_snapshot(data: bytes) -> None:
    r = Reader(data)
    r.version()
    r.take(16)
    regions = r.many(3, lambda: (r.text("region"), r.take(16))[0])
    r.end()
    if regions != [x for x in REGIONS if x in regions]:
        raise Invalid("§5 snapshot regions out of order or repeated")


def header_bytes(row: dict[str, Any]) -> bytes:
    return (u(1, 1) + u(row["height"], 8) + bytes.fromhex(row["previous_hash"])
            + u(row["timestamp"], 8) + addr(row["proposer"]) + u(row["round"], 4)
            + bytes.fromhex(row["merkle_root"]) + bytes.fromhex(row["state_root"])
            + u(row["total_energy"], 8) + bytes.fromhex(row["grid_state_hash"]))


# --- §7 genesis, §8 state ------------------------------------------------------------------

PARAMETERS = {"block_interval_ms": 1000, "max_transactions_per_block": 5000, "empty_blocks": 0,
              "timestamp_drift_ms": 15000, "price_cap_per_kwh": 0, "frequency_high_mhz": 200,
              "frequency_critical_mhz": 500, "voltage_high_permille": 50,
              "voltage_critical_permille": 100, "consensus_health_min_permille": 800}
RANGES = {"block_interval_ms": (100, 60000), "max_transactions_per_block": (1, 50000),
          "empty_blocks": (0, 1), "timestamp_drift_ms": (1000, 600000),
          "price_cap_per_kwh": (0, 10000000), "frequency_high_mhz": (10, 5000),
          "frequency_critical_mhz": (10, 5000), "voltage_high_permille": (1, 500),
          "voltage_critical_permille": (1, 500), "consensus_health_min_permille": (0, 1000)}


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
    proposals: dict[int, Proposal] = field(default_factory=dict)
    halted: set[str] = field(default_factory=set)
    height: int = 0
    tip: str = ""
    timestamp: int = 0

    def parameters_bytes(self) -> bytes:
        return u(len(self.parameters), 4) + b"".join(
            text(name) + u(value, 8) for name, value in self.parameters.items())

    def authorities_bytes(self) -> bytes:
        return u(len(self.authorities), 4) + b"".join(
            text(name) + addr(address) + key for name, address, key in self.authorities)

    def root(self) -> str:
        leaves = [b"A" + u(1, 1) + addr(a) + b"".join(u(v, 8) for v in self.accounts[a])
                  for a in sorted(self.accounts)]
        leaves += [b"U" + text(n) + addr(a) + k for n, a, k in self.authorities]
        leaves.append(b"P" + self.parameters_bytes())
        leaves += [b"G" + self.proposals[i].encode() for i in sorted(self.proposals)]
        leaves += [b"H" + region.encode() for region in sorted(self.halted)]
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
    encoded = (u(1, 1) + text(g["chain_id"]) + u(g["timestamp"], 8) + state.parameters_bytes()
               + state.authorities_bytes() + u(len(accounts), 4)
               + b"".join(addr(a) + u(b, 8) + u(e, 8) for a, b, e in accounts))
    state.genesis_hash = state.tip = tagged(b"GTX/genesis", encoded).hex()
    return state


# --- §9 blocks -----------------------------------------------------------------------------


def check_block(state: State, row: dict[str, Any]) -> list[Tx]:
    h = row["height"]
    where = f"block {h}"
    authorities = [a for _, a, _ in state.authorities]
    n = len(authorities)
    block_hash = tagged(b"GTX/header", header_bytes(row))
    require(block_hash.hex() == row["hash"], where, "§6 hash is not the header's hash")
    require(h == state.height + 1, where, "§9.1 height")
    require(row["previous_hash"] == state.tip, where, "§9.2 previous_hash")
    require(row["timestamp"] >= state.timestamp, where, "§9.3 timestamp before parent")
    require(row["proposer"] == authorities[(h + row["round"]) % n], where, "§9.6 proposer")
    r = Reader(row["transactions_data"])
    txs = [read_tx(data) for data in r.many(1 << 20, r.blob)]
    r.end()
    require(len(txs) <= state.parameters["max_transactions_per_block"], where, "§9.7 count")
    require(merkle([t.signed for t in txs]) == row["merkle_root"], where, "§9.8 merkle_root")
    energy = sum(t.body["energy_wh"] for t in txs if t.kind == 2)
    require(energy == row["total_energy"], where, "§9.9 total_energy")
    check_snapshot(row["grid_snapshot"])
    require(tagged(b"GTX/grid", row["grid_snapshot"]).hex() == row["grid_state_hash"], where,
            "§9.10 grid_state_hash")
    check_seals(state, row["authority_signatures"], block_hash, where)
    return txs


def check_seals(state: State, data: bytes, block_hash: bytes, where: str) -> None:
    keys = {a: k for _, a, k in state.authorities}
    digest = tagged(b"GTX/commit", block_hash)
    r = Reader(data)
    seals = r.many(1024, lambda: (r.address(), r.take(64)))
    r.end()
    signers = [a for a, _ in seals]
    require(all(a in keys for a in signers), where, "§9.11 seal by a non-authority")
    require(len(set(signers)) == len(signers), where, "§9.12 an authority sealed twice")
    require(all(verifies(keys[a], digest, s) for a, s in seals), where, "§9.13 seal")
    require(len(signers) >= (2 * len(keys) + 2) // 3, where, "§9.14 quorum")


def require(condition: bool, where: str, rule: str) -> None:
    if not condition:
        raise Invalid(f"{where}: {rule}")


# --- §10 to §12 transactions ----------------------------------------------------------------


def apply_tx(state: State, tx: Tx, height: int) -> None:
    where = f"block {height} tx {tx.hash.hex()}"
    require(tx.chain_id == state.chain_id, where, "§10.1 chain id")
    well_formed(state, tx, where)
    require(verifies(tx.key, tx.hash, tx.signed[-64:]), where, "§10.3 signature")
    sender = state.accounts.setdefault(tx.sender, [0, 0, 0])
    require(tx.nonce == sender[2], where, "§10.4 nonce")
    authorities = [a for _, a, _ in state.authorities]
    b = tx.body
    if tx.kind == 16:
        require(tx.sender in authorities, where, "§11 proposer not an authority")
        pid = len(state.proposals) + 1
        state.proposals[pid] = Proposal(pid, tx.sender, height, height + b["period"], tx.payload,
                                        b, authorities)
    elif tx.kind == 17:
        vote(state, tx, height, where)
    elif tx.kind == 32:
        require(tx.sender in authorities, where, "§10.5 emergency sender not an authority")
        if b["kind"] == 1:
            state.halted.add(b["region"])
        elif b["kind"] == 2:
            state.halted = set() if b["region"] == "ALL" else state.halted - {b["region"]}
    else:
        move_money(state, tx, sender, where)
    sender[2] += 1


def move_money(state: State, tx: Tx, sender: list[int], where: str) -> None:
    b = tx.body
    cost = b["amount"] if tx.kind == 1 else -(-b["energy_wh"] * b["price"] // 1000)
    require(sender[0] >= cost, where, "§10.5 balance")
    if tx.kind == 1:
        credit(state, b["recipient"], cost, 0, where)
    else:
        require(not {b["region"], "ALL"} & state.halted, where, "§10.6 trading halted")
        cap = state.parameters["price_cap_per_kwh"]
        require(not cap or b["price"] <= cap, where, "§10.7 price cap")
        seller = state.accounts.setdefault(b["seller"], [0, 0, 0])
        require(seller[1] >= b["energy_wh"], where, "§10.8 seller's energy credits")
        seller[1] -= b["energy_wh"]
        credit(state, b["seller"], cost, 0, where)
        credit(state, tx.sender, 0, b["energy_wh"], where)
    sender[0] -= cost


def credit(state: State, address: str, satang: int, wh: int, where: str) -> None:
    account = state.accounts.setdefault(address, [0, 0, 0])
    account[0] += satang
    account[1] += wh
    require(max(account[:2]) <= 2**63 - 1, where, "§10 credit above 2^63-1")


def well_formed(state: State, tx: Tx, where: str) -> None:
    b, k = tx.body, tx.kind
    if k == 1:
        require(b["amount"] > 0 and b["recipient"] != tx.sender, where, "§10.2 transfer")
    elif k == 2:
        require(b["buyer"] == tx.sender and b["seller"] != b["buyer"] and b["energy_wh"] > 0
                and b["price"] > 0 and b["region"] in REGIONS, where, "§10.2 trade")
    elif k == 16:
        require(bool(b["title"].strip()) and 1 <= b["period"] <= 100000, where, "§10.2 proposal")
        if b["action"] == 1:
            require(bool(b["name"]) and address_of(b["key"]) == b["address"], where,
                    "§10.2 added authority")
        if b["action"] == 3:
            low, high = RANGES.get(b["parameter"], (1, 0))
            require(low <= b["value"] <= high, where, "§10.2 parameter change")
    elif k == 32:
        halts = b["kind"] in (1, 2)
        require(b["region"] in REGIONS + (("ALL",) if halts else ()) and bool(b["operator"]),
                where, "§10.2 emergency region or operator")
        if b["kind"] == 3:
            require(1 <= b["stage"] <= 5 and b["mw"] > 0, where, "§10.2 load shedding")
        if b["kind"] == 4:
            require(b["mw"] > 0 and b["duration_s"] > 0, where, "§10.2 demand response")
        if b["kind"] in (1, 3):
            require(bool(b["approver"]) and b["approver"] != b["operator"], where,
                    "§10.2 two-person rule")


def vote(state: State, tx: Tx, height: int, where: str) -> None:
    p = state.proposals.get(tx.body["id"])
    require(p is not None, where, "§11 unknown proposal")
    assert p is not None
    require(p.status == 1 and height <= p.deadline, where, "§11 voting closed")
    require(tx.sender in p.electorate, where, "§11 voter not in the electorate")
    require(p.votes.get(tx.sender, (0,))[0] != tx.body["choice"], where, "§11 duplicate vote")
    p.votes[tx.sender] = (tx.body["choice"], tx.hash)
    tally = [c for c, _ in p.votes.values()]
    n, quorum = len(p.electorate), (2 * len(p.electorate) + 2) // 3
    if tally.count(1) >= quorum:
        execute(state, p, height)
    elif n - tally.count(2) - tally.count(3) < quorum:
        close(p, 3, height, "quorum out of reach")


def execute(state: State, p: Proposal, height: int) -> None:
    b, names = p.body, [n for n, _, _ in state.authorities]
    addresses = [a for _, a, _ in state.authorities]
    if b["action"] == 1:
        if b["name"] in names or b["address"] in addresses:
            return close(p, 3, height, "already an authority")
        state.authorities.append((b["name"], b["address"], b["key"]))
    elif b["action"] == 2:
        if b["address"] not in addresses or len(addresses) == 1:
            return close(p, 3, height, "not an authority, or the last one")
        state.authorities = [a for a in state.authorities if a[1] != b["address"]]
    elif b["action"] == 3:
        state.parameters[b["parameter"]] = b["value"]
    close(p, 2, height, "passed")


def close(p: Proposal, status: int, height: int, outcome: str) -> None:
    p.status, p.closed, p.outcome = status, height, outcome


# --- replay, §14 the store -----------------------------------------------------------------


@dataclass
class Verified:
    height: int
    tip: str
    transactions: int
    kinds: set[int]


def verify(path: str) -> Verified:
    """Check the store at ``path``; raise Invalid naming the block or row and the rule."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return Replay(db).run()
    finally:
        db.close()


class Replay:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        require(db.execute("PRAGMA user_version").fetchone()[0] == 2, "store", "§14 version")
        meta = dict(db.execute("SELECT key, value FROM Meta").fetchall())
        self.state = genesis_state(meta["genesis"])
        require(meta["genesis_hash"] == self.state.genesis_hash, "Meta", "§7 genesis hash")
        self.touched = dict.fromkeys(self.state.accounts, self.state.timestamp)
        self.keys = {a: k for _, a, k in self.state.authorities}
        self.index: list[tuple[str, int, int]] = []
        self.kinds: set[int] = set()

    def run(self) -> Verified:
        for row in self.db.execute("SELECT * FROM Blocks ORDER BY height"):
            self.block(dict(row))
        self.tables()
        s = self.state
        return Verified(s.height, s.tip, len(self.index), self.kinds)

    def block(self, row: dict[str, Any]) -> None:
        s, h = self.state, row["height"]
        for position, tx in enumerate(check_block(s, row)):
            apply_tx(s, tx, h)
            self.index.append((tx.hash.hex(), h, position))
            self.kinds.add(tx.kind)
            named = [tx.sender] + [tx.body[k] for k in ("recipient", "seller") if k in tx.body]
            self.touched.update(dict.fromkeys(named, row["timestamp"]))
        for p in s.proposals.values():
            if p.status == 1 and p.deadline <= h:
                close(p, 4, h, "deadline passed")
        require(s.root() == row["state_root"], f"block {h}", "§9.16 state_root")
        s.height, s.tip, s.timestamp = h, row["hash"], row["timestamp"]
        self.keys.update({a: k for _, a, k in s.authorities})

    def tables(self) -> None:
        s = self.state
        index = self.db.execute("SELECT hash, height, position FROM TransactionIndex "
                                "ORDER BY height, position").fetchall()
        require([tuple(r) for r in index] == self.index, "TransactionIndex", "§14 rows")
        accounts = {r["address"]: [r["balance"], r["energy_credits"], r["nonce"],
                                   r["last_updated"]]
                    for r in self.db.execute("SELECT * FROM Accounts")}
        derived = {a: [*v, self.touched[a]] for a, v in s.accounts.items()}
        require(accounts == derived, "Accounts", "§14 rows and last_updated")
        parts = dict(self.db.execute("SELECT name, data FROM StateParts").fetchall())
        require(parts == self.parts(), "StateParts", "§14 rows")
        for row in self.db.execute("SELECT * FROM Evidence"):
            self.evidence(dict(row))

    def parts(self) -> dict[str, bytes]:
        s = self.state
        parts = {"authorities": s.authorities_bytes(), "parameters": s.parameters_bytes(),
                 "halted_regions": u(len(s.halted), 4) + b"".join(map(text, sorted(s.halted))),
                 "next_proposal_id": u(len(s.proposals) + 1, 8)}
        return parts | {f"proposal/{i}": p.encode() for i, p in s.proposals.items()}

    def evidence(self, row: dict[str, Any]) -> None:
        where = f"Evidence row {row['id']}"
        first, second = (message(row[c]) for c in ("first_message", "second_message"))
        require(first[:4] == second[:4] and first[4] != second[4], where, "§13 no equivocation")
        require(first[:4] == (row["authority"], row["kind"], row["height"], row["round"]), where,
                "§14 columns")
        key = self.keys.get(row["authority"])
        require(key is not None, where, "§13 sender never an authority")
        for data in (row["first_message"], row["second_message"]):
            digest = tagged(b"GTX/consensus", bytes.fromhex(self.state.genesis_hash) + data[:-64])
            require(verifies(key, digest, data[-64:]), where, "§13 signature")


def message(data: bytes) -> tuple[Any, ...]:
    """(sender, kind, height, round, (block_hash, prepared_round)) of a consensus message."""
    r = Reader(data)
    r.version()
    kind, height, round_ = r.int(1), r.int(8), r.int(4)
    block, prepared = r.hash(), r.int(4)
    r.blob(64)
    sender = r.address()
    r.take(64)
    r.end()
    return sender, kind, height, round_, (block, prepared)


if __name__ == "__main__":
    result = verify(sys.argv[1])
    print(f"OK height {result.height} tip {result.tip} transactions {result.transactions}")
