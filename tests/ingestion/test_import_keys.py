"""sales_line has no primary-key index since migration 060: its natural key (channel_id, order_id, line_no)
is enforced by the writers. Every way rows get into sales_line must keep the key unique: re-imports,
overlapping exports, repeats inside a file, undo and redo, master-data merge and undo, concurrent imports,
and the migration itself."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl
import pytest
from import_helpers import FIXTURES, count, run_import, settings, table_rows

from stockturn import masterdata
from stockturn.ingestion import import_file, undo_import
from stockturn.warehouse import Warehouse, migrate, open_warehouse
from stockturn.warehouse.keys import declared_keys, duplicate_keys, natural_key, primary_keys
from stockturn.warehouse.migrate import available_migrations

HEADER = "order_id,line_no,channel,ordered_at,sku,qty,unit_price,currency\n"


def _orders(path: Path, lines: Sequence[tuple[str, int, str, float]]) -> Path:
    """A generic_orders file: (order_id, line_no, sku, qty) per line, channel SHOP."""
    body = "".join(f"{o},{n},SHOP,2024-03-01 10:00,{s},{q},2.50,USD\n" for o, n, s, q in lines)
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _no_duplicates(db: Path) -> None:
    with open_warehouse(db, read_only=True) as wh:
        assert duplicate_keys(wh, "sales_line") == 0


def test_sales_line_key_is_declared_not_indexed(db: Path) -> None:
    with open_warehouse(db) as wh:
        assert "sales_line" not in primary_keys(wh)
        assert declared_keys(wh) == {"sales_line": ("channel_id", "order_id", "line_no")}
        assert natural_key(wh, "sales_line") == ["channel_id", "order_id", "line_no"]
        assert natural_key(wh, "stock_snapshot") == ["snapshot_date", "warehouse_id", "sku_id"]
        # nothing but the writers guards the key: a plain INSERT of a repeated key is accepted, and counted
        row = "('o1', 1, 'SHOP', TIMESTAMP '2024-01-01', 'A', 1, 1, 'USD')"
        wh.con.execute("INSERT INTO sales_line (order_id, line_no, channel_id, ordered_at, source_sku, qty, "
                       f"unit_price, currency) VALUES {row}, {row}")
        assert duplicate_keys(wh, "sales_line") == 1


def test_migration_060_keeps_every_row_and_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.duckdb"
    shipped = available_migrations()
    older = [m for m in shipped if m.version < 60]
    monkeypatch.setattr(migrate, "available_migrations", lambda: older)
    monkeypatch.setattr("stockturn.warehouse.connection.latest_version", lambda: older[-1].version)
    with open_warehouse(path, create=True) as wh:
        assert "sales_line" in primary_keys(wh)
        wh.con.execute(
            "INSERT INTO sales_line VALUES ('o1', 1, 'AMZ-US', '2024-01-01 10:00', 'A', 'SKU-A', 'FBA-US', 'US', "
            "2, 9.5, 'USD', 0.5, 'product', 7, 'f.csv', 2), ('o1', 2, 'AMZ-US', '2024-01-01 10:00', 'B', NULL, "
            "NULL, NULL, -1, 3, 'USD', 0, 'return', 7, 'f.csv', 3)"
        )
        before_columns = wh.con.execute("DESCRIBE sales_line").fetchall()
        before = wh.con.execute("SELECT * FROM sales_line ORDER BY line_no").fetchall()
    monkeypatch.undo()
    with open_warehouse(path) as wh:
        assert wh.schema_version() == shipped[-1].version
        assert "sales_line" not in primary_keys(wh)
        after_columns = wh.con.execute("DESCRIBE sales_line").fetchall()
        assert [c[:3] + c[4:] for c in after_columns] == [c[:3] + c[4:] for c in before_columns]  # not "key"
        assert wh.con.execute("SELECT * FROM sales_line ORDER BY line_no").fetchall() == before
        with pytest.raises(duckdb.ConstraintException):  # the CHECK and NOT NULL constraints are kept
            wh.con.execute("INSERT INTO sales_line (order_id, line_no, channel_id, ordered_at, source_sku, qty, "
                           "unit_price, currency, line_type) VALUES ('o2', 1, 'X', '2024-01-01', 'A', 1, 1, 'USD', "
                           "'gift')")


def test_reimport_and_overlapping_exports_never_duplicate(db: Path, tmp_path: Path) -> None:
    first = run_import(db, FIXTURES / "generic_orders.csv")
    again = run_import(db, FIXTURES / "generic_orders.csv")
    assert (again.added, again.replaced, again.unchanged) == (0, 0, first.added)
    a = run_import(db, _orders(tmp_path / "a.csv", [("o1", 1, "A", 1), ("o1", 2, "B", 1), ("o2", 1, "A", 2)]))
    b = run_import(db, _orders(tmp_path / "b.csv", [("o2", 1, "A", 5), ("o3", 1, "C", 1), ("o1", 2, "B", 1)]))
    assert (a.added, b.added, b.replaced, b.unchanged) == (3, 1, 1, 1)
    assert count(db, "SELECT count(*) FROM sales_line") == first.added + 4
    assert count(db, "SELECT qty FROM sales_line WHERE order_id = 'o2'") == 5
    _no_duplicates(db)


def test_repeats_inside_a_file_keep_the_last_row(db: Path, tmp_path: Path) -> None:
    # repeats far apart and out of key order; the last one in the file wins
    lines = [("o9", 1, "A", 1), ("o1", 1, "A", 1), ("o9", 1, "A", 2), ("o5", 1, "B", 1), ("o1", 1, "A", 3),
             ("o9", 1, "A", 4), ("o5", 2, "B", 1)]
    result = run_import(db, _orders(tmp_path / "r.csv", lines))
    assert (result.added, result.rejected) == (4, 3)
    with open_warehouse(db, read_only=True) as wh:
        got = wh.frame("SELECT order_id, line_no, qty, source_row FROM sales_line ORDER BY order_id, line_no")
    assert got.rows() == [("o1", 1, 3.0, 6), ("o5", 1, 1.0, 5), ("o5", 2, 1.0, 8), ("o9", 1, 4.0, 7)]
    again = run_import(db, _orders(tmp_path / "r2.csv", lines))
    assert (again.added, again.unchanged, again.rejected) == (0, 4, 3)
    _no_duplicates(db)


def test_many_repeats_in_a_big_file(db: Path, tmp_path: Path) -> None:
    """Thousands of keys, each repeated; the hash pre-check must find every repeat."""
    n = 30_000
    frame = pl.DataFrame({"order_id": [f"o{i % 9000}" for i in range(n)], "line_no": [1 + i % 2 for i in range(n)],
                          "channel": "SHOP", "ordered_at": "2024-03-01 10:00", "sku": "A",
                          "qty": [float(i) for i in range(n)], "unit_price": 1.0, "currency": "USD"})
    path = tmp_path / "big.csv"
    frame.write_csv(path)
    result = run_import(db, path)
    keys = frame.select("order_id", "line_no").unique().height
    assert (result.added, result.rejected) == (keys, n - keys)
    expected = frame.group_by("order_id", "line_no").agg(pl.col("qty").last()).sort("order_id", "line_no")
    with open_warehouse(db, read_only=True) as wh:
        got = wh.frame("SELECT order_id, line_no, qty FROM sales_line ORDER BY order_id, line_no")
    assert got.rows() == expected.rows()
    _no_duplicates(db)


def test_undo_then_redo_keeps_the_key(db: Path, tmp_path: Path) -> None:
    a = run_import(db, _orders(tmp_path / "a.csv", [("o1", 1, "A", 1), ("o2", 1, "A", 2)]))
    state_a = table_rows(db)["sales_line"]
    b_file = _orders(tmp_path / "b.csv", [("o2", 1, "A", 7), ("o3", 1, "C", 1)])
    b = run_import(db, b_file)
    with open_warehouse(db) as wh:
        undone = undo_import(wh, b.import_id or 0)
    assert undone.restored == {"sales_line": 1}
    assert table_rows(db)["sales_line"] == state_a
    redo = run_import(db, b_file)
    assert (redo.added, redo.replaced) == (1, 1)
    _no_duplicates(db)
    # undo the older import while the newer one stands: its rows go, the newer rows stay, once each
    with open_warehouse(db) as wh:
        undo_import(wh, a.import_id or 0)
    assert count(db, "SELECT count(*) FROM sales_line") == 2
    assert count(db, "SELECT qty FROM sales_line WHERE order_id = 'o2'") == 7
    with open_warehouse(db) as wh:  # and undoing the redo restores nothing of a (a is undone)
        undo_import(wh, redo.import_id or 0)
    assert count(db, "SELECT count(*) FROM sales_line") == 0
    _no_duplicates(db)


def test_undo_does_not_restore_over_a_later_row(db: Path, tmp_path: Path) -> None:
    run_import(db, _orders(tmp_path / "a.csv", [("o1", 1, "A", 1)]))
    b = run_import(db, _orders(tmp_path / "b.csv", [("o1", 1, "A", 2)]))
    c = run_import(db, _orders(tmp_path / "c.csv", [("o1", 1, "A", 3)]))
    with open_warehouse(db) as wh:  # b's copy of a's row must not come back while c's row holds the key
        assert undo_import(wh, b.import_id or 0).restored == {"sales_line": 0}
    assert count(db, "SELECT qty FROM sales_line") == 3
    with open_warehouse(db) as wh:  # (b's copy of a's row went with b: docs/importing.md, Undo, step 3)
        undo_import(wh, c.import_id or 0)
    assert count(db, "SELECT count(*) FROM sales_line") == 0
    _no_duplicates(db)


def test_masterdata_merge_relink_and_undo_keep_the_key(db: Path, tmp_path: Path) -> None:
    with open_warehouse(db) as wh:
        wh.con.execute("INSERT INTO sku (sku_id, title) VALUES ('SKU-A', 'Mat'), ('SKU-B', 'Mat 2-pack')")
        wh.con.execute("INSERT INTO sku_alias (alias_type, alias, scope, sku_id) VALUES "
                       "('seller_sku', 'A', '', 'SKU-A'), ('seller_sku', 'B', '', 'SKU-B')")
    run_import(db, _orders(tmp_path / "a.csv", [("o1", 1, "A", 1), ("o1", 2, "B", 1), ("o2", 1, "C", 1)]))
    before = table_rows(db)["sales_line"]
    with open_warehouse(db) as wh:
        merged = masterdata.merge(wh, "SKU-B", "SKU-A", actor="t")
        linked = masterdata.link(wh, "SKU-A", "C", alias_type="seller_sku", actor="t")
        assert duplicate_keys(wh, "sales_line") == 0
        assert wh.scalar("SELECT count(*) FROM sales_line WHERE sku_id = 'SKU-A'") == 3
        masterdata.undo(wh, linked.change_id, actor="t")
        masterdata.undo(wh, merged.change_id, actor="t")
        assert duplicate_keys(wh, "sales_line") == 0
    assert table_rows(db)["sales_line"] == before
    again = run_import(db, _orders(tmp_path / "a.csv", [("o1", 1, "A", 1), ("o1", 2, "B", 1), ("o2", 1, "C", 1)]))
    assert (again.added, again.unchanged) == (0, 3)
    _no_duplicates(db)


def test_concurrent_imports_in_one_process_write_each_key_once(db: Path, tmp_path: Path) -> None:
    """Two threads (the web server's request cursors) import overlapping files at once: without an index
    DuckDB cannot refuse the second insert of a key, so the writers take turns (keyed_writes)."""
    files = [_orders(tmp_path / f"{i}.csv", [(f"o{j}", 1, "A", i + 1) for j in range(2000)]) for i in range(2)]
    errors: list[BaseException] = []
    with open_warehouse(db) as wh:
        def work(path: Path) -> None:
            handle = Warehouse(wh.path, wh.cursor(), read_only=False)
            try:
                import_file(handle, path, settings=settings())
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                handle.con.close()

        threads = [threading.Thread(target=work, args=(f,)) for f in files]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    assert count(db, "SELECT count(*) FROM sales_line") == 2000
    _no_duplicates(db)


def test_problems_of_columns_typed_side_by_side_are_listed_as_one_after_the_other(db: Path, tmp_path: Path) -> None:
    """Columns are typed in parallel; the problems listed (first max_problems_per_file, by column order, then
    shown by row) are those a column-by-column pass lists."""
    from stockturn.errors import ValidationFailed

    lines = [f"o{i},1,SHOP,2024-03-01 10:00,A,{'x' if i >= 5 else 1},{'y' if i < 5 else 2.5},USD\n"
             for i in range(2, 14)]
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        run_import(db, path, settings=settings(max_problems_per_file=5))
    assert caught.value.total == 12
    assert [(p.row, p.column) for p in caught.value.problems] == [(r, "qty") for r in range(5, 10)]
    assert count(db, "SELECT count(*) FROM sales_line") == 0


def test_the_demo_warehouse_keeps_the_sales_line_key(demo_warehouse: Path) -> None:
    """The demo build writes sales_line directly (insert_frame), not through the importer."""
    with open_warehouse(demo_warehouse, read_only=True) as wh:
        assert wh.scalar("SELECT count(*) FROM sales_line") > 0
        assert duplicate_keys(wh, "sales_line") == 0
