"""Amazon Seller Central "All Orders" report (flat file, tab-separated;
report type GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL / _BY_LAST_UPDATE_GENERAL).

One row per order item. `item-price` is the price of all units of the line, so unit_price =
(item-price - |item-promotion-discount|) / quantity. Cancelled lines are skipped (counted as rejected);
Pending lines have no price yet: they load with unit_price 0 and are replaced when a later export of the
same order carries the price. Channel: --channel, else AMZ-<country> from `sales-channel` (Amazon.de ->
AMZ-DE). Multi-channel fulfilment lines (`sales-channel` Non-Amazon) are kept as line_type 'other'.
"""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, take
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register
from stockturn.ingestion.sources._amazon import MARKETPLACES

COLS = (
    Col("order_id", ("amazon-order-id",)),
    Col("ordered_at", ("purchase-date",), "datetime"),
    Col("status", ("order-status",), default=""),
    Col("fulfillment", ("fulfillment-channel",), default=""),
    Col("sales_channel", ("sales-channel",), default=""),
    Col("source_sku", ("sku",)),
    Col("_asin", ("asin",), required=False),
    Col("item_status", ("item-status",), default=""),
    Col("qty", ("quantity",), "float"),
    Col("currency", ("currency",), "currency", required=False),
    Col("item_price", ("item-price",), "float", required=False),
    Col("discount", ("item-promotion-discount",), "float", default=0.0),
    Col("ship_country", ("ship-country",), required=False),
)


@register
class AmazonAllOrders(Importer):
    name = "amazon_all_orders"
    description = "Amazon Seller Central All Orders report (flat file)"
    targets = ("sales_line",)
    signature = ("amazon-order-id", "purchase-date", "order-status", "sku", "asin", "quantity", "item-price")
    alias_types = ("seller_sku", "fnsku", "asin")

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        frame = take(raw, COLS, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        cancelled = (pl.col("status").str.to_lowercase() == "cancelled") | (
            pl.col("item_status").str.to_lowercase() == "cancelled") | (pl.col("qty") == 0)
        kept = frame.filter(~cancelled)
        file_currency = kept["currency"].drop_nulls().mode()
        fallback = file_currency[0] if file_currency.len() else None
        missing = kept.filter(pl.col("currency").is_null()) if fallback is None else kept.head(0)
        if missing.height:
            ctx.problems.add_rows(missing, "currency", column="currency", expected="a currency code",
                                  fix="export again once the orders have a price, or skip pending orders")
            return Parsed({}, raw.frame.height)
        domain = pl.col("sales_channel").str.to_lowercase().str.strip_chars()
        channel = pl.lit(ctx.channel) if ctx.channel else domain.replace_strict(
            MARKETPLACES, default=pl.lit(self.default_channel_name()))
        lines = kept.with_columns(
            pl.col("currency").fill_null(fallback),
            ((pl.col("item_price").fill_null(0) - pl.col("discount").abs()) / pl.col("qty")).alias("unit_price"),
            channel.alias("channel_id"),
            pl.when(domain == "non-amazon").then(pl.lit("other"))
            .when(pl.col("qty") < 0).then(pl.lit("return")).otherwise(pl.lit("product")).alias("line_type"),
            pl.lit(ctx.warehouse).cast(pl.Utf8).alias("warehouse_id"),
        ).sort("order_id", "source_sku", "__row").with_columns(  # line number = position by SKU in the order
            line_no=(pl.int_range(pl.len()).over("order_id") + 1).cast(pl.Int32))
        lines = lines.select("__row", "order_id", "line_no", "channel_id", "ordered_at", "source_sku", "_asin",
                             "warehouse_id", "ship_country", "qty", "unit_price", "currency", "line_type")
        return Parsed({"sales_line": lines}, raw.frame.height, skipped=frame.height - kept.height)

    def default_channel_name(self) -> str:
        return "AMAZON"
