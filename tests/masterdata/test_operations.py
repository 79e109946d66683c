"""link / unlink / merge / split / undo on a real temporary warehouse: facts follow, history restores
exactly, bad input changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

from stockturn.errors import InputError, NotFound, StockturnError, ValidationFailed
from stockturn.masterdata import operations as ops
from stockturn.masterdata.history import history, undo
from stockturn.warehouse import Warehouse

Rows = dict[str, list[tuple[object, ...]]]
Dump = Callable[[Warehouse], Rows]


def _sku_of(wh: Warehouse, table: str, source_sku: str) -> list[object]:
    return [r[0] for r in wh.con.execute(f"SELECT sku_id FROM {table} WHERE source_sku = ?", [source_sku]).fetchall()]


def test_link_maps_the_facts_and_undo_restores_them(small_wh: Warehouse, rows: Dump) -> None:
    before = rows(small_wh)
    result = ops.link(small_wh, "MASK-10", "面膜10P", alias_type="other", scope="SHOP-US", actor="ana")
    assert result.rows_moved == {"sales_line": 1}
    assert _sku_of(small_wh, "sales_line", "面膜10P") == ["MASK-10"]
    change = history(small_wh).row(0, named=True)
    assert (change["operation"], change["changed_by"]) == ("link", "ana")
    undo(small_wh, result.change_id, actor="ana")
    assert rows(small_wh) == before
    assert history(small_wh)["undone_by"].to_list() == ["ana"]


def test_relinking_an_alias_moves_its_facts(small_wh: Warehouse, rows: Dump) -> None:
    before = rows(small_wh)
    result = ops.link(small_wh, "MASK-10", "AMZ-MASK20", alias_type="seller_sku")
    assert "was MASK-20" in result.summary
    assert _sku_of(small_wh, "sales_line", "AMZ-MASK20") == ["MASK-10"]
    assert _sku_of(small_wh, "ad_spend", "AMZ-MASK20") == ["MASK-10"]
    # The snapshot lands on MASK-10's key for that day: quantities add up (10 + 7).
    on_hand = small_wh.scalar("SELECT on_hand FROM stock_snapshot WHERE sku_id = 'MASK-10'")
    assert_allclose(on_hand, 17.0)
    # Only rows that carry the identifier, or share a key with one, were recorded; undo is still exact.
    recorded = small_wh.scalar(
        "SELECT count(*) FROM sku_change_row WHERE table_name = 'sales_line' AND phase = 'before'"
    )
    assert recorded == 1
    undo(small_wh, result.change_id, actor="t")
    assert rows(small_wh) == before


def test_unlink_leaves_facts_unmapped_and_reported(small_wh: Warehouse, rows: Dump) -> None:
    before = rows(small_wh)
    result = ops.unlink(small_wh, "SH-MASK20")
    assert _sku_of(small_wh, "sales_line", "SH-MASK20") == [None]
    unmapped = ops.unmapped(small_wh)
    assert ("sales_line", "SHOP-US", "SH-MASK20", 1) in unmapped.rows()
    assert small_wh.scalar("SELECT count(*) FROM sales_line") == 6  # nothing dropped
    undo(small_wh, result.change_id, actor="t")
    assert rows(small_wh) == before


def test_unmapped_lists_unresolved_and_fallback_identifiers(small_wh: Warehouse) -> None:
    found = {(r[0], r[2]) for r in ops.unmapped(small_wh).rows()}
    assert found == {("sales_line", "面膜10P"), ("sales_line", "８５０９９ｃ"), ("stock_snapshot", "X-FNSKU-9")}


def test_merge_moves_everything_and_undo_restores_exactly(small_wh: Warehouse, rows: Dump) -> None:
    before = rows(small_wh)
    result = ops.merge(small_wh, "MASK-20", "MASK-10", actor="bo")
    assert small_wh.scalar("SELECT count(*) FROM sku WHERE sku_id = 'MASK-20'") == 0
    assert small_wh.scalar("SELECT count(*) FROM sales_line WHERE sku_id = 'MASK-10'") == 3
    assert small_wh.scalar("SELECT count(*) FROM ad_spend WHERE sku_id = 'MASK-10'") == 2
    assert_allclose(small_wh.scalar("SELECT sum(on_hand) FROM stock_snapshot WHERE sku_id = 'MASK-10'"), 17.0)
    # Colliding unit costs: the surviving SKU keeps its own.
    assert_allclose(small_wh.scalar("SELECT purchase_cost FROM unit_cost WHERE sku_id = 'MASK-10'"), 5.0)
    # The old id stays as an alias so later imports that still say MASK-20 resolve to MASK-10.
    assert small_wh.scalar("SELECT sku_id FROM sku_alias WHERE alias = 'MASK-20'") == "MASK-10"
    assert result.rows_moved["stock_snapshot"] == 1
    undo(small_wh, None, actor="bo")
    assert rows(small_wh) == before


def test_split_and_undo(small_wh: Warehouse, rows: Dump) -> None:
    before = rows(small_wh)
    ops.split(small_wh, "MASK-20", "MASK-20-TW", ["SH-MASK20"], title="水润面膜20片装 (台湾版)")
    assert small_wh.scalar("SELECT title FROM sku WHERE sku_id = 'MASK-20-TW'") == "水润面膜20片装 (台湾版)"
    assert _sku_of(small_wh, "sales_line", "SH-MASK20") == ["MASK-20-TW"]
    assert _sku_of(small_wh, "sales_line", "AMZ-MASK20") == ["MASK-20"]
    undo(small_wh, None, actor="t")
    assert rows(small_wh) == before


def test_several_changes_undo_in_reverse_order(small_wh: Warehouse, rows: Dump) -> None:
    before = rows(small_wh)
    first = ops.link(small_wh, "MASK-10", "面膜10P", alias_type="other")
    ops.merge(small_wh, "MASK-10", "MASK-20")
    with pytest.raises(StockturnError, match="while later change 2") as caught:
        undo(small_wh, first.change_id, actor="t")
    assert "fix: undo change 2 first" in caught.value.one_line()
    undo(small_wh, None, actor="t")
    undo(small_wh, None, actor="t")
    assert rows(small_wh) == before
    with pytest.raises(StockturnError, match="already undone"):
        undo(small_wh, first.change_id, actor="t")
    with pytest.raises(NotFound, match="no master-data change to undo"):
        undo(small_wh, None, actor="t")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda wh: ops.link(wh, "NOPE", "X1"), NotFound, "unknown SKU 'NOPE'"),
        (lambda wh: ops.link(wh, "MASK-10", "X1", alias_type="upc"), InputError, "expected an alias type"),
        (lambda wh: ops.link(wh, "MASK-10", "  "), InputError, "empty"),
        (lambda wh: ops.link(wh, "MASK-10", "AMZ-MASK10"), StockturnError, "already names MASK-10"),
        (lambda wh: ops.unlink(wh, "NOT-AN-ALIAS"), NotFound, "no alias 'NOT-AN-ALIAS'"),
        (lambda wh: ops.merge(wh, "MASK-10", "MASK-10"), InputError, "into itself"),
        (lambda wh: ops.merge(wh, "MASK-10", "NOPE"), NotFound, "unknown SKU 'NOPE'"),
        (lambda wh: ops.split(wh, "MASK-10", "MASK-20", ["AMZ-MASK10"]), StockturnError, "already exists"),
        (lambda wh: ops.split(wh, "MASK-10", "NEW", ["SH-MASK20"]), InputError, "not an alias of MASK-10"),
        (lambda wh: ops.split(wh, "MASK-10", "NEW", []), InputError, "at least one alias"),
        (lambda wh: undo(wh, 99, actor="t"), NotFound, "no master-data change 99"),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(
    small_wh: Warehouse, rows: Dump, call: Callable[[Warehouse], object], error: type[Exception], message: str
) -> None:
    before = rows(small_wh)
    with pytest.raises(error, match=message):
        call(small_wh)
    assert rows(small_wh) == before
    assert small_wh.scalar("SELECT count(*) FROM sku_change") == 0


def test_unknown_sku_error_suggests_close_ids(small_wh: Warehouse) -> None:
    with pytest.raises(NotFound) as caught:
        ops.show_sku(small_wh, "MASK-1")
    assert "did you mean MASK-10" in caught.value.one_line()


def test_mapping_file(small_wh: Warehouse, rows: Dump, tmp_path: Path) -> None:
    good = tmp_path / "map.csv"
    good.write_text("alias,sku_id,alias_type,scope\n面膜10P,MASK-10,other,SHOP-US\n８５０９９ｃ,BAG-RED,,\n",
                    encoding="utf-8")
    result = ops.link_file(small_wh, good)
    assert result.rows_moved == {"sales_line": 2}
    assert ops.unmapped(small_wh)["identifier"].to_list() == ["X-FNSKU-9"]


def test_bad_mapping_file_names_rows_and_links_nothing(small_wh: Warehouse, rows: Dump, tmp_path: Path) -> None:
    before = rows(small_wh)
    bad = tmp_path / "map.csv"
    bad.write_text("alias,sku_id,alias_type\n面膜10P,MASK-99,other\n,MASK-10,other\nX,MASK-10,upc\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        ops.link_file(small_wh, bad)
    text = caught.value.one_line()
    assert f"{bad}:2:sku_id: expected a canonical SKU, found 'MASK-99'" in text
    assert f"{bad}:3:alias: expected an identifier" in text
    assert f"{bad}:4:alias_type: expected one of" in text
    assert rows(small_wh) == before
    missing = tmp_path / "nocol.csv"
    missing.write_text("code,sku\nA,B\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected columns alias, sku_id"):
        ops.link_file(small_wh, missing)


def test_list_and_show(small_wh: Warehouse) -> None:
    listed = ops.list_skus(small_wh)
    assert listed["sku_id"].to_list() == ["BAG-RED", "MASK-10", "MASK-20"]
    assert listed.filter(listed["sku_id"] == "MASK-20")["sales_lines"].to_list() == [2]
    assert ops.list_skus(small_wh, "b0mask")["sku_id"].to_list() == ["MASK-10"]
    detail = ops.show_sku(small_wh, "MASK-10")
    assert detail.facts == {"ad_spend": 1, "sales_line": 1, "stock_snapshot": 1, "unit_cost": 1}
    assert sorted(detail.aliases["alias"].to_list()) == ["AMZ-MASK10", "B0MASK0010"]


def test_undo_does_not_bring_back_rows_of_an_undone_import(small_wh: Warehouse) -> None:
    small_wh.con.execute(
        "INSERT INTO import_batch (import_id, source, file_name, file_hash, imported_by, started_at) "
        "VALUES (77, 'generic_orders', 'late.csv', 'x', 't', '2024-02-01')"
    )
    small_wh.con.execute(
        "INSERT INTO sales_line (order_id, line_no, channel_id, ordered_at, source_sku, sku_id, qty, unit_price, "
        "currency, import_id) VALUES ('o7', 1, 'AMZ-US', '2024-02-01', 'AMZ-MASK20', 'MASK-20', 1, 15.9, 'USD', 77)"
    )
    result = ops.merge(small_wh, "MASK-20", "MASK-10")
    # The import is undone after the merge (what `stockturn imports undo 77` does), then the merge.
    small_wh.con.execute("DELETE FROM sales_line WHERE import_id = 77")
    small_wh.con.execute("UPDATE import_batch SET status = 'undone' WHERE import_id = 77")
    undo(small_wh, result.change_id, actor="t")
    assert small_wh.scalar("SELECT count(*) FROM sales_line WHERE import_id = 77") == 0
    assert small_wh.scalar("SELECT count(*) FROM sales_line WHERE sku_id = 'MASK-20'") == 2
