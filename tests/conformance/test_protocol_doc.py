"""``docs/protocol.md`` cannot drift from the code: its tables are read back and compared with
the constants they describe, and every rule the ledger raises is named in it."""

import re
from pathlib import Path

import pytest

import node_core.ledger.transition  # noqa: F401  (loads every ledger rule)
from node_core.consensus.messages import CONSENSUS_DOMAIN, MessageKind
from node_core.ledger import hashing
from node_core.ledger.exceptions import FieldTooLong, InvalidBlock, InvalidTransaction
from node_core.ledger.fields import TEXT_FIELDS
from node_core.ledger.genesis import PARAMETER_LIMITS, ChainParameters
from node_core.ledger.governance import ProposalStatus
from node_core.ledger.transactions import EmergencyKind, ProposalAction, TxKind, VoteChoice
from node_core.ledger.types import REGIONS
from node_core.node.store import SCHEMA_VERSION, WAL_SIZE_LIMIT_BYTES, expected_schema

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")


def table(heading: str) -> list[list[str]]:
    """The rows of the first table after ``heading``, cells stripped of backticks."""
    start = DOC.index(heading)
    lines = DOC[start:].splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[first + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return rows


def test_the_field_limits_are_the_ledgers():
    assert [(name, int(size)) for name, size in table("### Text field limits")] == [
        (f.name, f.max_bytes) for f in TEXT_FIELDS]


def test_the_parameters_are_the_ledgers_in_encoding_order():
    defaults = ChainParameters()
    assert [tuple(row) for row in table("### 7.1 Parameters")] == [
        (str(i), name, str(getattr(defaults, name)), f"{low}..{high}")
        for i, (name, (low, high)) in enumerate(PARAMETER_LIMITS.items(), 1)]


def test_the_domain_tags_are_the_ledgers():
    tags = {row[0] for row in table("## 2. Hashes")}
    assert tags == {t.decode() for t in (hashing.TX_DOMAIN, hashing.HEADER_DOMAIN,
                                          hashing.COMMIT_DOMAIN, hashing.GRID_DOMAIN,
                                          hashing.GENESIS_DOMAIN, CONSENSUS_DOMAIN)}


@pytest.mark.parametrize(("heading", "enum"), [
    ("### Envelope", TxKind), ("### 4.3 GovernanceProposal", ProposalAction),
    ("### 4.5 EmergencyAction", EmergencyKind)])
def test_the_tag_tables_are_the_ledgers(heading, enum):
    rows = {int(row[0]): row[1] for row in table(heading)}
    names = {kind.value: kind.name for kind in enum}
    assert {k: v.upper() for k, v in rows.items()} == {
        k: v.replace("_", "") if enum is TxKind else v for k, v in names.items()}


@pytest.mark.parametrize("enum", [VoteChoice, ProposalStatus, MessageKind])
def test_the_inline_tag_lists_are_the_ledgers(enum):
    for member in enum:
        assert re.search(rf"\b{member.value} {member.name}\b", DOC), member


def test_every_rule_of_the_ledger_is_named():
    def rules(root):
        for cls in root.__subclasses__():
            yield cls
            yield from rules(cls)

    names = {cls.__name__ for cls in [*rules(InvalidBlock), *rules(InvalidTransaction)]}
    missing = {name for name in names | {FieldTooLong.__name__} if f"`{name}`" not in DOC}
    assert not missing


def test_the_regions_store_and_wal_figures_are_the_codes():
    assert ", ".join(f"`{r}`" for r in REGIONS) in DOC
    assert f"`PRAGMA user_version` = **{SCHEMA_VERSION}**" in DOC
    assert f"{WAL_SIZE_LIMIT_BYTES // 2**20} MiB" in DOC
    tables = {name for kind, name, _, _ in expected_schema()
              if kind == "table" and not name.startswith("sqlite_")}
    assert {row[0] for row in table("## 14. The store")} == tables
