"""Stock per SKU-location, company KPIs with their trend, and per-warehouse totals.

One vectorised DuckDB query builds the SKU-location summary; the pages cache it per data version and
filter, sort and page it in Polars, so a list page over 100k+ rows costs milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

import stockturn.analytics as an
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse
from stockturn.web.queries.common import frame

WINDOW_DAYS = 90
STATUSES = ("stockout", "low", "ok", "slow", "dead", "inactive")
CLASSES = ("A", "B", "C")

_STOCK_SQL = """
WITH latest AS (
    SELECT sku_id, warehouse_id, arg_max(on_hand, snapshot_date) AS on_hand,
           arg_max(reserved, snapshot_date) AS reserved, arg_max(inbound, snapshot_date) AS inbound
    FROM stock_snapshot WHERE snapshot_date <= $asof GROUP BY ALL
),
transit AS (
    SELECT to_warehouse_id AS warehouse_id, max(transit_mean_days + customs_days + receiving_days) AS days
    FROM route GROUP BY 1
),
lead AS (
    SELECT ss.sku_id, max(sup.lead_time_mean_days) AS supplier_days
    FROM sku_supplier ss JOIN supplier sup USING (supplier_id) WHERE ss.is_primary GROUP BY 1
)
SELECT l.sku_id, l.warehouse_id, l.on_hand, l.on_hand - l.reserved AS available, l.inbound,
       coalesce(ld.supplier_days, 0) + coalesce(t.days, 0) + $review_days AS lead_time_days
