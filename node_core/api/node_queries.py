"""The client endpoint's methods, and the plain-data (JSON) views of blocks and status that
the CLI and the console receive."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from node_core.api.endpoint import ClientError
from node_core.api.trading_overview import DEFAULT_WINDOW_MS, recent_blocks, trading_overview
from node_core.clock import now_ms
from node_core.ledger.blocks import Block, commit_digest, finality_quorum
from node_core.ledger.exceptions import DecodeError, GridTokenXError
from node_core.ledger.grid_state import GridSnapshot, RegionLoad
from node_core.ledger.keys import verify_signature
from node_core.ledger.transactions import (
    EmergencyAction,
    EnergyTrade,
    Transaction,
    Transfer,
    decode_transaction,
)
from node_core.ledger.types import Address, is_address

if TYPE_CHECKING:
    from node_core.node.authority_node import AuthorityNode

HEALTH_WINDOW = 100


def percentile(values: list[int], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def finality_lag_blocks(summary: Mapping[str, Any]) -> int:
    """Final heights a node is behind its furthest peer, from its ``status_summary``."""
    heights = [p["height"] for p in summary.get("peers", ()) if p.get("height")]
    return max(0, max(heights, default=0) - int(summary["height"]))


def transaction_view(tx: Transaction) -> dict[str, Any]:
    """A transaction as plain data; an emergency action with its order (``emergency`` kind,
    region, stage, MW, duration), which the grid simulator follows."""
    payload = tx.payload
    view: dict[str, Any] = {"hash": tx.hash, "kind": tx.kind.name.lower(), "sender": tx.sender,
                            "nonce": tx.nonce}
    if isinstance(payload, Transfer):
        view.update(recipient=payload.recipient, amount_satang=payload.amount)
    elif isinstance(payload, EnergyTrade):
        view.update(seller=payload.seller, buyer=payload.buyer, energy_wh=payload.energy_wh,
                    price_satang_per_kwh=payload.price_per_kwh, region=payload.region,
                    payment_satang=payload.payment)
    elif isinstance(payload, EmergencyAction):
        view.update(emergency=payload.kind.name.lower(), region=payload.region,
                    stage=payload.stage, mw=payload.mw, duration_s=payload.duration_s,
                    reason=payload.reason, operator=payload.operator, approver=payload.approver)
    return view


class NodeQueries:
    """Answers about one node, as plain data."""

    def __init__(self, node: AuthorityNode) -> None:
        self._node = node

    def handlers(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[Any]]]:
        return {
            "status": self._status, "submit": self._submit, "account": self._account,
            "block": self._block, "blocks": self._blocks, "evidence": self._evidence,
            "transaction": self._transaction, "attest_grid": self._attest_grid,
            "trading_overview": self._trading_overview, "cloud_status": self._cloud_status,
        }

    # --- views ------------------------------------------------------------------------------

    def status_summary(self) -> dict[str, Any]:
        node, state = self._node, self._node.state
        latencies = list(node.metrics.finality_ms)
        names = {a.address: a.name for a in state.authorities}
        connected = set(node.network.connected())
        return {
            "authority": node.authority_name, "address": node.signer.address,
            "chain_id": state.chain_id, "genesis_hash": state.genesis_hash,
            "height": state.height, "tip": state.tip_hash, "tip_timestamp": state.tip_timestamp,
            "round": node.engine.round,
            "proposer": names.get(node.engine.proposer(node.engine.height, node.engine.round)),
            "authorities": len(state.authorities),
            "authority_names": names,
            "quorum": finality_quorum(len(state.authorities)),
            "peers": [self._peer_view(a.address, a.name, a.address in connected)
                      for a in state.authorities if a.address != node.signer.address],
            "mempool": len(node.mempool), "tx_finalized": node.metrics.tx_finalized,
            "finality_p50_ms": percentile(latencies, 0.50),
            "finality_p99_ms": percentile(latencies, 0.99),
            "equivocations": node.metrics.equivocations,
            "consensus_health": self.consensus_health(),
            "rejected": dict(node.metrics.rejected),
        }

    def trading_overview(self, window_ms: int = DEFAULT_WINDOW_MS) -> dict[str, Any]:
        """The market from this chain's own settlements (``node_core.api.trading_overview``)."""
        node, now = self._node, now_ms()
        blocks = recent_blocks(node.store.blocks, node.state.height, now - window_ms)
        return trading_overview(blocks, node.state, now, window_ms)

    def _peer_view(self, address: Address, name: str, connected: bool) -> dict[str, Any]:
        view = self._node.peers.get(address)
        return {"name": name, "address": address, "connected": connected,
                "height": view.height if view else None,
                "last_seen_ms": view.last_seen_ms if view else None}

    def consensus_health(self) -> float | None:
        """Share of the last 100 blocks final in round 0 with every authority signing."""
        node = self._node
        start = max(1, node.state.height - HEALTH_WINDOW + 1)
        record = node.store.finality_record(start, node.state.height)
        if not record:
            return None
        everyone = len(node.state.authorities)
        healthy = sum(1 for _, r, signed in record if r == 0 and signed >= everyone)
        return round(healthy / len(record), 3)

    def block_summary(self, block: Block, final_ms: int | None = None) -> dict[str, Any]:
        state = self._node.state
        return {
            "height": block.height, "hash": block.hash, "timestamp": block.header.timestamp,
            "proposer": block.header.proposer, "round": block.header.round,
            "tx_count": len(block.transactions), "total_energy_wh": block.header.total_energy,
            "signatures": len(block.authority_signatures),
            "quorum": finality_quorum(len(state.authorities)), "final_ms": final_ms,
            "tx_hashes": [tx.hash for tx in block.transactions],
        }

    def block_detail(self, block: Block) -> dict[str, Any]:
        names = {a.address: a for a in self._node.state.authorities}
        h = block.header
        digest = commit_digest(block.hash)
        return {
            **self.block_summary(block),
            "previous_hash": h.previous_hash, "merkle_root": h.merkle_root,
            "state_root": h.state_root, "grid_state_hash": h.grid_state_hash,
            "grid_snapshot": {"timestamp": block.grid_snapshot.timestamp,
                              "frequency_mhz": block.grid_snapshot.frequency_mhz,
                              "regions": [[r.region, r.load_kw, r.generation_kw]
                                          for r in block.grid_snapshot.regions]},
            "transactions": [transaction_view(tx) for tx in block.transactions],
            "authority_signatures": [
                {"authority": s.authority,
                 "name": names[s.authority].name if s.authority in names else None,
                 "valid": s.authority in names and verify_signature(
                     names[s.authority].public_key, digest, s.signature)}
                for s in block.authority_signatures],
        }

    # --- methods ----------------------------------------------------------------------------

    async def _status(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.status_summary()

    async def _submit(self, params: dict[str, Any]) -> dict[str, Any]:
        results = []
        for encoded in params["transactions"]:
            results.append(self._submit_one(encoded))
        return {"accepted": sum(1 for r in results if r["ok"]), "results": results}

    def _submit_one(self, encoded: str) -> dict[str, Any]:
        try:
            tx = decode_transaction(bytes.fromhex(encoded))
        except (DecodeError, ValueError) as error:
            return {"ok": False, "error": f"DecodeError: {error}"}
        try:
            added = self._node.submit(tx)
        except GridTokenXError as error:
            return {"ok": False, "hash": tx.hash, "error": f"{type(error).__name__}: {error}"}
        return {"ok": True, "hash": tx.hash, "duplicate": not added}

    async def _account(self, params: dict[str, Any]) -> dict[str, Any]:
        address = params["address"]
        if not is_address(address):
            raise ClientError("BadRequest", f"{address!r} is not an address")
        account = self._node.state.account(Address(address))
        return {"address": account.address, "balance": account.balance,
                "energy_credits": account.energy_credits, "nonce": account.nonce}

    async def _block(self, params: dict[str, Any]) -> dict[str, Any] | None:
        store = self._node.store
        block = (store.block_at(int(params["height"])) if "height" in params
                 else store.block_by_hash(str(params["hash"])))
        return None if block is None else self.block_detail(block)

    async def _blocks(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        start = max(1, int(params["start"]))
        end = min(int(params["end"]), start + 999)
        return [self.block_summary(b) for b in self._node.store.blocks(start, end)]

    async def _evidence(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"authority": a.sender, "height": a.height, "round": a.round,
                 "kind": a.kind.name, "first_block": a.block_hash, "second_block": b.block_hash,
                 "detected_at": at} for a, b, at in self._node.store.evidence()]

    async def _transaction(self, params: dict[str, Any]) -> dict[str, Any] | None:
        location = self._node.store.transaction_location(str(params["hash"]))
        return None if location is None else {"height": location[0], "position": location[1]}

    async def _trading_overview(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.trading_overview(int(params.get("window_ms", DEFAULT_WINDOW_MS)))

    async def _cloud_status(self, params: dict[str, Any]) -> dict[str, Any]:
        """Per-part state of the cloud side; every part ``off`` on a devnet node."""
        cloud = getattr(self._node, "cloud", None)
        profile = self._node.config.cloud_profile
        view = cloud.state() if cloud is not None else {
            **dict.fromkeys(("monitoring", "pubsub", "spanner", "backend"), "off"),
            "since_ms": {}, "details": {}}
        return {**view, "profile": "gcp" if profile is not None else "devnet",
                "profile_path": str(profile) if profile is not None else None}

    async def _attest_grid(self, params: dict[str, Any]) -> dict[str, Any]:
        """The grid snapshot this node's proposals will commit to (from the simulator or a
        SCADA feed)."""
        data = params["snapshot"]
        regions = tuple(RegionLoad(str(r), int(load), int(gen)) for r, load, gen in data["regions"])
        self._node.grid_snapshot = GridSnapshot(int(data["timestamp"]), int(data["frequency_mhz"]),
                                                regions)
        self._node.control.grid = {"frequency_hz": int(data["frequency_mhz"]) / 1000,
                                   "voltages": params.get("voltages", {})}
        return {"ok": True}
