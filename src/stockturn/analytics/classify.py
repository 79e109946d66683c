"""ABC x XYZ classes, and slow and dead stock (definitions: docs/metrics.md, "Classes")."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from stockturn.analytics._sql import lit, query
from stockturn.analytics.base import base_facts
from stockturn.analytics.definitions import compute
from stockturn.analytics.period import Period
from stockturn.errors import InputError
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse

CLASS_GRAINS = {"sku": ("sku_id",), "sku-warehouse": ("sku_id", "warehouse_id")}


def _keys(by: str) -> tuple[str, ...]:
    if by not in CLASS_GRAINS:
        raise InputError(f"ABC/XYZ grain {by!r} is not supported", column="--by", hint="use sku or sku-warehouse")
    return CLASS_GRAINS[by]


def weekly_demand_cv(wh: Warehouse, window: Period, keys: tuple[str, ...]) -> pl.DataFrame:
    """keys, weeks, mean_weekly, cv: coefficient of variation of weekly gross units sold, over the weeks from
    the first week with a sale in the window to the window's end (weeks without sales count as 0)."""
    cols = ", ".join(f"coalesce({k}, '') AS {k}" if k == "warehouse_id" else k for k in keys)
    names = ", ".join(keys)
    sql = f"""
      WITH weekly AS (
          SELECT {cols}, date_trunc('week', ordered_at) AS wk, sum(qty) AS units
            FROM sales_line
           WHERE sku_id IS NOT NULL AND line_type = 'product'
             AND ordered_at >= {lit(window.start)} AND ordered_at < {lit(window.end)} + INTERVAL 1 DAY
           GROUP BY ALL),
      stats AS (
          SELECT {names}, sum(units) AS s, sum(units * units) AS ss,
                 (date_diff('day', min(wk), date_trunc('week', {lit(window.end)})) // 7) + 1 AS weeks
            FROM weekly GROUP BY ALL)
      SELECT {names}, weeks, s / weeks AS mean_weekly,
             CASE WHEN s > 0 THEN sqrt(greatest(ss / weeks - (s / weeks) * (s / weeks), 0)) / (s / weeks) END AS cv
        FROM stats"""
    return query(wh, sql)


def abc_xyz(wh: Warehouse, as_of: date, settings: Settings, *, by: str = "sku") -> pl.DataFrame:
    """ABC by revenue or margin share (setting abc_basis) x XYZ by weekly demand variability, over the
    abc_window_days ending on `as_of`. New SKUs with fewer than 4 weeks of history get XYZ class 'N'."""
    keys = _keys(by)
    window = Period(as_of - timedelta(days=settings.abc_window_days - 1), as_of)
    metrics = compute(base_facts(wh, window, settings, scope="turnover"), by, window.days)
    value = "revenue" if settings.abc_basis == "revenue" else "gross_margin"
    ranked = (metrics.select(*keys, "revenue", "gross_margin", "units_sold")
              .with_columns(pl.col(value).clip(lower_bound=0).alias("_v"))
              .sort(["_v", *keys], descending=[True, *[False] * len(keys)]))
    total = ranked["_v"].sum()
    ranked = ranked.with_columns(
        (pl.col("_v") / total if total else pl.lit(0.0)).alias("share"),
    ).with_columns(pl.col("share").cum_sum().alias("cum_share"))
    before = pl.col("cum_share") - pl.col("share")  # share of everything ranked above this item
    ranked = ranked.with_columns(
        pl.when(pl.col("_v") <= 0).then(pl.lit("C"))
        .when(before < settings.abc_a_share).then(pl.lit("A"))
        .when(before < settings.abc_b_share).then(pl.lit("B"))
        .otherwise(pl.lit("C")).alias("abc")
    ).drop("_v")
    cv = weekly_demand_cv(wh, window, keys).with_columns([pl.col(k).cast(pl.String) for k in keys])
    out = ranked.with_columns([pl.col(k).cast(pl.String) for k in keys]).join(cv, on=list(keys), how="left")
    out = out.with_columns(
        pl.when(pl.col("weeks").is_null() | (pl.col("mean_weekly").fill_null(0) <= 0)).then(pl.lit("Z"))
        .when(pl.col("weeks") < 4).then(pl.lit("N"))
        .when(pl.col("cv") <= settings.xyz_x_max_cv).then(pl.lit("X"))
        .when(pl.col("cv") <= settings.xyz_y_max_cv).then(pl.lit("Y"))
        .otherwise(pl.lit("Z")).alias("xyz")
    )
    return out.with_columns((pl.col("abc") + pl.col("xyz")).alias("class"))


def slow_dead_stock(wh: Warehouse, period: Period, settings: Settings) -> pl.DataFrame:
    """Per SKU-location with stock at the period end: days since the last sale, days of cover, and status
    'dead' (no sale for dead_stock_days), 'slow' (cover above slow_stock_cover_days) or 'ok'.

    A location that never sells (a supply warehouse such as a home warehouse in China) is judged on the
    SKU's sales everywhere: its last sale anywhere, and its stock over the SKU's total expected demand."""
    base = base_facts(wh, period, settings)
    loc = compute(base, "sku-warehouse", period.days).filter(pl.col("ending_units") > 0)
    sku = compute(base, "sku", period.days).select(
        "sku_id", pl.col("demand_rate").alias("sku_demand_rate"))
    last = query(wh, f"""
        SELECT sku_id, coalesce(warehouse_id, '') AS warehouse_id, max(CAST(ordered_at AS DATE)) AS last_sale
          FROM sales_line WHERE sku_id IS NOT NULL AND line_type = 'product'
           AND ordered_at < {lit(period.end)} + INTERVAL 1 DAY GROUP BY ALL""")
    sku_last = last.group_by("sku_id").agg(pl.col("last_sale").max().alias("sku_last_sale"))
    sellers = set(last["warehouse_id"].unique().to_list())
    category = query(wh, "SELECT sku_id, category FROM sku")
    out = (loc.join(category, on="sku_id", how="left").join(last, on=["sku_id", "warehouse_id"], how="left")
           .join(sku_last, on="sku_id", how="left").join(sku, on="sku_id", how="left"))
    supply = ~pl.col("warehouse_id").is_in(sorted(sellers))
    last_sale = pl.when(supply).then(pl.col("sku_last_sale")).otherwise(pl.col("last_sale"))
    rate = pl.when(supply).then(pl.col("sku_demand_rate")).otherwise(pl.col("demand_rate"))
    out = out.with_columns(
        (pl.lit(period.end) - last_sale).dt.total_days().alias("days_since_last_sale"),
        last_sale.alias("last_sale"),
        pl.when(rate > 0).then(pl.col("ending_available") / rate).alias("cover_days"),
        supply.alias("supply_location"),
    )
    dead = pl.col("days_since_last_sale").is_null() | (pl.col("days_since_last_sale") >= settings.dead_stock_days)
    slow = pl.col("cover_days").is_null() | (pl.col("cover_days") > settings.slow_stock_cover_days)
    out = out.with_columns(
        pl.when(dead).then(pl.lit("dead")).when(slow).then(pl.lit("slow")).otherwise(pl.lit("ok")).alias("status"))
    return out.select("sku_id", "warehouse_id", "category", "ending_units", "ending_value", "last_sale",
                      "days_since_last_sale", "cover_days", "supply_location", "status").sort(
        "status", "ending_value", descending=[False, True])