FROM latest l LEFT JOIN lead ld USING (sku_id) LEFT JOIN transit t USING (warehouse_id)
"""

_METRIC_COLUMNS = (
    "units_sold",
    "revenue",
    "stockout_days",
    "stockout_rate",
    "days_of_cover",
    "demand_rate",
    "forecast_rate",
    "cover_from_forecast",
    "ending_value",
    "turnover_annualised",
    "lost_units",
    "net_profit",
)


def sku_location_summary(wh: Warehouse, settings: Settings, asof: date, forecast_run: str | None) -> pl.DataFrame:
    """One row per SKU x warehouse: today's stock, and the analytics library's metrics over the default
    period (the same numbers as `stockturn report turnover --by sku-warehouse`), ABC class, status."""
    del forecast_run  # the analytics library reads the latest forecast itself
    period = an.resolve_period(wh, settings, None, asof)
    metrics = an.metrics(wh, settings, by="sku-warehouse", period=period, with_previous=False).select(
        "sku_id", "warehouse_id", *_METRIC_COLUMNS
    )
    stock = frame(wh, _STOCK_SQL, {"asof": asof, "review_days": settings.review_period_days})
    classes = an.abc_xyz(wh, asof, settings).select(
        "sku_id", pl.col("abc").alias("abc_class"), pl.col("class").alias("abc_xyz")
    )
    slow = an.slow_dead_stock(wh, period, settings).select(
        "sku_id", "warehouse_id", pl.col("status").alias("stock_status")
    )
    master = frame(wh, "SELECT sku_id, title, category, brand, lifecycle FROM sku")
    out = (
        stock.join(metrics, on=["sku_id", "warehouse_id"], how="full", coalesce=True)
        .join(master, on="sku_id", how="left")
        .join(classes, on="sku_id", how="left")
        .join(slow, on=["sku_id", "warehouse_id"], how="left")
        .with_columns(
            pl.col(
                "on_hand", "available", "inbound", "units_sold", "revenue", "stockout_days", "ending_value"
            ).fill_null(0.0),
            pl.col("abc_class").fill_null("C"),
            pl.when(pl.col("forecast_rate").fill_null(0) > 0)
            .then(pl.col("forecast_rate"))
            .otherwise(pl.col("demand_rate"))
            .fill_null(0.0)
            .alias("daily_demand"),
            pl.col("days_of_cover").alias("cover_days"),
            pl.col("ending_value").alias("stock_value"),
        )
    )
    status = (
        pl.when((pl.col("available") <= 0) & (pl.col("daily_demand") > 0))
        .then(pl.lit("stockout"))
        .when(pl.col("available") <= 0)
        .then(pl.lit("inactive"))
        .when(pl.col("stock_status") == "dead")
        .then(pl.lit("dead"))
        .when(pl.col("cover_days") < pl.col("lead_time_days"))
        .then(pl.lit("low"))
        .when(pl.col("stock_status") == "slow")
        .then(pl.lit("slow"))
        .otherwise(pl.lit("ok"))
    )
    return out.with_columns(status.alias("status")).sort("sku_id", "warehouse_id")


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


SORTABLE = (
    "sku_id",
    "warehouse_id",
    "title",
    "category",
    "abc_class",
    "on_hand",
    "available",
    "units_sold",
    "revenue",
    "daily_demand",
    "cover_days",
    "stockout_days",
    "stock_value",
    "status",
)


def filter_summary(summary: pl.DataFrame, query: SkuQuery) -> pl.DataFrame:
    """Search, filter and sort (not paged) the summary."""
    out = summary
    if query.q:
        needle = query.q.strip().lower()
        out = out.filter(
            pl.col("sku_id").str.to_lowercase().str.contains(needle, literal=True)
            | pl.col("title").fill_null("").str.to_lowercase().str.contains(needle, literal=True)
        )
    for column, value in (
        ("warehouse_id", query.warehouse),
        ("category", query.category),
        ("abc_class", query.abc_class),
        ("status", query.status),
    ):
        if value:
            out = out.filter(pl.col(column) == value)
    sort = query.sort if query.sort in SORTABLE else "stock_value"
    return out.sort([sort, "sku_id", "warehouse_id"], descending=[query.desc, False, False], nulls_last=True)


# --- company KPIs ----------------------------------------------------------------------------------
# A chart-only monthly series (stock value and annualised turnover per month) from the snapshots; the KPI
# cards themselves come from the analytics library.
_MONTHLY_SQL = """
WITH cost AS (
    SELECT u.sku_id, arg_max((u.purchase_cost + u.freight_cost + u.duty_cost + u.other_cost) * coalesce(fx.rate, 1),
                             u.valid_from) AS unit_cost
    FROM unit_cost u LEFT JOIN (
        SELECT currency, arg_max(rate, rate_date) AS rate FROM fx_rate
        WHERE quote_currency = $base AND rate_date <= $asof GROUP BY currency) fx ON fx.currency = u.currency
    WHERE u.valid_from <= $asof GROUP BY u.sku_id
),
inv AS (
    SELECT date_trunc('month', s.snapshot_date) AS month, sum(s.on_hand * c.unit_cost) / count(DISTINCT s.snapshot_date)
           AS value, count(DISTINCT s.snapshot_date) AS days
    FROM stock_snapshot s JOIN cost c USING (sku_id)
    WHERE s.snapshot_date > $start AND s.snapshot_date <= $asof GROUP BY 1
),
sold AS (
    SELECT date_trunc('month', s.ordered_at)::DATE AS month, sum(s.qty * c.unit_cost) AS cogs
    FROM sales_line s JOIN cost c USING (sku_id)
    WHERE s.line_type IN ('product', 'return') AND s.ordered_at > $start AND s.ordered_at < $asof + 1 GROUP BY 1
)
SELECT i.month::DATE AS month, i.value, CASE WHEN i.value > 0 THEN coalesce(d.cogs, 0) * 365 / i.days / i.value END
       AS turnover
