"""ProposalTableModel: governance proposals as a table, newest first; and how a proposal's
status, countdown and tally read.

Rows are the client endpoint's proposal dicts (``gov_list``; see
``node_core.api.governance_queries``). Keys read: ``id``, ``title``, ``action``, ``proposer``,
``proposer_name``, ``status`` (open / executed / rejected / expired), ``closed_height``,
``reason``, ``deadline_height``, ``height_now``, ``block_interval_ms``, ``quorum``,
``electorate`` (list), ``tally`` (``yes``, ``no``, ``abstain``).

"Passed" is never shown as a status: a proposal passes in the block that carries its deciding
vote and executes at the end of that same block, so it goes from open straight to executed
(with the executing height). The status tooltip says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt

from views.common import formatting as fmt
from views.common.table_model import ColumnTableModel

ID, TITLE, STATUS, TALLY, DEADLINE, KIND, PROPOSER = range(7)
"""Columns: which proposal, then what decides it (status, tally, time left); a narrow dock
shows these first and scrolls to the rest."""
COLUMN_COUNT: Final = 7
TALLY_ROLE: Final = Qt.ItemDataRole.UserRole + 1
"""The :class:`Tally` of a row (for the tally bar delegate)."""
PROPOSAL_ID_ROLE: Final = Qt.ItemDataRole.UserRole + 2

# Module-level texts use the literal context "governance" (pyside6-lupdate reads literals only).


@dataclass(frozen=True, slots=True)
class Tally:
    """Votes counted on a proposal against its quorum."""

    yes: int
    no: int
    abstain: int
    quorum: int
    """Yes votes needed: ceil(2n/3) of the electorate."""
    electorate: int
    """Authorities that may vote (the authority set when the proposal was made)."""


def tally_of(proposal: dict[str, Any]) -> Tally:
    counts = proposal.get("tally") or {}
    return Tally(int(counts.get("yes", 0)), int(counts.get("no", 0)),
                 int(counts.get("abstain", 0)), int(proposal.get("quorum") or 0),
                 len(proposal.get("electorate") or ()))


def tally_text(tally: Tally) -> str:
    """``"yes 1/2 · no 0 · abstain 0"`` (yes votes / quorum)."""
    return QCoreApplication.translate(
        "governance", "yes {yes}/{quorum} · no {no} · abstain {abstain}").format(
        yes=tally.yes, quorum=tally.quorum, no=tally.no, abstain=tally.abstain)


def tally_short(tally: Tally) -> str:
    """``"yes 1/2"``, then no and abstain only when there are some: ``"yes 1/2 · no 1"``."""
    parts = [QCoreApplication.translate("governance", "yes {yes}/{quorum}").format(
        yes=tally.yes, quorum=tally.quorum)]
    if tally.no:
        parts.append(QCoreApplication.translate("governance", "no {n}").format(n=tally.no))
    if tally.abstain:
        parts.append(QCoreApplication.translate("governance", "abstain {n}").format(
            n=tally.abstain))
    return " · ".join(parts)


def tally_tooltip(tally: Tally) -> str:
    return QCoreApplication.translate(
        "governance", "{yes} yes, {no} no, {abstain} abstain of {n} authorities. Passes with "
        "{quorum} yes votes (quorum ⌈2n/3⌉); abstaining counts as not-yes.").format(
        yes=tally.yes, no=tally.no, abstain=tally.abstain, n=tally.electorate,
        quorum=tally.quorum)


def kind_text(action: str | None) -> str:
    kinds = {
        "add_authority": QCoreApplication.translate("governance", "Add authority"),
        "remove_authority": QCoreApplication.translate("governance", "Remove authority"),
        "parameter_change": QCoreApplication.translate("governance", "Parameter change"),
        "signal": QCoreApplication.translate("governance", "Signal"),
    }
    return kinds.get(action or "", action or fmt.MISSING)


def status_text(proposal: dict[str, Any]) -> str:
    """``"open"``, or ``"executed at 1,234"`` / ``"rejected at …"`` / ``"expired at …"``."""
    status = proposal.get("status")
    h = fmt.integer(proposal.get("closed_height"))
    texts = {
        "open": QCoreApplication.translate("governance", "open"),
        "executed": QCoreApplication.translate("governance", "executed at {h}").format(h=h),
        "rejected": QCoreApplication.translate("governance", "rejected at {h}").format(h=h),
        "expired": QCoreApplication.translate("governance", "expired at {h}").format(h=h),
    }
    return texts.get(status or "", status or fmt.MISSING)


def status_tooltip(proposal: dict[str, Any]) -> str:
    status, reason = proposal.get("status"), proposal.get("reason") or ""
    h = fmt.integer(proposal.get("closed_height"))
    if status == "open":
        return QCoreApplication.translate(
            "governance", "Open for votes until block {deadline}. It passes, and executes in the "
            "same block, when the yes votes reach the quorum.").format(
            deadline=fmt.integer(proposal.get("deadline_height")))
    if status == "executed":
        return QCoreApplication.translate(
            "governance", "Passed and executed in block {h}. A proposal executes at the end of the "
            "block that carries its deciding vote, so “passed” is never a resting state: it "
            "goes from open to executed.").format(h=h)
    if status == "rejected":
        return QCoreApplication.translate("governance", "Rejected in block {h}: {reason}").format(
            h=h, reason=reason)
    if status == "expired":
        return QCoreApplication.translate(
            "governance", "Expired at the end of block {h}: the deadline passed without a "
            "quorum.").format(h=h)
    return ""


def blocks_left(proposal: dict[str, Any]) -> int | None:
    """Blocks in which a vote can still land (the deadline block included); None if closed."""
    if proposal.get("status") != "open":
        return None
    return max(0, int(proposal["deadline_height"]) - int(proposal.get("height_now") or 0))


def estimate_text(ms: int) -> str:
    """A coarse duration for an estimate: ``"12 s"``, ``"4 min 05 s"``, ``"2 h 07 min"``."""
    if ms < 60_000:
        return QCoreApplication.translate("governance", "{n} s").format(n=round(ms / 1000))
    return fmt.duration_text(ms)


def countdown_text(proposal: dict[str, Any]) -> str:
    """``"12 blocks ≈ 12 s"`` (blocks × block interval) while open; a dash when closed."""
    left = blocks_left(proposal)
    if left is None:
        return fmt.MISSING
    if left == 1:
        blocks = QCoreApplication.translate("governance", "1 block")
    else:
        blocks = QCoreApplication.translate("governance", "{n} blocks").format(n=fmt.integer(left))
    interval = proposal.get("block_interval_ms")
    if not interval:
        return blocks
    return QCoreApplication.translate("governance", "{blocks} ≈ {time}").format(
        blocks=blocks, time=estimate_text(left * int(interval)))


def countdown_tooltip(proposal: dict[str, Any]) -> str:
    deadline = fmt.integer(proposal.get("deadline_height"))
    if proposal.get("status") != "open":
        return QCoreApplication.translate(
            "governance", "Voting ended; the deadline was block {deadline}.").format(
            deadline=deadline)
    return QCoreApplication.translate(
        "governance", "Votes are accepted up to block {deadline} (now {now}). The time is an "
        "estimate, blocks × block interval ({interval} ms): a chain that makes no empty blocks "
        "advances only with transactions, so the deadline may come later.").format(
        deadline=deadline, now=fmt.integer(proposal.get("height_now")),
        interval=fmt.integer(proposal.get("block_interval_ms")))


def proposer_text(proposal: dict[str, Any]) -> str:
    return proposal.get("proposer_name") or fmt.short_hash(proposal.get("proposer"))


class ProposalTableModel(ColumnTableModel):
    """Proposals, highest id first (as ``gov_list`` returns them).

    :meth:`set_proposals` takes the whole list each refresh. Proposals are never deleted and
    ids only grow, so a refresh normally inserts new rows at the top and updates the rest
    in place (a selection survives); anything else resets the model.
    """

    column_count = COLUMN_COUNT
    right_aligned = frozenset({ID})

    # ----- feeding --------------------------------------------------------------------------

    def set_proposals(self, proposals: list[dict[str, Any]]) -> None:
        fresh = sorted(proposals, key=lambda p: -int(p["id"]))
        old_ids, new_ids = self.ids(), [int(p["id"]) for p in fresh]
        added = len(new_ids) - len(old_ids)
        if added < 0 or new_ids[added:] != old_ids:
            self.beginResetModel()
            self._rows = fresh
            self.endResetModel()
            return
        if added:
            self.beginInsertRows(QModelIndex(), 0, added - 1)
            self._rows[0:0] = fresh[:added]
            self.endInsertRows()
        self._rows[added:] = fresh[added:]
        if len(old_ids):
            self.dataChanged.emit(self.index(added, 0),
                                  self.index(len(self._rows) - 1, COLUMN_COUNT - 1))

    # ----- reading --------------------------------------------------------------------------

    def ids(self) -> list[int]:
        return [int(p["id"]) for p in self._rows]

    def proposal(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def row_of(self, proposal_id: int) -> int | None:
        for row, proposal in enumerate(self._rows):
            if int(proposal["id"]) == proposal_id:
                return row
        return None

    def row_text(self, row: int) -> list[str]:
        """Every column's display text of ``row``."""
        return [self._display(self._rows[row], column) for column in range(COLUMN_COUNT)]

    # ----- ColumnTableModel -----------------------------------------------------------------

    def header_titles(self) -> list[str]:
        return [self.tr("#"), self.tr("Title"), self.tr("Status"), self.tr("Tally"),
                self.tr("Deadline"), self.tr("Kind"), self.tr("Proposer")]

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole
                and section == STATUS):
            return self.tr("open, executed, rejected or expired. “Passed” is never a resting "
                           "state: a proposal executes in the block where it passes.")
        return super().headerData(section, orientation, role)

    def cell_data(self, proposal: dict[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(proposal, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(proposal, column)
        if role == TALLY_ROLE:
            return tally_of(proposal)
        if role == PROPOSAL_ID_ROLE:
            return int(proposal["id"])
        return None

    def _display(self, p: dict[str, Any], column: int) -> str:
        if column == ID:
            return str(p["id"])
        if column == TITLE:
            return str(p.get("title") or "")
        if column == STATUS:
            return status_text(p)
        if column == TALLY:
            return tally_short(tally_of(p))
        if column == DEADLINE:
            return countdown_text(p)
        if column == KIND:
            return kind_text(p.get("action"))
        return proposer_text(p)

    def _tooltip(self, p: dict[str, Any], column: int) -> str | None:
        if column == STATUS:
            return status_tooltip(p)
        if column == TALLY:
            return tally_tooltip(tally_of(p))
        if column == DEADLINE:
            return countdown_tooltip(p)
        if column == PROPOSER:
            return str(p.get("proposer") or "")
        if column == TITLE:
            return str(p.get("title") or "")
        return None
