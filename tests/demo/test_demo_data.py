"""The demo data: deterministic, consistent with its own story, and traceable to the real sample."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from stockturn.demo.build import generate_tables
from stockturn.demo.generate import read_sample
from stockturn.warehouse import open_warehouse


def test_same_seed_same_data() -> None:
    first, second = generate_tables(seed=3), generate_tables(seed=3)
    for table in ("sales_line", "stock_snapshot", "shipment", "payable"):
        assert_frame_equal(first[table], second[table])


def test_sales_lines_are_real_rows(demo_warehouse: Path) -> None:
    sample = read_sample()
    with open_warehouse(demo_warehouse, read_only=True) as wh:
        sold = wh.frame("SELECT order_id, sku_id, qty, ordered_at, source_row FROM sales_line USING SAMPLE 200 ROWS "
                        "(reservoir, 7)")
    joined = sold.join(sample, on="source_row")
    assert joined.height == sold.height
    assert (joined["order_id"] == joined["InvoiceNo"]).all()
    assert (joined["sku_id"] == joined["StockCode"]).all()
    assert (joined["ordered_at"] == joined["InvoiceDate"]).all()
    # A sale may be cut short by a stockout, never made larger than the real line.
    assert (joined["qty"].abs() <= joined["Quantity"].abs()).all()


def test_no_sale_from_an_empty_shelf(demo_warehouse: Path) -> None:
    with open_warehouse(demo_warehouse, read_only=True) as wh:
        oversold = wh.scalar("""
            WITH daily AS (
                SELECT ordered_at::DATE AS d, warehouse_id, sku_id, sum(qty) AS units
                FROM sales_line WHERE qty > 0 GROUP BY ALL)
            SELECT count(*) FROM daily JOIN stock_snapshot s
              ON s.snapshot_date = daily.d - 1 AND s.warehouse_id = daily.warehouse_id AND s.sku_id = daily.sku_id
            WHERE daily.units > s.on_hand + s.inbound + 1e-9 AND NOT EXISTS (
                SELECT 1 FROM shipment sh WHERE sh.to_warehouse_id = daily.warehouse_id AND sh.arrived_date = daily.d)
        """)
        stockout_share = wh.scalar(
            "SELECT avg((on_hand = 0)::INT) FROM stock_snapshot WHERE warehouse_id <> 'CN-HOME'")
    assert oversold == 0
    assert 0.02 < stockout_share < 0.5  # the rule of thumb leaves real stockouts to fix


def test_every_fact_row_has_provenance(demo_warehouse: Path) -> None:
    with open_warehouse(demo_warehouse, read_only=True) as wh:
        for table in ("sales_line", "stock_snapshot", "shipment", "fee", "payable", "sku"):
            missing = wh.scalar(f"SELECT count(*) FROM {table} WHERE import_id IS NULL OR source_row IS NULL")
            assert missing == 0, table
        batches = wh.frame("SELECT target_table, rows_added FROM import_batch")
        counts = {t: wh.scalar(f'SELECT count(*) FROM "{t}"') for t in batches["target_table"]}
    assert dict(batches.iter_rows()) == counts


def test_story_shape(demo_warehouse: Path) -> None:
    with open_warehouse(demo_warehouse, read_only=True) as wh:
        kinds = dict(wh.frame("SELECT warehouse_id, type FROM warehouse").iter_rows())
        in_transit = wh.scalar("SELECT count(*) FROM shipment WHERE status = 'in_transit'")
        modes = set(wh.frame("SELECT DISTINCT mode FROM shipment")["mode"])
        open_pos = wh.scalar("SELECT count(*) FROM purchase_order WHERE status = 'open'")
        unmapped = wh.scalar("SELECT count(*) FROM sales_line WHERE sku_id IS NULL")
    assert kinds == {"CN-HOME": "own", "FBA-US": "fba", "FBA-UK": "fba", "FBA-DE": "fba", "3PL-US": "3pl"}
    assert in_transit > 0 and open_pos > 0
    assert {"sea", "air"} <= modes
    assert unmapped == 0
    assert isinstance(kinds, dict) and pl is not None
