"""Rossmann Store Sales (Kaggle): daily store turnover, and the store table.

The data has no products and no units, only EUR turnover and customer counts per store and day. A day
becomes one sales line of the pseudo-SKU `ALL` at warehouse ROSSMANN-<store>: qty = customers,
unit_price = sales / customers (so qty x unit_price = the day's turnover). Stores become warehouses
(type store, Germany, EUR).
"""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, take
from stockturn.ingestion.problems import ROW
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register


@register
class RossmannSales(Importer):
    name = "rossmann_sales"
    description = "Rossmann daily store sales (Store, Date, Sales, Customers)"
    targets = ("sales_line",)
    signature = ("Store", "DayOfWeek", "Date", "Sales", "Customers", "Open", "Promo")
    default_channel = "ROSSMANN"

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        cols = (Col("store", ("Store",), "int"), Col("day", ("Date",), "date"), Col("sales", ("Sales",), "float"),
                Col("customers", ("Customers",), "float"))
        frame = take(raw, cols, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        kept = frame.filter((pl.col("customers") > 0) & (pl.col("sales") > 0))
        lines = kept.select(
            ROW,
            pl.concat_str([pl.col("store").cast(pl.Utf8), pl.col("day").cast(pl.Utf8)], separator=":")
            .alias("order_id"),
            pl.lit(1, pl.Int32).alias("line_no"), pl.lit(self.channel(ctx)).alias("channel_id"),
            pl.col("day").cast(pl.Datetime("us")).alias("ordered_at"), pl.lit("ALL").alias("source_sku"),
            (pl.lit("ROSSMANN-") + pl.col("store").cast(pl.Utf8)).alias("warehouse_id"),
            pl.lit("DE").alias("ship_country"), pl.col("customers").alias("qty"),
            (pl.col("sales") / pl.col("customers")).alias("unit_price"), pl.lit("EUR").alias("currency"),
            pl.lit("product").alias("line_type"),
        )
        return Parsed({"sales_line": lines}, raw.frame.height, skipped=frame.height - kept.height)


@register
class RossmannStores(Importer):
    name = "rossmann_stores"
    description = "Rossmann store table (Store, StoreType, Assortment, ...) as warehouses"
    targets = ("warehouse",)
    signature = ("Store", "StoreType", "Assortment", "CompetitionDistance")

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        cols = (Col("store", ("Store",), "int"), Col("kind", ("StoreType",), default="?"),
                Col("assortment", ("Assortment",), default="?"))
        frame = take(raw, cols, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        out = frame.select(
            ROW, (pl.lit("ROSSMANN-") + pl.col("store").cast(pl.Utf8)).alias("warehouse_id"),
            pl.format("Rossmann store {} (type {}, assortment {})", "store", "kind", "assortment").alias("name"),
            pl.lit("store").alias("type"), pl.lit("DE").alias("country"), pl.lit("EU").alias("region"),
            pl.lit("EUR").alias("currency"),
        )
        return Parsed({"warehouse": out}, raw.frame.height)
