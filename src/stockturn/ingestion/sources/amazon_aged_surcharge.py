"""Amazon aged-inventory surcharge report (formerly long-term storage fees;
GET_FBA_FULFILLMENT_LONGTERM_STORAGE_FEE_CHARGES_DATA).

One row per snapshot date, SKU and age tier; amount-charged in `currency` (older exports name the
column amount-charged-12-mo-long-term-storage-fee). Key: date|sku|fnsku|tier|country.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, take
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register
from stockturn.ingestion.sources._amazon import fba_warehouse

COLS = (
    Col("day", ("snapshot-date",), "date"),
    Col("source_sku", ("sku",)),
    Col("_fnsku", ("fnsku",), required=False),
    Col("_asin", ("asin",), required=False),
    Col("qty", ("qty-charged", "qty-charged-12-mo-long-term-storage-fee"), "float", default=0.0),
    Col("amount", ("amount-charged", "amount-charged-12-mo-long-term-storage-fee", "surcharge-amount"), "float"),
    Col("tier", ("surcharge-age-tier", "age-tier"), default=""),
    Col("currency", ("currency",), "currency"),
    Col("country", ("country",), default="XX"),
)


@register
class AmazonAgedSurcharge(Importer):
    name = "amazon_aged_surcharge"
    description = "Amazon aged-inventory surcharge (long-term storage fee) report"
    targets = ("fee",)
    signature = ("snapshot-date", "sku", "fnsku", "currency", "amount-charged")
    alias_types = ("seller_sku", "fnsku", "asin")
    scope = "warehouse"

    def detect(self, headers: Iterable[str]) -> float:
        names = list(headers)
        base = super().detect(names)
        if base < 1.0 and super().detect([h.replace("-12-mo-long-term-storage-fee", "") for h in names]) >= 1.0:
            return 1.0
        return base

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        frame = take(raw, COLS, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        warehouse = pl.lit(ctx.warehouse) if ctx.warehouse else fba_warehouse(pl.col("country"))
        fees = frame.select(
            "__row",
            pl.concat_str([pl.col("day").cast(pl.Utf8), "source_sku", pl.col("_fnsku").fill_null(""), "tier",
                           "country"], separator="|").alias("fee_key"),
            pl.col("day").alias("period_start"), pl.col("day").alias("period_end"),
            warehouse.alias("warehouse_id"), pl.lit(ctx.channel).cast(pl.Utf8).alias("channel_id"),
            "source_sku", "_fnsku", "_asin", pl.lit("aged_surcharge").alias("fee_type"), "amount", "currency",
        )
        return Parsed({"fee": fees}, raw.frame.height)
