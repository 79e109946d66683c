"""Stock per SKU-location, company KPIs with their trend, and per-warehouse totals.

One vectorised DuckDB query builds the SKU-location summary; the pages cache it per data version and
filter, sort and page it in Polars, so a list page over 100k+ rows costs milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from stockturn.settings import Settings
from stockturn.warehouse import Warehouse
from stockturn.web.queries.common import COST_CTE, FX_CTE, frame, rows

WINDOW_DAYS = 90
STATUSES = ("stockout", "low", "ok", "overstock", "no_sales")
CLASSES = ("A", "B", "C")

_SUMMARY_SQL = f"""
WITH {FX_CTE}, {COST_CTE},
latest AS (
    SELECT sku_id, warehouse_id, max(snapshot_date) AS last_snapshot,
           arg_max(on_hand, snapshot_date) AS on_hand, arg_max(reserved, snapshot_date) AS reserved,
           arg_max(inbound, snapshot_date) AS inbound,
           count(*) FILTER (WHERE snapshot_date > $asof - {WINDOW_DAYS} AND on_hand - reserved <= 0)
               AS stockout_days
    FROM stock_snapshot WHERE snapshot_date <= $asof GROUP BY ALL
),
sold AS (
    SELECT s.sku_id, s.warehouse_id,
           sum(s.qty) FILTER (WHERE s.ordered_at >= $asof - {WINDOW_DAYS - 1}) AS units,
           sum(s.qty * s.unit_price * fx.rate) FILTER (WHERE s.ordered_at >= $asof - {WINDOW_DAYS - 1}) AS revenue,
           sum(s.qty) FILTER (WHERE s.ordered_at >= $asof - ($lookback - 1)) AS units_lookback,
           sum(s.qty * s.unit_price * fx.rate) FILTER (WHERE s.ordered_at >= $asof - ($abc_days - 1)) AS revenue_abc
    FROM sales_line s LEFT JOIN fx ON fx.currency = s.currency
    WHERE s.sku_id IS NOT NULL AND s.warehouse_id IS NOT NULL AND s.line_type IN ('product', 'return')
      AND s.ordered_at >= $asof - (greatest($abc_days, $lookback, {WINDOW_DAYS}) - 1) AND s.ordered_at < $asof + 1
    GROUP BY ALL
),
keys AS (SELECT sku_id, warehouse_id FROM latest UNION SELECT sku_id, warehouse_id FROM sold),
sku_revenue AS (
    SELECT sku_id, sum(coalesce(revenue_abc, 0)) AS rev FROM sold GROUP BY sku_id
),
abc AS (
    SELECT sku_id,
           CASE WHEN total <= 0 OR rev <= 0 THEN 'C'
                WHEN (running - rev) / total < $a_share THEN 'A'
                WHEN (running - rev) / total < $b_share THEN 'B' ELSE 'C' END AS abc_class
    FROM (SELECT sku_id, rev, sum(rev) OVER () AS total,
                 sum(rev) OVER (ORDER BY rev DESC, sku_id ROWS UNBOUNDED PRECEDING) AS running
          FROM sku_revenue)
),
fc AS (
    SELECT sku_id, warehouse_id, avg(mean) AS forecast_daily FROM forecast
    WHERE run_id = $forecast_run
      AND ds < (SELECT min(ds) FROM forecast WHERE run_id = $forecast_run) + $horizon
    GROUP BY ALL
),
transit AS (
    SELECT to_warehouse_id AS warehouse_id, max(transit_mean_days + customs_days + receiving_days) AS days
    FROM route GROUP BY 1
),
lead AS (
    SELECT ss.sku_id, max(sup.lead_time_mean_days) AS supplier_days
    FROM sku_supplier ss JOIN supplier sup USING (supplier_id) WHERE ss.is_primary GROUP BY 1
),
base AS (
    SELECT k.sku_id, k.warehouse_id, s.title, s.category, s.brand, s.lifecycle,
           coalesce(a.abc_class, 'C') AS abc_class,
           coalesce(l.on_hand, 0) AS on_hand,
           coalesce(l.on_hand, 0) - coalesce(l.reserved, 0) AS available,
           coalesce(l.inbound, 0) AS inbound,
           coalesce(d.units, 0) AS units_90d,
           coalesce(d.revenue, 0) AS revenue_90d,
           coalesce(f.forecast_daily, greatest(coalesce(d.units_lookback, 0), 0) / $lookback) AS daily_demand,
           f.forecast_daily IS NOT NULL AS demand_from_forecast,
           coalesce(l.stockout_days, 0) AS stockout_days_90d,
           c.unit_cost,
           coalesce(ld.supplier_days, 0) + coalesce(t.days, 0) + $review_days AS lead_time_days
    FROM keys k
    LEFT JOIN latest l USING (sku_id, warehouse_id)
    LEFT JOIN sold d USING (sku_id, warehouse_id)
    LEFT JOIN sku s ON s.sku_id = k.sku_id
    LEFT JOIN abc a ON a.sku_id = k.sku_id
    LEFT JOIN fc f ON f.sku_id = k.sku_id AND f.warehouse_id = k.warehouse_id
    LEFT JOIN cost c ON c.sku_id = k.sku_id
    LEFT JOIN lead ld ON ld.sku_id = k.sku_id
    LEFT JOIN transit t ON t.warehouse_id = k.warehouse_id
)
SELECT *,
       CASE WHEN daily_demand > 0 THEN greatest(available, 0) / daily_demand END AS cover_days,
       on_hand * unit_cost AS stock_value,
       CASE WHEN available <= 0 THEN 'stockout'
            WHEN units_90d <= 0 THEN 'no_sales'
            WHEN available / daily_demand < lead_time_days THEN 'low'
            WHEN available / daily_demand > CASE abc_class WHEN 'A' THEN $over_a WHEN 'B' THEN $over_b
                                                ELSE $over_c END THEN 'overstock'
            ELSE 'ok' END AS status
