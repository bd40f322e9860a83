"""§10 validity and effect of a transaction (the kinds' own rules: §11, §12)."""

from __future__ import annotations

from tests.conformance.verifier import endorsed, governance
from tests.conformance.verifier.encoding import (
    REGIONS,
    Invalid,
    address_of,
    require,
    verifies,
)
from tests.conformance.verifier.state import RANGES, State
from tests.conformance.verifier.transactions import Tx


def apply_tx(state: State, tx: Tx, height: int, block_ms: int) -> tuple[str, str | None] | None:
    """Check and apply ``tx``; for an emergency action, who operated and who approved it."""
    where = f"block {height} tx {tx.hash.hex()}"
    require(tx.chain_id == state.chain_id, where, "§10.1 WrongChain")
    well_formed(tx, where)
    require(verifies(tx.key, tx.hash, tx.signed[-64:]), where, "§10.3 BadTransactionSignature")
    sender = state.accounts.setdefault(tx.sender, [0, 0, 0])
    require(tx.nonce == sender[2], where, "§10.4 NonceMismatch")
    who = None
    if tx.kind == 16:
        governance.propose(state, tx, height, where)
    elif tx.kind == 17:
        governance.vote(state, tx, height, where)
    elif tx.kind == 32:
        who = endorsed.emergency(state, tx, block_ms, where)
    elif tx.kind == 48:
        endorsed.roster_change(state, tx, block_ms, where)
    else:
        move_money(state, tx, sender, where)
    sender[2] += 1
    return who


def move_money(state: State, tx: Tx, sender: list[int], where: str) -> None:
    b = tx.body
    cost = b["amount"] if tx.kind == 1 else -(-b["energy_wh"] * b["price"] // 1000)
    require(sender[0] >= cost, where, "§10.5 InsufficientBalance")
    if tx.kind == 1:
        credit(state, b["recipient"], cost, 0, where)
    else:
        require(not {b["region"], "ALL"} & state.halted, where, "§10.6 TradingHalted")
        cap = state.parameters["price_cap_per_kwh"]
        require(not cap or b["price"] <= cap, where, "§10.7 PriceAboveCap")
        seller = state.accounts.setdefault(b["seller"], [0, 0, 0])
        require(seller[1] >= b["energy_wh"], where, "§10.8 InsufficientEnergyCredits")
        seller[1] -= b["energy_wh"]
        credit(state, b["seller"], cost, 0, where)
        credit(state, tx.sender, 0, b["energy_wh"], where)
    sender[0] -= cost


def credit(state: State, address: str, satang: int, wh: int, where: str) -> None:
    account = state.accounts.setdefault(address, [0, 0, 0])
    account[0] += satang
    account[1] += wh
    require(max(account[:2]) <= 2**63 - 1, where, "§10 MalformedTransaction: credit above "
            "2^63-1")


def well_formed(tx: Tx, where: str) -> None:
    """§10.2, by kind."""
    b, k, rule = tx.body, tx.kind, "§10.2 MalformedTransaction:"
    if k == 1:
        require(b["amount"] > 0 and b["recipient"] != tx.sender, where, f"{rule} transfer")
    elif k == 2:
        require(b["buyer"] == tx.sender and b["seller"] != b["buyer"] and b["energy_wh"] > 0
                and b["price"] > 0 and b["region"] in REGIONS, where, f"{rule} trade")
    elif k == 16:
        well_formed_proposal(tx, where, rule)
    elif k == 32:
        well_formed_emergency(tx, where, rule)
    elif k == 48:
        well_formed_roster_change(tx, where, rule)


def well_formed_proposal(tx: Tx, where: str, rule: str) -> None:
    b = tx.body
    require(bool(b["title"].strip()) and 1 <= b["period"] <= 100000, where, f"{rule} proposal")
    if b["action"] == 1:
        require(bool(b["name"]) and on_curve(b["key"]) and address_of(b["key"]) == b["address"],
                where, f"{rule} added authority")
    if b["action"] == 3:
        low, high = RANGES.get(b["parameter"], (1, 0))
        require(low <= b["value"] <= high, where, f"{rule} parameter change")


def well_formed_emergency(tx: Tx, where: str, rule: str) -> None:
    b = tx.body
    halts = b["kind"] in (1, 2)
    require(b["region"] in REGIONS + (("ALL",) if halts else ()), where, f"{rule} region")
    require(b["operated_by"] is not None, where, f"{rule} no operator's endorsement")
    if b["kind"] == 3:
        require(1 <= b["stage"] <= 5 and b["mw"] > 0, where, f"{rule} load shedding")
    if b["kind"] == 4:
        require(b["mw"] > 0 and b["duration_s"] > 0, where, f"{rule} demand response")
    critical = b["kind"] in endorsed.CRITICAL
    require((b["approved_by"] is not None) == critical, where,
            f"{rule} an approval on a critical action, and only there")


def well_formed_roster_change(tx: Tx, where: str, rule: str) -> None:
    b = tx.body
    require(b["requested_by"] is not None, where, f"{rule} roster change request")
    if b["action"] == 1:
        require(on_curve(b["key"]), where, f"{rule} the added member's key")
    else:
        require(b["key"] == b"", where, f"{rule} a removal names no key")


def on_curve(key: bytes) -> bool:
    try:
        address_of(key)
    except Invalid:
        return False
    return True
