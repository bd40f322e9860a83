"""The operator audit trail: an append-only, hash-chained log in its own SQLite file.

One row per operator action (login, logout, acknowledge, shelve, select, operate, approve,
cancel, vote...) in ``audit.sqlite3`` in the node data directory, WAL mode, one SQLite
transaction per append with ``synchronous=FULL``.

Signed by the operator. An entry that records an operator's request keeps the request as the
operator signed it (``request``: chain, authority, method, parameters, time, nonce, the
operator's public key and signature, :mod:`node_core.api.signed_requests`), and
:meth:`AuditLog.verify` checks that signature again: whoever rewrites the trail and recomputes
its hash chain still cannot make an operator have asked for something they did not. Refusals
of unsigned requests and the node's own entries have an empty request.

Hash chain. Each entry's ``hash`` is SHA-256 over the domain tag ``GTX/audit`` and the
canonical encoding of the entry *including* ``prev_hash``: the UTF-8 JSON array::

    [seq, time_ms, operator, role, action, target, outcome, details, request, prev_hash]

with ``details`` and ``request`` the stored canonical JSON texts (keys sorted, no spaces,
non-ASCII kept; ``request`` is ``""`` when there is none).
The first entry's ``prev_hash`` is 64 zeros. Editing any column of a row changes its hash
(or, for ``hash`` itself, no longer matches it); deleting a row breaks the seq run and the
next row's link. :meth:`AuditLog.verify` names the first broken entry.

Guards besides the chain: SQLite triggers refuse UPDATE and DELETE on the table (an
attacker with the file can drop them; the chain is what catches that), and the ``Meta``
table records the head (seq, hash), written in the same transaction as each append, so a
truncated tail is reported too. (A determined attacker who rewrites the tail *and* the head
is only caught by an anchor outside the file, e.g. the head hash in a block; not done yet.)

Retention (default 7 years, counted as 7 × 366 days so that nothing younger than seven
calendar years is ever pruned). Old entries go only through an explicit :meth:`prune`,
which deletes entries older than ``now − retention`` and, in the same transaction, appends a
``prune`` checkpoint entry whose details hold ``pruned_through_seq`` and ``anchor_hash`` (the
hash of the last pruned entry). The chain then starts at ``pruned_through_seq + 1`` whose
``prev_hash`` must equal that ``anchor_hash``; since the checkpoint is itself chained,
verify() accepts a pruned start only if the newest checkpoint vouches for it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal, TextIO

from node_core.api.answers import AuditRecord
from node_core.api.signed_requests import MalformedAuth, RequestAuth, request_digest
from node_core.control_room.audit_signers import MemberKeys, signer_problem
from node_core.ledger.exceptions import StoreError
from node_core.ledger.keys import verify_signature
from node_core.ledger.types import ZERO_HASH, Hash32
from node_core.node.store import WriteTransaction

AUDIT_FILENAME: Final = "audit.sqlite3"
AUDIT_DOMAIN: Final = b"GTX/audit"
DAY_MS: Final = 86_400_000
DEFAULT_RETENTION_MS: Final = 7 * 366 * DAY_MS
"""Seven years, generously (see the module docstring)."""
PRUNE_ACTION: Final = "prune"
SYSTEM_OPERATOR: Final = "system"
SYSTEM_ROLE: Final = "system"
"""The role of the node's own entries (a prune checkpoint): the only ones, with refusals,
that carry no signed request."""
REFUSED: Final = "refused: "
"""How an entry's outcome starts when the request was refused."""
ACTIONS: Final = ("login", "logout", "acknowledge", "shelve", "unshelve", "out_of_service",
                  "return_to_service", "select", "operate", "approve", "cancel", "vote",
                  PRUNE_ACTION)
"""Actions the console records; others are accepted (new features add their own)."""
COLUMNS: Final = ("seq", "time_ms", "operator", "role", "action", "target", "outcome",
                  "details", "request", "prev_hash", "hash")
