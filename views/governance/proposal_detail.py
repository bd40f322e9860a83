"""ProposalDetailPane: one proposal in full — description, what it does, tally against the
quorum, and each authority's vote with its signature verification.

Fed a ``gov_show`` dict (see ``node_core.api.governance_queries``): the keys of the list plus
``description``, ``created_height``, ``details`` (``authority_name``, ``authority_address``,
``authority_public_key`` hex, ``parameter``, ``value``) and ``votes`` (``authority``,
``name``, ``choice``, ``height``, ``signature_valid``). Display only; no signals.

A vote's signature reads "✓ verified", "✗ NOT VALID" (red, bold), or "pending" when the vote
is not (yet) found in a final block — including a vote this console just submitted, which
the caller passes as ``pending`` until the node reports it final.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from views.common import formatting as fmt
from views.common.abnormal import CRITICAL, abnormal_colour
from views.common.display_table import fill_row, fit_rows, read_only_table, table_text
from views.common.hash_label import HashLabel
from views.governance import governance_model as gm
from views.governance.tally_bar import TallyBar

SUMMARY_FIELDS = ("status", "kind", "proposer", "created", "deadline", "electorate", "tally")
ACTION_FIELDS = ("authority_name", "authority_address", "authority_public_key", "parameter",
                 "value", "effect")
VOTE_AUTHORITY, VOTE_CHOICE, VOTE_HEIGHT, VOTE_SIGNATURE = range(4)


class ProposalDetailPane(QWidget):
    """Title, description, action details, electorate, tally vs quorum, votes by authority."""

    def __init__(self, *, theme: str = "light", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._fields: dict[str, QLabel] = {}
        self._action: dict[str, QLabel | HashLabel] = {}
        self._action_captions: dict[str, QLabel] = {}
        self._build()
        self.show_proposal(None)

    # ----- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        self._title = QLabel(self)
        self._title.setWordWrap(True)
        font = self._title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self._title.setFont(font)
        self._description = QLabel(self)
        self._description.setWordWrap(True)
        self._description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._tally_bar = TallyBar(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._title)
        layout.addWidget(self._description)
        layout.addWidget(self._summary_group())
        layout.addWidget(self._action_group())
        layout.addWidget(self._votes_group(), 1)

    def _summary_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Proposal"), self)
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        captions = {"status": self.tr("Status"), "kind": self.tr("Kind"),
                    "proposer": self.tr("Proposer"), "created": self.tr("Created at block"),
                    "deadline": self.tr("Deadline"), "electorate": self.tr("Electorate"),
                    "tally": self.tr("Tally")}
        for row, key in enumerate(SUMMARY_FIELDS):
            grid.addWidget(QLabel(captions[key], box), row, 0)
            self._fields[key] = self._plain_field(box)
            grid.addWidget(self._fields[key], row, 1)
        grid.addWidget(self._tally_bar, len(SUMMARY_FIELDS), 1, Qt.AlignmentFlag.AlignLeft)
        return box

    def _action_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("What it does"), self)
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        captions = {"authority_name": self.tr("Authority"),
                    "authority_address": self.tr("Address"),
                    "authority_public_key": self.tr("Public key"),
                    "parameter": self.tr("Parameter"), "value": self.tr("New value"),
                    "effect": self.tr("Effect")}
        for row, key in enumerate(ACTION_FIELDS):
            caption = QLabel(captions[key], box)
            is_hash = key in ("authority_address", "authority_public_key")
            field = HashLabel(box) if is_hash else self._plain_field(box)
            grid.addWidget(caption, row, 0)
            grid.addWidget(field, row, 1)
            self._action_captions[key], self._action[key] = caption, field
        self._action["effect"].setWordWrap(True)
        return box

    def _votes_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Votes by authority"), self)
        self._votes = read_only_table([self.tr("Authority"), self.tr("Choice"),
                                       self.tr("Block"), self.tr("Signature")], box)
        QVBoxLayout(box).addWidget(self._votes)
        return box

    def _plain_field(self, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # ----- public API -----------------------------------------------------------------------

    def show_proposal(self, proposal: dict[str, Any] | None,
                      pending: dict[str, str] | None = None) -> None:
        """Show ``proposal`` (None: clear); ``pending`` maps an authority address to a choice
        it submitted that is not final yet."""
        p = proposal or {}
        self._title.setText(self.tr("#{id} {title}").format(id=p["id"], title=p.get("title"))
                            if p else self.tr("Select a proposal."))
        self._description.setText(p.get("description") or "")
        self._description.setVisible(bool(p.get("description")))
        self._show_summary(p)
        self._show_action(p)
        self._show_votes(p, pending or {})

    def title(self) -> str:
        return self._title.text()

    def description(self) -> str:
        return self._description.text()

    def fields(self) -> dict[str, str]:
        """The summary texts by key (see :data:`SUMMARY_FIELDS`)."""
        return {key: label.text() for key, label in self._fields.items()}

    def action_fields(self) -> dict[str, str]:
        """The action detail rows shown, by key (hashes and keys whole)."""
        return {key: field.hash() if isinstance(field, HashLabel) else field.text()
                for key, field in self._action.items() if not field.isHidden()}

    def vote_rows(self) -> list[list[str]]:
        """Votes: authority, choice, block, signature verification."""
        return table_text(self._votes)

    def tally(self) -> gm.Tally | None:
        return self._tally_bar.tally()

    # ----- rendering --------------------------------------------------------------------------

    def _show_summary(self, p: dict[str, Any]) -> None:
        if not p:
            for label in self._fields.values():
                label.setText(fmt.MISSING)
            self._tally_bar.set_tally(None)
            return
        tally = gm.tally_of(p)
        electorate = p.get("electorate") or []
        texts = {
            "status": gm.status_text(p), "kind": gm.kind_text(p.get("action")),
            "proposer": gm.proposer_text(p), "created": fmt.integer(p.get("created_height")),
            "deadline": self._deadline_text(p),
            "electorate": self.tr("{n}: {names}").format(n=len(electorate), names=", ".join(
                e.get("name") or fmt.short_hash(e.get("address")) for e in electorate)),
            "tally": self.tr("{tally} — passes at {quorum} yes of {n}").format(
                tally=gm.tally_text(tally), quorum=tally.quorum, n=tally.electorate),
        }
        for key, text in texts.items():
            self._fields[key].setText(text)
        self._fields["status"].setToolTip(gm.status_tooltip(p))
        self._fields["deadline"].setToolTip(gm.countdown_tooltip(p))
        self._fields["tally"].setToolTip(gm.tally_tooltip(tally))
        self._tally_bar.set_tally(tally)
        self._tally_bar.setToolTip(gm.tally_tooltip(tally))

    def _deadline_text(self, p: dict[str, Any]) -> str:
        deadline = fmt.integer(p.get("deadline_height"))
        if p.get("status") != "open":
            return self.tr("block {deadline}").format(deadline=deadline)
        return self.tr("block {deadline} — {countdown} left").format(
            deadline=deadline, countdown=gm.countdown_text(p))

    def _show_action(self, p: dict[str, Any]) -> None:
        details, action = p.get("details") or {}, p.get("action")
        shown = {"add_authority": ("authority_name", "authority_address",
                                   "authority_public_key", "effect"),
                 "remove_authority": ("authority_name", "authority_address", "effect"),
                 "parameter_change": ("parameter", "value", "effect"),
                 "signal": ("effect",)}.get(action or "", ())
        values = dict(details)
        if action == "remove_authority" and not values.get("authority_name"):
            values["authority_name"] = self._electorate_name(p, details.get("authority_address"))
        values["value"] = fmt.integer(details.get("value")) if details else None
        values["effect"] = self._effect_text(action)
        for key, field in self._action.items():
            visible = key in shown
            field.setVisible(visible)
            self._action_captions[key].setVisible(visible)
            if isinstance(field, HashLabel):
                field.set_hash(values.get(key) if visible else None)
            else:
                field.setText(str(values.get(key) or fmt.MISSING) if visible else "")

    def _electorate_name(self, p: dict[str, Any], address: str | None) -> str | None:
        for member in p.get("electorate") or []:
            if member.get("address") == address:
                return str(member.get("name") or "") or None
        return None

    def _effect_text(self, action: str | None) -> str:
        effects = {
            "add_authority": self.tr("Joins the authority set from the block after execution; "
                                     "quorum is recomputed."),
            "remove_authority": self.tr("Leaves the authority set from the block after "
                                        "execution; quorum is recomputed."),
            "parameter_change": self.tr("Applies to blocks after the executing block."),
            "signal": self.tr("Records the authorities' position; nothing executes."),
        }
        return effects.get(action or "", "")

    def _show_votes(self, p: dict[str, Any], pending: dict[str, str]) -> None:
        votes = {v["authority"]: v for v in p.get("votes") or []}
        members = [(e.get("address"), e.get("name")) for e in p.get("electorate") or []]
        members += [(a, v.get("name")) for a, v in votes.items()
                    if a not in {m[0] for m in members}]
        self._votes.setRowCount(len(members))
        for row, (address, name) in enumerate(members):
            self._show_vote(row, address or "", name, votes.get(address or ""),
                            pending.get(address or ""))
        fit_rows(self._votes)

    def _show_vote(self, row: int, address: str, name: str | None,
                   vote: dict[str, Any] | None, pending: str | None) -> None:
        if pending is not None and (vote is None or vote.get("choice") != pending):
            cells = [self._choice_text(pending), fmt.MISSING, self.tr("pending")]
        elif vote is not None:
            cells = [self._choice_text(vote.get("choice")), fmt.integer(vote.get("height")),
                     self._verdict(vote)]
        else:
            cells = [self.tr("not voted"), "", ""]
        items = fill_row(self._votes, row, [name or fmt.short_hash(address), *cells],
                         {VOTE_HEIGHT})
        items[VOTE_AUTHORITY].setToolTip(address)
        if vote is not None and pending is None and vote.get("signature_valid") is False:
            item = items[VOTE_SIGNATURE]
            item.setForeground(abnormal_colour(CRITICAL, self._theme))
            font = item.font()
            font.setBold(True)
            item.setFont(font)

    def _choice_text(self, choice: str | None) -> str:
        choices = {"yes": self.tr("yes"), "no": self.tr("no"), "abstain": self.tr("abstain")}
        return choices.get(choice or "", choice or fmt.MISSING)

    def _verdict(self, vote: dict[str, Any]) -> str:
        if "signature_valid" not in vote:  # a list row: gov_show has not answered yet
            return self.tr("checking…")
        valid = vote["signature_valid"]
        if valid is None:
            return self.tr("pending")
        return self.tr("✓ verified") if valid else self.tr("✗ NOT VALID")
