"""Every source: a fixture imports (with pinned values), re-imports add nothing, a bad cell is reported as
file:row:column with the database left row for row as it was."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from import_helpers import FIXTURES, SHARED, count, run_import, table_rows
from numpy.testing import assert_allclose

from stockturn.errors import ValidationFailed
from stockturn.ingestion.readers import read_source
from stockturn.warehouse import open_warehouse


@dataclass
class Case:
    source: str
    file: str                      # fixture name, or real:<slice name>
    table: str
    rows: int                      # rows in `table` after the import
    bad_column: str                # header of a cell to spoil for the bad-input test
    bad_value: str = "not-a-number"
    options: dict[str, Any] = field(default_factory=dict)
    mapping: str | None = None


CASES = [
    Case("amazon_all_orders", "amazon_all_orders.txt", "sales_line", 5, "quantity"),
    Case("amazon_fba_inventory", "amazon_fba_inventory.txt", "stock_snapshot", 2, "afn-fulfillable-quantity",
         options={"warehouse": "FBA-US"}),
    Case("amazon_inventory_ledger", "amazon_inventory_ledger.csv", "stock_movement", 7, "Quantity"),
    Case("amazon_storage_fees", "amazon_storage_fees.txt", "fee", 3, "estimated_monthly_storage_fee"),
    Case("amazon_aged_surcharge", "amazon_aged_surcharge.txt", "fee", 2, "amount-charged"),
    Case("amazon_ads_products", "amazon_ads_products.xlsx", "ad_spend", 3, "Spend", options={"channel": "AMZ-US"}),
    Case("shopify_orders", "shopify_orders.csv", "sales_line", 4, "Lineitem quantity"),
    Case("generic_orders", "generic_orders.csv", "sales_line", 4, "qty"),
    Case("generic_stock_snapshots", "generic_stock_snapshots.csv", "stock_snapshot", 3, "on_hand"),
    Case("generic_stock_movements", "generic_stock_movements.csv", "stock_movement", 4, "moved_at", "yesterday"),
    Case("generic_purchase_orders", "generic_purchase_orders.csv", "purchase_order_line", 3, "unit_price"),
    Case("generic_shipments", "generic_shipments.csv", "shipment_line", 3, "eta", "soon"),
    Case("generic_suppliers", "generic_suppliers.csv", "supplier", 2, "lead_time_mean_days"),
    Case("generic_unit_costs", "generic_unit_costs.csv", "unit_cost", 3, "currency", "DOLLARS"),
    Case("generic_fx_rates", "generic_fx_rates.csv", "fx_rate", 4, "rate"),
    Case("generic_fees", "generic_fees.csv", "fee", 2, "amount"),
    Case("generic_ad_spend", "generic_ad_spend.csv", "ad_spend", 2, "spend"),
    Case("generic_receivables", "generic_receivables.csv", "receivable", 2, "due_date", "31/02/2024"),
    Case("generic_payables", "generic_payables.csv", "payable", 2, "amount"),
    Case("generic_events", "generic_events.csv", "event", 3, "event_type", "party"),
    Case("generic_stock_snapshots", "erp_stock_gbk.csv", "stock_snapshot", 3, "可用库存", mapping="erp_stock.toml"),
    Case("generic_purchase_orders", "erp_po_gb18030.tsv", "purchase_order_line", 3, "数量(打)",
         mapping="erp_po.toml"),
    Case("online_retail", "real:online_retail", "sales_line", 3000, "Quantity"),
    Case("online_retail_ii", "real:online_retail_ii", "sales_line", 3000, "InvoiceDate", "never"),
    Case("m5_sales", "real:m5_sales", "sales_line", -1, "id", "garbage"),
    Case("m5_calendar", "real:m5_calendar", "event", 167, "date", "someday"),
    Case("m5_prices", "real:m5_prices", "list_price", 500, "sell_price"),
    Case("rossmann_sales", "real:rossmann_sales", "sales_line", 3000, "Customers"),
    Case("rossmann_stores", "real:rossmann_stores", "warehouse", 50, "Store"),
    Case("olist_order_items", "real:olist_order_items", "sales_line", -1, "price"),
    Case("olist_products", "real:olist_products", "sku", 500, "product_weight_g"),
]
IDS = [f"{c.source}:{c.file}" for c in CASES]


def _file(case: Case, slices: dict[str, Path]) -> Path:
    return slices[case.file[5:]] if case.file.startswith("real:") else FIXTURES / case.file


def _options(case: Case) -> dict[str, Any]:
    options = dict(case.options)
    if case.mapping:
        options["mapping"] = FIXTURES / case.mapping
    else:
        options["source"] = case.source
    return options


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_import_then_reimport_adds_nothing(case: Case, db: Path, real_slices: dict[str, Path]) -> None:
    path = _file(case, real_slices)
    first = run_import(db, path, **_options(case))
    assert first.source == case.source
    rows = count(db, f'SELECT count(*) FROM "{case.table}"')
    if case.rows >= 0:
        assert rows == case.rows
    assert rows > 0
    assert first.added > 0 and first.replaced == 0
    assert count(db, f'SELECT count(*) FROM "{case.table}" WHERE import_id = ?', [first.import_id]) == rows
    before = table_rows(db)
    second = run_import(db, path, **_options(case))
    assert (second.added, second.replaced) == (0, 0)
    assert second.unchanged == first.added
    after = table_rows(db)
    del after["import_batch"], before["import_batch"]
    assert after == before


def _spoil(src: Path, dest_dir: Path, header: str, value: str) -> tuple[Path, int]:
    """A copy of `src` with the first data cell of column `header` replaced; returns (file, its row)."""
    dest = dest_dir / src.name.replace(".gz", "")
    if src.suffix == ".parquet":
        frame = pl.read_parquet(src)
        spoiled = frame.with_columns(pl.col(header).cast(pl.Utf8)).with_columns(
            pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(value)).otherwise(pl.col(header)).alias(header))
        spoiled.write_parquet(dest)
        return dest, 1
    if src.suffix == ".xlsx":
        book = openpyxl.load_workbook(src)
        sheet = book.active
        assert sheet is not None
        column = [c.value for c in sheet[1]].index(header) + 1
        sheet.cell(row=2, column=column, value=value)
        book.save(dest)
        return dest, 2
    raw = read_source(src)
    encoding = "utf-8" if raw.encoding in ("utf-8", "utf-8-sig") else raw.encoding
    data = gzip.decompress(src.read_bytes()) if src.suffix == ".gz" else src.read_bytes()
    lines = data.decode(encoding).splitlines(keepends=True)
    delimiter = raw.delimiter or ","
    cells = lines[1].rstrip("\r\n").split(delimiter)
    names = [h.strip().lstrip("\ufeff") for h in lines[0].rstrip("\r\n").split(delimiter)]
    cells[names.index(header)] = value
    lines[1] = delimiter.join(cells) + "\n"
    dest.write_bytes("".join(lines).encode(encoding))
    return dest, 2


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bad_cell_names_file_row_column_and_changes_nothing(
    case: Case, db: Path, real_slices: dict[str, Path], tmp_path: Path
) -> None:
    run_import(db, FIXTURES / "generic_orders.csv", source="generic_orders")  # something to keep intact
    before = table_rows(db)
    bytes_before = db.read_bytes()
    bad, row = _spoil(_file(case, real_slices), tmp_path, case.bad_column, case.bad_value)
    with pytest.raises(ValidationFailed) as caught:
        run_import(db, bad, **_options(case))
    text = str(caught.value)
    assert f"{bad.name}:{row}:{case.bad_column}: expected" in text, text
    assert "fix:" in text and "nothing was loaded" in text
    assert table_rows(db) == before
    assert db.read_bytes() == bytes_before


def test_amazon_all_orders_values(db: Path) -> None:
    run_import(db, FIXTURES / "amazon_all_orders.txt")
    with open_warehouse(db, read_only=True) as wh:
        lines = wh.frame("SELECT * FROM sales_line ORDER BY order_id, line_no")
    spatula = lines.filter(pl.col("source_sku") == "SPAT-3").row(0, named=True)
    assert_allclose(spatula["unit_price"], 14.99 - 2.00)
    assert spatula["line_no"] == 2 and spatula["channel_id"] == "AMZ-US"
    german = lines.filter(pl.col("order_id") == "302-5555555-6666666").row(0, named=True)
    assert (german["channel_id"], german["currency"], german["qty"]) == ("AMZ-DE", "EUR", 3)
    assert_allclose(german["unit_price"], 41.97 / 3)
    pending = lines.filter(pl.col("order_id") == "114-1111111-2222222").row(0, named=True)
    assert (pending["unit_price"], pending["currency"]) == (0.0, "USD")
    assert lines.filter(pl.col("order_id").str.starts_with("S01"))["line_type"].to_list() == ["other"]
    assert "114-3333333-4444444" not in lines["order_id"].to_list()  # cancelled, counted as rejected


def test_fba_inventory_and_ledger_values(db: Path) -> None:
    from datetime import date

    result = run_import(db, FIXTURES / "amazon_fba_inventory.txt", warehouse="FBA-US", as_of=date(2024, 3, 1))
    assert result.rejected == 1  # merchant-fulfilled listing without FBA stock
    row = count(db, "SELECT [on_hand, reserved, inbound, unfulfillable]::VARCHAR FROM stock_snapshot "
                    "WHERE source_sku = 'MAT-2PK' AND snapshot_date = '2024-03-01' AND warehouse_id = 'FBA-US'")
    assert row == "[131.0, 15.0, 150.0, 2.0]"
    run_import(db, FIXTURES / "amazon_inventory_ledger.csv")
    types = count(db, "SELECT string_agg(movement_type || ':' || qty::INT, ',' ORDER BY source_row) "
                      "FROM stock_movement WHERE warehouse_id = 'FBA-US'")
    assert types == ("receipt:150,sale:-2,return:1,transfer_out:-10,transfer_in:10,adjustment:-1,"
                     "transfer_out:-5")


def test_fee_and_ads_values(db: Path) -> None:
    run_import(db, FIXTURES / "amazon_storage_fees.txt")
    run_import(db, FIXTURES / "amazon_aged_surcharge.txt")
    assert_allclose(count(db, "SELECT sum(amount) FROM fee WHERE fee_type = 'storage' AND currency = 'USD'"),
                    8.84 + 1.17)
    assert count(db, "SELECT warehouse_id || ' ' || period_start || ' ' || period_end FROM fee "
                     "WHERE currency = 'GBP'") == "FBA-UK 2024-02-01 2024-02-29"
    assert_allclose(count(db, "SELECT sum(amount) FROM fee WHERE fee_type = 'aged_surcharge'"), 1.52 + 4.83)
    run_import(db, FIXTURES / "amazon_ads_products.xlsx", channel="AMZ-US")
    assert_allclose(count(db, "SELECT sum(spend) FROM ad_spend"), 14.03 + 7.92 + 2.20)
    assert count(db, "SELECT count(DISTINCT campaign) FROM ad_spend WHERE source_sku = 'MAT-2PK'") == 2


def test_shopify_values(db: Path) -> None:
    result = run_import(db, FIXTURES / "shopify_orders.csv")
    assert result.rejected == 1  # the cancelled order
    lines = count(db, "SELECT string_agg(order_id || '/' || line_no || '/' || line_type || '/' || "
                      "round(unit_price, 2) || '/' || currency, ' ' ORDER BY order_id, line_no) FROM sales_line")
    assert lines == ("#1001/0/shipping/4.99/USD #1001/1/product/14.99/USD #1001/2/product/12.99/USD "
                     "#1002/1/product/10.79/GBP")
    assert str(count(db, "SELECT min(ordered_at) FROM sales_line")) == "2024-03-01 10:15:22"


def test_erp_mappings_convert_units_dates_values(db: Path) -> None:
    run_import(db, FIXTURES / "erp_stock_gbk.csv", mapping=FIXTURES / "erp_stock.toml")
    assert count(db, "SELECT on_hand FROM stock_snapshot WHERE source_sku = 'YW面膜10P'") == 300
    assert str(count(db, "SELECT DISTINCT snapshot_date || ' ' || warehouse_id FROM stock_snapshot")) == \
        "2024-03-01 CN-HOME"
    run_import(db, FIXTURES / "erp_po_gb18030.tsv", mapping=FIXTURES / "erp_po.toml")
    assert count(db, "SELECT qty_ordered FROM purchase_order_line WHERE source_sku = 'YWMAT-2PK'") == 1200
    assert count(db, "SELECT string_agg(po_id || ':' || supplier_id || ':' || status || ':' || currency, ' ' "
                     "ORDER BY po_id) FROM purchase_order") == \
        "CG20240215:SUP-YIWU:received:CNY CG20240301:SUP-NINGBO:open:CNY"


def test_online_retail_line_types_and_overlap(db: Path, real_slices: dict[str, Path], tmp_path: Path) -> None:
    frame = pl.DataFrame({
        "InvoiceNo": ["536365", "536365", "C536379", "536380", "536381", "536382"],
        "StockCode": ["85123A", "POST", "D", "22139", "BANK CHARGES", "85123A"],
        "Description": ["WHITE HANGING HEART", "POSTAGE", "Discount", "RETROSPOT TEA SET", "Bank Charges", None],
        "Quantity": [6, 1, -1, 1, 1, -12],
        "InvoiceDate": pl.Series(["2010-12-01 08:26"] * 6).str.strptime(pl.Datetime("ns"), "%Y-%m-%d %H:%M"),
        "UnitPrice": [2.55, 18.0, 27.5, 4.95, 15.0, 0.0],
        "CustomerID": [17850.0, 17850.0, 14527.0, None, None, None],
        "Country": ["United Kingdom", "France", "United Kingdom", "EIRE", "United Kingdom", "Unspecified"],
    })
    path = tmp_path / "retail.parquet"
    frame.write_parquet(path)
    run_import(db, path)
    got = count(db, "SELECT string_agg(source_sku || '=' || line_type || '@' || coalesce(ship_country, '-'), ' ' "
                    "ORDER BY source_row) FROM sales_line")
    assert got == ("85123A=product@GB POST=shipping@FR D=adjustment@GB 22139=product@IE "
                   "BANK CHARGES=fee@GB 85123A=adjustment@-")
    # the two real releases overlap on 2010-12-01..09: the same invoice lines are recognised, not doubled
    first = run_import(db, real_slices["online_retail"])
    invoices = pl.read_parquet(real_slices["online_retail"])["InvoiceNo"].unique()
    same_days = pl.read_parquet(SHARED / "online_retail_ii/online_retail_ii_2009_2010.parquet").filter(
        pl.col("Invoice").is_in(invoices.implode()))
    same_days.write_parquet(tmp_path / "ii_overlap.parquet")
    second = run_import(db, tmp_path / "ii_overlap.parquet")
    # six keys of the frame above are in the real slice: one line is identical, five differ and are replaced
    assert (first.added, first.replaced, first.unchanged) == (2994, 5, 1)
    assert second.rows_read > 2900 and second.unchanged > 0.9 * second.rows_read


def test_gzip_and_zip_are_read(db: Path, tmp_path: Path) -> None:
    import zipfile

    src = FIXTURES / "generic_orders.csv"
    gz = tmp_path / "orders.csv.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    assert run_import(db, gz).added == 4
    archive = tmp_path / "orders.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(src, "export/orders.csv")
    assert run_import(db, archive).unchanged == 4