SCHEMA_VERSION: Final = 2
"""``PRAGMA user_version`` of an audit log this code writes (2: entries keep the signed
request)."""

ExportFormat = Literal["jsonl", "csv"]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS Meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS AuditLog (
    seq INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    operator TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    details TEXT NOT NULL,
    request TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS AuditLogTime ON AuditLog (time_ms);
CREATE TRIGGER IF NOT EXISTS AuditLogNoUpdate BEFORE UPDATE ON AuditLog
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS AuditLogNoDelete BEFORE DELETE ON AuditLog
WHEN (SELECT value FROM Meta WHERE key = 'pruning') IS NOT '1'
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only; use prune()'); END;
"""


class AuditError(StoreError):
    """The audit log cannot be used or an entry is refused."""


class InvalidAuditEntry(AuditError, ValueError):
    """An entry field is empty or not JSON-serialisable."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded operator action."""

    seq: int
    """1, 2, 3... without gaps (after a prune, from the checkpoint's boundary)."""
    time_ms: int
    """UTC ms since the epoch."""
    operator: str
    """Operator identity (``system`` for the node's own entries such as prune)."""
    role: str
    """``operator``, ``supervisor``, ``auditor``, ``system``."""
    action: str
    """See :data:`ACTIONS`."""
    target: str
    """What the action was on: an alarm id, an emergency action id, a proposal..."""
    outcome: str
    """``ok``, ``refused``, ``failed``, ``expired``..."""
    details: str
    """Canonical JSON text of a details object."""
    request: str
    """Canonical JSON text of the operator's signed request, or ``""``."""
    prev_hash: Hash32
    hash: Hash32

    def details_obj(self) -> Any:
        return json.loads(self.details)

    def to_record(self) -> AuditRecord:
        """The export shape: the columns plus ``time`` (ISO 8601 UTC), details as an object."""
        return {"seq": self.seq, "time": iso_utc(self.time_ms), "time_ms": self.time_ms,
                "operator": self.operator, "role": self.role, "action": self.action,
                "target": self.target, "outcome": self.outcome, "details": self.details_obj(),
                "request": json.loads(self.request) if self.request else None,
                "prev_hash": self.prev_hash, "hash": self.hash}


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What :meth:`AuditLog.verify` found."""

    ok: bool
    first_broken_seq: int | None
    reason: str
    entries: int
    head: Hash32 | None

    def __iter__(self) -> Iterator[Any]:
        """Unpacks as ``ok, first_broken_seq, reason``."""
        return iter((self.ok, self.first_broken_seq, self.reason))


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the one encoding hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def entry_hash(seq: int, time_ms: int, operator: str, role: str, action: str, target: str,
               outcome: str, details: str, request: str, prev_hash: str) -> Hash32:
    """SHA-256 of ``GTX/audit`` + the canonical encoding (see the module docstring)."""
    encoded = canonical_json([seq, time_ms, operator, role, action, target, outcome, details,
                              request, prev_hash]).encode()
    return Hash32(hashlib.sha256(AUDIT_DOMAIN + encoded).hexdigest())


def iso_utc(ms: int) -> str:
    """``2025-11-25T16:00:00.000Z``."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(*row)


def check_entry(entry: AuditEntry, members: MemberKeys | None = None) -> str | None:
    """Why the entry's stored hash or recorded request is wrong, or None; with ``members``
    (:func:`~node_core.control_room.audit_signers.members_on_chain`) also who signed it."""
    fields = (entry.seq, entry.time_ms, entry.operator, entry.role, entry.action,
              entry.target, entry.outcome, entry.details, entry.request)
    if not (isinstance(entry.seq, int) and isinstance(entry.time_ms, int)
            and all(isinstance(f, str) for f in fields[2:]) and isinstance(entry.hash, str)):
        return "a column has the wrong type"
    if entry_hash(*fields, entry.prev_hash) != entry.hash:
        return "hash does not match the entry's contents"
    problem = request_problem(entry.request)
    if problem is not None or members is None:
        return problem
    if entry.request:
        return signer_problem(entry.operator, entry.action, entry.request, members)
    if entry.role == SYSTEM_ROLE or entry.outcome.startswith(REFUSED):
        return None
    return f"an entry of {entry.operator!r} without the request they signed"


def request_problem(request: str) -> str | None:
    """Why a recorded signed request does not check out, or None (also for no request)."""
    if not request:
        return None
    try:
        signed = json.loads(request)
        auth = RequestAuth.from_json({k: signed[k] for k in ("key", "issued_ms", "nonce",
                                                             "signature")})
        digest = request_digest(signed["chain_id"], signed["authority"], signed["method"],
                                signed["params"], auth.issued_ms, auth.nonce)
    except (ValueError, KeyError, TypeError, MalformedAuth) as error:
        return f"the recorded request is not a signed request ({error})"
    if not verify_signature(auth.public_key, digest, auth.signature):
        return "the operator's signature does not verify over the recorded request"
    return None


class AuditLog:
    """The audit trail of one node. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, db: sqlite3.Connection, retention_ms: int) -> None:
        self._db = db
        self._retention_ms = retention_ms

    @classmethod
    def open(cls, path: Path | str, *, retention_ms: int = DEFAULT_RETENTION_MS) -> AuditLog:
        """Open or create the log at ``path`` (a file, e.g. ``DATA_DIR/audit.sqlite3``)."""
        if retention_ms <= 0:
            raise AuditError("retention must be positive")
        try:
            db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            empty = db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
            if not empty and version != SCHEMA_VERSION:
                db.close()
                raise AuditError(
                    f"the audit log {path} has schema version {version}, this node writes "
                    f"{SCHEMA_VERSION} (entries with the operator's signed request): keep the "
                    "old file for the record (move it aside) and start a new trail")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.Error as error:
            raise AuditError(f"cannot open audit log {path}: {error}") from error
        return cls(db, retention_ms)

    @classmethod
    def open_existing(cls, path: Path | str) -> AuditLog:
        """Open a log that must already exist (for ``audit verify`` / ``export``)."""
        if not Path(path).is_file():
            raise AuditError(f"no audit log at {path}")
        return cls.open(path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def retention_ms(self) -> int:
        return self._retention_ms

    # ----- writing --------------------------------------------------------------------------

    def append(self, time_ms: int, operator: str, role: str, action: str, target: str = "",
               outcome: str = "ok", details: Mapping[str, Any] | None = None,
               request: Mapping[str, Any] | None = None) -> AuditEntry:
        """Record one action (with the operator's signed ``request`` when there is one);
        returns the stored entry. One SQLite transaction."""
        for name, value in (("operator", operator), ("role", role), ("action", action),
                            ("outcome", outcome)):
            if not isinstance(value, str) or not value.strip():
                raise InvalidAuditEntry(f"audit entry needs a non-empty {name}")
        try:
            text = canonical_json(dict(details or {}))
            signed = canonical_json(dict(request)) if request else ""
        except (TypeError, ValueError) as error:
            raise InvalidAuditEntry(f"details are not JSON: {error}") from error
        with WriteTransaction(self._db):
            return self._append(int(time_ms), operator, role, action, target, outcome, text,
                                signed)

    def _append(self, time_ms: int, operator: str, role: str, action: str, target: str,
                outcome: str, details: str, request: str = "") -> AuditEntry:
        seq, prev = self._head()
        fields = (seq + 1, time_ms, operator, role, action, target, outcome, details, request)
        entry = AuditEntry(*fields, prev, entry_hash(*fields, prev))
        self._db.execute(f"INSERT INTO AuditLog ({', '.join(COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(COLUMNS))})",
                         (*fields, entry.prev_hash, entry.hash))
        self._db.executemany("INSERT OR REPLACE INTO Meta (key, value) VALUES (?, ?)",
                             [("head_seq", str(entry.seq)), ("head_hash", entry.hash)])
        return entry

    def _head(self) -> tuple[int, Hash32]:
        row = self._db.execute("SELECT seq, hash FROM AuditLog ORDER BY seq DESC LIMIT 1"
                               ).fetchone()
        return (0, ZERO_HASH) if row is None else (int(row[0]), Hash32(row[1]))

    def prune(self, now_ms: int) -> AuditEntry | None:
        """Delete entries older than ``now − retention`` and append a checkpoint (one
        transaction); None when nothing is old enough."""
        cutoff = now_ms - self._retention_ms
        with WriteTransaction(self._db):
            row = self._db.execute(
                "SELECT seq, hash FROM AuditLog WHERE seq = (SELECT MAX(seq) FROM AuditLog "
                "WHERE time_ms < ?)", (cutoff,)).fetchone()
            if row is None:
                return None
            last_seq, anchor = int(row[0]), str(row[1])
            self._db.execute("INSERT OR REPLACE INTO Meta VALUES ('pruning', '1')")
            count = self._db.execute("DELETE FROM AuditLog WHERE seq <= ?", (last_seq,)
                                     ).rowcount
            self._db.execute("DELETE FROM Meta WHERE key = 'pruning'")
            details = {"pruned_through_seq": last_seq, "anchor_hash": anchor,
                       "pruned_count": count, "cutoff_ms": cutoff,
                       "retention_ms": self._retention_ms}
            return self._append(now_ms, SYSTEM_OPERATOR, SYSTEM_ROLE, PRUNE_ACTION, "audit",
                                 "ok", canonical_json(details))

    # ----- reading --------------------------------------------------------------------------

    def entries(self, since_ms: int | None = None) -> Iterator[AuditEntry]:
        """Stored entries in seq order (``time_ms >= since_ms`` when given)."""
        query = f"SELECT {', '.join(COLUMNS)} FROM AuditLog"
        params: tuple[int, ...] = ()
        if since_ms is not None:
            query, params = query + " WHERE time_ms >= ?", (since_ms,)
        for row in self._db.execute(query + " ORDER BY seq", params):
            yield _entry(tuple(row))

    def newest(self, count: int) -> list[AuditEntry]:
        """The newest ``count`` entries, oldest first."""
        rows = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM AuditLog ORDER BY seq DESC "
                                "LIMIT ?", (count,)).fetchall()
        return [_entry(tuple(row)) for row in reversed(rows)]

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM AuditLog").fetchone()[0])

    def head(self) -> tuple[int, Hash32]:
        """(seq, hash) of the newest entry; (0, zeros) when empty."""
        return self._head()

    def verify(self, members: MemberKeys | None = None) -> VerifyResult:
        """Re-check every hash, link and recorded signature (and with ``members`` who signed,
        see :func:`check_entry`); reports the first broken entry."""
        entries = list(self.entries())
        problem = _first_problem(entries, members) or self._head_problem(entries)
        head = entries[-1].hash if entries else None
        if problem is not None:
            return VerifyResult(False, problem[0], problem[1], len(entries), head)
        return VerifyResult(True, None, "ok", len(entries), head)

    def _head_problem(self, entries: list[AuditEntry]) -> tuple[int, str] | None:
        meta = dict(self._db.execute("SELECT key, value FROM Meta"))
        if "head_seq" not in meta:
            return (1, "entries present but no recorded head") if entries else None
        head_seq = int(meta["head_seq"])
        last = entries[-1].seq if entries else 0
        if last < head_seq:
            return last + 1, f"entries {last + 1}..{head_seq} missing (log truncated)"
        if last > head_seq or meta.get("head_hash") != entries[-1].hash:
            return head_seq, "recorded head does not match the newest entry"
        return None

    def export(self, out: TextIO, since_ms: int | None = None,
               fmt: ExportFormat = "jsonl") -> int:
        """Write entries with ``time_ms >= since_ms`` to ``out``; returns how many.

        ``jsonl``: one :meth:`AuditEntry.to_record` object per line. ``csv``: a header row
        of the same keys, ``details`` as its canonical JSON text.
        """
        if fmt not in ("jsonl", "csv"):
            raise AuditError(f"unknown export format {fmt!r}; expected jsonl or csv")
        writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
        if writer is not None:
            writer.writerow(RECORD_KEYS)
        count = 0
        for entry in self.entries(since_ms):
            record = entry.to_record()
            if writer is None:
                out.write(canonical_json(record) + "\n")
            else:
                row: dict[str, Any] = {**record, "details": entry.details,
                                       "request": entry.request}
                writer.writerow([row[key] for key in RECORD_KEYS])
            count += 1
        return count


RECORD_KEYS: Final = ("seq", "time", "time_ms", "operator", "role", "action", "target",
                      "outcome", "details", "request", "prev_hash", "hash")
"""Keys of an exported record, in CSV column order."""


def _first_problem(entries: list[AuditEntry],
                   members: MemberKeys | None) -> tuple[int, str] | None:
    """(seq, reason) of the first entry that breaks the chain, or None."""
    if not entries:
        return None
    start = _start_problem(entries)
    if start is not None:
        return start
    previous = entries[0]
    reason = check_entry(previous, members)
    if reason is not None:
        return previous.seq, reason
    for entry in entries[1:]:
        if entry.seq != previous.seq + 1:
            return previous.seq + 1, f"entry missing (next stored entry is {entry.seq})"
        reason = check_entry(entry, members)
        if reason is None and entry.prev_hash != previous.hash:
            reason = f"prev_hash does not link to entry {previous.seq}"
        if reason is not None:
            return entry.seq, reason
        previous = entry
    return None


def _start_problem(entries: list[AuditEntry]) -> tuple[int, str] | None:
    """The chain must start at 1 from zeros, or where the newest prune checkpoint says."""
    first = entries[0]
    if first.seq == 1:
        return None if first.prev_hash == ZERO_HASH else (1, "first entry's prev_hash is "
                                                          "not zeros")
    checkpoint = next((e for e in reversed(entries) if e.action == PRUNE_ACTION
                       and e.operator == SYSTEM_OPERATOR), None)
    if checkpoint is None:
        return 1, f"entries 1..{first.seq - 1} missing and no prune checkpoint"
    details = _json_or_none(checkpoint.details)
    through = details.get("pruned_through_seq") if isinstance(details, dict) else None
    anchor = details.get("anchor_hash") if isinstance(details, dict) else None
    if through != first.seq - 1:
        return (through + 1 if isinstance(through, int) and through + 1 < first.seq else 1,
                f"entries missing before {first.seq}; checkpoint {checkpoint.seq} "
                f"pruned through {through}")
    if anchor != first.prev_hash:
        return first.seq, f"prev_hash does not match the anchor of checkpoint {checkpoint.seq}"
    return None


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def verify_records(records: list[Mapping[str, Any]]) -> tuple[bool, int | None, str]:
    """Check the hashes and links of exported jsonl records (a regulator's own check of an
    export: the first record's prev_hash is taken on trust)."""
    previous: Mapping[str, Any] | None = None
    for record in records:
        details, request = record["details"], record.get("request") or ""
        text = details if isinstance(details, str) else canonical_json(details)
        signed = request if isinstance(request, str) else canonical_json(request)
        expected = entry_hash(int(record["seq"]), int(record["time_ms"]), record["operator"],
                              record["role"], record["action"], record["target"],
                              record["outcome"], text, signed, record["prev_hash"])
        if expected != record["hash"]:
            return False, int(record["seq"]), "hash does not match the record"
        problem = request_problem(signed)
        if problem is not None:
            return False, int(record["seq"]), problem
        if previous is not None and record["prev_hash"] != previous["hash"]:
            return False, int(record["seq"]), "prev_hash does not link to the previous record"
        previous = record
    return True, None, "ok"
