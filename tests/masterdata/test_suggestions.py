"""Exact rules first, then fuzzy suggestions that a person confirms or rejects."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from stockturn.errors import NotFound, StockturnError
from stockturn.masterdata import operations as ops
from stockturn.masterdata import suggestions as sg
from stockturn.masterdata.history import undo
from stockturn.warehouse import Warehouse

Dump = Callable[[Warehouse], dict[str, list[tuple[object, ...]]]]


def test_exact_rules_map_width_and_case_variants_of_codes(small_wh: Warehouse, rows: Dump) -> None:
    small_wh.con.execute("INSERT INTO sku (sku_id, title) VALUES ('85099C', 'Jumbo Bag Baroque Black White')")
    before = rows(small_wh)
    found = sg.exact_matches(small_wh)
    assert found.rows() == [("８５０９９ｃ", "AMZ-US", "85099C", "same code up to width, case and spaces")]
    result = sg.apply_exact_rules(small_wh, actor="t")
    assert result is not None
    assert small_wh.scalar("SELECT sku_id FROM sales_line WHERE order_id = 'o5'") == "85099C"
    # An Amazon channel's identifier becomes a seller SKU alias, scoped to that channel.
    assert small_wh.con.execute(
        "SELECT alias_type, scope FROM sku_alias WHERE alias = '８５０９９ｃ'"
    ).fetchall() == [("seller_sku", "AMZ-US")]
    undo(small_wh, result.change_id, actor="t")
    assert rows(small_wh) == before


def test_exact_rule_on_titles_and_ambiguity(small_wh: Warehouse) -> None:
    small_wh.con.execute(
        "INSERT INTO sales_line (order_id, line_no, channel_id, ordered_at, source_sku, qty, unit_price, currency) "
        "VALUES ('o9', 1, 'SHOP-US', '2024-02-01', '水潤保濕面膜 １０片裝', 1, 1, 'USD'), "
        "('o10', 1, 'SHOP-US', '2024-02-01', 'jumbo bag red retrospot', 1, 1, 'USD')"
    )
    small_wh.con.execute("INSERT INTO sku (sku_id, title) VALUES ('BAG-RED-2', 'JUMBO BAG RED RETROSPOT')")
    found = {r[0]: r[2] for r in sg.exact_matches(small_wh).rows()}
    assert found["水潤保濕面膜 １０片裝"] == "MASK-10"  # traditional characters, full-width digits, a space
    assert "jumbo bag red retrospot" not in found  # two SKUs carry that title: no exact answer


def test_suggest_confirm_reject(small_wh: Warehouse, rows: Dump) -> None:
    suggested = sg.suggest_unmapped(small_wh, threshold=80)
    mask = suggested.filter(suggested["alias"] == "面膜10P")
    assert mask["sku_id"].to_list() == ["MASK-10"]  # the 20-piece mask is not suggested
    assert mask["score"][0] >= 85
    suggestion_id = int(mask["suggestion_id"][0])
    before = rows(small_wh)
    result = sg.confirm(small_wh, suggestion_id, actor="ana")
    assert small_wh.scalar("SELECT sku_id FROM sales_line WHERE order_id = 'o4'") == "MASK-10"
    assert small_wh.scalar("SELECT status FROM sku_suggestion WHERE suggestion_id = ?", [suggestion_id]) == "confirmed"
    with pytest.raises(StockturnError, match="already confirmed by ana"):
        sg.confirm(small_wh, suggestion_id)
    undo(small_wh, result.change_id, actor="ana")
    assert rows(small_wh) == before


def test_rejected_pairs_are_not_suggested_again(small_wh: Warehouse) -> None:
    first = sg.suggest_unmapped(small_wh, threshold=80)
    target = first.filter(first["alias"] == "面膜10P")
    message = sg.reject(small_wh, int(target["suggestion_id"][0]), actor="bo")
    assert "is not MASK-10" in message
    again = sg.suggest_unmapped(small_wh, threshold=80)
    assert again.filter((again["alias"] == "面膜10P") & (again["sku_id"] == "MASK-10")).height == 0
    assert small_wh.scalar("SELECT count(*) FROM sales_line WHERE sku_id IS NULL") == 2  # nothing linked


def test_unknown_suggestion(small_wh: Warehouse) -> None:
    with pytest.raises(NotFound, match="no suggestion 42"):
        sg.confirm(small_wh, 42)


def test_suggest_names_is_read_only(small_wh: Warehouse, rows: Dump) -> None:
    before = rows(small_wh)
    found = sg.suggest_names(small_wh, ["保湿面膜 20P", "面膜 50片"])
    assert found.rows()[0][:2] == ("保湿面膜 20P", "MASK-20")
    assert "面膜 50片" not in found["query"].to_list()
    assert rows(small_wh) == before
    assert ops.unmapped(small_wh).height == 3


def test_exact_rules_resolve_identifiers_of_any_alias_type(small_wh: Warehouse, rows: Dump) -> None:
    # An ASIN in an orders file whose importer looks up seller SKUs only: left unmapped at import.
    small_wh.con.execute(
        "INSERT INTO sales_line (order_id, line_no, channel_id, ordered_at, source_sku, qty, unit_price, currency) "
        "VALUES ('o8', 1, 'AMZ-US', '2024-02-01', 'B0MASK0010', 1, 1, 'USD')"
    )
    small_wh.con.execute(
        "INSERT INTO stock_snapshot (snapshot_date, warehouse_id, sku_id, on_hand, source_sku) "
        "VALUES ('2024-01-05', 'FBA-US', 'B0MASK0010', 4, 'B0MASK0010')"
    )
    before = rows(small_wh)
    result = sg.apply_exact_rules(small_wh, actor="t")
    assert result is not None
    assert small_wh.scalar("SELECT sku_id FROM sales_line WHERE order_id = 'o8'") == "MASK-10"
    # The snapshot counted under the ASIN joins MASK-10's snapshot of that day: 10 + 4.
    assert small_wh.scalar("SELECT on_hand FROM stock_snapshot WHERE sku_id = 'MASK-10'") == 14
    undo(small_wh, result.change_id, actor="t")
    assert rows(small_wh) == before


def test_exact_rules_record_nothing_when_nothing_maps(small_wh: Warehouse) -> None:
    small_wh.con.execute("DELETE FROM sales_line WHERE sku_id IS NULL")
    assert sg.apply_exact_rules(small_wh) is None  # X-FNSKU-9 is still unknown
    assert small_wh.scalar("SELECT count(*) FROM sku_change") == 0
