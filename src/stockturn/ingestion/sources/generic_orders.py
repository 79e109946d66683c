"""Generic orders: one row per order line, from any shop, ERP or marketplace export."""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext
from stockturn.ingestion.generic import LINE_TYPES, GenericImporter, check_in, fill_context, fill_rank
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register


@register
class GenericOrders(GenericImporter):
    name = "generic_orders"
    description = "Order lines: order_id, ordered_at, sku, qty, unit_price, currency (+ channel, fees...)"
    target = "sales_line"
    cols = (
        Col("order_id", ("order_id", "order id", "order number", "invoice")),
        Col("line_no", ("line_no", "line", "line number", "item no"), "int", required=False),
        Col("channel_id", ("channel", "channel_id", "shop", "store"), required=False),
        Col("ordered_at", ("ordered_at", "order date", "created at", "date"), "datetime"),
        Col("source_sku", ("sku", "seller sku", "item sku", "product code")),
        Col("qty", ("qty", "quantity", "units"), "float"),
        Col("unit_price", ("unit_price", "price", "item price"), "float"),
        Col("currency", ("currency", "currency code"), "currency"),
        Col("fees", ("fees", "fee", "platform fees"), "float", default=0.0),
        Col("warehouse_id", ("warehouse", "warehouse_id", "fulfilled from"), required=False),
        Col("ship_country", ("ship_country", "country", "ship country"), required=False),
        Col("line_type", ("line_type", "line type", "type"), required=False),
    )

    def finish(self, frame: pl.DataFrame, raw: RawTable, ctx: ImportContext) -> dict[str, pl.DataFrame]:
        frame = fill_context(frame, "channel_id", ctx.channel, ctx, option="--channel")
        if ctx.warehouse is not None:
            frame = frame.with_columns(pl.col("warehouse_id").fill_null(ctx.warehouse))
        by_sign = pl.when(pl.col("qty") < 0).then(pl.lit("return")).otherwise(pl.lit("product"))
        # Most files have no line-type column: then the sign alone decides (a lowercase-and-fill pass over
        # ten million empty cells cost ~0.5 s of a 10 s import).
        given = frame["line_type"].null_count() < frame.height
        frame = fill_rank(frame, "line_no", "order_id").with_columns(
            pl.col("line_type").str.to_lowercase().fill_null(by_sign) if given else by_sign.alias("line_type"),
        )
        check_in(frame, "line_type", LINE_TYPES, ctx, self.header(raw, "line_type"))
        return {self.target: frame}