FROM inv i LEFT JOIN sold d ON d.month = i.month::DATE ORDER BY 1
"""


def _kpis(wh: Warehouse, settings: Settings, period: an.Period) -> dict[str, float | None]:
    company = an.metrics(wh, settings, by="company", period=period, with_previous=False).row(0, named=True)
    cash = an.cash_tied_up(wh, period.end, settings).filter(pl.col("warehouse_id") == "TOTAL").row(0, named=True)
    cycle = an.cash_cycle(wh, period, settings)
    return {
        "turnover": company["turnover_annualised"],
        "dio_days": company["dio"],
        "stockout_rate": company["stockout_rate"],
        "fill_rate": company["fill_rate"],
        "cash_in_stock": cash["cash_tied_up"],
        "on_hand_value": cash["on_hand_value"],
        "in_transit_value": cash["in_transit_value"],
        "open_po_paid": cash["open_po_paid"],
        "ccc_days": cycle.ccc,
        "dso_days": cycle.dso,
        "dpo_days": cycle.dpo,
        "revenue": company["revenue"],
        "cogs": company["cogs"],
        "net_profit": company["net_profit"],
    }


def overview(wh: Warehouse, settings: Settings, asof: date, alert_run: str | None) -> dict[str, Any]:
    """KPIs over the default period (setting default_period) and the period before, from the analytics
    library (the numbers of `stockturn report overview` and `report cash`), plus a monthly chart series."""
    period = an.resolve_period(wh, settings, None, asof)
    previous = period.previous()
    open_alerts = 0
    if alert_run:
        open_alerts = int(
            wh.con.execute(
                "SELECT count(*) FROM alert WHERE run_id = ? AND acknowledged_at IS NULL", [alert_run]
            ).fetchall()[0][0]
        )
    monthly = frame(
        wh, _MONTHLY_SQL, {"base": settings.base_currency, "asof": asof, "start": asof - timedelta(days=365)}
    )
    return {
        "as_of": asof,
        "period": {"start": period.start, "end": period.end, "days": period.days},
        "previous_period": {"start": previous.start, "end": previous.end, "days": previous.days},
        "currency": settings.base_currency,
        "current": _kpis(wh, settings, period),
        "previous": _kpis(wh, settings, previous),
        "open_alerts": open_alerts,
        "alert_run": alert_run,
        "monthly": monthly.to_dicts(),
    }


# --- warehouses ------------------------------------------------------------------------------------
def warehouses(wh: Warehouse, settings: Settings, asof: date, summary: pl.DataFrame) -> list[dict[str, Any]]:
    """Per warehouse: SKUs, stock units and value (incl. in transit to it), turnover, DIO, cover, share of
    units older than 90 days (FIFO), holding cost and stockout rate over the default period."""
    period = an.resolve_period(wh, settings, None, asof)
    meta = frame(wh, "SELECT warehouse_id, name, type, country, region, currency FROM warehouse")
    metrics = an.metrics(wh, settings, by="warehouse", period=period, with_previous=False).select(
        "warehouse_id",
        "ending_units",
        "ending_value",
        "ending_transit_value",
        "turnover_annualised",
        "dio",
        "days_of_cover",
        "stockout_rate",
        "storage_cost",
        "aged_surcharge",
        "holding_cost",
    )
    layers = an.aging_layers(wh, asof, settings)
    old = layers.group_by("warehouse_id").agg(
        pl.col("units").filter(pl.col("age_days") > 90).sum().alias("units_over_90d"),
        pl.col("units").sum().alias("layered_units"),
    )
    skus = summary.filter(pl.col("on_hand") > 0).group_by("warehouse_id").agg(pl.len().alias("skus"))
    out = (
        meta.join(metrics, on="warehouse_id", how="left")
        .join(old, on="warehouse_id", how="left")
        .join(skus, on="warehouse_id", how="left")
        .with_columns(
            pl.when(pl.col("layered_units") > 0)
            .then(pl.col("units_over_90d") / pl.col("layered_units"))
            .otherwise(None)
            .alias("share_over_90d"),
        )
        .sort("warehouse_id")
    )
    return out.to_dicts()
