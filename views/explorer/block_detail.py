"""BlockDetailPane: one block in full — header, grid snapshot, transactions, signatures.

Fed a ``NodeQueries.block_detail()`` dict. Keys read: ``height``, ``hash``,
``previous_hash``, ``merkle_root``, ``state_root``, ``grid_state_hash``, ``timestamp``,
``proposer``, ``round``, ``total_energy_wh``, ``tx_count``, ``quorum``, ``grid_snapshot``
(``timestamp``, ``frequency_mhz``, ``regions`` as ``[region, load_kw, generation_kw]``),
``transactions`` (``kind``, ``sender``; transfers ``recipient``, ``amount_satang``; energy
trades ``seller``, ``energy_wh``, ``price_satang_per_kwh``, ``payment_satang``, ``region``)
and ``authority_signatures`` (``authority``, ``name``, ``valid``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from views.common import formatting as fmt
from views.common.abnormal import CRITICAL, abnormal_colour, mark_label
from views.common.display_table import fill_row, fit_rows, read_only_table, table_text
from views.common.hash_label import HashLabel

HASH_FIELDS = ("hash", "previous_hash", "merkle_root", "state_root", "grid_state_hash")
PLAIN_FIELDS = ("height", "timestamp", "proposer", "round", "total_energy", "tx_count",
                "signatures")


class BlockDetailPane(QWidget):
    """The fields of one block, its grid snapshot, its transactions and its signatures.

    Display only; no signals. A signature whose ``valid`` is false shows "✗ NOT VALID" in
    red, and the header's signature count turns red with the number that do not verify.
    """

    def __init__(self, *, theme: str = "light", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._names: dict[str, str] = {}
        self._fields: dict[str, QLabel] = {}
        self._hashes: dict[str, HashLabel] = {}
        self._build()
        self.show_detail(None, self.tr("Select a block, or search by height or hash."))

    # ----- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        self._message = QLabel(self)
        self._message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self._header_group(), 3)
        side = QVBoxLayout()
        side.addWidget(self._grid_group())
        side.addWidget(self._signatures_group(), 1)
        top.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._message)
        layout.addLayout(top)
        layout.addWidget(self._transactions_group(), 1)

    def _header_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Block"), self)
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        captions = {
            "height": self.tr("Height"),
            "timestamp": self.tr("Time ({zone})").format(zone=fmt.zone_name()),
            "proposer": self.tr("Proposer"), "round": self.tr("Round"),
            "total_energy": self.tr("Total energy kWh"), "tx_count": self.tr("Transactions"),
            "signatures": self.tr("Signatures"), "hash": self.tr("Hash"),
            "previous_hash": self.tr("Previous hash"), "merkle_root": self.tr("Merkle root"),
            "state_root": self.tr("State root"), "grid_state_hash": self.tr("Grid state hash"),
        }
        for row, key in enumerate(PLAIN_FIELDS):
            grid.addWidget(QLabel(captions[key], box), row, 0)
            self._fields[key] = self._plain_field(box)
            grid.addWidget(self._fields[key], row, 1)
        for row, key in enumerate(HASH_FIELDS, start=len(PLAIN_FIELDS)):
            grid.addWidget(QLabel(captions[key], box), row, 0)
            self._hashes[key] = HashLabel(box)
            grid.addWidget(self._hashes[key], row, 1)
        grid.setRowStretch(len(captions), 1)
        return box

    def _plain_field(self, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _grid_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Grid snapshot"), self)
        self._frequency = QLabel(box)
        self._regions = read_only_table(
            [self.tr("Region"), self.tr("Load MW"), self.tr("Generation MW")], box)
        self._regions.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(box)
        layout.addWidget(self._frequency)
        layout.addWidget(self._regions)
        return box

    def _signatures_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Authority signatures"), self)
        self._signatures = read_only_table(
            [self.tr("Authority"), self.tr("Address"), self.tr("Verification")], box)
        QVBoxLayout(box).addWidget(self._signatures)
        return box

    def _transactions_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Transactions"), self)
        self._transactions = read_only_table([
            self.tr("Kind"), self.tr("Sender"), self.tr("Counterparty"), self.tr("Energy kWh"),
            self.tr("Price THB/kWh"), self.tr("Amount THB"), self.tr("Region")], box)
        QVBoxLayout(box).addWidget(self._transactions)
        return box

    # ----- public API -----------------------------------------------------------------------

    def set_authority_names(self, names: dict[str, str]) -> None:
        """Name authorities (``{address: name}``) where an address is shown."""
        self._names = dict(names)

    def show_detail(self, detail: dict[str, Any] | None, message: str = "") -> None:
        """Show a block, or clear the pane and show ``message`` (e.g. "not found")."""
        self._message.setText(message)
        self._message.setVisible(bool(message))
        detail = detail or {}
        self._show_header(detail)
        self._show_grid(detail.get("grid_snapshot") or {})
        self._show_transactions(detail.get("transactions") or [])
        self._show_signatures(detail)

    def message(self) -> str:
        """The message shown instead of, or above, a block ("" when none)."""
        return self._message.text()

    def header_fields(self) -> dict[str, str]:
        """Header texts by key (hashes whole); also ``frequency``."""
        texts = {key: field.text() for key, field in self._fields.items()}
        texts |= {key: field.hash() for key, field in self._hashes.items()}
        texts["frequency"] = self._frequency.text()
        return texts

    def region_rows(self) -> list[list[str]]:
        """Grid snapshot rows: region, load MW, generation MW."""
        return table_text(self._regions)

    def transaction_rows(self) -> list[list[str]]:
        """Transactions: kind, sender, counterparty, energy kWh, price, amount THB, region."""
        return table_text(self._transactions)

    def signature_rows(self) -> list[list[str]]:
        """Signatures: authority, address, verification text."""
        return table_text(self._signatures)

    # ----- rendering --------------------------------------------------------------------------

    def _name_or_address(self, address: str | None) -> str:
        return self._names.get(address or "") or fmt.short_hash(address)

    def _show_header(self, d: dict[str, Any]) -> None:
        texts = {
            "height": fmt.integer(d.get("height")), "round": fmt.integer(d.get("round")),
            "timestamp": fmt.bangkok_time(d.get("timestamp")),
            "proposer": self._name_or_address(d.get("proposer")) if d else fmt.MISSING,
            "total_energy": fmt.kwh(d.get("total_energy_wh")),
            "tx_count": fmt.integer(d.get("tx_count")),
        }
        for key, text in texts.items():
            self._fields[key].setText(text)
        self._fields["proposer"].setToolTip(d.get("proposer") or "")
        for key, field in self._hashes.items():
            field.set_hash(d.get(key))

    def _show_grid(self, snapshot: dict[str, Any]) -> None:
        frequency = snapshot.get("frequency_mhz")
        if not snapshot:
            self._frequency.setText(fmt.MISSING)
        elif not frequency:
            self._frequency.setText(self.tr("No grid source connected"))
        else:
            self._frequency.setText(self.tr("{hz} Hz at {time}").format(
                hz=fmt.hz(frequency), time=fmt.bangkok_time(snapshot.get("timestamp"))))
        regions = snapshot.get("regions") or []
        self._regions.setRowCount(len(regions))
        for row, (region, load_kw, generation_kw) in enumerate(regions):
            fill_row(self._regions, row, [region, fmt.mw(load_kw), fmt.mw(generation_kw)], {1, 2})
        fit_rows(self._regions)

    def _show_transactions(self, transactions: list[dict[str, Any]]) -> None:
        self._transactions.setRowCount(len(transactions))
        for row, tx in enumerate(transactions):
            items = fill_row(self._transactions, row, self._transaction_cells(tx), {3, 4, 5})
            items[1].setToolTip(tx.get("sender") or "")
            items[2].setToolTip(self._counterparty(tx) or "")

    def _counterparty(self, tx: dict[str, Any]) -> str | None:
        """The recipient of a transfer; the seller of an energy trade (the buyer sends)."""
        return tx.get("recipient") or tx.get("seller")

    def _transaction_cells(self, tx: dict[str, Any]) -> list[str]:
        kind = tx.get("kind", "")
        kinds = {"transfer": self.tr("Transfer"), "energy_trade": self.tr("Energy trade")}
        is_trade = kind == "energy_trade"
        amount = tx.get("payment_satang") if is_trade else tx.get("amount_satang")
        return [
            kinds.get(kind, kind), self._name_or_address(tx.get("sender")),
            self._name_or_address(self._counterparty(tx)),
            fmt.kwh(tx.get("energy_wh")) if is_trade else "",
            fmt.thb(tx.get("price_satang_per_kwh")) if is_trade else "",
            fmt.thb(amount), tx.get("region") or "",
        ]

    def _show_signatures(self, detail: dict[str, Any]) -> None:
        signatures = detail.get("authority_signatures") or []
        self._signatures.setRowCount(len(signatures))
        for row, signature in enumerate(signatures):
            self._show_signature(row, signature)
        fit_rows(self._signatures)
        self._show_signature_count(detail, sum(1 for s in signatures if not s.get("valid")))

    def _show_signature(self, row: int, signature: dict[str, Any]) -> None:
        name = signature.get("name") or self.tr("unknown authority")
        valid = bool(signature.get("valid"))
        verdict = self.tr("✓ verified") if valid else self.tr("✗ NOT VALID")
        items = fill_row(self._signatures, row,
                         [name, fmt.short_hash(signature.get("authority")), verdict], set())
        items[1].setToolTip(signature.get("authority") or "")
        if not valid:
            item = items[2]
            item.setForeground(abnormal_colour(CRITICAL, self._theme))
            font = item.font()
            font.setBold(True)
            item.setFont(font)

    def _show_signature_count(self, detail: dict[str, Any], invalid: int) -> None:
        label = self._fields["signatures"]
        if not detail:
            label.setText(fmt.MISSING)
            mark_label(label, None)
            return
        count = len(detail.get("authority_signatures") or [])
        text = self.tr("{n} (quorum {quorum})").format(n=count, quorum=detail.get("quorum"))
        if invalid:
            text = self.tr("⚠ {text}, {invalid} NOT VALID").format(text=text, invalid=invalid)
        label.setText(text)
        mark_label(label, CRITICAL if invalid else None, self._theme)
