"""What a client sends: the parameters of every endpoint method, as frozen dataclasses.

A request's JSON ``params`` object has exactly these fields (a missing field takes its default;
an unknown field, a missing required one or a value of the wrong type is refused with
``BadRequest`` naming it, see :func:`node_core.api.methods.parse_request`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from node_core.api.trading_overview import DEFAULT_WINDOW_MS
from node_core.ledger.transactions import MAX_VOTING_PERIOD

ALARM_HISTORY_LIMIT: Final = 10_000
"""Alarm events an ``alarms_history`` answer holds unless asked for fewer or more."""
AUDIT_TAIL_LIMIT: Final = 5_000
"""The most audit entries one ``audit_tail`` answer holds (``audit verify`` reads them all)."""


@dataclass(frozen=True, slots=True)
class NoParams:
    """A method that takes nothing (``status``, ``evidence``, ``gov_list`` ...)."""


# --- node and chain -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    transactions: list[str]
    """Signed transactions, each its canonical encoding as hex."""


@dataclass(frozen=True, slots=True)
class AccountRequest:
    address: str


@dataclass(frozen=True, slots=True)
class BlockRequest:
    """One of ``height`` or ``hash``."""

    height: int | None = None
    hash: str | None = None


@dataclass(frozen=True, slots=True)
class BlocksRequest:
    """Final blocks ``start..end`` (at most 1000 per answer)."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TransactionRequest:
    hash: str


@dataclass(frozen=True, slots=True)
class GridSnapshotData:
    timestamp: int
    frequency_mhz: int
    regions: list[tuple[str, int, int]]
    """(region, load kW, generation kW), in the ledger's region order."""


@dataclass(frozen=True, slots=True)
class AttestGridRequest:
    """The grid feed's snapshot for this node's next proposals, and substation voltages for
    its alarms."""

    snapshot: GridSnapshotData
    voltages: dict[str, tuple[float, float, str]] = field(default_factory=dict)
    """substation id -> (voltage kV, nominal kV, region)."""


@dataclass(frozen=True, slots=True)
class TradingOverviewRequest:
    window_ms: int = DEFAULT_WINDOW_MS


# --- governance -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposalRequest:
    """``gov_propose``: the node signs the proposal with its authority key."""

    action: str
    """``add_authority``, ``remove_authority``, ``parameter_change`` or ``signal``."""
    title: str
    description: str = ""
    voting_period: int = min(100, MAX_VOTING_PERIOD)
    authority_name: str = ""
    authority_public_key: str = ""
    """Hex of the 65-byte uncompressed P-256 point (add_authority)."""
    authority_address: str = ""
    parameter: str = ""
    value: int = 0


@dataclass(frozen=True, slots=True)
class ProposalIdRequest:
    id: int


@dataclass(frozen=True, slots=True)
class VoteRequest:
    id: int
    choice: str
    """``yes``, ``no`` or ``abstain``."""


# --- control room ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AcknowledgeRequest:
    ids: list[str]


@dataclass(frozen=True, slots=True)
class ShelveRequest:
    id: str
    duration_s: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class UnshelveRequest:
    id: str


@dataclass(frozen=True, slots=True)
class AlarmHistoryRequest:
    since_ms: int | None = None
    until_ms: int | None = None
    limit: int = ALARM_HISTORY_LIMIT


@dataclass(frozen=True, slots=True)
class SessionRequest:
    client: str = "console"
    """What the operator uses: ``console``, ``cli``."""


@dataclass(frozen=True, slots=True)
class SelectRequest:
    """Select an emergency action (select-before-operate)."""

    kind: str
    """``trading_halt``, ``trading_resume``, ``load_shed`` or ``demand_response``."""
    region: str
    stage: int = 0
    mw: int = 0
    duration_s: int = 0
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SelectionRequest:
    """Cancel selection ``id``."""

    id: int


@dataclass(frozen=True, slots=True)
class EndorsedSelectionRequest:
    """Operate or approve selection ``id``: the caller's endorsement of its order, the
    64-byte signature (hex) over ``node_core.ledger.transactions.emergency_digest`` of the
    selected action, made with the same key as the request; it goes on the chain."""

    id: int
    endorsement: str


@dataclass(frozen=True, slots=True)
class RosterChangeRequest:
    """``roster_change``: the security administrator's request, with their endorsement
    (hex) of ``node_core.ledger.transactions.roster_change_digest``; the node signs the
    transaction with its authority key."""

    action: str
    """``add`` or ``remove``."""
    name: str
    role: str
    requested_ms: int
    endorsement: str
    public_key: str = ""
    """add: hex of the member's 65-byte P-256 key."""


@dataclass(frozen=True, slots=True)
class AuditTailRequest:
    count: int = 100


# --- the grid simulator's live endpoint -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleEventRequest:
    event: str
    """A grid event, e.g. ``generator_trip@+5:1000`` (seconds from now)."""
