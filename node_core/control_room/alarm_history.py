"""The node's alarm history: every alarm event, kept across restarts, for review of the past.

The alarm engine keeps its events in memory only (a restart starts ``seq`` at 1 again), and
the console sees those pushed while it listens. :class:`AlarmHistory` is the engine's event
sink: it buffers each event and :meth:`AlarmHistory.flush` writes the buffer in one SQLite
transaction (``alarm_history.sqlite3`` in the node data directory, WAL, ``synchronous=NORMAL``).
The node flushes after every evaluation (once a second) and after every operator action, so
a flood of 1,000 events a minute costs about one small transaction a second; a power cut may
lose the last second of events (the audit trail, not this, is the record of operator actions).

Events older than the node's ``[retention] alarm_history_days`` are deleted (:meth:`prune`,
called by the node at start and daily).

Each row keeps the event's ``to_dict()`` fields plus ``session_ms`` — when the engine that
produced it started — so ``(session_ms, seq)`` identifies an event across restarts.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

from node_core.api.answers import StoredAlarmEvent
from node_core.api.requests import ALARM_HISTORY_LIMIT
from node_core.control_room.alarms import AlarmEvent
from node_core.ledger.exceptions import StoreError
from node_core.node.store import WriteTransaction

HISTORY_FILENAME: Final = "alarm_history.sqlite3"
MAX_QUERY: Final = 100_000
"""Most events one query returns."""
FIELDS: Final = ("seq", "time_ms", "alarm_id", "kind", "priority", "region", "substation",
                 "old_state", "new_state", "trigger", "value", "operator", "message", "reason",
                 "until_ms")

_COLUMNS: Final = ", ".join(f'"{name}"' for name in FIELDS)
"""Quoted: ``trigger`` is an SQL keyword."""
_SCHEMA: Final = f"""
CREATE TABLE IF NOT EXISTS AlarmEvents (
    id INTEGER PRIMARY KEY,
    session_ms INTEGER NOT NULL,
    {_COLUMNS}
);
CREATE INDEX IF NOT EXISTS AlarmEventsTime ON AlarmEvents (time_ms);
"""
_INSERT: Final = (f"INSERT INTO AlarmEvents (session_ms, {_COLUMNS}) "
                  f"VALUES (?, {', '.join('?' for _ in FIELDS)})")


class InvalidHistoryQuery(StoreError, ValueError):
    """An alarm history query with a window that ends before it starts or a bad limit."""


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """The answer to one query: events in time order, and whether more matched."""

    events: tuple[StoredAlarmEvent, ...]
    truncated: bool
    """True if the window held more than ``limit`` events (the newest were left off)."""


class AlarmHistory:
    """Buffered, persistent alarm events of one node (see the module docstring)."""

    def __init__(self, db: sqlite3.Connection, session_ms: int) -> None:
        self._db = db
        self._session_ms = session_ms
        self._buffer: list[AlarmEvent] = []

    @classmethod
    def open(cls, path: Path | str, session_ms: int) -> AlarmHistory:
        """Open (creating if needed); ``session_ms``: when this node's alarm engine started."""
        try:
            db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise StoreError(f"alarm history {path}: {error}") from None
        return cls(db, session_ms)

    def close(self) -> None:
        self.flush()
        self._db.close()

    # ----- writing ----------------------------------------------------------------------------

    def on_alarm_event(self, event: AlarmEvent) -> None:
        """The engine's sink: keep the event until the next :meth:`flush`."""
        self._buffer.append(event)

    def flush(self) -> int:
        """Write the buffered events in one transaction; how many."""
        if not self._buffer:
            return 0
        events, self._buffer = self._buffer, []
        rows = [(self._session_ms, *(_column(event.to_dict()[name]) for name in FIELDS))
                for event in events]
        with WriteTransaction(self._db):
            self._db.executemany(_INSERT, rows)
        return len(rows)

    # ----- reading ----------------------------------------------------------------------------

    def query(self, since_ms: int | None = None, until_ms: int | None = None,
              limit: int = ALARM_HISTORY_LIMIT) -> HistoryPage:
        """Events with ``since_ms <= time_ms <= until_ms`` (None: unbounded), oldest first,
        at most ``limit`` of them (1..:data:`MAX_QUERY`)."""
        if not 0 < limit <= MAX_QUERY:
            raise InvalidHistoryQuery(f"limit must be within 1..{MAX_QUERY}, not {limit}")
        if since_ms is not None and until_ms is not None and until_ms < since_ms:
            raise InvalidHistoryQuery(f"the window ends ({until_ms}) before it starts "
                                      f"({since_ms}): swap --since and --until")
        self.flush()
        low = since_ms if since_ms is not None else -(2**63)
        high = until_ms if until_ms is not None else 2**63 - 1
        rows = self._db.execute(
            f"SELECT session_ms, {_COLUMNS} "
            "FROM AlarmEvents WHERE time_ms BETWEEN ? AND ? ORDER BY time_ms, id LIMIT ?",
            (low, high, limit + 1)).fetchall()
        events = tuple(cast(StoredAlarmEvent, {"session_ms": row[0],
                                               **dict(zip(FIELDS, row[1:], strict=True))})
                       for row in rows[:limit])
        return HistoryPage(events, len(rows) > limit)

    def prune(self, before_ms: int) -> int:
        """Delete the events older than ``before_ms`` (retention); how many."""
        self.flush()
        with WriteTransaction(self._db):
            deleted = self._db.execute("DELETE FROM AlarmEvents WHERE time_ms < ?",
                                       (before_ms,)).rowcount
        return int(deleted)

    def count(self) -> int:
        """How many events are stored."""
        self.flush()
        return int(self._db.execute("SELECT COUNT(*) FROM AlarmEvents").fetchone()[0])


def _column(value: Any) -> Any:
    return value if value is None or isinstance(value, int | float | str) else str(value)
