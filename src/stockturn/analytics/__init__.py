"""Turnover, aging, cost and cash analytics: one definition of every metric (docs/metrics.md).

The public API returns Polars frames; the CLI reports and the web pages call only these functions, so
every surface shows the same numbers. Each function takes an open Warehouse and the Settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from stockturn.analytics.aging import aging_layers, aging_summary
from stockturn.analytics.alerts import compute_alerts, run_alerts, stored_alerts
from stockturn.analytics.base import base_facts
from stockturn.analytics.cash import CashCycle, aging_buckets, cash_cycle, cash_tied_up, open_items
from stockturn.analytics.classify import abc_xyz, slow_dead_stock
from stockturn.analytics.definitions import (
    GRAINS,
    INVENTORY_METRICS,
    METRICS,
    TURNOVER_METRICS,
    Metric,
    compare,
    compute,
    grain,
)
from stockturn.analytics.period import Period, parse_period
from stockturn.analytics.profit import UnitEconomics, profit_waterfall, unit_economics, waterfall_steps
from stockturn.errors import StockturnError
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse

__all__ = [
    "GRAINS",
    "INVENTORY_METRICS",
    "METRICS",
    "TURNOVER_METRICS",
    "CashCycle",
    "FactsCache",
    "Metric",
    "NoData",
    "Period",
    "UnitEconomics",
    "abc_xyz",
    "aging",
    "aging_buckets",
    "aging_layers",
    "cash_cycle",
    "cash_tied_up",
    "compute_alerts",
    "daily_series",
    "data_end",
    "grain",
    "metrics",
    "open_items",
    "profit",
    "resolve_period",
    "run_alerts",
    "slow_dead_stock",
    "stored_alerts",
    "unit_economics",
    "waterfall_steps",
]

TREND_METRICS = ["units_sold", "revenue", "turnover", "dio", "stockout_rate", "fill_rate", "gmroi", "net_profit"]


class NoData(StockturnError):
    """The warehouse has no stock snapshots or sales to compute metrics from."""


def data_end(wh: Warehouse) -> date:
    """The latest day with data (last stock snapshot, else last sale): the default as-of day."""
    rows = wh.con.execute(
        "SELECT coalesce((SELECT max(snapshot_date) FROM stock_snapshot), "
        "(SELECT CAST(max(ordered_at) AS DATE) FROM sales_line))"
    ).fetchall()
    if not rows or rows[0][0] is None:
        raise NoData("the warehouse has no stock snapshots and no sales yet",
                     hint="import stock and sales first (stockturn import ...), or try `stockturn demo`")
    value: date = rows[0][0]
    return value


def resolve_period(wh: Warehouse, settings: Settings, period: str | Period | None = None,
                   as_of: date | None = None) -> Period:
    """A Period from a `--period` text (default setting default_period), relative to `as_of` (default: the
    latest day with data)."""
    if isinstance(period, Period):
        return period
    return parse_period(period or settings.default_period, as_of or data_end(wh))


FactsCache = dict[tuple[date, date], pl.DataFrame]


def _facts(wh: Warehouse, period: Period, settings: Settings, cache: FactsCache | None,
           scope: str = "all") -> pl.DataFrame:
    """Base facts of a period, reused from `cache` (one dict per report or page build) when given."""
    if cache is None or scope != "all":
        return base_facts(wh, period, settings, scope=scope)
    key = (period.start, period.end)
    if key not in cache:
        cache[key] = base_facts(wh, period, settings)
    return cache[key]


def metrics(wh: Warehouse, settings: Settings, *, by: str = "company", period: str | Period | None = None,
            as_of: date | None = None, with_previous: bool = True, cache: FactsCache | None = None,
            only: Sequence[str] | None = None) -> pl.DataFrame:
    """Every metric of docs/metrics.md at grain `by` over `period`, with `<m>_prev`, `<m>_change` and a
    `trend` text against the previous period for the main metrics. Pass the same `cache` dict to several
    calls (other grains, same periods) to scan the facts once. `only` (metric names) returns just those
    columns, and reads the facts in one lean pass when they are all turnover metrics (TURNOVER_METRICS), a
    leaner one still when they need no revenue (INVENTORY_METRICS)."""
    current = resolve_period(wh, settings, period, as_of)
    scope = "all"
    if only is not None and "channel_id" not in grain(by).keys:  # the lean passes have no channel split
        if set(only) <= set(INVENTORY_METRICS):
            scope = "inventory"
        elif set(only) <= set(TURNOVER_METRICS):
            scope = "turnover"
    frame = compute(_facts(wh, current, settings, cache, scope), by, current.days)
    if only is not None:
        frame = frame.select(*grain(by).keys, *only)
    if not with_previous:
        return frame
    previous = current.previous()
    before = compute(_facts(wh, previous, settings, cache, scope), by, previous.days)
    trend = [m for m in TREND_METRICS if only is None or m in only]
    return compare(frame, before, by, trend, threshold=settings.trend_threshold,
                   previous_label=f"previous {current.describe()}")


def aging(wh: Warehouse, settings: Settings, *, by: str = "sku-warehouse", as_of: date | None = None) -> pl.DataFrame:
    """FIFO age buckets (units and value) at grain `by` on `as_of`."""
    day = as_of or data_end(wh)
    keys = grain(by).keys
    if "channel_id" in keys:
        raise StockturnError("aging has no channel grain: stock belongs to warehouses, not channels",
                             hint="use --by sku, sku-warehouse, category, brand, warehouse, region or company")
    return aging_summary(wh, aging_layers(wh, day, settings), keys, settings.aging_buckets_days)


def profit(wh: Warehouse, settings: Settings, *, by: str = "sku", period: str | Period | None = None,
           as_of: date | None = None, cache: FactsCache | None = None) -> pl.DataFrame:
    """Net profit waterfall columns at grain `by` over `period`."""
    current = resolve_period(wh, settings, period, as_of)
    return profit_waterfall(_facts(wh, current, settings, cache), by, current.days)


def daily_series(wh: Warehouse, settings: Settings, *, period: str | Period | None = None,
                 as_of: date | None = None, sku_id: str | None = None,
                 warehouse_id: str | None = None) -> pl.DataFrame:
    """Per day of the period (for charts): stock units, available units, stock value at landed cost, units
    sold (net) and net revenue, for the whole company or one SKU and/or warehouse. Same definitions as
    `metrics` (docs/metrics.md); days without a snapshot show empty stock."""
    from stockturn.analytics._sql import cost_on, landed_cost_sql, query
    from stockturn.warehouse.fx import converted_sql, require_rates

    current = resolve_period(wh, settings, period, as_of)
    params: dict[str, object] = {"start": current.start, "end": current.end, "sku": sku_id, "wh": warehouse_id}
    where_sales = "".join([" AND sku_id = $sku" if sku_id else "", " AND warehouse_id = $wh" if warehouse_id else ""])
    where_stock = where_sales.replace(" AND ", " AND s.")
    base, age = settings.base_currency, settings.fx_max_age_days
    sales_sql = (f"SELECT CAST(ordered_at AS DATE) AS day, currency, qty, unit_price FROM sales_line "
                 f"WHERE sku_id IS NOT NULL AND line_type IN ('product', 'return') AND ordered_at >= $start "
                 f"AND ordered_at < $end + INTERVAL 1 DAY{where_sales}")
    require_rates(wh, sales_sql, base, params=params, what="sales lines", max_age_days=age)
    return query(wh, f"""
        WITH cost AS ({landed_cost_sql(base, age)}),
        days AS (SELECT CAST(unnest(generate_series($start::DATE, $end::DATE, INTERVAL 1 DAY)) AS DATE) AS day),
        stock AS (
            SELECT s.snapshot_date AS day, sum(s.on_hand + s.reserved + s.unfulfillable) AS stock_units,
                   sum(s.on_hand - s.reserved) AS available_units,
                   sum((s.on_hand + s.reserved + s.unfulfillable) * coalesce(c.landed, 0)) AS stock_value
              FROM stock_snapshot s LEFT JOIN cost c ON {cost_on('c', 's.sku_id', 's.snapshot_date')}
             WHERE s.snapshot_date BETWEEN $start AND $end{where_stock} GROUP BY ALL),
        sold AS (
            SELECT day, sum(qty) AS units_sold, sum(qty * unit_price * fx) AS revenue
              FROM ({converted_sql(sales_sql, base, max_age_days=age)}) GROUP BY ALL)
        SELECT d.day, st.stock_units, st.available_units, st.stock_value,
               coalesce(so.units_sold, 0) AS units_sold, coalesce(so.revenue, 0) AS revenue
          FROM days d LEFT JOIN stock st USING (day) LEFT JOIN sold so USING (day) ORDER BY d.day""", params)
