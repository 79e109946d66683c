"""Money facts of the demo seller (generated): storage fees, ad spend, receivables, payables."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

CUBIC_FEET_PER_CM3 = 1 / 28_316.8
# Monthly storage rate per cubic foot, in the warehouse's currency: (Jan-Sep, Oct-Dec peak).
STORAGE_RATE = {"FBA-US": (0.75, 2.40), "FBA-UK": (0.65, 0.93), "FBA-DE": (0.72, 1.00), "3PL-US": (0.45, 0.45)}
CURRENCY = {"FBA-US": "USD", "FBA-UK": "GBP", "FBA-DE": "EUR", "3PL-US": "USD"}


def storage_fees(snapshots: pl.DataFrame, skus: pl.DataFrame) -> pl.DataFrame:
    volume = skus.select("sku_id", (pl.col("length_cm") * pl.col("width_cm") * pl.col("height_cm")
                                    * CUBIC_FEET_PER_CM3).alias("cuft"))
    monthly = (snapshots.filter(pl.col("warehouse_id").is_in(list(STORAGE_RATE)))
               .group_by("warehouse_id", "sku_id", pl.col("snapshot_date").dt.truncate("1mo").alias("period_start"))
               .agg(pl.col("on_hand").mean().alias("avg_units"), pl.col("snapshot_date").max().alias("period_end"))
               .join(volume, on="sku_id"))
    rate = pl.col("warehouse_id").replace_strict({w: r[0] for w, r in STORAGE_RATE.items()})
    peak = pl.col("warehouse_id").replace_strict({w: r[1] for w, r in STORAGE_RATE.items()})
    return monthly.with_columns(
        pl.format("{}|{}|{}", "warehouse_id", "sku_id", pl.col("period_start").dt.strftime("%Y-%m")).alias("fee_key"),
        pl.lit("storage").alias("fee_type"),
        (pl.col("avg_units") * pl.col("cuft") * pl.when(pl.col("period_start").dt.month() >= 10).then(peak)
         .otherwise(rate)).round(2).alias("amount"),
        pl.col("warehouse_id").replace_strict(CURRENCY).alias("currency"),
    ).filter(pl.col("amount") > 0).select("fee_key", "period_start", "period_end", "warehouse_id", "sku_id",
                                          "fee_type", "amount", "currency")


def ad_spend(sales: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    weekly = (sales.filter((pl.col("line_type") == "product") & pl.col("channel_id").str.starts_with("AMZ"))
              .group_by("channel_id", "sku_id", "source_sku", "currency",
                        pl.col("ordered_at").dt.date().dt.truncate("1w").alias("spend_date"))
              .agg((pl.col("qty") * pl.col("unit_price")).sum().alias("revenue"))
              .sort("channel_id", "sku_id", "spend_date"))
    n = weekly.height
    spend = weekly["revenue"].to_numpy() * rng.uniform(0.03, 0.12, n)
    clicks = np.maximum(1, np.round(spend / rng.uniform(0.35, 0.9, n)))
    return weekly.with_columns(
        pl.format("SP-{}-auto", "sku_id").alias("campaign"),
        pl.Series("spend", np.round(spend, 2)),
        pl.Series("clicks", clicks.astype(np.int64)),
        pl.Series("impressions", (clicks * rng.uniform(150, 400, n)).astype(np.int64)),
        (pl.col("revenue") * pl.Series(rng.uniform(0.15, 0.35, n))).round(2).alias("attributed_sales"),
    ).drop("revenue")


def receivables(sales: pl.DataFrame, end: date, rng: np.random.Generator) -> pl.DataFrame:
    """Marketplaces settle every 14 days and pay 3 days later; Shopify pays out weekly, 2 days later."""
    frames = []
    for channel_kind, every, delay in (("SHOP", "1w", 2), ("AMZ", "2w", 3)):
        part = (sales.filter(pl.col("channel_id").str.starts_with(channel_kind))
                .group_by("channel_id", "currency", pl.col("ordered_at").dt.date().dt.truncate(every).alias("start"))
                .agg((pl.col("qty") * pl.col("unit_price") - pl.col("fees")).sum().round(2).alias("amount"))
                .with_columns((pl.col("start") + pl.duration(days=14 if every == "2w" else 7)).alias("issued_date"))
                .with_columns((pl.col("issued_date") + pl.duration(days=delay)).alias("due_date")))
        frames.append(part)
    docs = pl.concat(frames).filter(pl.col("issued_date") <= end).sort("channel_id", "issued_date")
    late = pl.lit(pl.Series(rng.choice([0, 0, 0, 0, 0, 0, 0, 0, 5, 12], docs.height)))
    paid = (pl.col("due_date") + pl.duration(days=late))
    return docs.with_columns(
        pl.format("STL-{}-{}", "channel_id", pl.col("issued_date").dt.strftime("%y%m%d")).alias("doc_id"),
        pl.col("channel_id").alias("counterparty"),
        pl.when(paid <= end).then(paid).alias("paid_date"),
        pl.when(paid <= end).then(pl.col("amount")).otherwise(0.0).alias("paid_amount"),
    ).select("doc_id", "counterparty", "channel_id", "issued_date", "due_date", "amount", "currency",
             "paid_date", "paid_amount")


def payables(po_head: pl.DataFrame, po_lines: pl.DataFrame, ship_head: pl.DataFrame, end: date,
             rng: np.random.Generator) -> pl.DataFrame:
    value = po_lines.group_by("po_id").agg((pl.col("qty_ordered") * pl.col("unit_price")).sum().alias("value"),
                                           pl.col("ready_date").max().alias("ready"))
    pos = po_head.join(value, on="po_id")
    deposit = pos.filter(pl.col("deposit_share") > 0).select(
        pl.format("{}-DEP", "po_id").alias("doc_id"), "supplier_id", "po_id",
        pl.col("ordered_at").alias("issued_date"), pl.col("ordered_at").alias("due_date"),
        (pl.col("value") * pl.col("deposit_share")).round(2).alias("amount"), "currency")
    balance = pos.select(
        pl.format("{}-BAL", "po_id").alias("doc_id"), "supplier_id", "po_id",
        pl.col("ready").alias("issued_date"),
        (pl.col("ready") + pl.duration(days=pl.col("payment_terms_days"))).alias("due_date"),
        (pl.col("value") * (1 - pl.col("deposit_share"))).round(2).alias("amount"), "currency")
    freight = ship_head.select(
        pl.format("{}-FRT", "shipment_id").alias("doc_id"), pl.lit("FWD-SZ").alias("supplier_id"),
        pl.lit(None, pl.String).alias("po_id"), pl.col("ship_date").alias("issued_date"),
        (pl.col("ship_date") + pl.duration(days=30)).alias("due_date"),
        pl.col("freight_cost").alias("amount"), pl.col("currency"))
    docs = pl.concat([deposit, balance, freight]).filter(pl.col("issued_date") <= end).sort("doc_id")
    late = pl.lit(pl.Series(rng.choice([0, 0, 0, 0, 0, 0, 3, 7], docs.height)))
    paid = pl.col("due_date") + pl.duration(days=late)
    return docs.with_columns(
        pl.when(paid <= end).then(paid).alias("paid_date"),
        pl.when(paid <= end).then(pl.col("amount")).otherwise(0.0).alias("paid_amount"),
    )
