"""BlockTableModel and BlockExplorer: appends without resets, order, bound, search, detail."""

import hashlib

import pytest
from PySide6.QtCore import Qt

from views.explorer.block_explorer import BlockExplorer
from views.explorer.block_query import BlockQuery, BlockQueryError, QueryProblem, parse_block_query
from views.explorer.block_table_model import (
    ENERGY,
    HASH,
    HEIGHT,
    PROPOSER,
    SIGNATURES,
    TIME,
    BlockTableModel,
)

T0 = 1_764_086_400_000
"""2025-11-25 23:00:00 Bangkok."""
EGAT, MEA, PEA = ("0x" + c * 40 for c in "eab")
AUTHORITIES = {EGAT: "EGAT", MEA: "MEA", PEA: "PEA"}
BUYER, SELLER = "0x" + "1" * 40, "0x" + "2" * 40


def block_hash(height: int) -> str:
    return hashlib.sha256(f"block {height}".encode()).hexdigest()


def summary(height: int, **changes):
    proposers = list(AUTHORITIES)
    base = {"height": height, "hash": block_hash(height), "timestamp": T0 + height * 1000,
            "proposer": proposers[height % 3], "round": 0, "tx_count": height % 7,
            "total_energy_wh": 1_250 * height, "signatures": 3, "quorum": 2,
            "final_ms": T0 + height * 1000 + 400, "tx_hashes": []}
    return base | changes


def detail(height: int = 42, *, invalid_signer: str | None = PEA):
    trade = {"hash": "ab" * 32, "kind": "energy_trade", "sender": BUYER, "nonce": 1,
             "seller": SELLER, "buyer": BUYER, "energy_wh": 12_500,
             "price_satang_per_kwh": 450, "region": "MEA", "payment_satang": 5_625}
    transfer = {"hash": "cd" * 32, "kind": "transfer", "sender": SELLER, "nonce": 7,
                "recipient": BUYER, "amount_satang": 123_456}
    signatures = [{"authority": a, "name": n, "valid": a != invalid_signer}
                  for a, n in AUTHORITIES.items()]
    return summary(height, tx_count=2, total_energy_wh=12_500) | {
        "previous_hash": block_hash(height - 1), "merkle_root": "11" * 32,
        "state_root": "22" * 32, "grid_state_hash": "33" * 32,
        "grid_snapshot": {"timestamp": T0, "frequency_mhz": 49_987,
                          "regions": [["EGAT", 9_512_340, 9_700_000], ["MEA", 4_100_000, 0],
                                      ["PEA", 5_400_000, 2_150_500]]},
        "transactions": [trade, transfer], "authority_signatures": signatures,
    }


# ----- model ----------------------------------------------------------------------------------

@pytest.fixture
def model(qtbot):
    return BlockTableModel(max_rows=50)


def never_reset(model):
    """Fail the test if the model ever resets."""
    def fail():
        raise AssertionError("modelAboutToBeReset fired")
    model.modelAboutToBeReset.connect(fail)


def test_new_blocks_are_inserted_at_the_top_without_a_reset(model, qtbot):
    never_reset(model)
    model.add_blocks([summary(h) for h in range(1, 11)])
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        assert model.add_block(summary(11))
    assert inserted.args[1:] == [0, 0]
    assert model.heights() == list(range(11, 0, -1))


def test_a_back_fill_page_is_one_insertion(model, qtbot):
    inserted = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.add_blocks([summary(h) for h in range(1, 31)])
    assert inserted == [(0, 29)]


def test_duplicates_are_ignored(model):
    never_reset(model)
    model.add_blocks([summary(5), summary(6)])
    assert not model.add_block(summary(5, hash="ff" * 32))
    assert model.add_blocks([summary(7), summary(7), summary(6)]) == 1
    assert model.heights() == [7, 6, 5]
    assert model.summary(2)["hash"] == block_hash(5)


def test_an_older_block_fills_its_gap_in_height_order(model, qtbot):
    never_reset(model)
    model.add_blocks([summary(h) for h in (1, 2, 3, 7, 8, 9)])
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        model.add_block(summary(5))
    assert inserted.args[1:] == [3, 3]
    model.add_blocks([summary(6), summary(4)])
    assert model.heights() == list(range(9, 0, -1))


def test_the_oldest_rows_are_trimmed_at_the_bound(qtbot):
    model = BlockTableModel(max_rows=10)
    never_reset(model)
    model.add_blocks([summary(h) for h in range(1, 11)])
    removed = []
    model.rowsRemoved.connect(lambda _parent, first, last: removed.append((first, last)))
    model.add_blocks([summary(11), summary(12)])
    assert removed == [(8, 9)]
    assert model.heights() == list(range(12, 2, -1))
    assert not model.add_block(summary(1))  # older than everything kept: not added
    assert model.rowCount() == 10


