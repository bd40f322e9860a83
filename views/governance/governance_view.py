"""GovernanceView: the authorities' proposals — list, detail, new proposal, and voting.

Thin: the app feeds plain dicts from the client endpoint (``gov_list``, ``gov_show``, the
node's ``status_summary``) into the slots, and the operator's intents leave as signals; the
view never calls the node. Votes and proposals are requested by the person logged in (their
own key signs the request) and signed by the node with this authority's HSM key; the view
asks for confirmation first (a QMessageBox opened with ``open()``, never ``exec()``: the
console runs qasync) and shows the outcome inline, a refusal with its meaning
(:mod:`views.common.refusals`). For a role that may not propose or vote (``set_permitted``)
the view is read-only; the node refuses them anyway.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from views.common import formatting as fmt
from views.common.abnormal import HIGH, mark_label
from views.common.refusals import refusal_text
from views.governance import governance_model as gm
from views.governance.proposal_detail import ProposalDetailPane
from views.governance.proposal_dialog import ProposalDialog
from views.governance.tally_bar import TallyBarDelegate

CHOICES: Final = ("yes", "no", "abstain")
TABLE_ROWS: Final = 4
"""Rows the proposals table always shows; the detail below scrolls instead."""


def _scrolling(widget: QWidget, parent: QWidget) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


class GovernanceView(QWidget):
    """Proposals table (newest first), the selected proposal in full, vote buttons.

    Signals:
        proposal_selected(proposal_id: int): show this proposal in full; answer with
            :meth:`show_proposal` (a ``gov_show`` dict).
        proposal_requested(params: dict): the operator submitted the new-proposal dialog;
            ``gov_propose`` parameters. Answer with :meth:`on_proposal_submitted` or
            :meth:`on_proposal_failed`.
        vote_requested(proposal_id: int, choice: str): the operator confirmed a vote
            (``yes``/``no``/``abstain``). Answer with :meth:`on_vote_submitted` or
            :meth:`on_vote_failed`.
    """

    proposal_selected = Signal(int)
    proposal_requested = Signal(dict)
    vote_requested = Signal(int, str)

    def __init__(self, *, theme: str = "light", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._model = gm.ProposalTableModel(self)
        self._selected: int | None = None
        self._shown: dict[str, Any] | None = None
        """The selected proposal as last received (``gov_show``, or the list's row)."""
        self._own: dict[str, Any] = {}
        """This console's authority: ``address``, ``authority`` (name), ``authority_names``."""
        self._pending_votes: dict[int, str] = {}
        """Votes this console submitted that are not final yet: proposal id -> choice."""
        self._voting = False
        self._permitted = False
        self._interval: int | None = None
        self.dialog: ProposalDialog | None = None
        self.vote_box: QMessageBox | None = None
        self._build()
        self._connect()
        self.set_permitted(False)  # until the app says who is logged in

    # ----- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        self.new_button = QPushButton(self.tr("New proposal…"), self)
        self._notice = QLabel(self)
        self._notice.setWordWrap(True)
        self._notice.hide()
        self._table = self._build_table()
        self._detail = ProposalDetailPane(theme=self._theme, parent=self)
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(self._build_vote_row())
        lower_layout.addWidget(self._outcome)
        lower_layout.addWidget(_scrolling(self._detail, self), 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self._table)
        splitter.addWidget(lower)
        splitter.setSizes([300, 700])  # proportions of the height the dock gives
        splitter.setChildrenCollapsible(False)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(self._notice, 1)
        top.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def _build_table(self) -> QTableView:
        table = QTableView(self)
        table.setModel(self._model)
        table.setItemDelegateForColumn(gm.TALLY, TallyBarDelegate(table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # The title gets the room the others do not need: they fit their contents (a handful
        # of proposals, cheap to measure), so no column holds spare width while a title is
        # elided.
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(gm.TITLE, QHeaderView.ResizeMode.Stretch)
        table.setMinimumHeight(table.horizontalHeader().sizeHint().height()
                               + TABLE_ROWS * table.verticalHeader().defaultSectionSize()
                               + table.horizontalScrollBar().sizeHint().height()
                               + 2 * table.frameWidth())
        return table

    def _build_vote_row(self) -> QHBoxLayout:
        self._vote_caption = QLabel(self)
        self.vote_buttons = {
            "yes": QPushButton(self.tr("Vote Yes"), self),
            "no": QPushButton(self.tr("Vote No"), self),
            "abstain": QPushButton(self.tr("Abstain"), self),
        }
        self._outcome = QLabel(self)
        self._outcome.setWordWrap(True)
        self._outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._outcome.hide()
        row = QHBoxLayout()
        row.addWidget(self._vote_caption, 1)
        for button in self.vote_buttons.values():
            row.addWidget(button)
        return row

    def _connect(self) -> None:
        self.new_button.clicked.connect(self.open_new_proposal)
        self._table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self._model.modelReset.connect(self._reselect)
        for choice, button in self.vote_buttons.items():
            button.clicked.connect(lambda _checked=False, c=choice: self.ask_vote(c))

    # ----- slots (fed by the app) -------------------------------------------------------------

    @Slot(dict)
    def on_status(self, status: dict[str, Any]) -> None:
        """The node's ``status_summary()``: who this console votes as, the authority set."""
        own = {key: status.get(key) for key in ("address", "authority", "authority_names")}
        if own != self._own:
            self._own = own
            self._update_vote_row()

    @Slot(bool)
    def set_permitted(self, permitted: bool) -> None:
        """Whether the person logged in may propose and vote."""
        self._permitted = permitted
        self.new_button.setEnabled(permitted)
        self._update_vote_row()

    @Slot(list)
    def show_proposals(self, proposals: list[dict[str, Any]]) -> None:
        """All proposals (``gov_list``), any order."""
        self._show_notice("")
        self._model.set_proposals(proposals)
        self._table.horizontalHeader().resizeSections()  # rows inserted do not re-fit them
        if proposals:
            self._interval = proposals[0].get("block_interval_ms") or self._interval
        if self._selected is None and self._model.rowCount() > 0:
            self.select_proposal(self._model.ids()[0])

    @Slot(dict)
    def show_proposal(self, proposal: dict[str, Any]) -> None:
        """One proposal in full (``gov_show``); ignored unless it is the selected one."""
        if int(proposal["id"]) != self._selected:
            return
        self._forget_settled_vote(proposal)
        self._render_detail(proposal)

    @Slot(dict)
    def on_proposal_submitted(self, result: dict[str, Any]) -> None:
        """The node accepted a proposal (``{"tx_hash": …}``)."""
        if self.dialog is not None:
            self.dialog.submitted()
        self._show_outcome(self.tr("Proposal submitted (tx {tx}); it is listed once its block "
                                   "is final.").format(tx=fmt.short_hash(result.get("tx_hash"))))

    @Slot(str, str)
    def on_proposal_failed(self, error_type: str, message: str) -> None:
        """The node refused a proposal: the rule (``MalformedTransaction``…) and why."""
        if self.dialog is not None and self.dialog.is_busy():
            self.dialog.failed(error_type, message)
            return
        self._show_outcome(self.tr("⚠ Proposal refused — {reason}").format(
            reason=refusal_text(error_type, message)), HIGH)

    @Slot(int, str, str)
    def on_vote_submitted(self, proposal_id: int, choice: str, tx_hash: str) -> None:
        self._voting = False
        self._pending_votes[proposal_id] = choice
        self._show_outcome(self.tr("Vote {choice} on #{id} submitted (tx {tx}); it counts once "
                                   "its block is final.").format(
            choice=self._choice_word(choice), id=proposal_id, tx=fmt.short_hash(tx_hash)))
        if self._shown is not None and proposal_id == self._selected:
            self._render_detail(self._shown)

    @Slot(int, str, str, str)
    def on_vote_failed(self, proposal_id: int, choice: str, error_type: str,
                       message: str) -> None:
        self._voting = False
        self._show_outcome(self.tr("⚠ Vote {choice} on #{id} refused — {reason}").format(
            choice=self._choice_word(choice), id=proposal_id,
            reason=refusal_text(error_type, message)), HIGH)
        self._update_vote_row()

    @Slot(str, str)
    def on_refresh_failed(self, error_type: str, message: str) -> None:
        """Proposals could not be read from the node; what is shown may be stale."""
        self._show_notice(self.tr("⚠ Proposals not refreshed — {type}: {message}").format(
            type=error_type, message=message))

    # ----- operator actions (also for tests) ------------------------------------------------

    def open_new_proposal(self) -> ProposalDialog:
        """Open the new-proposal dialog (``open()``, not ``exec()``)."""
        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        dialog = ProposalDialog(self._own.get("authority_names") or {}, self._interval, self)
        dialog.proposal_requested.connect(self.proposal_requested)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()
        return dialog

    def select_proposal(self, proposal_id: int) -> None:
        row = self._model.row_of(proposal_id)
        if row is not None:
            self._table.setCurrentIndex(self._model.index(row, gm.ID))

    def ask_vote(self, choice: str) -> None:
        """Ask to confirm voting ``choice`` on the selected proposal (opened with ``open()``)."""
        p = self._shown
        if p is None or self._voting:
            return
        self._voting = True
        self._update_vote_row()
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Confirm vote"),
                          self._confirmation_text(p, choice),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self)
        box.button(QMessageBox.StandardButton.Yes).setText(
            self.tr("Sign and vote {choice}").format(choice=self._choice_word(choice).upper()))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _code: self._on_vote_answer(box, int(p["id"]), choice))
        self.vote_box = box
        box.open()

    # ----- accessors (data, not pixels) -------------------------------------------------------

    @property
    def model(self) -> gm.ProposalTableModel:
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def detail(self) -> ProposalDetailPane:
        return self._detail

    def selected_id(self) -> int | None:
        return self._selected

    def proposal_rows(self) -> list[list[str]]:
        """The table as text, row by row."""
        return [self._model.row_text(row) for row in range(self._model.rowCount())]

    def outcome(self) -> str:
        """The inline outcome of the last proposal or vote ("" when none)."""
        return self._outcome.text() if not self._outcome.isHidden() else ""

    def notice(self) -> str:
        return self._notice.text() if not self._notice.isHidden() else ""

    def vote_caption(self) -> str:
        return self._vote_caption.text()

    def enabled_choices(self) -> list[str]:
        return [c for c, button in self.vote_buttons.items() if button.isEnabled()]

    # ----- internals --------------------------------------------------------------------------

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        proposal = self._model.proposal(current.row())
        if int(proposal["id"]) == self._selected:
            return
        self._selected = int(proposal["id"])
        self._render_detail(proposal)  # the list's data until the full one arrives
        self.proposal_selected.emit(self._selected)

    def _reselect(self) -> None:
        row = self._model.row_of(self._selected) if self._selected is not None else None
        if row is not None:
            self._table.selectionModel().setCurrentIndex(
                self._model.index(row, gm.ID),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)

    def _render_detail(self, proposal: dict[str, Any]) -> None:
        self._shown = proposal
        own = self._own.get("address")
        pending = self._pending_votes.get(int(proposal["id"]))
        self._detail.show_proposal(proposal, {own: pending} if own and pending else {})
        self._update_vote_row()

    def _forget_settled_vote(self, proposal: dict[str, Any]) -> None:
        """Drop this console's pending vote once it is final, or voting has closed."""
        proposal_id = int(proposal["id"])
        choice = self._pending_votes.get(proposal_id)
        if choice is None:
            return
        final = self._own_vote(proposal)
        if proposal.get("status") != "open" or (
                final is not None and final.get("choice") == choice
                and final.get("height") is not None):
            del self._pending_votes[proposal_id]

    def _own_vote(self, proposal: dict[str, Any]) -> dict[str, Any] | None:
        own = self._own.get("address")
        return next((v for v in proposal.get("votes") or [] if v.get("authority") == own), None)

    def _update_vote_row(self) -> None:
        p, authority = self._shown, self._own.get("authority") or self.tr("this authority")
        electorate = {e.get("address") for e in (p or {}).get("electorate") or []}
        if p is None:
            caption = self.tr("Select a proposal to vote.")
        elif p.get("status") != "open":
            caption = self.tr("Voting on #{id} is closed ({status}).").format(
                id=p["id"], status=gm.status_text(p))
        elif self._own.get("address") not in electorate:
            caption = self.tr("{authority} is not in the electorate of #{id}.").format(
                authority=authority, id=p["id"])
        elif not self._permitted:
            caption = self.tr("Read-only: the role of the person logged in may not vote.")
        else:
            caption = self.tr("Vote on #{id} as {authority} (signed with its HSM key):").format(
                id=p["id"], authority=authority)
        self._vote_caption.setText(caption)
        may_vote = (p is not None and p.get("status") == "open" and not self._voting
                    and self._permitted and self._own.get("address") in electorate)
        current = self._pending_votes.get(int(p["id"])) if p else None
        own_vote = self._own_vote(p) if p else None
        current = current or (own_vote or {}).get("choice")
        for choice, button in self.vote_buttons.items():
            button.setEnabled(may_vote and choice != current)
            button.setToolTip(self.tr("You voted {choice}; a different vote replaces it until "
                                      "the deadline.").format(choice=self._choice_word(choice))
                              if choice == current else "")

    def _confirmation_text(self, p: dict[str, Any], choice: str) -> str:
        name = self._own.get("authority")
        who = (self.tr("the {name} authority").format(name=name) if name
               else self.tr("this authority"))
        return self.tr(
            "Vote {choice} on proposal #{id} “{title}”?\n\n"
            "The vote is signed with {who}'s HSM key and recorded on the chain. A different "
            "vote can replace it until block {deadline}.").format(
            choice=self._choice_word(choice).upper(), id=p["id"], title=p.get("title"),
            who=who, deadline=fmt.integer(p.get("deadline_height")))

    def _on_vote_answer(self, box: QMessageBox, proposal_id: int, choice: str) -> None:
        yes = box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes
        box.deleteLater()
        self.vote_box = None
        if not yes:
            self._voting = False
            self._update_vote_row()
            return
        self._show_outcome(self.tr("Submitting vote {choice} on #{id}…").format(
            choice=self._choice_word(choice), id=proposal_id))
        self.vote_requested.emit(proposal_id, choice)

    def _on_dialog_finished(self, _code: int) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    def _choice_word(self, choice: str) -> str:
        words = {"yes": self.tr("yes"), "no": self.tr("no"), "abstain": self.tr("abstain")}
        return words.get(choice, choice)

    def _show_outcome(self, text: str, priority: str | None = None) -> None:
        self._outcome.setText(text)
        self._outcome.setVisible(bool(text))
        mark_label(self._outcome, priority, self._theme)

    def _show_notice(self, text: str) -> None:
        self._notice.setText(text)
        self._notice.setVisible(bool(text))
        mark_label(self._notice, HIGH if text else None, self._theme)
