"""Amazon "Monthly Storage Fees" report (GET_FBA_STORAGE_FEE_CHARGES_DATA).

One row per ASIN/FNSKU, fulfilment center and month; the fee is estimated_monthly_storage_fee in
`currency`. The report names products by FNSKU/ASIN only (no seller SKU), so those are the identifiers
resolved. Key: month|fnsku|fulfillment_center; warehouse --warehouse, else FBA-<country_code>.
"""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, take
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register
from stockturn.ingestion.sources._amazon import fba_warehouse, month_start

COLS = (
    Col("_asin", ("asin",), required=False),
    Col("source_sku", ("fnsku",)),
    Col("center", ("fulfillment_center",), default=""),
    Col("country", ("country_code",), default="XX"),
    Col("month", ("month_of_charge",)),
    Col("amount", ("estimated_monthly_storage_fee",), "float"),
    Col("currency", ("currency",), "currency"),
)


@register
class AmazonStorageFees(Importer):
    name = "amazon_storage_fees"
    description = "Amazon Monthly Storage Fees report"
    targets = ("fee",)
    signature = ("asin", "fnsku", "fulfillment_center", "month_of_charge", "estimated_monthly_storage_fee")
    alias_types = ("fnsku", "seller_sku")
    scope = "warehouse"

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        frame = take(raw, COLS, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        frame = frame.with_columns(month_start(pl.col("month")).alias("period_start"))
        bad = frame.filter(pl.col("period_start").is_null())
        if bad.height:
            ctx.problems.add_rows(bad, "month", column=raw.column("month_of_charge") or "month_of_charge",
                                  expected="a month such as 2024-03", fix="export the report again unchanged")
            return Parsed({}, raw.frame.height)
        warehouse = pl.lit(ctx.warehouse) if ctx.warehouse else fba_warehouse(pl.col("country"))
        fees = frame.select(
            "__row",
            pl.concat_str([pl.col("period_start").cast(pl.Utf8), pl.col("source_sku"), pl.col("center")],
                          separator="|").alias("fee_key"),
            "period_start", pl.col("period_start").dt.month_end().alias("period_end"),
            warehouse.alias("warehouse_id"), pl.lit(ctx.channel).cast(pl.Utf8).alias("channel_id"),
            "source_sku", "_asin", pl.lit("storage").alias("fee_type"), "amount", "currency",
        )
        return Parsed({"fee": fees}, raw.frame.height)
