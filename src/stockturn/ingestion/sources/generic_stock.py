"""Generic stock files: daily snapshots per warehouse and SKU, and stock movements."""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext
from stockturn.ingestion.generic import GenericImporter, check_in, check_min, content_key, fill_context
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register

MOVEMENT_TYPES = ("receipt", "adjustment", "transfer_in", "transfer_out", "return", "disposal", "sale")


@register
class GenericStockSnapshots(GenericImporter):
    name = "generic_stock_snapshots"
    description = "Stock on hand per day, warehouse and SKU (a later file replaces the same day)"
    target = "stock_snapshot"
    scope = "warehouse"
    cols = (
        Col("snapshot_date", ("snapshot_date", "date", "stock date", "as of"), "date", required=False),
        Col("warehouse_id", ("warehouse", "warehouse_id", "location"), required=False),
        Col("source_sku", ("sku", "item", "product code")),
        Col("on_hand", ("on_hand", "on hand", "available", "qty", "quantity"), "float"),
        Col("reserved", ("reserved",), "float", default=0.0),
        Col("inbound", ("inbound", "incoming"), "float", default=0.0),
        Col("unfulfillable", ("unfulfillable", "damaged", "unsellable"), "float", default=0.0),
    )

    def finish(self, frame: pl.DataFrame, raw: RawTable, ctx: ImportContext) -> dict[str, pl.DataFrame]:
        frame = frame.with_columns(pl.col("snapshot_date").fill_null(ctx.as_of))
        frame = fill_context(frame, "warehouse_id", ctx.warehouse, ctx, option="--warehouse")
        for name in ("on_hand", "reserved", "inbound", "unfulfillable"):
            check_min(frame, name, 0, ctx, self.header(raw, name))
        return {self.target: frame}


@register
class GenericStockMovements(GenericImporter):
    name = "generic_stock_movements"
    description = "Receipts, transfers, adjustments, returns, disposals, sales (signed qty)"
    target = "stock_movement"
    scope = "warehouse"
    cols = (
        Col("movement_key", ("movement_key", "movement id", "id"), required=False),
        Col("moved_at", ("moved_at", "date", "moved at", "timestamp"), "datetime"),
        Col("warehouse_id", ("warehouse", "warehouse_id", "location"), required=False),
        Col("source_sku", ("sku", "item", "product code")),
        Col("movement_type", ("movement_type", "type", "movement type")),
        Col("qty", ("qty", "quantity"), "float"),
        Col("unit_cost", ("unit_cost", "unit cost", "cost"), "float", required=False),
        Col("currency", ("currency",), "currency", required=False),
        Col("reference", ("reference", "ref", "document"), required=False),
    )

    def finish(self, frame: pl.DataFrame, raw: RawTable, ctx: ImportContext) -> dict[str, pl.DataFrame]:
        frame = fill_context(frame, "warehouse_id", ctx.warehouse, ctx, option="--warehouse")
        frame = frame.with_columns(pl.col("movement_type").str.to_lowercase())
        check_in(frame, "movement_type", MOVEMENT_TYPES, ctx, self.header(raw, "movement_type"))
        key = content_key(frame, ["moved_at", "source_sku", "movement_type", "reference", "qty"])
        return {self.target: frame.with_columns(pl.col("movement_key").fill_null(key))}
