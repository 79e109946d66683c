"""Replacement by natural key, undo, dry runs, SKU resolution, problem limits and date order."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from import_helpers import FIXTURES, count, run_import, settings, table_rows

from stockturn.errors import NotFound, StockturnError, ValidationFailed
from stockturn.ingestion import import_file, list_imports, resolve_skus, undo_import
from stockturn.warehouse import open_warehouse

SNAPSHOT = "snapshot_date,warehouse,sku,on_hand\n2024-03-01,3PL-US,MAT-2PK,{}\n2024-03-01,3PL-US,SPAT-3,96\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_later_snapshot_replaces_and_undo_restores(db: Path, tmp_path: Path) -> None:
    first = run_import(db, _write(tmp_path / "a.csv", SNAPSHOT.format(420)))
    second = run_import(db, _write(tmp_path / "b.csv", SNAPSHOT.format(401)))
    assert (second.added, second.replaced, second.unchanged) == (0, 1, 1)
    assert count(db, "SELECT on_hand FROM stock_snapshot WHERE source_sku = 'MAT-2PK'") == 401
    assert count(db, "SELECT rows_replaced FROM import_batch WHERE import_id = ?", [second.import_id]) == 1
    with open_warehouse(db) as wh:
        result = undo_import(wh, second.import_id or 0)
        assert result.deleted == {"stock_snapshot": 1} and result.restored == {"stock_snapshot": 1}
        with pytest.raises(StockturnError, match="already undone"):
            undo_import(wh, second.import_id or 0)
        with pytest.raises(NotFound):
            undo_import(wh, 999)
    assert count(db, "SELECT on_hand FROM stock_snapshot WHERE source_sku = 'MAT-2PK'") == 420
    assert count(db, "SELECT count(*) FROM stock_snapshot") == 2
    with open_warehouse(db) as wh:
        undo_import(wh, first.import_id or 0)
        listed = list_imports(wh)
    assert count(db, "SELECT count(*) FROM stock_snapshot") == 0
    assert listed["status"].to_list() == ["undone", "undone"]


def test_undo_removes_exactly_one_import(db: Path, tmp_path: Path) -> None:
    run_import(db, FIXTURES / "generic_orders.csv")
    before = table_rows(db)
    added = run_import(db, FIXTURES / "shopify_orders.csv")
    with open_warehouse(db) as wh:
        undo_import(wh, added.import_id or 0)
    after = table_rows(db)
    assert [r for r in after.pop("import_batch") if r[0] != added.import_id] == before.pop("import_batch")
    assert after == before


def test_undo_does_not_resurrect_rows_of_an_undone_import(db: Path, tmp_path: Path) -> None:
    a = run_import(db, _write(tmp_path / "a.csv", SNAPSHOT.format(1)))
    b = run_import(db, _write(tmp_path / "b.csv", SNAPSHOT.format(2)))
    c = run_import(db, _write(tmp_path / "c.csv", SNAPSHOT.format(3)))
    with open_warehouse(db) as wh:
        undo_import(wh, b.import_id or 0)   # b's row was already replaced by c: nothing of b is visible
        undo_import(wh, c.import_id or 0)   # c replaced b's row; b is undone, so a's value must not come back
    assert count(db, "SELECT count(*) FROM stock_snapshot WHERE source_sku = 'MAT-2PK'") == 0
    assert count(db, "SELECT on_hand FROM stock_snapshot WHERE source_sku = 'SPAT-3'") == 96
    assert count(db, "SELECT import_id FROM stock_snapshot WHERE source_sku = 'SPAT-3'") == a.import_id


def test_overlapping_order_exports_update_pending_lines(db: Path, tmp_path: Path) -> None:
    text = (FIXTURES / "amazon_all_orders.txt").read_text(encoding="utf-8")
    header, *lines = text.splitlines()
    run_import(db, _write(tmp_path / "march1.txt", "\n".join([header, *lines[:3]]) + "\n"))
    shipped = lines[2].replace("\tPending\t", "\tShipped\t")
    shipped = shipped.replace("\tUnshipped\t1\t\t\t", "\tShipped\t1\tUSD\t12.99\t")
    later = run_import(db, _write(tmp_path / "march2.txt", "\n".join([header, shipped, *lines[3:]]) + "\n"))
    assert (later.added, later.replaced) == (2, 1)
    assert count(db, "SELECT unit_price FROM sales_line WHERE order_id = '114-1111111-2222222'") == 12.99
    assert count(db, "SELECT count(*) FROM sales_line") == 5


def test_dry_run_counts_and_writes_nothing(db: Path) -> None:
    before = table_rows(db)
    result = run_import(db, FIXTURES / "generic_orders.csv", dry_run=True)
    assert result.import_id is None and result.added == 4
    assert table_rows(db) == before


def test_resolve_skus_exact_aliases_scoped_first(db: Path) -> None:
    with open_warehouse(db) as wh:
        wh.con.execute("INSERT INTO sku (sku_id, title) VALUES ('S1', 'mat'), ('S2', 'spatula'), ('S3', 'x')")
        wh.con.execute(
            "INSERT INTO sku_alias (alias_type, alias, scope, sku_id) VALUES "
            "('seller_sku', 'MAT-2PK', '', 'S1'), ('seller_sku', 'MAT-2PK', 'AMZ-DE', 'S3'), "
            "('asin', 'B0C7654321', '', 'S2')"
        )
        frame = pl.DataFrame({"source_sku": ["MAT-2PK", "SPAT-3", "S2", "NOPE"],
                              "_asin": [None, "B0C7654321", None, None]})
        assert resolve_skus(wh, frame, "")["sku_id"].to_list() == ["S1", "S2", "S2", None]
        assert resolve_skus(wh, frame, "AMZ-DE")["sku_id"].to_list() == ["S3", "S2", "S2", None]
    orders = run_import(db, FIXTURES / "amazon_all_orders.txt")
    assert orders.unmapped == 0  # MAT-2PK by seller SKU, SPAT-3 by its ASIN
    assert count(db, "SELECT string_agg(DISTINCT sku_id, ',') FROM sales_line WHERE source_sku = 'MAT-2PK' "
                     "AND channel_id <> 'AMZ-DE'") == "S1"
    # without --channel each line is scoped by its own channel: the Amazon.de line takes the AMZ-DE alias
    assert count(db, "SELECT sku_id FROM sales_line WHERE channel_id = 'AMZ-DE'") == "S3"
    de = run_import(db, FIXTURES / "amazon_all_orders.txt", channel="AMZ-DE")  # --channel scopes the aliases
    assert de.unmapped == 0
    assert count(db, "SELECT string_agg(DISTINCT sku_id, ',') FROM sales_line WHERE channel_id = 'AMZ-DE' "
                     "AND source_sku = 'MAT-2PK'") == "S3"
    snap = run_import(db, FIXTURES / "generic_stock_snapshots.csv")
    assert snap.unmapped == 1  # SPAT-3 has no seller_sku alias: its snapshot keeps the source id as sku_id
    assert count(db, "SELECT sku_id FROM stock_snapshot WHERE source_sku = 'SPAT-3'") == "SPAT-3"


def test_resolve_skus_by_row_scope_in_each_join_back_case(db: Path) -> None:
    # the join back takes a shortcut when nothing matched and when no alias depends on the scope: each case
    # must give what resolving row by row gives
    frame = pl.DataFrame({"channel_id": ["AMZ-DE", "SHOP", "AMZ-DE", None, "SHOP"],
                          "source_sku": ["MAT-2PK", "MAT-2PK", "NOPE", "MAT-2PK", None]})
    with open_warehouse(db) as wh:
        assert resolve_skus(wh, frame, scope_column="channel_id")["sku_id"].to_list() == [None] * 5
        wh.con.execute("INSERT INTO sku (sku_id, title) VALUES ('S1', 'mat'), ('S3', 'x')")
        alias = "INSERT INTO sku_alias (alias_type, alias, scope, sku_id) VALUES ('seller_sku', 'MAT-2PK', ?, ?)"
        wh.con.execute(alias, ["", "S1"])
        assert resolve_skus(wh, frame, scope_column="channel_id")["sku_id"].to_list() == ["S1", "S1", None, "S1", None]
        wh.con.execute(alias, ["AMZ-DE", "S3"])
        by_row = resolve_skus(wh, frame, scope_column="channel_id")
        assert by_row["sku_id"].to_list() == ["S3", "S1", None, "S1", None]
        assert by_row.columns == ["channel_id", "source_sku", "sku_id"]


def test_problem_list_is_capped_but_counted(db: Path, tmp_path: Path) -> None:
    rows = "".join(f"O{i},2024-03-01,SKU,lots,1,USD,SHOP\n" for i in range(50))
    bad = _write(tmp_path / "bad.csv", "order_id,ordered_at,sku,qty,unit_price,currency,channel\n" + rows)
    with open_warehouse(db) as wh, pytest.raises(ValidationFailed) as caught:
        import_file(wh, bad, settings=settings(max_problems_per_file=5))
    assert caught.value.total == 50 and len(caught.value.problems) == 5
    assert str(caught.value).startswith("bad.csv: 50 problem(s) (showing the first 5); nothing was loaded")
    assert "bad.csv:2:qty: expected a number, found 'lots'; fix:" in str(caught.value)


@pytest.mark.parametrize(("order", "expected"), [("dmy", date(2024, 4, 3)), ("mdy", date(2024, 3, 4))])
def test_ambiguous_dates_follow_date_order(db: Path, tmp_path: Path, order: str, expected: date) -> None:
    path = _write(tmp_path / "s.csv", "date,warehouse,sku,on_hand\n03/04/2024,W,SKU,1\n")
    run_import(db, path, source="generic_stock_snapshots", settings=settings(date_order=order))
    assert count(db, "SELECT snapshot_date FROM stock_snapshot") == expected


def test_negative_quantities_are_returns_and_fees_kept(db: Path) -> None:
    run_import(db, FIXTURES / "generic_orders.csv")
    assert count(db, "SELECT string_agg(line_type, ',' ORDER BY order_id, line_no) FROM sales_line") == \
        "product,product,shipping,return"
    assert count(db, "SELECT qty FROM sales_line WHERE line_type = 'return'") == -2


def test_writing_in_slices_gives_the_same_counts(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stockturn.ingestion import upsert

    monkeypatch.setattr(upsert, "CHUNK_ROWS", 2)
    run_import(db, FIXTURES / "generic_orders.csv")
    text = (FIXTURES / "generic_orders.csv").read_text(encoding="utf-8").replace(",48,7.50,", ",50,7.50,")
    again = run_import(db, _write(tmp_path / "changed.csv", text))
    assert (again.added, again.replaced, again.unchanged) == (0, 1, 3)
    assert count(db, "SELECT count(*) FROM sales_line") == 4
