"""UCI Online Retail (2010-12..2011-12) and Online Retail II (2009-12..2011-12) invoice lines.

A UK gift wholesaler's invoices in GBP. Lines are keyed by invoice and position in the invoice, so the
overlap of the two data sets (2010-12-01..09 is in both) is recognised and not added twice. Non-product
stock codes are classified, not dropped: POST/DOT/C2 -> shipping, BANK CHARGES/AMAZONFEE/CRUK -> fee,
M/ADJUST/B/D -> adjustment, S -> sample, PADS/gift vouchers/TEST -> other. Cancellation invoices (C...)
are returns; other negative quantities (stock write-offs at price 0) are adjustments.
"""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, take
from stockturn.ingestion.generic import rank_in
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register

NON_PRODUCT = {
    "POST": "shipping", "DOT": "shipping", "C2": "shipping",
    "BANK CHARGES": "fee", "AMAZONFEE": "fee", "CRUK": "fee",
    "M": "adjustment", "ADJUST": "adjustment", "ADJUST2": "adjustment", "B": "adjustment", "D": "adjustment",
    "S": "sample", "PADS": "other", "TEST001": "other", "TEST002": "other",
}
COUNTRIES = {
    "United Kingdom": "GB", "France": "FR", "Australia": "AU", "Netherlands": "NL", "Germany": "DE",
    "Norway": "NO", "EIRE": "IE", "Switzerland": "CH", "Spain": "ES", "Poland": "PL", "Portugal": "PT",
    "Italy": "IT", "Belgium": "BE", "Lithuania": "LT", "Japan": "JP", "Iceland": "IS", "Denmark": "DK",
    "Cyprus": "CY", "Sweden": "SE", "Austria": "AT", "Israel": "IL", "Finland": "FI", "Bahrain": "BH",
    "Greece": "GR", "Hong Kong": "HK", "Singapore": "SG", "Lebanon": "LB", "United Arab Emirates": "AE",
    "Saudi Arabia": "SA", "Czech Republic": "CZ", "Canada": "CA", "Brazil": "BR", "USA": "US", "Malta": "MT",
    "RSA": "ZA", "Korea": "KR", "Thailand": "TH", "Bermuda": "BM", "Nigeria": "NG", "Latvia": "LV",
    "Jersey": "JE", "Guernsey": "GG",
}


class _OnlineRetail(Importer):
    targets = ("sales_line",)
    default_channel = "ONLINE-RETAIL-UK"
    cols: tuple[Col, ...]

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        frame = take(raw, self.cols, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        code = pl.col("source_sku").str.to_uppercase()
        kind = (
            pl.when(code.str.starts_with("GIFT_")).then(pl.lit("other"))
            .otherwise(code.replace_strict(NON_PRODUCT, default=None))
        )
        line_type = (
            pl.when(kind.is_not_null()).then(kind)
            .when(pl.col("order_id").str.starts_with("C")).then(pl.lit("return"))
            .when(pl.col("qty") < 0).then(pl.lit("adjustment"))
            .otherwise(pl.lit("product"))
        )
        lines = frame.with_columns(
            line_no=rank_in("order_id"),
            channel_id=pl.lit(self.channel(ctx)),
            currency=pl.lit("GBP"),
            ship_country=pl.col("country").replace_strict(COUNTRIES, default=None),
            line_type=line_type,
            warehouse_id=pl.lit(ctx.warehouse, pl.Utf8),
        ).select("__row", "order_id", "line_no", "channel_id", "ordered_at", "source_sku", "warehouse_id",
                 "ship_country", "qty", "unit_price", "currency", "line_type")
        return Parsed({"sales_line": lines}, raw.frame.height)


@register
class OnlineRetail(_OnlineRetail):
    name = "online_retail"
    description = "UCI Online Retail invoice lines (InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice)"
    signature = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "Country")
    cols = (
        Col("order_id", ("InvoiceNo",)),
        Col("source_sku", ("StockCode",)),
        Col("qty", ("Quantity",), "float"),
        Col("ordered_at", ("InvoiceDate",), "datetime"),
        Col("unit_price", ("UnitPrice",), "float"),
        Col("country", ("Country",), required=False),
    )


@register
class OnlineRetailII(_OnlineRetail):
    name = "online_retail_ii"
    description = "UCI Online Retail II invoice lines (Invoice, StockCode, Quantity, InvoiceDate, Price)"
    signature = ("Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID")
    cols = (
        Col("order_id", ("Invoice",)),
        Col("source_sku", ("StockCode",)),
        Col("qty", ("Quantity",), "float"),
        Col("ordered_at", ("InvoiceDate",), "datetime"),
        Col("unit_price", ("Price",), "float"),
        Col("country", ("Country",), required=False),
    )
