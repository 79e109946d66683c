"""Amazon FBA "Inventory Ledger" report, detailed view (GET_LEDGER_DETAIL_VIEW_DATA).

Each row is a signed movement of one MSKU in one fulfilment center. Event types map to movement types:
Shipments -> sale, CustomerReturns -> return, Receipts -> receipt, WhseTransfers -> transfer_in/out by
sign, VendorReturns (removals) -> transfer_out, Adjustments -> adjustment. The warehouse is --warehouse,
else FBA-<Country>. The ledger has no line id, so the key is the row's content plus its rank among
identical rows: re-imports and overlapping exports add nothing twice.
"""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, take
from stockturn.ingestion.generic import check_in
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register
from stockturn.ingestion.sources._amazon import fba_warehouse

EVENT_TYPES = {
    "shipments": "sale", "customerreturns": "return", "receipts": "receipt", "whsetransfers": "transfer",
    "vendorreturns": "transfer_out", "adjustments": "adjustment",
}
COLS = (
    Col("day", ("Date",), "date", formats=("%m/%d/%Y", "%Y-%m-%d", "%d/%m/%Y")),
    Col("moved_at", ("Date and Time",), "datetime", required=False),
    Col("_fnsku", ("FNSKU",), required=False),
    Col("_asin", ("ASIN",), required=False),
    Col("source_sku", ("MSKU",)),
    Col("event", ("Event Type",)),
    Col("reference", ("Reference ID",), required=False),
    Col("qty", ("Quantity",), "float"),
    Col("center", ("Fulfillment Center",), default=""),
    Col("disposition", ("Disposition",), default=""),
    Col("reason", ("Reason",), default=""),
    Col("country", ("Country",), required=False),
)


@register
class AmazonInventoryLedger(Importer):
    name = "amazon_inventory_ledger"
    description = "Amazon FBA Inventory Ledger report, detailed view (stock movements)"
    targets = ("stock_movement",)
    signature = ("Date", "FNSKU", "MSKU", "Event Type", "Reference ID", "Quantity", "Fulfillment Center")
    alias_types = ("seller_sku", "fnsku", "asin")
    scope = "warehouse"

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        frame = take(raw, COLS, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        frame = frame.with_columns(pl.col("event").str.to_lowercase().str.replace_all(r"[\s_]", "").alias("ev"))
        check_in(frame, "ev", list(EVENT_TYPES), ctx, raw.column("Event Type") or "Event Type")
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        kind = pl.col("ev").replace_strict(EVENT_TYPES, default=None)
        warehouse = pl.lit(ctx.warehouse) if ctx.warehouse else fba_warehouse(pl.col("country").fill_null("XX"))
        parts = ["moved_at", "day", "event", "reference", "source_sku", "center", "disposition", "reason", "qty"]
        content = pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in parts], separator="|")
        out = frame.with_columns(
            pl.col("moved_at").fill_null(pl.col("day").cast(pl.Datetime("us"))),
            pl.when(kind == "transfer").then(
                pl.when(pl.col("qty") >= 0).then(pl.lit("transfer_in")).otherwise(pl.lit("transfer_out"))
            ).otherwise(kind).alias("movement_type"),
            warehouse.alias("warehouse_id"),
            content.alias("content"),
        ).with_columns(
            (pl.col("content") + "#" + pl.col("__row").rank("ordinal").over("content").cast(pl.Utf8))
            .alias("movement_key")
        )
        moves = out.select("__row", "movement_key", "moved_at", "warehouse_id", "source_sku", "_fnsku", "_asin",
                           "movement_type", "qty", "reference")
        return Parsed({"stock_movement": moves}, raw.frame.height)
