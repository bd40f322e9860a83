"""The client endpoint's methods, and the plain-data (JSON) views of blocks and status that
the CLI and the console receive."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.methods import BadRequest, Handler, bind, bind_signed
from node_core.api.operator_auth import Caller
from node_core.api.trading_overview import DEFAULT_WINDOW_MS, recent_blocks, trading_overview
from node_core.api.wire import decode_submission
from node_core.clock import now_ms
from node_core.ledger.blocks import Block, commit_digest, finality_quorum
from node_core.ledger.exceptions import DecodeError, MempoolFull
from node_core.ledger.keys import verify_signature
from node_core.ledger.roster import Roster, endorser_name
from node_core.ledger.transactions import (
    EmergencyAction,
    EnergyTrade,
    RosterChange,
    Transaction,
    Transfer,
)
from node_core.ledger.types import Address, is_address
from node_core.node.metrics import percentile

if TYPE_CHECKING:
    from node_core.api.node_context import NodeView
    from node_core.node.admission import Outcome

HEALTH_WINDOW = 100


def transaction_view(tx: Transaction, roster: Roster = ()) -> ans.TransactionView:
    """A transaction as plain data; an emergency action with its order (``emergency`` kind,
    region, stage, MW, duration), which the grid simulator follows, and the names on
    ``roster`` of who operated and approved it (their addresses if not on it)."""
    payload = tx.payload
    view = ans.TransactionView(hash=tx.hash, kind=tx.kind.name.lower(), sender=tx.sender,
                             nonce=tx.nonce)
    if isinstance(payload, Transfer):
        view["recipient"], view["amount_satang"] = payload.recipient, payload.amount
    elif isinstance(payload, EnergyTrade):
        view["seller"], view["buyer"] = payload.seller, payload.buyer
        view["energy_wh"], view["price_satang_per_kwh"] = payload.energy_wh, payload.price_per_kwh
        view["region"], view["payment_satang"] = payload.region, payload.payment
    elif isinstance(payload, EmergencyAction):
        view["emergency"], view["region"] = payload.kind.name.lower(), payload.region
        view["stage"], view["mw"] = payload.stage, payload.mw
        view["duration_s"] = payload.duration_s
        view["reason"], view["selected_ms"] = payload.reason, payload.selected_ms
        view["operator"] = endorser_name(roster, tx.sender, payload.operated_by.public_key)
        view["approver"] = endorser_name(roster, tx.sender, payload.approved_by.public_key)
    elif isinstance(payload, RosterChange):
        view["roster_action"], view["member"] = payload.action.name.lower(), payload.name
        view["role"] = payload.role.text
        view["requested_by"] = endorser_name(roster, tx.sender,
                                             payload.requested_by.public_key)
    return view


class NodeQueries:
    """Answers about one node, as plain data."""

    def __init__(self, node: NodeView) -> None:
        self._node = node

    def handlers(self) -> list[tuple[str, Handler]]:
        return [
            bind(m.STATUS, self._status), bind(m.SUBMIT, self._submit),
            bind(m.SUBMIT_BINARY, self._submit_binary),
            bind(m.ACCOUNT, self._account), bind(m.BLOCK, self._block),
            bind(m.BLOCKS, self._blocks), bind(m.EVIDENCE, self._evidence),
            bind(m.TRANSACTION, self._transaction),
            bind_signed(m.ATTEST_GRID, self._attest_grid),
            bind(m.TRADING_OVERVIEW, self._trading_overview), bind(m.PIPELINE, self._pipeline),
            bind(m.CLOUD_STATUS, self._cloud_status),
        ]

    # --- views ------------------------------------------------------------------------------

    def status_summary(self) -> ans.StatusAnswer:
        node, state = self._node, self._node.state
        latencies = list(node.metrics.finality_ms)
        names = {str(a.address): a.name for a in state.authorities}
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
            "rejected": dict(node.rejections.counts),
        }

    def trading_overview(self, window_ms: int = DEFAULT_WINDOW_MS) -> ans.TradingOverview:
        """The market from this chain's own settlements (``node_core.api.trading_overview``)."""
        node, now = self._node, now_ms()
        blocks = recent_blocks(node.store.blocks, node.state.height, now - window_ms)
        return trading_overview(blocks, node.state, now, window_ms)

    def _peer_view(self, address: Address, name: str, connected: bool) -> ans.PeerView:
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

    def block_summary(self, block: Block, final_ms: int | None = None) -> ans.BlockSummary:
        state = self._node.state
        return {
            "height": block.height, "hash": block.hash, "timestamp": block.header.timestamp,
            "proposer": block.header.proposer, "round": block.header.round,
            "tx_count": len(block.transactions), "total_energy_wh": block.header.total_energy,
            "signatures": len(block.authority_signatures),
            "quorum": finality_quorum(len(state.authorities)), "final_ms": final_ms,
            "tx_hashes": [tx.hash for tx in block.transactions],
        }

    def block_detail(self, block: Block) -> ans.BlockDetail:
        names = {a.address: a for a in self._node.state.authorities}
        h = block.header
        digest = commit_digest(block.hash)
        return {
            **self.block_summary(block),
            "previous_hash": h.previous_hash, "merkle_root": h.merkle_root,
            "state_root": h.state_root, "grid_state_hash": h.grid_state_hash,
            "grid_snapshot": {"timestamp": block.grid_snapshot.timestamp,
                              "frequency_mhz": block.grid_snapshot.frequency_mhz,
                              "regions": [(r.region, r.load_kw, r.generation_kw)
                                          for r in block.grid_snapshot.regions]},
            "transactions": [transaction_view(tx, self._node.state.roster)
                             for tx in block.transactions],
            "authority_signatures": [
                {"authority": s.authority,
                 "name": names[s.authority].name if s.authority in names else None,
                 "valid": s.authority in names and verify_signature(
                     names[s.authority].public_key, digest, s.signature)}
                for s in block.authority_signatures],
        }

    # --- methods ----------------------------------------------------------------------------

    async def _status(self, request: r.NoParams) -> ans.StatusAnswer:
        return self.status_summary()

    async def _submit(self, request: r.SubmitRequest) -> ans.SubmitAnswer:
        """Admit hex encodings (:meth:`AuthorityNode.submit_encoded`)."""
        results: dict[int, ans.SubmitResult] = {}
        encoded: list[tuple[int, bytes]] = []
        for index, text in enumerate(request.transactions):
            try:
                encoded.append((index, bytes.fromhex(text)))
            except ValueError as error:
                results[index] = {"ok": False, "error": f"DecodeError: {error}"}
        outcomes = await self._node.submit_encoded([data for _, data in encoded])
        for (index, _), outcome in zip(encoded, outcomes, strict=True):
            results[index] = _submit_result(outcome)
        ordered = [results[index] for index in range(len(request.transactions))]
        return {"accepted": sum(1 for result in ordered if result["ok"]), "results": ordered}

    async def _submit_binary(self, request: r.SubmitBinaryRequest) -> ans.SubmitBinaryAnswer:
        """Admit the body's transactions; answer counts and the refused ones only."""
        try:
            encoded = decode_submission(request.body)
        except DecodeError as error:
            raise BadRequest(f"submit_binary: the body is not a sequence of signed "
                             f"transactions: {error}") from None
        outcomes = await self._node.submit_encoded(encoded)
        refused = [ans.RefusedTransaction(index=index, hash=o.hash, error=_rule(o))
                   for index, o in enumerate(outcomes) if o.error is not None]
        full = any(isinstance(o.error, MempoolFull) for o in outcomes)
        return {"accepted": sum(1 for o in outcomes if o.added),
                "duplicates": sum(1 for o in outcomes if o.error is None and not o.added),
                "refused": refused,
                "retry_after_ms": self._node.state.parameters.block_interval_ms if full else None}

    async def _account(self, request: r.AccountRequest) -> ans.AccountAnswer:
        address = request.address
        if not is_address(address):
            raise BadRequest(f"{address!r} is not an address")
        account = self._node.state.account(Address(address))
        return {"address": account.address, "balance": account.balance,
                "energy_credits": account.energy_credits, "nonce": account.nonce}

    async def _block(self, request: r.BlockRequest) -> ans.BlockDetail | None:
        store = self._node.store
        if (request.height is None) == (request.hash is None):
            raise BadRequest("block: give one of height or hash")
        block = (store.block_at(request.height) if request.height is not None
                 else store.block_by_hash(str(request.hash)))
        return None if block is None else self.block_detail(block)

    async def _blocks(self, request: r.BlocksRequest) -> list[ans.BlockSummary]:
        start = max(1, request.start)
        end = min(request.end, start + 999)
        return [self.block_summary(b) for b in self._node.store.blocks(start, end)]

    async def _evidence(self, request: r.NoParams) -> list[ans.EvidenceView]:
        return [{"authority": a.sender, "height": a.height, "round": a.round,
                 "kind": a.kind.name, "first_block": a.block_hash, "second_block": b.block_hash,
                 "detected_at": at} for a, b, at in self._node.store.evidence()]

    async def _transaction(self, request: r.TransactionRequest) -> ans.TransactionLocation | None:
        location = self._node.store.transaction_location(request.hash)
        return None if location is None else {"height": location[0], "position": location[1]}

    async def _trading_overview(self, request: r.TradingOverviewRequest) -> ans.TradingOverview:
        return self.trading_overview(request.window_ms)

    async def _pipeline(self, request: r.NoParams) -> ans.PipelineAnswer:
        node = self._node
        return {"stages_s": {**node.stages.seconds, "verify": node.signatures.seconds},
                "cpu_s": time.process_time(), "verified": node.signatures.verified,
                "tx_finalized": node.metrics.tx_finalized}

    async def _cloud_status(self, request: r.NoParams) -> ans.CloudStatus:
        """Per-part state of the cloud side; every part ``off`` on a devnet node."""
        cloud = getattr(self._node, "cloud", None)
        profile = self._node.config.cloud_profile
        view: dict[str, Any] = cloud.state() if cloud is not None else {
            **dict.fromkeys(("monitoring", "pubsub", "spanner", "backend"), "off"),
            "since_ms": {}, "details": {}}
        return ans.CloudStatus(
            monitoring=view["monitoring"], pubsub=view["pubsub"], spanner=view["spanner"],
            backend=view["backend"], since_ms=view["since_ms"], details=view["details"],
            profile="gcp" if profile is not None else "devnet",
            profile_path=str(profile) if profile is not None else None)

    async def _attest_grid(self, request: r.AttestGridRequest, caller: Caller) -> ans.Done:
        """The grid snapshot this node's proposals will commit to, from its grid feed (a
        ``grid_feed`` on the roster: the endpoint checked the signature), e.g. the simulator or
        a SCADA gateway."""
        try:
            self._node.attest_grid(request.snapshot, request.voltages)
        except ValueError as error:
            raise BadRequest(f"attest_grid: {error}") from None
        return {"ok": True}


def _submit_result(outcome: Outcome) -> ans.SubmitResult:
    if outcome.error is not None:
        return {"ok": False, "hash": outcome.hash, "error": _rule(outcome)}
    return {"ok": True, "hash": outcome.hash, "duplicate": not outcome.added}


def _rule(outcome: Outcome) -> str:
    """``"<Rule>: <message>"`` of an outcome's error."""
    return f"{type(outcome.error).__name__}: {outcome.error}"
