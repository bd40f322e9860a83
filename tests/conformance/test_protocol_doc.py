"""``docs/protocol.md`` cannot drift from the code: its tables are read back and compared with
the constants they describe; every rule the ledger raises is named in it, and every rule it
names is one the code raises; the independent verifier's limits are the ledger's."""

import itertools
import re
from pathlib import Path

import pytest

import node_core.node.authority_node  # noqa: F401  (loads every rule a node raises or answers)
from node_core.api import endpoint, signed_requests, wire
from node_core.api.methods import NODE_METHODS
from node_core.api.operator_auth import RequestRefused
from node_core.consensus.messages import (
    CONSENSUS_DOMAIN,
    MAX_BLOCK_TRANSACTIONS,
    MAX_SYNC_BLOCKS,
    MessageKind,
    WireTag,
)
from node_core.control_room import audit
from node_core.ledger import endorsements, hashing
from node_core.ledger.exceptions import (
    FieldTooLong,
    GridTokenXError,
    InvalidBlock,
    InvalidTransaction,
)
from node_core.ledger.fields import TEXT_FIELDS
from node_core.ledger.genesis import PARAMETER_LIMITS, ChainParameters
from node_core.ledger.governance import ProposalStatus
from node_core.ledger.roster import Role, RosterAction
from node_core.ledger.transactions import EmergencyKind, ProposalAction, TxKind, VoteChoice
from node_core.ledger.types import REGIONS
from node_core.node.store import SCHEMA_VERSION, WAL_SIZE_LIMIT_BYTES, expected_schema
from node_core.p2p.handshake import PROTOCOL_VERSION
from tests.conformance import verifier

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")


def table(heading: str, text: str = DOC) -> list[list[str]]:
    """The rows of the first table after ``heading``, cells stripped of backticks."""
    return _rows(text[text.index(heading):].splitlines(), strip="`")[1]


