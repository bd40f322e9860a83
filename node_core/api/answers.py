"""What a node (and the grid simulator's live endpoint) answers: the JSON shapes of every
method's answer and every pushed event, as ``TypedDict`` s checked by mypy where they are
built and where they are read.

Units follow the ledger (:mod:`node_core.ledger.types`): satang, Wh, ms UTC; addresses and
hashes are lowercase hex text. A key holding ``None`` means "not known" (e.g. no peer height
heard yet), never zero.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

# --- node and chain -------------------------------------------------------------------------


class PeerView(TypedDict):
    """One other authority as this node sees it."""

    name: str
    address: str
    connected: bool
    height: int | None
    """The height of its last status heartbeat."""
    last_seen_ms: int | None


class StatusAnswer(TypedDict):
    """``status``: where the node is (also pushed as the ``status`` event every second)."""

    authority: str
    address: str
    chain_id: str
    genesis_hash: str
    height: int
    tip: str
    tip_timestamp: int
    round: int
    proposer: str | None
    """The name of the authority whose turn it is to propose."""
    authorities: int
    authority_names: dict[str, str]
    """address -> name of the current authority set."""
    quorum: int
    peers: list[PeerView]
    mempool: int
    tx_finalized: int
    finality_p50_ms: int | None
    finality_p99_ms: int | None
    equivocations: int
    consensus_health: float | None
    """Share of the last 100 blocks final in round 0 with every authority signing."""
    rejected: dict[str, int]
    """What the node dropped since it started, by rule (``node_core.node.rejections``)."""


class SubmitResult(TypedDict, total=False):
    """One submitted transaction: ``ok`` with its ``hash`` (``duplicate`` if already held),
    or the ``error`` ``"<Rule>: <message>"``."""

    ok: bool
    hash: str
    duplicate: bool
    error: str


class SubmitAnswer(TypedDict):
    accepted: int
    results: list[SubmitResult]


class RefusedTransaction(TypedDict):
    """One transaction of a ``submit_binary`` the node did not admit."""

    index: int
    """Its place in the body (from 0)."""
    hash: str
    error: str
    """``"<Rule>: <message>"``."""


class SubmitBinaryAnswer(TypedDict):
    """``submit_binary``: counts, and only the transactions refused."""

    accepted: int
    """Newly held."""
    duplicates: int
    """Already held."""
    refused: list[RefusedTransaction]
    retry_after_ms: int | None
    """Set when the mempool had no room for some (``MempoolFull``): submit those again after
    this long (a block interval: each block empties it by a block's worth)."""


class AccountAnswer(TypedDict):
    address: str
    balance: int
    energy_credits: int
    nonce: int


class BlockSummary(TypedDict):
    """A final block in brief (``blocks``; pushed as the ``block`` event)."""

    height: int
    hash: str
    timestamp: int
    proposer: str
    round: int
    tx_count: int
    total_energy_wh: int
    signatures: int
    quorum: int
    final_ms: int | None
    """When this node saw it final (events only)."""
    tx_hashes: list[str]


class TransactionView(TypedDict, total=False):
    """A transaction as plain data; the keys after ``nonce`` are those of its kind."""

    hash: str
    kind: str
    sender: str
    nonce: int
    recipient: str
    amount_satang: int
    seller: str
    buyer: str
    energy_wh: int
    price_satang_per_kwh: int
    payment_satang: int
    region: str
    emergency: str
    """Emergency actions: ``trading_halt``, ``load_shed`` ..."""
    stage: int
    mw: int
    duration_s: int
    reason: str
    selected_ms: int
    operator: str
    """The roster name of the member who operated it (their key's address if not on it)."""
    approver: str
    """... who approved it (critical actions; ``""`` for none)."""
    roster_action: str
    """Roster changes: ``add`` or ``remove`` the ``member`` in ``role``."""
    member: str
    role: str
    requested_by: str


class GridSnapshotView(TypedDict):
    timestamp: int
    frequency_mhz: int
    regions: list[tuple[str, int, int]]
    """(region, load kW, generation kW)."""


class SealView(TypedDict):
    """One authority's commit seal, checked by the answering node."""

    authority: str
    name: str | None
    valid: bool


class BlockDetail(BlockSummary):
    """``block``: a block with its header, grid snapshot, transactions and seals."""

    previous_hash: str
    merkle_root: str
    state_root: str
    grid_state_hash: str
    grid_snapshot: GridSnapshotView
    transactions: list[TransactionView]
    authority_signatures: list[SealView]


class EvidenceView(TypedDict):
    """An equivocation: one authority signed two conflicting messages."""

    authority: str
    height: int
    round: int
    kind: str
    first_block: str
    second_block: str
    detected_at: int


class EquivocationEvent(TypedDict):
    authority: str
    height: int
    round: int


class TransactionLocation(TypedDict):
    height: int
    position: int


class TradingOverview(TypedDict):
    """The energy market of the last window (``node_core.api.trading_overview``)."""

    source: str
    """``chain`` (this node's settlements) or ``backend`` (the REST API)."""
    as_of_ms: int
    window_ms: int | None
    height: int | None
    orders: int | None
    orders_per_second: float
    volume_wh: int
    price_by_region: dict[str, int | None]
    """Volume-weighted price, satang/kWh."""
    volume_by_region: dict[str, int] | None
    orders_by_region: dict[str, int] | None
    halted_by_region: dict[str, bool]
    halted_regions: list[str]
    market_halted: bool
    fallback: NotRequired[bool]
    """The console's mark: the backend was configured but did not answer, so this is the
    node's own overview."""


class PipelineAnswer(TypedDict):
    """``pipeline``: where the node's time went since it started, by stage of a
    transaction's way (``node_core.node.stages``)."""

    stages_s: dict[str, float]
    """Seconds per stage: ``verify`` in the signature workers (CPU), the others on the
    node's loop."""
    cpu_s: float
    """The node process's own CPU seconds (its loop and threads, not the workers'): what
    it spent outside the loop's stages is this less their sum."""
    verified: int
    """Signatures verified in the workers."""
    tx_finalized: int


class CloudStatus(TypedDict):
    """``cloud_status``: each part's state (``ok``, ``retrying``, ``down since …``,
    ``rejected: …``, ``off``) and its counters."""

    monitoring: str
    pubsub: str
    spanner: str
    backend: str
    since_ms: dict[str, int]
    details: dict[str, Any]
    profile: str
    """``devnet`` or ``gcp``."""
    profile_path: str | None


class Done(TypedDict):
    ok: bool


# --- governance -----------------------------------------------------------------------------


class ElectorView(TypedDict):
    address: str
    name: str | None


class VoteView(TypedDict, total=False):
    authority: str
    name: str | None
    choice: str
    tx_hash: str
    height: int | None
    """``gov_show`` only: the vote's final block, and whether its signature verifies."""
    signature_valid: bool | None


class ProposalDetails(TypedDict):
    authority_name: str
    authority_address: str | None
    authority_public_key: str | None
    parameter: str | None
    value: int


class ProposalView(TypedDict):
    id: int
    title: str
    description: str
    action: str
    proposer: str
    proposer_name: str | None
    created_height: int
    deadline_height: int
    status: str
    """``open``, ``executed``, ``rejected`` or ``expired``."""
    closed_height: int | None
    reason: str
    electorate: list[ElectorView]
    quorum: int
    tally: dict[str, int]
    votes: list[VoteView]
    details: ProposalDetails
    height_now: int
    block_interval_ms: int


class RosterMemberView(TypedDict):
    """One member of this authority's roster."""

    name: str
    role: str
    address: str
    public_key: str


class Submitted(TypedDict):
    """A transaction the node signed with its authority key and submitted."""

    tx_hash: str
    nonce: int


# --- control room ---------------------------------------------------------------------------


class AlarmView(TypedDict):
    """One alarm point not in the normal state (ISA-18.2)."""

    alarm_id: str
    kind: str
    priority: str
    region: str
    substation: str | None
    state: str
    active: bool
    value: float | None
    message: str
    since_ms: int
    active_since_ms: int | None
    shelved_by: str | None
    shelve_reason: str | None
    shelved_until_ms: int | None
    out_of_service_by: str | None
    out_of_service_reason: str | None


class AlarmEventView(TypedDict):
    """One state change of one alarm point (the ``alarm_events`` event carries a list)."""

    seq: int
    time_ms: int
    alarm_id: str
    kind: str
    priority: str
    region: str
    substation: str | None
    old_state: str
    new_state: str
    trigger: str
    value: float | None
    operator: str | None
    message: str
    reason: str | None
    until_ms: int | None


class StoredAlarmEvent(AlarmEventView):
    """An alarm event read back from the alarm history, with the node session it came from."""

    session_ms: int


class AlarmList(TypedDict):
    alarms: list[AlarmView]
    last_seq: int


class AlarmEvents(TypedDict):
    events: list[AlarmEventView]


class AlarmHistoryPage(TypedDict):
    events: list[StoredAlarmEvent]
    truncated: bool
    """More events matched than the limit (the newest were left off)."""


class OperatorSession(TypedDict):
    operator: str
    role: str


class SelectionView(TypedDict):
    """An emergency action on its way through the desk (select-before-operate)."""

    id: int
    kind: str
    region: str
    stage: int
    mw: int
    duration_s: int
    reason: str
    operator: str
    approver: str | None
    critical: bool
    """Needs a supervisor's approval (two-person rule)."""
    step: str
    """selected, awaiting approval, approved, submitted, final, rejected, cancelled, expired."""
    selected_ms: int
    expires_ms: int | None
    """When the current step times out; None once nothing can expire."""
    consequence: str
    tx_hash: str | None
    height: int | None
    outcome: str


class EmergencyFinal(TypedDict):
    """The ``emergency`` event: a submitted emergency action is in a final block."""

    tx_hash: str
    height: int


class AuditRecord(TypedDict):
    """One entry of the hash-chained operator audit trail."""

    seq: int
    time: str
    """ISO 8601 UTC."""
    time_ms: int
    operator: str
    role: str
    action: str
    target: str
    outcome: str
    details: dict[str, Any]
    request: dict[str, Any] | None
    """The operator's signed request the entry records (None: the node's own entry, or a
    refusal of an unsigned request)."""
    prev_hash: str
    hash: str


# --- the grid simulator's live endpoint -----------------------------------------------------


class SubstationSample(TypedDict):
    id: str
    name: str
    region: str
    voltage_kv: float
    nominal_kv: float
    power_flow_mw: float


class RegionSample(TypedDict):
    region: str
    load_mw: float
    generation_mw: float


class GridSampleView(TypedDict):
    """One simulator sample (the ``grid_sample`` event)."""

    timestamp_ms: int
    frequency_hz: float
    substations: list[SubstationSample]
    regions: list[RegionSample]
    south_state: str


class GridOrderView(TypedDict):
    """An emergency order from a final block, as the simulator applied it."""

    tx_hash: str
    height: int
    at_ms: int
    kind: str
    region: str
    mw: float
    stage: int | None
    duration_s: float | None
    until_ms: int | None


class GridsimStatus(TypedDict):
    latest: GridSampleView | None
    lines_out: list[str]
    orders: list[GridOrderView]


class ScheduledEvents(TypedDict):
    scheduled: list[str]
    """The kinds of the events scheduled."""
