"""Olist (Brazilian marketplace) order items and product catalogue.

Order items become sales lines (qty 1 each, price in BRL, the seller as fulfilling warehouse); the
freight of each item is kept as a 'shipping' line (line_no 1000 + item). The only date in the items
table is shipping_limit_date (a few days after purchase); it stands in for the order time. Products
become SKUs (category, weight g -> kg, dimensions cm).
"""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, take
from stockturn.ingestion.problems import ROW
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register


@register
class OlistOrderItems(Importer):
    name = "olist_order_items"
    description = "Olist order items (order_id, order_item_id, product_id, seller_id, price, freight_value)"
    targets = ("sales_line",)
    signature = ("order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price",
                 "freight_value")
    default_channel = "OLIST"

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        cols = (Col("order_id", ("order_id",)), Col("item", ("order_item_id",), "int"),
                Col("source_sku", ("product_id",)), Col("seller", ("seller_id",)),
                Col("ordered_at", ("shipping_limit_date",), "datetime"), Col("price", ("price",), "float"),
                Col("freight", ("freight_value",), "float", default=0.0))
        frame = take(raw, cols, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        common = (pl.lit(self.channel(ctx)).alias("channel_id"), "ordered_at",
                  (pl.lit(ctx.warehouse) if ctx.warehouse else pl.col("seller")).alias("warehouse_id"),
                  pl.lit("BR").alias("ship_country"), pl.lit(1.0).alias("qty"), pl.lit("BRL").alias("currency"))
        items = frame.select(ROW, "order_id", pl.col("item").cast(pl.Int32).alias("line_no"), "source_sku",
                             pl.col("price").alias("unit_price"), pl.lit("product").alias("line_type"), *common)
        freight = frame.filter(pl.col("freight") > 0).select(
            ROW, "order_id", (pl.col("item") + 1000).cast(pl.Int32).alias("line_no"),
            pl.lit("FREIGHT").alias("source_sku"), pl.col("freight").alias("unit_price"),
            pl.lit("shipping").alias("line_type"), *common)
        return Parsed({"sales_line": pl.concat([items, freight])}, raw.frame.height)


@register
class OlistProducts(Importer):
    name = "olist_products"
    description = "Olist product catalogue as SKUs (category, weight, dimensions)"
    targets = ("sku",)
    signature = ("product_id", "product_category_name", "product_weight_g", "product_length_cm")

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        cols = (Col("sku_id", ("product_id",)), Col("category", ("product_category_name",), required=False),
                Col("weight_g", ("product_weight_g",), "float", required=False),
                Col("length_cm", ("product_length_cm",), "float", required=False),
                Col("height_cm", ("product_height_cm",), "float", required=False),
                Col("width_cm", ("product_width_cm",), "float", required=False))
        frame = take(raw, cols, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        out = frame.select(
            ROW, "sku_id",
            pl.concat_str([pl.col("category").fill_null("uncategorised"), pl.col("sku_id").str.slice(0, 8)],
                          separator=" ").alias("title"),
            "category", (pl.col("weight_g") / 1000).alias("weight_kg"), "length_cm", "height_cm", "width_cm",
        )
        return Parsed({"sku": out}, raw.frame.height)