FROM base
ORDER BY sku_id, warehouse_id
"""


def sku_location_summary(wh: Warehouse, settings: Settings, asof: date, forecast_run: str | None) -> pl.DataFrame:
    """One row per SKU x warehouse: stock, 90-day sales, demand, cover, stockout days, class, status."""
    params = {"base": settings.base_currency, "asof": asof, "forecast_run": forecast_run,
              "review_days": settings.review_period_days, "lookback": settings.cover_lookback_days,
              "horizon": settings.cover_forecast_horizon_days, "abc_days": settings.abc_window_days,
              "a_share": settings.abc_a_share, "b_share": settings.abc_b_share,
              "over_a": settings.overstock_cover_days_a, "over_b": settings.overstock_cover_days_b,
              "over_c": settings.overstock_cover_days_c}
    return frame(wh, _SUMMARY_SQL, params)


@dataclass(frozen=True)
class SkuQuery:
    q: str = ""
    warehouse: str = ""
    category: str = ""
    abc_class: str = ""
    status: str = ""
    sort: str = "stock_value"
    desc: bool = True
    page: int = 1
    per_page: int = 50


SORTABLE = ("sku_id", "warehouse_id", "title", "category", "abc_class", "on_hand", "available", "units_90d",
            "revenue_90d", "daily_demand", "cover_days", "stockout_days_90d", "stock_value", "status")


def filter_summary(summary: pl.DataFrame, query: SkuQuery) -> pl.DataFrame:
    """Search, filter and sort (not paged) the summary."""
    out = summary
    if query.q:
        needle = query.q.strip().lower()
        out = out.filter(
            pl.col("sku_id").str.to_lowercase().str.contains(needle, literal=True)
            | pl.col("title").fill_null("").str.to_lowercase().str.contains(needle, literal=True)
        )
    for column, value in (("warehouse_id", query.warehouse), ("category", query.category),
                          ("abc_class", query.abc_class), ("status", query.status)):
        if value:
            out = out.filter(pl.col(column) == value)
    sort = query.sort if query.sort in SORTABLE else "stock_value"
    return out.sort([sort, "sku_id", "warehouse_id"], descending=[query.desc, False, False], nulls_last=True)


# --- company KPIs ----------------------------------------------------------------------------------
_KPI_SQL = f"""
WITH {FX_CTE}, {COST_CTE},
inv AS (
    SELECT s.snapshot_date AS day, sum(s.on_hand * c.unit_cost) AS value, count(*) AS locations,
           count(*) FILTER (WHERE s.on_hand - s.reserved <= 0) AS out_locations
    FROM stock_snapshot s JOIN cost c USING (sku_id)
    WHERE s.snapshot_date > $start AND s.snapshot_date <= $asof GROUP BY 1
),
sales AS (
    SELECT s.ordered_at::DATE AS day, sum(s.qty * c.unit_cost) AS cogs, sum(s.qty * s.unit_price * fx.rate) AS revenue
    FROM sales_line s JOIN cost c USING (sku_id) LEFT JOIN fx ON fx.currency = s.currency
    WHERE s.line_type IN ('product', 'return') AND s.ordered_at > $start AND s.ordered_at < $asof + 1
    GROUP BY 1
)
SELECT coalesce(i.day, d.day) AS day, i.value, i.locations, i.out_locations, coalesce(d.cogs, 0) AS cogs,
       coalesce(d.revenue, 0) AS revenue
