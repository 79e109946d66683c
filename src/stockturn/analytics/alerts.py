"""Alerts: computed from the metric layer, stored in the `alert` table under one run id.

Each alert says what is happening, why (the numbers behind it) and what to do. Rules and thresholds:
docs/metrics.md, "Alerts"; thresholds are settings.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from stockturn import phrases as P
from stockturn.analytics._sql import query
from stockturn.analytics.aging import aging_layers
from stockturn.analytics.base import base_facts
from stockturn.analytics.cash import open_items
from stockturn.analytics.classify import abc_xyz
from stockturn.analytics.definitions import compute
from stockturn.analytics.period import Period
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse, finish_run, insert_frame, start_run

DEFAULT_LEAD_TIME_DAYS = 30.0
ALERT_COLUMNS = ["alert_type", "severity", "sku_id", "warehouse_id", "what", "why", "action"]


def lead_times(wh: Warehouse) -> pl.DataFrame:
    """(sku_id, warehouse_id, lead_time_days): transit + customs + receiving of the route mode used most
    often into the warehouse (the slowest mode when no shipment exists yet); for a warehouse no route leads
    into (where purchase orders arrive), the primary supplier's production lead time."""
    return query(wh, f"""
      WITH used AS (
          SELECT to_warehouse_id, mode, count(*) AS n FROM shipment GROUP BY ALL),
      route_days AS (
          SELECT r.to_warehouse_id AS warehouse_id,
                 arg_max(r.transit_mean_days + r.customs_days + r.receiving_days,
                         coalesce(u.n, 0) * 1e6 + r.transit_mean_days) AS days
            FROM route r LEFT JOIN used u ON u.to_warehouse_id = r.to_warehouse_id AND u.mode = r.mode
           GROUP BY ALL),
      supplier_days AS (
          SELECT ss.sku_id, max(s.lead_time_mean_days) AS days
            FROM sku_supplier ss JOIN supplier s USING (supplier_id) WHERE ss.is_primary GROUP BY ALL)
      SELECT k.sku_id, w.warehouse_id,
             coalesce(rd.days, sd.days, {DEFAULT_LEAD_TIME_DAYS}) AS lead_time_days
        FROM sku k CROSS JOIN warehouse w
        LEFT JOIN route_days rd ON rd.warehouse_id = w.warehouse_id
        LEFT JOIN supplier_days sd ON sd.sku_id = k.sku_id""")


def _fmt(value: pl.Expr, decimals: int = 0) -> pl.Expr:
    if decimals == 0:
        return value.round(0).cast(pl.Int64).cast(pl.String)
    return value.round(decimals).cast(pl.String)