def test_the_default_bound_is_ten_thousand_rows(qtbot):
    model = BlockTableModel()
    model.add_blocks([summary(h) for h in range(1, 10_101)])
    assert model.rowCount() == 10_000
    assert model.heights()[-1] == 101


def test_cells_show_formatted_values_and_authority_names(model, qtbot):
    model.add_block(summary(42))
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[HEIGHT] == "42"
    assert row[HASH] == f"{block_hash(42)[:8]}…{block_hash(42)[-4:]}"
    assert row[TIME] == "2025-11-25 23:00:42"
    assert row[PROPOSER] == "0xeeeeeeee…eeee"
    assert row[ENERGY] == "52.500"
    assert row[SIGNATURES] == "3/2"
    assert model.index(0, HASH).data(Qt.ItemDataRole.ToolTipRole) == block_hash(42)
    with qtbot.waitSignal(model.dataChanged):
        model.set_authority_names(AUTHORITIES)
    assert model.index(0, PROPOSER).data() == "EGAT"


def test_signatures_below_quorum_are_coloured(model):
    model.add_block(summary(1, signatures=1, quorum=2))
    model.add_block(summary(2))
    assert model.index(1, SIGNATURES).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(0, SIGNATURES).data(Qt.ItemDataRole.ForegroundRole) is None


# ----- search parsing ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "query"), [
    ("42", BlockQuery(height=42)), (" 12,345 ", BlockQuery(height=12_345)),
    ("123456789", BlockQuery(height=123_456_789)),
    ("AB" * 32, BlockQuery(hash="ab" * 32)), ("0x" + "ab" * 32, BlockQuery(hash="ab" * 32)),
    ("deadbeef", BlockQuery(hash_prefix="deadbeef")),
    ("0x12345678", BlockQuery(hash_prefix="12345678")),
])
def test_parse_block_query(text, query):
    assert parse_block_query(text) == query


@pytest.mark.parametrize(("text", "problem"), [
    ("", QueryProblem.EMPTY), ("   ", QueryProblem.EMPTY),
    ("abc", QueryProblem.PREFIX_TOO_SHORT), ("ab" * 33, QueryProblem.HASH_TOO_LONG),
    ("block 5", QueryProblem.NOT_A_BLOCK), ("-5", QueryProblem.NOT_A_BLOCK),
    ("9" * 21, QueryProblem.HEIGHT_TOO_LARGE),
])
def test_parse_block_query_rejects(text, problem):
    with pytest.raises(BlockQueryError) as error:
        parse_block_query(text)
    assert error.value.problem == problem


# ----- explorer -------------------------------------------------------------------------------

@pytest.fixture
def explorer(qtbot):
    widget = BlockExplorer(max_rows=100)
    widget.set_authority_names(AUTHORITIES)
    widget.load_blocks([summary(h) for h in range(1, 21)])
    widget.resize(1200, 900)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_search_by_height_requests_the_block(explorer, qtbot):
    with qtbot.waitSignal(explorer.block_requested) as request:
        explorer.search("12")
    assert request.args == [{"height": 12}]
    assert explorer.search_message() == ""
    assert explorer.table.currentIndex().data() == "12"


def test_search_for_a_height_not_in_the_table_still_asks_the_node(explorer, qtbot):
    with qtbot.waitSignal(explorer.block_requested) as request:
        explorer.search("1,000,000")
    assert request.args == [{"height": 1_000_000}]


def test_search_by_full_hash_requests_it(explorer, qtbot):
    with qtbot.waitSignal(explorer.block_requested) as request:
        explorer.search(block_hash(7).upper())
    assert request.args == [{"hash": block_hash(7)}]


def test_search_by_prefix_requests_the_full_hash(explorer, qtbot):
    prefix = block_hash(7)[:10]
    with qtbot.waitSignal(explorer.block_requested) as request:
        explorer.search(prefix)
    assert request.args == [{"hash": block_hash(7)}]


def test_an_all_digit_prefix_needs_0x(explorer, qtbot):
    explorer.load_blocks([summary(99, hash="12345678" + "a" * 56)])
    with qtbot.waitSignal(explorer.block_requested) as request:
        explorer.search("12345678")
    assert request.args == [{"height": 12_345_678}]
    with qtbot.waitSignal(explorer.block_requested) as request:
        explorer.search("0x12345678")
    assert request.args == [{"hash": "12345678" + "a" * 56}]


def test_a_search_does_not_also_request_through_the_selection(explorer, qtbot):
    requests = []
    explorer.block_requested.connect(requests.append)
    explorer.search("12")
    explorer.search("13")
    qtbot.wait(400)  # longer than the selection debounce; nothing more may come
    assert requests == [{"height": 12}, {"height": 13}]