FROM inv i FULL JOIN sales d ON i.day = d.day ORDER BY 1
"""

_BALANCE_SQL = f"""
WITH {FX_CTE}, {COST_CTE}
SELECT
  (SELECT coalesce(sum(sl.qty * c.unit_cost), 0) FROM shipment sh JOIN shipment_line sl USING (shipment_id)
     JOIN cost c ON c.sku_id = sl.sku_id
   WHERE sh.status <> 'cancelled' AND sh.ship_date <= $day AND (sh.arrived_date IS NULL OR sh.arrived_date > $day))
     AS in_transit,
  (SELECT coalesce(sum(pl.qty_ordered * pl.unit_price * fx.rate * po.deposit_share), 0)
   FROM purchase_order po JOIN purchase_order_line pl USING (po_id) JOIN fx ON fx.currency = po.currency
   WHERE po.status = 'open' AND po.ordered_at <= $day) AS po_deposits,
  (SELECT coalesce(sum(greatest(r.amount - CASE WHEN r.paid_date <= $day THEN r.paid_amount ELSE 0 END, 0) * fx.rate), 0)
   FROM receivable r JOIN fx ON fx.currency = r.currency WHERE r.issued_date <= $day) AS receivables,
  (SELECT coalesce(sum(greatest(p.amount - CASE WHEN p.paid_date <= $day THEN p.paid_amount ELSE 0 END, 0) * fx.rate), 0)
   FROM payable p JOIN fx ON fx.currency = p.currency WHERE p.issued_date <= $day) AS payables
