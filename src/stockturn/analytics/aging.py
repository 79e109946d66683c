"""Inventory aging by FIFO receipt layers, and the aged-inventory surcharge those layers attract.

FIFO: units leave in the order they arrived, so the stock on a day is made of the most recent inflows
(receipts, transfers in, returns, positive adjustments) at that location. Units the recorded inflows do not
explain form an opening layer dated on the first day the SKU-location had stock (a lower bound on age).
Formulas and edge cases: docs/metrics.md, "Aging".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from stockturn.analytics._sql import (
    INFLOW_TYPES,
    cost_on,
    landed_cost_sql,
    lit,
    query,
    surcharge_tiers_sql,
    volume_sql,
)
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse


def first_stock_sql(end: date) -> str:
    """(sku_id, warehouse_id, first_day): first day with stock on hand, up to `end`."""
    return f"""SELECT sku_id, warehouse_id, min(snapshot_date) AS first_day FROM stock_snapshot
                WHERE on_hand > 0 AND snapshot_date <= {lit(end)} GROUP BY sku_id, warehouse_id"""


def layers_sql(dates: Sequence[date], first_stock: str = "first_stock", warehouses_sql: str | None = None) -> str:
    """(as_of, sku_id, warehouse_id, received, units) FIFO layers of the stock on each of `dates`.

    With cumulative inflows C per SKU-location (oldest first), C(T) on the day T and S units in stock, the
    layers are the inflows i received by T with C_i > C(T) - S, each holding min(qty_i, C_i - (C(T) - S));
    S - C(T) units, when positive, form the opening layer. Needs a CTE/table `first_stock` in scope;
    `warehouses_sql` (a SELECT of warehouse_id) limits the locations.
    """
    days = ", ".join(lit(d) for d in sorted(set(dates)))
    last = max(dates)
    only = f" AND s.warehouse_id IN ({warehouses_sql})" if warehouses_sql else ""
    return f"""
      WITH as_of_days AS (SELECT unnest([{days}]) AS as_of),
      stock_at AS (
          SELECT d.as_of, s.sku_id, s.warehouse_id, s.on_hand + s.reserved + s.unfulfillable AS units
            FROM stock_snapshot s JOIN as_of_days d ON s.snapshot_date = d.as_of
           WHERE s.snapshot_date IN ({days}) AND s.on_hand + s.reserved + s.unfulfillable > 0{only}),
      inflow AS (
          SELECT sku_id, warehouse_id, received, qty,
                 sum(qty) OVER (PARTITION BY sku_id, warehouse_id ORDER BY received ROWS UNBOUNDED PRECEDING) AS cum
            FROM (SELECT sku_id, warehouse_id, CAST(moved_at AS DATE) AS received, sum(qty) AS qty
                    FROM stock_movement
                   WHERE qty > 0 AND movement_type IN {INFLOW_TYPES}
                     AND moved_at < {lit(last)} + INTERVAL 1 DAY
                   GROUP BY ALL)),
      position AS (  -- a hash join and a sum: an ASOF join here is planned as a nested loop
          SELECT a.as_of, a.sku_id, a.warehouse_id, a.units, coalesce(sum(i.qty), 0) AS total
            FROM stock_at a LEFT JOIN inflow i
              ON i.sku_id = a.sku_id AND i.warehouse_id = a.warehouse_id AND i.received <= a.as_of
           GROUP BY a.as_of, a.sku_id, a.warehouse_id, a.units)
      SELECT p.as_of, p.sku_id, p.warehouse_id, i.received, least(i.qty, i.cum - (p.total - p.units)) AS units
        FROM position p JOIN inflow i
          ON i.sku_id = p.sku_id AND i.warehouse_id = p.warehouse_id
         AND i.received <= p.as_of AND i.cum > p.total - p.units
      UNION ALL
      SELECT p.as_of, p.sku_id, p.warehouse_id, least(coalesce(f.first_day, p.as_of), p.as_of) AS received,
             p.units - p.total AS units
        FROM position p LEFT JOIN {first_stock} f USING (sku_id, warehouse_id)
       WHERE p.units > p.total"""


def surcharge_sql(wh: Warehouse, settings: Settings, layers: str) -> str:
    """(as_of, sku_id, warehouse_id, surcharge_month): monthly aged surcharge of the layers in `layers`."""
    return f"""
        SELECT l.as_of, l.sku_id, l.warehouse_id,
               sum(l.units * greatest(v.volume_m3 * t.rate_m3_month, t.rate_unit_month)) AS surcharge_month
          FROM {layers} l
          JOIN ({volume_sql(settings)}) v USING (sku_id)
          JOIN ({surcharge_tiers_sql(wh, settings)}) t
            ON t.warehouse_id = l.warehouse_id AND (l.as_of - l.received) BETWEEN t.min_age_days AND t.max_age_days
         GROUP BY ALL"""


def bucket_labels(limits: Sequence[int]) -> list[str]:
    """[30, 60, 90] -> ['0-30', '31-60', '61-90', '90+']."""
    labels, low = [], 0
    for high in limits:
        labels.append(f"{low}-{high}")
        low = high + 1
    labels.append(f"{limits[-1]}+" if limits else "all")
    return labels


def aging_layers(wh: Warehouse, as_of: date, settings: Settings) -> pl.DataFrame:
    """One row per FIFO layer on `as_of`: sku_id, warehouse_id, received, units, age_days, value (base
    currency at landed cost), bucket, surcharge_month (current monthly aged surcharge of the layer),
    next_tier_in_days and next_tier_surcharge_month (what the layer will pay per month once in the next tier)."""
    limits = sorted(settings.aging_buckets_days)
    labels = bucket_labels(limits)
    case = " ".join(f"WHEN age_days <= {high} THEN '{label}'" for high, label in zip(limits, labels, strict=False))
    bucket = f"CASE {case} ELSE '{labels[-1]}' END" if limits else "'all'"
    sql = f"""
      WITH first_stock AS ({first_stock_sql(as_of)}),
      layers AS ({layers_sql([as_of])}),
      cost AS ({landed_cost_sql(settings.base_currency, settings.fx_max_age_days)}),
      tiers AS ({surcharge_tiers_sql(wh, settings)}),
      vol AS ({volume_sql(settings)}),
      valued AS (
          SELECT l.sku_id, l.warehouse_id, l.received, l.units, l.as_of - l.received AS age_days,
                 l.units * coalesce(c.landed, 0) AS value
            FROM layers l LEFT JOIN cost c ON {cost_on('c', 'l.sku_id', 'l.as_of')})
      SELECT x.sku_id, x.warehouse_id, x.received, x.units, x.age_days, x.value, {bucket} AS bucket,
             coalesce(x.units * greatest(v.volume_m3 * cur.rate_m3_month, cur.rate_unit_month), 0)
                 AS surcharge_month,
             nxt.min_age_days - x.age_days AS next_tier_in_days,
             x.units * greatest(v.volume_m3 * nxt.rate_m3_month, nxt.rate_unit_month) AS next_tier_surcharge_month
        FROM valued x
        JOIN vol v USING (sku_id)
        LEFT JOIN tiers cur ON cur.warehouse_id = x.warehouse_id
             AND x.age_days BETWEEN cur.min_age_days AND cur.max_age_days
        LEFT JOIN tiers nxt ON nxt.warehouse_id = x.warehouse_id AND nxt.min_age_days > x.age_days
             AND nxt.min_age_days = (SELECT min(t2.min_age_days) FROM tiers t2
                                      WHERE t2.warehouse_id = x.warehouse_id AND t2.min_age_days > x.age_days)
       ORDER BY x.sku_id, x.warehouse_id, x.received"""
    return query(wh, sql)


def aging_summary(wh: Warehouse, layers: pl.DataFrame, keys: Sequence[str], limits: Sequence[int]) -> pl.DataFrame:
    """Units and value per age bucket at a grain (keys among sku_id, warehouse_id, category, brand, region),
    with total units, value, average age (unit-weighted) and the current monthly aged surcharge."""
    labels = bucket_labels(sorted(limits))
    attrs = query(wh, "SELECT sku_id, category, brand FROM sku")
    regions = query(wh, "SELECT warehouse_id, region FROM warehouse")
    frame = layers.join(attrs, on="sku_id", how="left").join(regions, on="warehouse_id", how="left")
    frame = frame.with_columns([pl.col(k).fill_null("(none)") for k in keys])
    group = list(keys) if keys else [pl.lit("all").alias("_all")]
    aggs = [pl.col("units").sum().alias("units"), pl.col("value").sum().alias("value"),
            ((pl.col("units") * pl.col("age_days")).sum() / pl.col("units").sum()).alias("avg_age_days"),
            pl.col("surcharge_month").sum().alias("surcharge_month")]
    for label in labels:
        inside = pl.col("bucket") == label
        aggs.append(pl.col("units").filter(inside).sum().alias(f"units {label}"))
        aggs.append(pl.col("value").filter(inside).sum().alias(f"value {label}"))
    out = frame.group_by(group).agg(aggs)
    if not keys:
        out = out.drop("_all")
    return out.sort(list(keys)) if keys else out
