"""AlarmTableModel and AlarmFilterProxy: the standing alarms as a table, fed plain dicts.

Rows are alarm dicts (``node_core.control_room.alarms.Alarm.to_dict()``): ``alarm_id``, ``kind``,
``priority``, ``region``, ``substation``, ``state``, ``active``, ``value``, ``message``,
``since_ms``, ``active_since_ms``, ``shelved_by``, ``shelve_reason``, ``shelved_until_ms``,
``out_of_service_by``, ``out_of_service_reason``. Events are
``node_core.control_room.alarms.AlarmEvent.to_dict()`` dicts (``seq``, ``time_ms``, ``alarm_id``,
``kind``, ``priority``, ``region``, ``substation``, ``old_state``, ``new_state``,
``trigger``, ``value``, ``operator``, ``message``, ``reason``, ``until_ms``).

The model shows every alarm that is not ``normal``. :meth:`AlarmTableModel.set_alarms`
replaces everything (a reset: start-up or resync); :meth:`AlarmTableModel.apply_events`
applies a batch incrementally: changed rows get one ``dataChanged``, new alarms are appended
with one ``beginInsertRows``, alarms back to normal are removed range by range. A batch of
1,000 events is a few Qt notifications, not 1,000. Events whose ``seq`` is not the next one
expected raise ``gap_detected`` (the app then asks for a full snapshot).

Colour only for abnormal (ISA-101), always with text: the priority cell of a standing alarm
is filled with the priority colour (:mod:`views.charts.palette`), its state cell too while
the condition is active and unacknowledged. Unacknowledged alarms blink
(:meth:`AlarmTableModel.set_blink_phase`, driven by the list's timer) between the full colour
and a lighter tint of it: the blink changes the intensity, never takes the priority colour
away, so a picture or a glance in either phase shows the priority. Shelved and suppressed
alarms are purple; out-of-service ones are italic gray text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from PySide6.QtCore import QModelIndex, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QFont

from views.charts.palette import PRIORITIES, palette_for, priority_colour
from views.common import formatting as fmt
from views.common.table_model import ColumnTableModel, Index

TIME, PRIORITY, STATE, REGION, SUBSTATION, MESSAGE, VALUE = range(7)
COLUMN_COUNT: Final = 7
SORT_ROLE: Final = Qt.ItemDataRole.UserRole + 1
"""A sortable key of the cell (tuples: priority rank then newest first...)."""
ALARM_ID_ROLE: Final = Qt.ItemDataRole.UserRole + 2
BLINKING_ROLE: Final = Qt.ItemDataRole.UserRole + 3
"""True for a row that blinks (unacknowledged)."""

UNACK, ACK, RTN = "unack_active", "ack_active", "rtn_unack"
SHELVED, SUPPRESSED, OUT_OF_SERVICE, NORMAL = (
    "shelved", "suppressed_by_design", "out_of_service", "normal")
STATES: Final = (UNACK, ACK, RTN, SHELVED, SUPPRESSED, OUT_OF_SERVICE)
"""States a listed alarm can be in, in the order the state filter offers them."""
UNACKNOWLEDGED: Final = frozenset({UNACK, RTN})
STANDING: Final = frozenset({UNACK, ACK, RTN})
"""States counted per priority in the banner."""
SHELVED_COLOURS: Final = {"light": "#7b3fa8", "dark": "#c08ae8"}
"""Shelved / suppressed purple (not in views.charts.palette, which has only the four
priorities)."""
PRIORITY_RANK: Final = {p: i for i, p in enumerate(PRIORITIES)}
TINT: Final = 0.5
"""Share of the priority colour in the blink's "off" fill (the rest is the table's base)."""
TABLE_BASES: Final = {"light": "#d4d4d4", "dark": "#3c3c3c"}
"""Table background the tint is mixed with (``app.shell.theme``'s ISA-101 base; dark charts)."""

_STYLE_ROLES: Final = [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole,
                       BLINKING_ROLE]


def text_on(colour: QColor) -> QColor:
    """Black or white, whichever reads better on ``colour``."""
    luminance = 0.299 * colour.red() + 0.587 * colour.green() + 0.114 * colour.blue()
    return QColor("#000000" if luminance > 128 else "#ffffff")


def tint(colour: QColor, base: QColor, share: float = TINT) -> QColor:
    """``share`` of ``colour`` over ``base``: the same hue, less intense."""
    return QColor.fromRgbF(*(share * c + (1 - share) * b for c, b in zip(
        colour.getRgbF()[:3], base.getRgbF()[:3], strict=True)))


def row_from_event(event: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    """The alarm dict after ``event``, from the row held before it (None: a new alarm)."""
    state = event["new_state"]
    row = dict(old or {})
    row.update(alarm_id=event["alarm_id"], kind=event["kind"], priority=event["priority"],
               region=event["region"], substation=event["substation"], state=state,
               value=event["value"], message=event["message"], since_ms=event["time_ms"])
    if state in (UNACK, ACK, RTN):
        row["active"] = state != RTN
    if event["trigger"] == "alarm" or (state == UNACK and not row.get("active_since_ms")):
        row["active_since_ms"] = event["time_ms"]
    shelved = state == SHELVED
    row.update(shelved_by=event["operator"] if shelved else None,
               shelve_reason=event.get("reason") if shelved else None,
               shelved_until_ms=event.get("until_ms") if shelved else None)
    oos = state == OUT_OF_SERVICE
    row.update(out_of_service_by=event["operator"] if oos else None,
               out_of_service_reason=event.get("reason") if oos else None)
    return row


class AlarmTableModel(ColumnTableModel):
    """The alarms not in the normal state, one row each, in arrival order.

    Signals:
        counts_changed(dict): ``{priority: {"active": n, "unack": n}, "shelved": n,
            "suppressed": n, "out_of_service": n, "total": n}`` after every change.
        gap_detected(int, int): expected seq, received seq — an event was lost upstream.
    """

    counts_changed = Signal(dict)
    gap_detected = Signal(int, int)
    column_count = COLUMN_COUNT
    right_aligned = frozenset({VALUE})

    def __init__(self, *, theme: str = "light", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._row_of: dict[str, int] = {}
        self._last_seq: int | None = None
        self._events_applied = 0
        self._blink_on = True
        palette = palette_for(theme)
        self._colours = {p: QColor(priority_colour(palette, p)) for p in PRIORITIES}
        base = QColor(TABLE_BASES.get(theme, TABLE_BASES["light"]))
        self._tints = {p: tint(c, base) for p, c in self._colours.items()}
        self._shelved = QColor(SHELVED_COLOURS.get(theme, SHELVED_COLOURS["light"]))
        self._muted = QColor(palette.crosshair)
        self._bold, self._italic = QFont(), QFont()
        self._bold.setBold(True)
        self._italic.setItalic(True)

    # ----- feeding --------------------------------------------------------------------------

    def set_alarms(self, alarms: Iterable[dict[str, Any]], last_seq: int | None = None) -> None:
        """Replace every row (``Alarm.to_dict()`` dicts; normal ones are left out)."""
        self.beginResetModel()
        self._rows = [dict(a) for a in alarms if a["state"] != NORMAL]
        self._reindex()
        self._last_seq = last_seq
        self.endResetModel()
        self.counts_changed.emit(self.counts())

    def apply_events(self, events: Iterable[dict[str, Any]]) -> int:
        """Apply a batch of events in order; returns how many were new (by ``seq``)."""
        latest: dict[str, dict[str, Any]] = {}
        applied = 0
        for event in events:
            if not self._accept_seq(int(event["seq"])):
                continue
            alarm_id = event["alarm_id"]
            old = latest.get(alarm_id) or self._held(alarm_id)
            latest[alarm_id] = row_from_event(event, old)
            applied += 1
        self._events_applied += applied
        if latest:
            self._merge(latest)
            self.counts_changed.emit(self.counts())
        return applied

    def _accept_seq(self, seq: int) -> bool:
        if self._last_seq is not None and seq <= self._last_seq:
            return False  # already applied (a resend after a resync)
        if self._last_seq is not None and seq != self._last_seq + 1:
            self.gap_detected.emit(self._last_seq + 1, seq)
        self._last_seq = seq
        return True

    def _held(self, alarm_id: str) -> dict[str, Any] | None:
        row = self._row_of.get(alarm_id)
        return None if row is None else self._rows[row]

    def _merge(self, latest: dict[str, dict[str, Any]]) -> None:
        changed = [self._row_of[i] for i, r in latest.items()
                   if i in self._row_of and r["state"] != NORMAL]
        for row in changed:
            self._rows[row] = latest[self._rows[row]["alarm_id"]]
        if changed:
            self.dataChanged.emit(self.index(min(changed), 0),
                                  self.index(max(changed), COLUMN_COUNT - 1))
        self._remove(sorted(self._row_of[i] for i, r in latest.items()
                            if i in self._row_of and r["state"] == NORMAL))
        fresh = [r for i, r in latest.items() if i not in self._row_of and r["state"] != NORMAL]
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh)
            self._row_of.update((r["alarm_id"], start + n) for n, r in enumerate(fresh))
            self.endInsertRows()

    def _remove(self, rows: list[int]) -> None:
        """Remove ``rows`` (ascending) as contiguous ranges, last range first."""
        if not rows:
            return
        ranges: list[list[int]] = []
        for row in rows:
            if ranges and ranges[-1][1] == row - 1:
                ranges[-1][1] = row
            else:
                ranges.append([row, row])
        for first, last in reversed(ranges):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first:last + 1]
            self.endRemoveRows()
        self._reindex()

    def _reindex(self) -> None:
        self._row_of = {r["alarm_id"]: n for n, r in enumerate(self._rows)}

    def set_blink_phase(self, on: bool) -> None:
        """Show unacknowledged rows in the full priority colour (``on``) or its tint;
        repaints only the style."""
        self._blink_on = on
        if self._rows and any(r["state"] in UNACKNOWLEDGED for r in self._rows):
            self.dataChanged.emit(self.index(0, PRIORITY),
                                  self.index(len(self._rows) - 1, STATE), _STYLE_ROLES)

    # ----- reading --------------------------------------------------------------------------

    @property
    def blink_on(self) -> bool:
        return self._blink_on

    @property
    def events_applied(self) -> int:
        """Events applied since creation (duplicates by seq not counted)."""
        return self._events_applied

    @property
    def last_seq(self) -> int | None:
        return self._last_seq

    def alarm(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def alarm_ids(self) -> list[str]:
        return [r["alarm_id"] for r in self._rows]

    def row_of(self, alarm_id: str) -> int | None:
        return self._row_of.get(alarm_id)

    def counts(self) -> dict[str, Any]:
        """Standing (unack, ack, returned-unack) alarms per priority and the held ones."""
        counts: dict[str, Any] = {p: {"active": 0, "unack": 0} for p in PRIORITIES}
        held = {SHELVED: 0, SUPPRESSED: 0, OUT_OF_SERVICE: 0}
        for row in self._rows:
            state, per = row["state"], counts.get(row["priority"])
            if state in STANDING and per is not None:
                per["active"] += 1
                per["unack"] += state in UNACKNOWLEDGED
            elif state in held:
                held[state] += 1
        counts.update(shelved=held[SHELVED], suppressed=held[SUPPRESSED],
                      out_of_service=held[OUT_OF_SERVICE], total=len(self._rows))
        return counts

    # ----- ColumnTableModel -----------------------------------------------------------------

    def header_titles(self) -> list[str]:
        return [self.tr("Time ({zone})").format(zone=fmt.zone_name()),
                self.tr("Priority"), self.tr("State"), self.tr("Area"),
                self.tr("Substation"), self.tr("Alarm"), self.tr("Value")]

    def cell_data(self, row: dict[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:
            return self.sort_key(row, column)
        if role == ALARM_ID_ROLE:
            return row["alarm_id"]
        if role == BLINKING_ROLE:
            return row["state"] in UNACKNOWLEDGED
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row)
        return self._style(row, column, role)

    def _display(self, row: dict[str, Any], column: int) -> str:
        if column == TIME:
            return fmt.bangkok_time(row.get("since_ms"))
        if column == PRIORITY:
            return self.priority_text(row["priority"])
        if column == STATE:
            return self.state_text(row["state"])
        if column == REGION:
            return row.get("region") or fmt.MISSING
        if column == SUBSTATION:
            return row.get("substation") or fmt.MISSING
        if column == MESSAGE:
            return str(row.get("message") or row["alarm_id"])
        return self.value_text(row.get("kind"), row.get("value"))

    def priority_text(self, priority: str) -> str:
        return {"critical": self.tr("Critical"), "high": self.tr("High"),
                "medium": self.tr("Medium"), "low": self.tr("Low")}.get(priority, priority)

    def state_text(self, state: str) -> str:
        return {UNACK: self.tr("Unacknowledged"), ACK: self.tr("Acknowledged"),
                RTN: self.tr("Returned, unack."), SHELVED: self.tr("Shelved"),
                SUPPRESSED: self.tr("Suppressed by design"),
                OUT_OF_SERVICE: self.tr("Out of service"),
                NORMAL: self.tr("Normal")}.get(state, state)

    def value_text(self, kind: str | None, value: Any) -> str:
        if value is None:
            return fmt.MISSING
        if kind == "frequency":
            return self.tr("{v} Hz").format(v=f"{value:.3f}")
        if kind == "voltage":
            return self.tr("{v} kV").format(v=f"{value:,.1f}")
        if kind == "consensus":
            return fmt.percent(float(value))
        if kind == "finality":
            return self.tr("{v} blocks").format(v=f"{value:.1f}")
        return f"{value:g}" if isinstance(value, float) else str(value)

    def sort_key(self, row: dict[str, Any], column: int) -> Any:
        rank = PRIORITY_RANK.get(row["priority"], len(PRIORITIES))
        newest_first = -(row.get("since_ms") or 0)
        keys = {TIME: (row.get("since_ms") or 0,), PRIORITY: (rank, newest_first),
                STATE: (STATES.index(row["state"]) if row["state"] in STATES else 99, rank),
                REGION: (row.get("region") or "", rank),
                SUBSTATION: (row.get("substation") or "", rank),
                MESSAGE: (str(row.get("message")),),
                VALUE: (row.get("value") if isinstance(row.get("value"), float | int) else 0.0,)}
        return keys[column]

    def _tooltip(self, row: dict[str, Any]) -> str:
        lines = [str(row.get("message") or ""), row["alarm_id"]]
        if row["state"] == SHELVED:
            lines.append(self.tr("Shelved by {who} until {until}: {reason}").format(
                who=row.get("shelved_by") or fmt.MISSING,
                until=fmt.bangkok_time(row.get("shelved_until_ms")),
                reason=row.get("shelve_reason") or fmt.MISSING))
        if row["state"] == OUT_OF_SERVICE:
            lines.append(self.tr("Out of service ({who}): {reason}").format(
                who=row.get("out_of_service_by") or fmt.MISSING,
                reason=row.get("out_of_service_reason") or fmt.MISSING))
        if row.get("active_since_ms"):
            lines.append(self.tr("Active since {time}").format(
                time=fmt.bangkok_time(row["active_since_ms"])))
        return "\n".join(lines)

    def _style(self, row: dict[str, Any], column: int, role: int) -> Any:
        state = row["state"]
        if state in (SHELVED, SUPPRESSED):
            return self._held_style(column, role, self._shelved)
        if state == OUT_OF_SERVICE:
            if role == Qt.ItemDataRole.FontRole:
                return self._italic
            return self._muted if role == Qt.ItemDataRole.ForegroundRole else None
        priority = row["priority"]
        if priority not in self._colours or column not in (PRIORITY, STATE):
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if column == STATE and state != UNACK:  # acknowledged or returned: the text says it
            return None
        fill = self._fill(priority, blinking=state in UNACKNOWLEDGED)
        if role == Qt.ItemDataRole.BackgroundRole:
            return fill
        return text_on(fill) if role == Qt.ItemDataRole.ForegroundRole else None

    def _fill(self, priority: str, *, blinking: bool) -> QColor:
        """The priority colour; a blinking alarm's is its tint in the "off" phase."""
        return self._colours[priority] if self._blink_on or not blinking \
            else self._tints[priority]

    def _held_style(self, column: int, role: int, colour: QColor) -> Any:
        if column != STATE:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return colour
        if role == Qt.ItemDataRole.ForegroundRole:
            return text_on(colour)
        return self._bold if role == Qt.ItemDataRole.FontRole else None


class AlarmFilterProxy(QSortFilterProxyModel):
    """Filters by priority, region, substation (text contained) and state; sorts by the
    model's :data:`SORT_ROLE` keys (default: priority, then newest first)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._priorities: frozenset[str] | None = None
        self._region: str | None = None
        self._substation = ""
        self._states: frozenset[str] | None = None
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_filter(self, *, priorities: Iterable[str] | None = None, region: str | None = None,
                   substation: str = "", states: Iterable[str] | None = None) -> None:
        """None / empty means "any"."""
        self.beginFilterChange()
        self._priorities = frozenset(priorities) if priorities else None
        self._region = region or None
        self._substation = substation.strip().lower()
        self._states = frozenset(states) if states else None
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, AlarmTableModel):
            return True
        row = model.alarm(source_row)
        return ((self._priorities is None or row["priority"] in self._priorities)
                and (self._region is None or row.get("region") == self._region)
                and (not self._substation
                     or self._substation in (row.get("substation") or "").lower())
                and (self._states is None or row["state"] in self._states))

    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, AlarmTableModel):
            return super().lessThan(left, right)
        a = model.sort_key(model.alarm(left.row()), left.column())
        b = model.sort_key(model.alarm(right.row()), right.column())
        return bool(a < b)

    def alarm_ids(self) -> list[str]:
        """Ids of the visible rows, top to bottom."""
        return [self.index(r, 0).data(ALARM_ID_ROLE) for r in range(self.rowCount())]