@pytest.mark.parametrize(("text", "words"), [
    ("", "Type a block height"), ("abc", "at least 8"), ("block 5", "not a block height"),
    ("ffffffffff", "No block in the table starts with ffffffffff"),
])
def test_bad_search_shows_a_message_and_requests_nothing(explorer, qtbot, text, words):
    with qtbot.assertNotEmitted(explorer.block_requested, wait=300):
        explorer.search(text)
    assert words in explorer.search_message()
    assert explorer.search_box.text() == text  # nothing the user typed is lost


def test_an_ambiguous_prefix_asks_for_more_characters(qtbot):
    explorer = BlockExplorer()
    qtbot.addWidget(explorer)
    explorer.load_blocks([summary(1, hash="abcdef01" + "0" * 56),
                          summary(2, hash="abcdef01" + "1" * 56)])
    with qtbot.assertNotEmitted(explorer.block_requested, wait=300):
        explorer.search("abcdef01")
    assert "2 blocks" in explorer.search_message()


def test_typing_clears_the_message(explorer, qtbot):
    explorer.search("abc")
    assert explorer.search_message()
    qtbot.keyClicks(explorer.search_box, "d")
    assert explorer.search_message() == ""


def test_arrow_keys_request_the_row_they_settle_on(explorer, qtbot):
    requests = []
    explorer.block_requested.connect(requests.append)
    explorer.table.setFocus()
    explorer.table.selectRow(0)
    qtbot.waitUntil(lambda: requests == [{"height": 20}])
    for _ in range(3):
        qtbot.keyClick(explorer.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: len(requests) == 2)
    assert requests[1] == {"height": 17}  # debounced: 19 and 18 were passed over


def test_new_blocks_do_not_trigger_requests(explorer, qtbot):
    with qtbot.waitSignal(explorer.block_requested):
        explorer.table.selectRow(0)
    with qtbot.assertNotEmitted(explorer.block_requested, wait=400):
        for height in range(21, 26):
            explorer.on_block(summary(height))
    assert explorer.model.heights()[0] == 25


def test_sorting_by_a_column_keeps_new_blocks_flowing(explorer):
    explorer.table.sortByColumn(HEIGHT, Qt.SortOrder.AscendingOrder)
    explorer.on_block(summary(21))
    proxy = explorer.table.model()
    assert proxy.index(proxy.rowCount() - 1, HEIGHT).data() == "21"


def test_show_block_detail_fills_header_transactions_and_signatures(explorer, qtbot):
    with qtbot.waitSignal(explorer.block_requested):
        explorer.search("42")
    explorer.show_block_detail(detail(42))
    pane = explorer.detail
    header = pane.header_fields()
    assert header["height"] == "42"
    assert header["hash"] == block_hash(42)
    assert header["previous_hash"] == block_hash(41)
    assert header["merkle_root"] == "11" * 32
    assert header["state_root"] == "22" * 32
    assert header["grid_state_hash"] == "33" * 32
    assert header["timestamp"] == "2025-11-25 23:00:42"
    assert header["proposer"] == "EGAT"
    assert header["total_energy"] == "12.500"
    assert header["frequency"] == "49.987 Hz at 2025-11-25 23:00:00"
    assert pane.region_rows() == [["EGAT", "9,512.3", "9,700.0"], ["MEA", "4,100.0", "0.0"],
                                  ["PEA", "5,400.0", "2,150.5"]]
    assert pane.transaction_rows() == [
        ["Energy trade", "0x11111111…1111", "0x22222222…2222", "12.500", "4.50", "56.25", "MEA"],
        ["Transfer", "0x22222222…2222", "0x11111111…1111", "", "", "1,234.56", ""],
    ]
    assert pane.message() == ""


def test_an_invalid_signature_is_marked_not_valid(explorer):
    explorer.show_block_detail(detail(42, invalid_signer=PEA))
    rows = explorer.detail.signature_rows()
    assert [row[0] for row in rows] == ["EGAT", "MEA", "PEA"]
    assert [row[2] for row in rows] == ["✓ verified", "✓ verified", "✗ NOT VALID"]
    assert "1 NOT VALID" in explorer.detail.header_fields()["signatures"]


def test_all_valid_signatures_raise_no_alarm(explorer):
    explorer.show_block_detail(detail(42, invalid_signer=None))
    assert explorer.detail.header_fields()["signatures"] == "3 (quorum 2)"


def test_none_means_not_found(explorer, qtbot):
    explorer.show_block_detail(detail(42))
    with qtbot.waitSignal(explorer.block_requested):
        explorer.search("999999")
    explorer.show_block_detail(None)
    assert explorer.detail.message() == "No block at height 999,999."
    assert explorer.detail.header_fields()["height"] == "—"
    assert explorer.detail.transaction_rows() == []


def test_an_answer_overtaken_by_a_newer_request_is_dropped(explorer, qtbot):
    explorer.search("5")
    explorer.search("6")
    explorer.show_block_detail(detail(5))
    assert explorer.detail.header_fields()["height"] == "—"
    explorer.show_block_detail(detail(6))
    assert explorer.detail.header_fields()["height"] == "6"
