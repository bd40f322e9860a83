"""``main.py audit verify`` and ``main.py audit export``: the operator audit trail.

``verify`` re-checks the hash chain of ``DATA_DIR/audit.sqlite3``, every recorded operator
signature and — with the node's chain next to it — that each entry's operator held the key
that signed it (:mod:`node_core.control_room.audit_signers`), and prints
``OK N entries, head HASH`` (exit 0) or ``FAIL entry N: reason`` on stderr (exit 1).
``export`` writes the entries since a time as JSON lines or CSV for the regulator, times in
ISO 8601 UTC. A ``--since`` without a UTC offset is read as UTC.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from node_core.control_room.audit import AUDIT_FILENAME, AuditError, AuditLog
from node_core.control_room.audit_signers import MemberKeys, members_on_chain
from node_core.ledger.exceptions import StoreError
from node_core.node.store import STORE_FILENAME, BlockStore


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subparsers.add_parser("audit", help="verify and export the operator audit trail")
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="check the audit log's chain of hashes")
    _add_data_dir(verify)
    verify.set_defaults(handler=_verify)
    export = actions.add_parser("export", help="export entries as JSON lines or CSV")
    _add_data_dir(export)
    export.add_argument("--since", type=parse_since, default=None, metavar="ISO8601",
                        help="only entries at or after this time, e.g. 2025-01-01T00:00:00Z "
                        "(no offset: UTC); default: all")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--output", type=Path, help="write to FILE instead of stdout")
    export.set_defaults(handler=_export)


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, required=True,
                        help=f"node data directory (holds {AUDIT_FILENAME})")


def parse_since(text: str) -> int:
    """ISO 8601 → UTC ms; a time without an offset is UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _verify(args: argparse.Namespace) -> int:
    try:
        members = _members(args.data_dir)
        with AuditLog.open_existing(args.data_dir / AUDIT_FILENAME) as log:
            result = log.verify(members)
    except (AuditError, StoreError) as error:
        print(f"FAIL {error}", file=sys.stderr)
        return 1
    if not result.ok:
        print(f"FAIL entry {result.first_broken_seq}: {result.reason}", file=sys.stderr)
        return 1
    checked = "; signers checked against the chain's roster" if members is not None else ""
    print(f"OK {result.entries} entries, head {result.head or '-'}{checked}")
    return 0


def _members(data_dir: Path) -> MemberKeys | None:
    """The roster bindings of the node's chain, when its store is next to the trail."""
    if not (data_dir / STORE_FILENAME).exists():
        return None
    with BlockStore.open_existing(data_dir / STORE_FILENAME) as store:
        return members_on_chain(store)


def _export(args: argparse.Namespace) -> int:
    try:
        with AuditLog.open_existing(args.data_dir / AUDIT_FILENAME) as log, \
                _output(args.output) as out:
            count = log.export(out, args.since, args.format)
    except (AuditError, OSError) as error:
        print(f"FAIL {error}", file=sys.stderr)
        return 1
    if args.output is not None:
        print(f"exported {count} entries to {args.output}")
    return 0


def _output(path: Path | None) -> nullcontext[TextIO] | TextIO:
    if path is None:
        return nullcontext(sys.stdout)
    return path.open("w", encoding="utf-8", newline="")
