"""§5 grid snapshot, §6 blocks, §9 validity of a block, §13 consensus messages, §14 the
store: the replay of a node's store from its genesis."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from tests.conformance.verifier.encoding import (
    REGIONS,
    Invalid,
    Reader,
    addr,
    merkle,
    require,
    tagged,
    text,
    u,
    verifies,
)
from tests.conformance.verifier.endorsed import forget_stale
from tests.conformance.verifier.governance import expire
from tests.conformance.verifier.state import State, genesis_state
from tests.conformance.verifier.transactions import Tx, read_tx
from tests.conformance.verifier.transition import apply_tx


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


def check_block(state: State, row: dict[str, Any]) -> list[Tx]:
    """§6 and §9 rules 1–14 (the transactions' rule 15 and the root's 16 are the replay's)."""
    h = row["height"]
    where = f"block {h}"
    authorities = [a for _, a, _ in state.authorities]
    n = len(authorities)
    block_hash = tagged(b"GTX/header", header_bytes(row))
    require(block_hash.hex() == row["hash"], where, "§6 BlockHashMismatch")
    require(h == state.height + 1, where, "§9.1 WrongHeight")
    require(row["previous_hash"] == state.tip, where, "§9.2 BrokenHashLink")
    require(row["timestamp"] >= state.timestamp, where, "§9.3 TimestampBeforeParent")
    require(row["proposer"] in authorities, where, "§9.5 UnknownAuthority: proposer")
    require(row["proposer"] == authorities[(h + row["round"]) % n], where, "§9.6 WrongProposer")
    r = Reader(row["transactions_data"])
    txs = [read_tx(data) for data in r.many(1 << 20, r.blob)]
    r.end()
    require(len(txs) <= state.parameters["max_transactions_per_block"], where,
            "§9.7 TooManyTransactions")
    require(merkle([t.signed for t in txs]) == row["merkle_root"], where,
            "§9.8 MerkleRootMismatch")
    energy = sum(t.body["energy_wh"] for t in txs if t.kind == 2)
    require(energy == row["total_energy"], where, "§9.9 TotalEnergyMismatch")
    check_snapshot(row["grid_snapshot"])
    require(tagged(b"GTX/grid", row["grid_snapshot"]).hex() == row["grid_state_hash"], where,
            "§9.10 GridStateHashMismatch")
    check_seals(state, row["authority_signatures"], block_hash, where)
    return txs


def check_seals(state: State, data: bytes, block_hash: bytes, where: str) -> None:
    keys = {a: k for _, a, k in state.authorities}
    digest = tagged(b"GTX/commit", block_hash)
    r = Reader(data)
    seals = r.many(1024, lambda: (r.address(), r.take(64)))
    r.end()
    signers = [a for a, _ in seals]
    require(all(a in keys for a in signers), where, "§9.11 UnknownAuthority: seal")
    require(len(set(signers)) == len(signers), where, "§9.12 DuplicateAuthoritySignature")
    require(all(verifies(keys[a], digest, s) for a, s in seals), where,
            "§9.13 BadAuthoritySignature")
    require(len(signers) >= (2 * len(keys) + 2) // 3, where, "§9.14 InsufficientFinality")


@dataclass
class Verified:
    height: int
    tip: str
    transactions: int
    kinds: set[int]
    orders: list[tuple[int, int, str, str | None]]
    """Every emergency action: (height, kind, who operated it, who approved it), by the
    names on the issuing authority's roster at that height — what an auditor proves."""


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
        require(db.execute("PRAGMA user_version").fetchone()[0] == 3, "store", "§14 version")
        meta = dict(db.execute("SELECT key, value FROM Meta").fetchall())
        self.state = genesis_state(meta["genesis"])
        require(meta["genesis_hash"] == self.state.genesis_hash, "Meta", "§7 genesis hash")
        self.touched = dict.fromkeys(self.state.accounts, self.state.timestamp)
        self.keys = {a: k for _, a, k in self.state.authorities}
        self.index: list[tuple[str, int, int]] = []
        self.kinds: set[int] = set()
        self.orders: list[tuple[int, int, str, str | None]] = []

    def run(self) -> Verified:
        for row in self.db.execute("SELECT * FROM Blocks ORDER BY height"):
            self.block(dict(row))
        self.tables()
        s = self.state
        return Verified(s.height, s.tip, len(self.index), self.kinds, self.orders)

    def block(self, row: dict[str, Any]) -> None:
        s, h = self.state, row["height"]
        seen: set[bytes] = set()
        for position, tx in enumerate(check_block(s, row)):
            require(tx.hash not in seen, f"block {h}", "§9.15 DuplicateTransaction")
            seen.add(tx.hash)
            who = apply_tx(s, tx, h, row["timestamp"])
            if who is not None:
                self.orders.append((h, tx.body["kind"], *who))
            self.index.append((tx.hash.hex(), h, position))
            self.kinds.add(tx.kind)
            named = [tx.sender] + [tx.body[k] for k in ("recipient", "seller") if k in tx.body]
            self.touched.update(dict.fromkeys(named, row["timestamp"]))
        expire(s, h)
        forget_stale(s, row["timestamp"])
        require(s.root() == row["state_root"], f"block {h}", "§9.16 StateRootMismatch")
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
                 "next_proposal_id": u(len(s.proposals) + 1, 8), "roster": s.roster_bytes(),
                 "taken_endorsements": u(len(s.taken), 4) + b"".join(s.taken_bytes())}
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