def _rows(lines: list[str], strip: str = "") -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the table that starts at the first table line of ``lines``."""
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    cells = [[cell.strip().strip(strip) for cell in line.strip("|").split("|")]
             for line in itertools.takewhile(lambda line: line.startswith("|"), lines[first:])]
    return cells[0], cells[2:]


def section(number: int) -> str:
    """The text of section ``number`` (up to the next one)."""
    start = DOC.index(f"\n## {number}. ")
    end = DOC.find(f"\n## {number + 1}. ", start)
    return DOC[start:end if end > 0 else None]


def named_in_column(column: str, text: str = DOC) -> set[str]:
    """The backticked names in the column headed ``column`` of every table of ``text``."""
    lines, names = text.splitlines(), set()
    for i, line in enumerate(lines):
        if line.startswith("|") and (i == 0 or not lines[i - 1].startswith("|")):
            header, rows = _rows(lines[i:])
            if column in header:
                at = header.index(column)
                names |= {name for row in rows for name in re.findall(r"`(\w+)`", row[at])}
    return names


def subclasses(root: type) -> set[type]:
    found = set()
    for cls in root.__subclasses__():
        found |= {cls, *subclasses(cls)}
    return found


def test_the_field_limits_are_the_ledgers_and_the_verifiers():
    assert [(name, int(size)) for name, size in table("### Text field limits")] == [
        (f.name, f.max_bytes) for f in TEXT_FIELDS]
    assert {f.name: f.max_bytes for f in TEXT_FIELDS} == verifier.LIMITS


def test_the_parameters_are_the_ledgers_in_encoding_order():
    defaults = ChainParameters()
    assert [tuple(row) for row in table("### 7.1 Parameters")] == [
        (str(i), name, str(getattr(defaults, name)), f"{low}..{high}")
        for i, (name, (low, high)) in enumerate(PARAMETER_LIMITS.items(), 1)]


def test_the_domain_tags_are_the_ledgers():
    tags = {row[0] for row in table("## 2. Hashes")}
    assert tags == {t.decode() for t in (
        hashing.TX_DOMAIN, hashing.HEADER_DOMAIN, hashing.COMMIT_DOMAIN, hashing.GRID_DOMAIN,
        hashing.GENESIS_DOMAIN, CONSENSUS_DOMAIN, endorsements.EMERGENCY_DOMAIN,
        endorsements.ROSTER_DOMAIN, signed_requests.REQUEST_DOMAIN, audit.AUDIT_DOMAIN)}


@pytest.mark.parametrize(("heading", "enum"), [
    ("### Envelope", TxKind), ("### 4.3 GovernanceProposal", ProposalAction),
    ("### 4.5 EmergencyAction", EmergencyKind), ("### 8.3 The roster", Role)])
def test_the_tag_tables_are_the_ledgers(heading, enum):
    rows = {int(row[0]): row[1] for row in table(heading)}
    names = {kind.value: kind.name for kind in enum}
    assert {k: v.upper() for k, v in rows.items()} == {
        k: v.replace("_", "") if enum is TxKind else v for k, v in names.items()}


@pytest.mark.parametrize("enum", [VoteChoice, ProposalStatus, MessageKind, RosterAction])
def test_the_inline_tag_lists_are_the_ledgers(enum):
    for member in enum:
        assert re.search(rf"\b{member.value} {member.name}\b", DOC), member


LEDGER_RULES = {cls.__name__ for cls in subclasses(InvalidBlock) | subclasses(InvalidTransaction)}


def test_every_rule_of_the_ledger_is_named():
    missing = {name for name in LEDGER_RULES | {FieldTooLong.__name__} if f"`{name}`" not in DOC}
    assert not missing


def test_every_rule_the_document_names_is_the_ledgers():
    assert named_in_column("error") - LEDGER_RULES == set()
    assert {"NotOnRoster", "SamePersonApproval", "LastSecurityAdmin"} <= named_in_column("error")


def test_the_endpoints_refusals_are_the_nodes_in_its_order():
    refusals = [re.findall(r"\w+", row[2])[0] for row in table("The node refuses a signed")]
    assert set(refusals) == {cls.__name__ for cls in subclasses(RequestRefused)}
    gate = Path(endpoint.__file__).with_name("operator_auth.py").read_text(encoding="utf-8")
    assert [name for name in re.findall(r"^\d\. ``(\w+)``", gate, re.MULTILINE)] == refusals


def test_every_error_type_of_the_endpoint_section_is_one_a_node_answers():
    errors = {cls.__name__ for cls in subclasses(GridTokenXError)}
    source = Path(endpoint.__file__).read_text(encoding="utf-8")
    for name in set(re.findall(r"`([A-Z][a-z]\w*)`", section(15))):
        assert name in errors or f'"{name}"' in source, name


def test_the_signed_methods_and_their_roles_are_the_registrys():
    documented = {}
    for methods, roles in table("runs only for a role the method allows"):
        allowed = set(Role) if roles == "any role" else {Role.of(r) for r in roles.split(", ")}
        documented |= {name.strip("` "): allowed for name in methods.split(",")}
    assert documented == {m.name: set(m.roles) for m in NODE_METHODS.values() if m.roles}


def test_the_endpoint_and_audit_figures_are_the_codes():
    limits = endpoint.EndpointLimits()
    rows = {row[0]: int(re.findall(r"\d+", row[1])[0]) for row in table("### 15.2 Limits")}
    assert rows == {"request line": limits.max_request_bytes,
                    "request body": limits.max_request_bytes,
                    "connections": limits.max_connections,
                    "pending connections": limits.max_pending,
                    "cookie": limits.auth_timeout_s}
    endpoint_text = section(15)
    assert f"{wire.COOKIE_BYTES} random bytes as {2 * wire.COOKIE_BYTES} hex" in endpoint_text
    assert f"`{wire.COOKIE_FILENAME}`" in endpoint_text
    assert f"{signed_requests.NONCE_SIZE} fresh random bytes" in endpoint_text
    assert f"within {signed_requests.REQUEST_WINDOW_MS} ms" in endpoint_text
    assert f"`method` is at most {signed_requests.METHOD_NAME.max_bytes} bytes" in endpoint_text
    assert f"beyond {endpoint.SUBSCRIBER_QUEUE:,}" in endpoint_text
    assert f"`{audit.AUDIT_FILENAME}`" in section(16)
    assert f"`PRAGMA user_version` = {audit.SCHEMA_VERSION}" in section(16)


def test_the_peer_messages_are_the_nodes():
    rows = {int(row[0]): row[1] for row in table("**Peer messages.**")}
    assert rows == {tag.value: tag.name.lower().replace("_", " ").replace("consensus",
                                                                          "consensus packet")
                    for tag in WireTag}
    consensus = section(13)
    assert f"handshake carries version {PROTOCOL_VERSION}" in consensus
    assert f"at most {MAX_SYNC_BLOCKS}, ascending" in consensus
    assert f"at most {MAX_BLOCK_TRANSACTIONS:,} leaves" in consensus


def test_the_endorsement_window_is_the_ledgers():
    assert f"`b − t ≤ {endorsements.ENDORSEMENT_VALIDITY_MS}` ms" in DOC


def test_the_regions_store_and_wal_figures_are_the_codes():
    assert ", ".join(f"`{r}`" for r in REGIONS) in DOC
    assert f"`PRAGMA user_version` = **{SCHEMA_VERSION}**" in DOC
    assert f"{WAL_SIZE_LIMIT_BYTES // 2**20} MiB" in DOC
    tables = {name for kind, name, _, _ in expected_schema()
              if kind == "table" and not name.startswith("sqlite_")}
    assert {row[0] for row in table("## 14. The store")} == tables
