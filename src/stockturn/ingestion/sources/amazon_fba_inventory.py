"""Amazon "Manage FBA Inventory" report (GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA, tab-separated).

A snapshot without a date: it is the stock of the day it is imported (--as-of to say otherwise), in the
warehouse given by --warehouse (default FBA). on_hand = afn-fulfillable-quantity, reserved =
afn-reserved-quantity, inbound = working + shipped + receiving, unfulfillable = afn-unsellable-quantity.
Merchant-fulfilled listings without FBA stock are skipped (counted as rejected).
"""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, take
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register

COLS = (
    Col("source_sku", ("sku",)),
    Col("_fnsku", ("fnsku",), required=False),
    Col("_asin", ("asin",), required=False),
    Col("afn_listing", ("afn-listing-exists",), default="Yes"),
    Col("on_hand", ("afn-fulfillable-quantity",), "float"),
    Col("reserved", ("afn-reserved-quantity",), "float", default=0.0),
    Col("unfulfillable", ("afn-unsellable-quantity",), "float", default=0.0),
    Col("in_working", ("afn-inbound-working-quantity",), "float", default=0.0),
    Col("in_shipped", ("afn-inbound-shipped-quantity",), "float", default=0.0),
    Col("in_receiving", ("afn-inbound-receiving-quantity",), "float", default=0.0),
)


@register
class AmazonFbaInventory(Importer):
    name = "amazon_fba_inventory"
    description = "Amazon Manage FBA Inventory report (stock snapshot of one FBA warehouse)"
    targets = ("stock_snapshot",)
    signature = ("sku", "fnsku", "asin", "afn-fulfillable-quantity", "afn-reserved-quantity")
    alias_types = ("seller_sku", "fnsku", "asin")
    scope = "warehouse"
    default_warehouse = "FBA"

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        frame = take(raw, COLS, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        stock = pl.col("on_hand") + pl.col("reserved") + pl.col("unfulfillable")
        inbound = pl.col("in_working") + pl.col("in_shipped") + pl.col("in_receiving")
        kept = frame.filter((pl.col("afn_listing").str.to_lowercase() != "no") | (stock + inbound > 0))
        snap = kept.select(
            "__row", pl.lit(ctx.as_of).alias("snapshot_date"), pl.lit(self.warehouse(ctx)).alias("warehouse_id"),
            "source_sku", "_fnsku", "_asin", "on_hand", "reserved", inbound.alias("inbound"), "unfulfillable",
        )
        return Parsed({"stock_snapshot": snap}, raw.frame.height, skipped=frame.height - kept.height)