"""


def _window(daily: pl.DataFrame, end: date, days: int, balances: dict[str, Any]) -> dict[str, float | None]:
    part = daily.filter((pl.col("day") > end - timedelta(days=days)) & (pl.col("day") <= end))
    avg_value = part["value"].drop_nulls().mean()
    cogs = float(part["cogs"].sum())
    revenue = float(part["revenue"].sum())
    locations = float(part["locations"].fill_null(0).sum())
    out = float(part["out_locations"].fill_null(0).sum())
    end_value = part.filter(pl.col("value").is_not_null())["value"].tail(1)
    daily_cogs = cogs / days
    daily_revenue = revenue / days
    avg = float(avg_value) if isinstance(avg_value, int | float) else None
    turnover = cogs * 365 / days / avg if avg else None
    dio = avg / daily_cogs if avg is not None and daily_cogs > 0 else None
    dso = balances["receivables"] / daily_revenue if daily_revenue > 0 else None
    dpo = balances["payables"] / daily_cogs if daily_cogs > 0 else None
    on_hand_value = float(end_value[0]) if end_value.len() else 0.0
    return {
        "turnover": turnover,
        "dio_days": dio,
        "stockout_rate": out / locations if locations else None,
        "cash_in_stock": on_hand_value + balances["in_transit"] + balances["po_deposits"],
        "on_hand_value": on_hand_value,
        "in_transit_value": float(balances["in_transit"]),
        "ccc_days": dio + dso - dpo if dio is not None and dso is not None and dpo is not None else None,
        "dso_days": dso,
        "dpo_days": dpo,
        "revenue": revenue,
        "cogs": cogs,
    }


def overview(wh: Warehouse, settings: Settings, asof: date, alert_run: str | None) -> dict[str, Any]:
    """KPIs over the last 90 days and the 90 days before, plus a monthly trend over the last year."""
    params = {"base": settings.base_currency, "asof": asof, "start": asof - timedelta(days=365)}
    daily = frame(wh, _KPI_SQL, params)
    windows = {}
    for name, end in (("current", asof), ("previous", asof - timedelta(days=WINDOW_DAYS))):
        balances = rows(wh, _BALANCE_SQL, {"base": settings.base_currency, "asof": asof, "day": end})[0]
        windows[name] = _window(daily, end, WINDOW_DAYS, balances)
    open_alerts = 0
    if alert_run:
        open_alerts = int(wh.scalar(
            "SELECT count(*) FROM alert WHERE run_id = ? AND acknowledged_at IS NULL", [alert_run]))
    monthly = (
        daily.with_columns(pl.col("day").dt.truncate("1mo").alias("month"))
        .group_by("month").agg(pl.col("value").mean(), pl.col("cogs").sum(), pl.col("revenue").sum(),
                               pl.col("locations").sum(), pl.col("out_locations").sum(), pl.len().alias("days"))
        .sort("month")
        .with_columns(
            (pl.col("cogs") * 365 / pl.col("days") / pl.col("value")).alias("turnover"),
            (pl.col("out_locations") / pl.col("locations")).alias("stockout_rate"),
        )
    )
    return {
        "as_of": asof,
        "window_days": WINDOW_DAYS,
        "currency": settings.base_currency,
        "current": windows["current"],
        "previous": windows["previous"],
        "open_alerts": open_alerts,
        "alert_run": alert_run,
        "monthly": monthly.select("month", "value", "turnover", "stockout_rate", "revenue").to_dicts(),
    }


# --- warehouses ------------------------------------------------------------------------------------
_AGING_SQL = f"""
WITH latest AS (
    SELECT sku_id, warehouse_id, arg_max(on_hand, snapshot_date) AS on_hand
    FROM stock_snapshot WHERE snapshot_date <= $asof GROUP BY ALL
),
rec AS (
    SELECT m.warehouse_id, m.sku_id, m.moved_at::DATE AS received, m.qty
    FROM stock_movement m
    WHERE m.movement_type IN ('receipt', 'transfer_in', 'return') AND m.qty > 0 AND m.moved_at < $asof + 1
      {{sku_filter}}
),
layered AS (
    SELECT r.*, sum(r.qty) OVER (PARTITION BY r.warehouse_id, r.sku_id ORDER BY r.received DESC, r.qty
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS newer
    FROM rec r
),
layers AS (
    SELECT l.warehouse_id, l.sku_id, l.received,
           least(l.qty, greatest(0, s.on_hand - coalesce(l.newer, 0))) AS units
    FROM layered l JOIN latest s USING (warehouse_id, sku_id)
)
SELECT warehouse_id, sku_id, received, $asof - received AS age_days, units FROM layers WHERE units > 0
"""
AGE_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, 180), (181, 270), (271, 365), (366, None))


def age_bucket_label(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low - 1}+"


def aging_layers(wh: Warehouse, asof: date, sku_id: str | None = None) -> pl.DataFrame:
    """FIFO receipt layers still on hand: the newest receipts make up today's stock."""
    sql = _AGING_SQL.replace("{sku_filter}", "AND m.sku_id = $sku" if sku_id else "")
    params: dict[str, Any] = {"asof": asof}
    if sku_id:
        params["sku"] = sku_id
    return frame(wh, sql, params)


def bucketed(layers: pl.DataFrame, by: str) -> pl.DataFrame:
    """Units per `by` and age bucket."""
    expr = pl.lit(age_bucket_label(*AGE_BUCKETS[-1]))
    for low, high in reversed(AGE_BUCKETS[:-1]):
        assert high is not None
        expr = pl.when(pl.col("age_days") <= high).then(pl.lit(age_bucket_label(low, high))).otherwise(expr)
    return layers.with_columns(expr.alias("bucket")).group_by(by, "bucket").agg(pl.col("units").sum())


_WAREHOUSE_FEES_SQL = f"""
WITH {FX_CTE}
SELECT f.warehouse_id, sum(f.amount * fx.rate) AS fees_90d
FROM fee f JOIN fx ON fx.currency = f.currency
WHERE f.warehouse_id IS NOT NULL AND f.period_end > $asof - {WINDOW_DAYS} AND f.period_start <= $asof
GROUP BY 1
"""


def warehouses(wh: Warehouse, settings: Settings, asof: date, summary: pl.DataFrame) -> list[dict[str, Any]]:
    """Per warehouse: stock units and value, cover, share of stock older than 90 days, fees, stockout rate."""
    meta = frame(wh, "SELECT warehouse_id, name, type, country, region, currency FROM warehouse")
    fees = frame(wh, _WAREHOUSE_FEES_SQL, {"base": settings.base_currency, "asof": asof})
    layers = aging_layers(wh, asof)
    old = layers.group_by("warehouse_id").agg(
        pl.col("units").filter(pl.col("age_days") > 90).sum().alias("units_over_90d"),
        pl.col("units").sum().alias("layered_units"),
    )
    totals = summary.group_by("warehouse_id").agg(
        pl.len().alias("skus"),
        pl.col("on_hand").sum(),
        pl.col("available").clip(lower_bound=0).sum().alias("available"),
        pl.col("stock_value").sum(),
        pl.col("daily_demand").sum(),
        (pl.col("status") == "stockout").sum().alias("skus_out"),
        pl.col("stockout_days_90d").sum(),
    )
    out = (
        meta.join(totals, on="warehouse_id", how="left")
        .join(fees, on="warehouse_id", how="left")
        .join(old, on="warehouse_id", how="left")
        .with_columns(
            pl.when(pl.col("daily_demand") > 0).then(pl.col("available") / pl.col("daily_demand"))
            .otherwise(None).alias("cover_days"),
            pl.when(pl.col("layered_units") > 0).then(pl.col("units_over_90d") / pl.col("layered_units"))
            .otherwise(None).alias("share_over_90d"),
            (pl.col("stockout_days_90d") / (pl.col("skus") * WINDOW_DAYS)).alias("stockout_rate"),
        )
        .sort("warehouse_id")
    )
    return out.to_dicts()
