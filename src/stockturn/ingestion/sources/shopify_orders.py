"""Shopify orders export (Admin > Orders > Export, CSV).

One row per line item; order-level fields (Currency, Created at, Shipping...) are written on the first
row of an order only, so they are carried down within the order (`Name`, e.g. #1001). Each line is
keyed by its position in the order; an order's shipping charge becomes a 'shipping' line 0. Refunded
quantities are not in this export (refunds arrive as returns from another source). Channel: --channel
(default SHOPIFY).
"""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, take
from stockturn.ingestion.generic import rank_in
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register

COLS = (
    Col("order_id", ("Name",)),
    Col("created", ("Created at",), "datetime", required=False),
    Col("currency", ("Currency",), "currency", required=False),
    Col("shipping", ("Shipping",), "float", required=False),
    Col("qty", ("Lineitem quantity",), "float"),
    Col("title", ("Lineitem name",), default=""),
    Col("price", ("Lineitem price",), "float"),
    Col("discount", ("Lineitem discount",), "float", default=0.0),
    Col("source_sku", ("Lineitem sku",), required=False),
    Col("ship_country", ("Shipping Country",), required=False),
    Col("cancelled", ("Cancelled at",), required=False),
)
ORDER_FIELDS = ("created", "currency", "shipping", "ship_country", "cancelled")


@register
class ShopifyOrders(Importer):
    name = "shopify_orders"
    description = "Shopify orders export (one row per line item)"
    targets = ("sales_line",)
    signature = ("Name", "Financial Status", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price")
    alias_types = ("shopify_sku", "seller_sku", "barcode")
    default_channel = "SHOPIFY"

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        frame = take(raw, COLS, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        frame = frame.with_columns([pl.col(c).forward_fill().over("order_id") for c in ORDER_FIELDS])
        for column, header in (("created", "Created at"), ("currency", "Currency")):
            bad = frame.filter(pl.col(column).is_null())
            if bad.height:
                ctx.problems.add_rows(bad.with_columns(pl.lit(None, pl.Utf8).alias("v")), "v",
                                      column=header, expected=f"a {header} on the first row of each order",
                                      fix="export the orders again without editing the file")
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        cancelled = pl.col("cancelled").is_not_null()
        kept = frame.filter(~cancelled)
        channel = pl.lit(self.channel(ctx)).alias("channel_id")
        lines = kept.with_columns(
            line_no=rank_in("order_id"),
            source_sku=pl.col("source_sku").fill_null(pl.col("title")),
            unit_price=pl.col("price") - pl.col("discount") / pl.col("qty").abs().clip(lower_bound=1),
            line_type=pl.when(pl.col("qty") < 0).then(pl.lit("return")).otherwise(pl.lit("product")),
        ).select("__row", "order_id", "line_no", channel, pl.col("created").alias("ordered_at"), "source_sku",
                 "qty", "unit_price", "currency", "ship_country", "line_type")
        shipping = kept.filter(pl.col("shipping").fill_null(0) > 0).unique("order_id", keep="first",
                                                                           maintain_order=True).select(
            "__row", "order_id", pl.lit(0, pl.Int32).alias("line_no"), channel,
            pl.col("created").alias("ordered_at"), pl.lit("SHIPPING").alias("source_sku"), pl.lit(1.0).alias("qty"),
            pl.col("shipping").alias("unit_price"), "currency", "ship_country", pl.lit("shipping").alias("line_type"),
        )
        out = pl.concat([lines, shipping])
        return Parsed({"sales_line": out}, raw.frame.height, skipped=frame.height - kept.height)