def stockout_risk(loc: pl.DataFrame, leads: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    review = settings.review_period_days
    frame = loc.join(leads, on=["sku_id", "warehouse_id"], how="left").with_columns(
        pl.col("lead_time_days").fill_null(DEFAULT_LEAD_TIME_DAYS),
        ((pl.col("ending_available") + pl.col("ending_transit_units")) / pl.col("demand_rate")).alias("position_cover"),
    ).filter((pl.col("demand_rate") > 0) & (pl.col("days_of_cover") < pl.col("lead_time_days") + review)
             & (pl.col("position_cover") < pl.col("lead_time_days") + review))
    need = (pl.col("demand_rate") * (pl.col("lead_time_days") + review)
            - pl.col("ending_available") - pl.col("ending_transit_units")).ceil()
    source = pl.when(pl.col("cover_from_forecast") > 0.5).then(pl.lit(P.DEMAND_FROM_FORECAST.en)).otherwise(
        pl.lit(P.DEMAND_FROM_AVERAGE.en.format(settings.cover_lookback_days)))
    return frame.select(
        pl.lit("stockout_risk").alias("alert_type"),
        pl.when((pl.col("ending_available") <= 0) | (pl.col("position_cover") < pl.col("lead_time_days")))
        .then(pl.lit("critical")).otherwise(pl.lit("warning")).alias("severity"),
        "sku_id", "warehouse_id",
        pl.format(P.STOCKOUT_WHAT.en, "sku_id", "warehouse_id", _fmt(pl.col("days_of_cover"), 1))
        .alias("what"),
        pl.format(P.STOCKOUT_WHY.en, _fmt(pl.col("ending_available")),
                  _fmt(pl.col("ending_transit_units")), _fmt(pl.col("demand_rate"), 2), source,
                  _fmt(pl.col("lead_time_days")), pl.lit(str(review))).alias("why"),
        pl.format(P.STOCKOUT_ACTION.en, _fmt(need)).alias("action"),
    )


def overstock(loc: pl.DataFrame, classes: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    limit = (pl.when(pl.col("abc") == "A").then(settings.overstock_cover_days_a)
             .when(pl.col("abc") == "B").then(settings.overstock_cover_days_b)
             .otherwise(settings.overstock_cover_days_c))
    frame = loc.join(classes.select("sku_id", "warehouse_id", "abc"), on=["sku_id", "warehouse_id"], how="left")
    frame = frame.with_columns(pl.col("abc").fill_null("C"), limit.alias("limit")).filter(
        (pl.col("demand_rate") > 0) & (pl.col("days_of_cover") > pl.col("limit")))
    excess = (pl.col("ending_available") - pl.col("demand_rate") * pl.col("limit")).floor()
    return frame.select(
        pl.lit("overstock").alias("alert_type"),
        pl.when(pl.col("days_of_cover") > 2 * pl.col("limit")).then(pl.lit("warning")).otherwise(pl.lit("info"))
        .alias("severity"),
        "sku_id", "warehouse_id",
        pl.format(P.OVERSTOCK_WHAT.en, "sku_id", "warehouse_id",
                  _fmt(pl.col("days_of_cover")), _fmt(pl.col("limit")), "abc").alias("what"),
        pl.format(P.OVERSTOCK_WHY.en,
                  _fmt(pl.col("ending_available")), _fmt(pl.col("demand_rate"), 2), _fmt(pl.col("ending_value")))
        .alias("why"),
        pl.format(P.OVERSTOCK_ACTION.en, _fmt(excess)).alias("action"),
    )


def aging_tier(layers: pl.DataFrame, as_of: date, settings: Settings) -> pl.DataFrame:
    soon = layers.filter(pl.col("next_tier_in_days").is_not_null() & (pl.col("next_tier_in_days") > 0)
                         & (pl.col("next_tier_in_days") <= settings.aging_alert_days))
    grouped = soon.group_by("sku_id", "warehouse_id").agg(
        pl.col("units").sum(), pl.col("next_tier_in_days").min().alias("days"),
        (pl.col("next_tier_surcharge_month") - pl.col("surcharge_month")).sum().alias("extra"),
        pl.col("received").min())
    return grouped.sort("sku_id", "warehouse_id").select(
        pl.lit("aging_tier").alias("alert_type"),
        pl.when(pl.col("extra") >= 100).then(pl.lit("warning")).otherwise(pl.lit("info")).alias("severity"),
        "sku_id", "warehouse_id",
        pl.format(P.AGING_WHAT.en, "sku_id",
                  "warehouse_id", _fmt(pl.col("units")), _fmt(pl.col("days"))).alias("what"),
        pl.format(P.AGING_WHY.en, "received",
                  _fmt(pl.col("extra"), 2)).alias("why"),
        pl.format(P.AGING_ACTION.en,
                  (pl.lit(as_of) + pl.duration(days=pl.col("days"))).cast(pl.String)).alias("action"),
    )


def turnover_slowing(current: pl.DataFrame, previous: pl.DataFrame, window: int,
                     settings: Settings) -> pl.DataFrame:
    keys = ["sku_id", "warehouse_id"]
    prev = previous.select(*keys, pl.col("turnover").alias("prev"))
    frame = current.join(prev, on=keys, how="inner").filter(
        (pl.col("prev") > 0) & pl.col("turnover").is_not_null()
        & (pl.col("turnover") <= pl.col("prev") * (1 - settings.turnover_slowdown_threshold)))
    drop = ((1 - pl.col("turnover") / pl.col("prev")) * 100).round(0).cast(pl.Int64).cast(pl.String)
    return frame.select(
        pl.lit("turnover_slowing").alias("alert_type"), pl.lit("warning").alias("severity"), *keys,
        pl.format(P.TURNOVER_WHAT.en, "sku_id", "warehouse_id", drop,
                  pl.lit(str(window))).alias("what"),
        pl.format(P.TURNOVER_WHY.en, _fmt(pl.col("turnover"), 2),
                  _fmt(pl.col("cogs")), _fmt(pl.col("avg_inventory_value")), _fmt(pl.col("prev"), 2)).alias("why"),
        pl.lit(P.TURNOVER_ACTION.en).alias("action"),
    )


def receivable_overdue(items: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    late = items.filter(pl.col("days_past_due") > settings.receivable_grace_days)
    return late.select(
        pl.lit("receivable_overdue").alias("alert_type"),
        pl.when(pl.col("days_past_due") > 30).then(pl.lit("critical")).otherwise(pl.lit("warning")).alias("severity"),
        pl.lit(None, pl.String).alias("sku_id"), pl.lit(None, pl.String).alias("warehouse_id"),
        pl.format(P.RECEIVABLE_WHAT.en, "doc_id", "party", _fmt(pl.col("days_past_due"))).alias("what"),
        pl.format(P.RECEIVABLE_WHY.en, _fmt(pl.col("open_amount"), 2), pl.col("due_date").cast(pl.String)).alias("why"),
        pl.format(P.RECEIVABLE_ACTION.en, "party").alias("action"),
    )


def compute_alerts(wh: Warehouse, as_of: date, settings: Settings) -> pl.DataFrame:
    """All alerts on `as_of` (not stored): ALERT_COLUMNS."""
    window = settings.turnover_alert_window_days
    recent = Period(as_of - timedelta(days=window - 1), as_of)
    loc = compute(base_facts(wh, recent, settings), "sku-warehouse", recent.days)
    before = compute(base_facts(wh, recent.previous(), settings, scope="turnover"), "sku-warehouse", window)
    classes = abc_xyz(wh, as_of, settings, by="sku-warehouse")
    parts = [
        stockout_risk(loc, lead_times(wh), settings),
        overstock(loc, classes, settings),
        aging_tier(aging_layers(wh, as_of, settings), as_of, settings),
        turnover_slowing(loc, before, window, settings),
        receivable_overdue(open_items(wh, "receivable", as_of, settings), settings),
    ]
    frames = [p.select(ALERT_COLUMNS) for p in parts if p.height]
    if not frames:
        return pl.DataFrame(schema=dict.fromkeys(ALERT_COLUMNS, pl.String))
    order = {"critical": 0, "warning": 1, "info": 2}
    return pl.concat(frames).sort(
        pl.col("severity").replace_strict(order, return_dtype=pl.Int8), "alert_type", "sku_id", "warehouse_id",
        nulls_last=True)


def run_alerts(wh: Warehouse, settings: Settings, as_of: date) -> tuple[str, pl.DataFrame]:
    """Compute the alerts and store them under a new `alert` run; returns (run_id, alerts)."""
    alerts = compute_alerts(wh, as_of, settings)
    with wh.transaction():
        run_id = start_run(wh, "alert", as_of=as_of, parameters={
            k: getattr(settings, k) for k in (
                "review_period_days", "overstock_cover_days_a", "overstock_cover_days_b", "overstock_cover_days_c",
                "aging_alert_days", "turnover_slowdown_threshold", "turnover_alert_window_days",
                "receivable_grace_days")})
        stored = alerts.with_columns(
            pl.lit(run_id).alias("run_id"),
            pl.int_range(1, pl.len() + 1, dtype=pl.Int32).alias("alert_id"),
        )
        insert_frame(wh, "alert", stored)
        finish_run(wh, run_id)
    return run_id, alerts


def stored_alerts(wh: Warehouse, run_id: str | None = None) -> pl.DataFrame:
    """Alerts of a run (default: the latest finished alert run)."""
    if run_id is None:
        rows = wh.con.execute("SELECT run_id FROM run WHERE kind = 'alert' AND finished_at IS NOT NULL "
                              "ORDER BY started_at DESC LIMIT 1").fetchall()
        if not rows:
            return pl.DataFrame(schema={"run_id": pl.String, **dict.fromkeys(ALERT_COLUMNS, pl.String)})
        run_id = str(rows[0][0])
    return query(wh, "SELECT run_id, alert_id, " + ", ".join(ALERT_COLUMNS) + ", created_at FROM alert "
                 "WHERE run_id = $run ORDER BY alert_id", {"run": run_id})
