"""BlockExplorer: the finalized blocks table, a search box, and the selected block in full.

The explorer asks for a block's detail with :attr:`BlockExplorer.block_requested`; the app
fetches it (``NodeQueries.block_detail()`` through the client endpoint, which looks blocks
up by height or by the full hash) and calls :meth:`BlockExplorer.show_block_detail`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from views.common import formatting as fmt
from views.explorer.block_detail import BlockDetailPane
from views.explorer.block_query import MIN_PREFIX, BlockQueryError, QueryProblem, parse_block_query
from views.explorer.block_table_model import (
    DEFAULT_MAX_ROWS,
    ENERGY,
    HASH,
    HEIGHT,
    PROPOSER,
    SIGNATURES,
    SORT_ROLE,
    TIME,
    TX_COUNT,
    BlockTableModel,
)

SELECTION_DEBOUNCE_MS = 250
"""Holding an arrow key asks for the block the selection settles on, not every one passed."""
_COLUMN_SAMPLES = {HEIGHT: "99,999,999", HASH: "0123abcd…ef01", TIME: "2026-11-25 23:14:05",
                   PROPOSER: "EGAT-backup", TX_COUNT: "99,999", ENERGY: "9,999,999.999",
                   SIGNATURES: "99/99"}
"""Widest usual cell text per column: columns are sized once from these, not by scanning rows."""


class BlockExplorer(QWidget):
    """Blocks table (newest first, sortable), search box, and the selected block's detail.

    Signals:
        block_requested(request: dict): show this block; ``{"height": n}`` or
            ``{"hash": h}`` (64 hex). Emitted when the user searches, and when the table's
            current row changes (mouse or arrow keys) and stays put for 250 ms. Answer with
            :meth:`show_block_detail`.

    Search accepts a height (``12345`` or ``12,345``), a full hash, or a hash prefix of at
    least 8 hex characters (``0x`` optional). The node looks blocks up by full hash only, so
    a prefix is resolved against the blocks held in the table; a prefix that matches none or
    several of them gets an inline message instead of a request. Bad input keeps the typed
    text and shows what is wrong under the box.
    """

    block_requested = Signal(dict)

    def __init__(self, *, max_rows: int = DEFAULT_MAX_ROWS, theme: str = "light",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = BlockTableModel(max_rows, theme=theme, parent=self)
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self._model)
        self._proxy.setSortRole(SORT_ROLE)
        self._pending: dict[str, Any] | None = None
        """The last request not yet answered; a detail that does not match it is stale."""
        self._last_selected: int | None = None
        """Height last requested through the selection (so a search's own selection does
        not ask again)."""
        self._build(theme)
        self._selection_timer = QTimer(self, singleShot=True, interval=SELECTION_DEBOUNCE_MS)
        self._selection_timer.timeout.connect(self._on_selection_settled)
        self._connect()

    # ----- construction ---------------------------------------------------------------------

    def _build(self, theme: str) -> None:
        self._search = QLineEdit(self)
        self._search.setPlaceholderText(self.tr("Height, hash or hash prefix (8+ hex)"))
        self._search.setClearButtonEnabled(True)
        self._find = QPushButton(self.tr("Find block"), self)
        self._search_message = QLabel(self)
        self._search_message.setWordWrap(True)
        self._search_message.hide()
        self._table = self._build_table()
        self._detail = BlockDetailPane(theme=theme, parent=self)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self._table)
        splitter.addWidget(self._detail)
        splitter.setSizes([360, 640])  # proportions: rescaled to the height the app gives
        splitter.setChildrenCollapsible(False)
        search_row = QHBoxLayout()
        search_row.addWidget(self._search, 1)
        search_row.addWidget(self._find)
        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addWidget(self._search_message)
        layout.addWidget(splitter, 1)

    def _build_table(self) -> QTableView:
        table = QTableView(self)
        table.setModel(self._proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSortingEnabled(True)
        table.sortByColumn(HEIGHT, Qt.SortOrder.DescendingOrder)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        metrics = table.fontMetrics()
        for column, sample in _COLUMN_SAMPLES.items():
            table.setColumnWidth(column, metrics.horizontalAdvance(sample) + metrics.height())
        return table

    def _connect(self) -> None:
        self._search.returnPressed.connect(self._on_search)
        self._find.clicked.connect(self._on_search)
        self._search.textEdited.connect(self._on_search_edited)
        self._table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)

    # ----- slots (fed by the app) -------------------------------------------------------------

    def on_block(self, summary: dict[str, Any]) -> None:
        """A newly finalized block (``block_summary()``)."""
        self._model.add_block(summary)

    def load_blocks(self, summaries: list[dict[str, Any]]) -> None:
        """A page of block summaries, any order (back-fill at start-up or on scroll)."""
        self._model.add_blocks(summaries)

    def set_authority_names(self, names: dict[str, str]) -> None:
        """``{address: name}`` of the authorities, for the proposer and signer columns."""
        self._model.set_authority_names(names)
        self._detail.set_authority_names(names)

    def show_block_detail(self, detail: dict[str, Any] | None) -> None:
        """The answer to :attr:`block_requested`: a ``block_detail()``, or None (not found).

        A detail for a block other than the last one asked for is an answer overtaken by a
        newer request and is dropped.
        """
        if detail is None:
            self._detail.show_detail(None, self._not_found_text(self._pending))
        elif self._pending is not None and not _answers(detail, self._pending):
            return
        else:
            self._detail.show_detail(detail)
        self._pending = None

    # ----- accessors ----------------------------------------------------------------------------

    @property
    def model(self) -> BlockTableModel:
        """The blocks (source model, newest first)."""
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def detail(self) -> BlockDetailPane:
        return self._detail

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    def search_message(self) -> str:
        """The inline message under the search box ("" when none is shown)."""
        return self._search_message.text() if self._search_message.isVisibleTo(self) else ""

    def search(self, text: str) -> None:
        """Search as if ``text`` were typed and Enter pressed."""
        self._search.setText(text)
        self._on_search()

    # ----- search ---------------------------------------------------------------------------------

    def _on_search(self) -> None:
        try:
            query = parse_block_query(self._search.text())
        except BlockQueryError as error:
            self._show_search_message(self._problem_text(error))
            return
        if query.hash_prefix is not None:
            request = self._resolve_prefix(query.hash_prefix)
        elif query.height is not None:
            request = {"height": query.height}
        else:
            request = {"hash": query.hash}
        if request is not None:
            self._show_search_message("")
            self._select(request)
            self._request(request)

    def _resolve_prefix(self, prefix: str) -> dict[str, Any] | None:
        """The full hash of the one held block starting with ``prefix``, else a message."""
        matches = self._model.blocks_with_hash_prefix(prefix)
        if len(matches) == 1:
            return {"hash": matches[0]["hash"]}
        if matches:
            self._show_search_message(self.tr(
                "{n} blocks in the table start with {prefix}; type more characters.").format(
                n=len(matches), prefix=prefix))
        else:
            self._show_search_message(self.tr(
                "No block in the table starts with {prefix}. Search older blocks by height or "
                "by the full 64-character hash.").format(prefix=prefix))
        return None

    def _problem_text(self, error: BlockQueryError) -> str:
        texts = {
            QueryProblem.EMPTY: self.tr("Type a block height or hash."),
            QueryProblem.HEIGHT_TOO_LARGE: self.tr("That height is beyond any block."),
            QueryProblem.PREFIX_TOO_SHORT: self.tr(
                "A hash prefix needs at least {n} hex characters.").format(n=MIN_PREFIX),
            QueryProblem.HASH_TOO_LONG: self.tr("A block hash has 64 hex characters."),
            QueryProblem.NOT_A_BLOCK: self.tr(
                "“{text}” is not a block height or hash (digits, or hex 0-9 a-f).").format(
                text=error.text.strip()),
        }
        return texts[error.problem]

    def _show_search_message(self, text: str) -> None:
        self._search_message.setText(f"⚠ {text}" if text else "")
        self._search_message.setVisible(bool(text))

    def _on_search_edited(self, _text: str) -> None:
        self._show_search_message("")

    def _not_found_text(self, request: dict[str, Any] | None) -> str:
        if request is None:
            return self.tr("Block not found.")
        if "height" in request:
            return self.tr("No block at height {height}.").format(
                height=fmt.integer(request["height"]))
        return self.tr("No block with hash {hash}.").format(hash=request["hash"])

    # ----- selection --------------------------------------------------------------------------

    def _select(self, request: dict[str, Any]) -> None:
        """Select the searched block's row if the table holds it, without asking again."""
        row = self._source_row(request)
        if row is None:
            return
        self._last_selected = self._model.summary(row)["height"]
        index = self._proxy.mapFromSource(self._model.index(row, HEIGHT))
        self._table.setCurrentIndex(index)
        self._table.scrollTo(index)

    def _source_row(self, request: dict[str, Any]) -> int | None:
        if "height" in request:
            return self._model.row_of_height(request["height"])
        matches = self._model.blocks_with_hash_prefix(request["hash"])
        return self._model.row_of_height(matches[0]["height"]) if matches else None

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._selection_timer.start()

    def _on_selection_settled(self) -> None:
        current = self._table.currentIndex()
        if not current.isValid():
            return
        height = self._model.summary(self._proxy.mapToSource(current).row())["height"]
        if height != self._last_selected:
            self._last_selected = height
            self._request({"height": height})

    def _request(self, request: dict[str, Any]) -> None:
        self._pending = request
        self.block_requested.emit(request)


def _answers(detail: dict[str, Any], request: dict[str, Any]) -> bool:
    """Whether ``detail`` is the block ``request`` asked for."""
    if "height" in request:
        return bool(detail.get("height") == request["height"])
    return bool(detail.get("hash") == request.get("hash"))
