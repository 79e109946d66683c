"""Everything the SKU detail page shows about one SKU: history, forecast, projection, aging, costs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

import stockturn.analytics as an
from stockturn.analytics.definitions import WATERFALL
from stockturn.errors import NotFound
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse
from stockturn.web.queries.common import frame

HISTORY_DAYS = 365
PROJECTION_DAYS = 90
FAN_LEVELS = ((0.025, 0.975), (0.25, 0.75))


def masters_all(wh: Warehouse) -> dict[str, pl.DataFrame]:
    """SKUs, their aliases and suppliers, each sorted by sku_id (cached per data version by the pages)."""
    return {
        "sku": frame(wh, "SELECT * EXCLUDE (import_id, source_file, source_row) FROM sku ORDER BY sku_id"),
        "aliases": frame(
            wh,
            "SELECT sku_id, alias_type, alias, scope, confidence, created_by, created_at "
            "FROM sku_alias ORDER BY sku_id, alias_type, alias",
        ),
        "suppliers": frame(
            wh,
            "SELECT ss.sku_id, ss.supplier_id, s.name, ss.unit_price, s.currency, ss.moq_units, "
            "ss.case_pack, ss.is_primary FROM sku_supplier ss JOIN supplier s USING (supplier_id) "
            "ORDER BY ss.sku_id, ss.supplier_id",
        ),
    }


def _rows_of(sorted_frame: pl.DataFrame, sku_id: str) -> list[dict[str, Any]]:
    ids = sorted_frame["sku_id"]
    first, last = int(ids.search_sorted(sku_id, side="left")), int(ids.search_sorted(sku_id, side="right"))
    return sorted_frame.slice(first, last - first).drop("sku_id").to_dicts()


def sku_master(masters: dict[str, pl.DataFrame], sku_id: str) -> dict[str, Any]:
    """One SKU's master row with its aliases and suppliers, sliced from `masters_all`."""
    ids = masters["sku"]["sku_id"]
    index = int(ids.search_sorted(sku_id, side="left"))
    if index >= len(ids) or ids[index] != sku_id:
        raise NotFound(f"no SKU {sku_id!r} in the warehouse", hint="search for it on the SKUs page")
    master: dict[str, Any] = masters["sku"].row(index, named=True)
    master["aliases"] = _rows_of(masters["aliases"], sku_id)
    master["suppliers"] = _rows_of(masters["suppliers"], sku_id)
    return master


def history_all(wh: Warehouse, asof: date) -> pl.DataFrame:
    """Per SKU and day of the last 365 days: units sold (all channels) and how many of its locations had no
    available stock; sorted by SKU so one SKU's rows are a slice (cached per data version by the pages)."""
    start = asof - timedelta(days=HISTORY_DAYS - 1)
    params = {"start": start, "asof": asof}
    sold = frame(
        wh,
        "SELECT sku_id, ordered_at::DATE AS day, sum(qty) AS units FROM sales_line "
        "WHERE sku_id IS NOT NULL AND line_type = 'product' AND ordered_at >= $start "
        "AND ordered_at < $asof + 1 GROUP BY ALL",
        params,
    )
    out = frame(
        wh,
        "SELECT sku_id, snapshot_date AS day, count(*) FILTER (WHERE on_hand - reserved <= 0) "
        "AS out_locations FROM stock_snapshot WHERE snapshot_date >= $start AND snapshot_date <= $asof "
        "GROUP BY ALL",
        params,
    )
    return (
        sold.join(out, on=["sku_id", "day"], how="full", coalesce=True)
        .with_columns(pl.col("units").fill_null(0.0), pl.col("out_locations").fill_null(0))
        .sort("sku_id", "day")
    )


def sales_history(history: pl.DataFrame, sku_id: str, asof: date) -> pl.DataFrame:
    """One SKU's 365 days from `history_all` (a binary search on the sorted SKU column, then a slice)."""
    start = asof - timedelta(days=HISTORY_DAYS - 1)
    days = pl.DataFrame({"day": pl.date_range(start, asof, "1d", eager=True)})
    ids = history["sku_id"]
    first = int(ids.search_sorted(sku_id, side="left"))
    last = int(ids.search_sorted(sku_id, side="right"))
    mine = history.slice(first, last - first).select("day", "units", "out_locations")
    return days.join(mine, on="day", how="left").with_columns(
        pl.col("units").fill_null(0.0), pl.col("out_locations").fill_null(0)
    )


def location_sales(wh: Warehouse, sku_id: str, warehouse_id: str, asof: date, days: int) -> pl.DataFrame:
    """Daily units sold from one warehouse over the last `days` days (the history next to its forecast)."""
    start = asof - timedelta(days=days - 1)
    calendar = pl.DataFrame({"day": pl.date_range(start, asof, "1d", eager=True)})
    sold = frame(
        wh,
        "SELECT ordered_at::DATE AS day, sum(qty) AS units FROM sales_line WHERE sku_id = $sku "
        "AND warehouse_id = $wh AND line_type = 'product' AND ordered_at >= $start "
        "AND ordered_at < $asof + 1 GROUP BY 1",
        {"sku": sku_id, "wh": warehouse_id, "start": start, "asof": asof},
    )
    return calendar.join(sold, on="day", how="left").with_columns(pl.col("units").fill_null(0.0))


def forecast_fan(wh: Warehouse, sku_id: str, run_id: str | None) -> dict[str, pl.DataFrame]:
    """Per warehouse: ds, mean, median and the fan's quantile bands from the latest forecast run."""
    if run_id is None:
        return {}
    data = frame(
        wh,
        "SELECT warehouse_id, ds, mean, map_keys(quantiles) AS levels, map_values(quantiles) AS qty "
        "FROM forecast WHERE run_id = $run AND sku_id = $sku ORDER BY warehouse_id, ds",
        {"run": run_id, "sku": sku_id},
    )
    fans: dict[str, pl.DataFrame] = {}
    for (warehouse,), part in data.group_by(["warehouse_id"], maintain_order=True):
        levels = np.asarray(part["levels"][0].to_list(), dtype=float)
        values = np.asarray(part["qty"].to_list(), dtype=float)

        def nearest(level: float, lv: np.ndarray = levels, vals: np.ndarray = values) -> np.ndarray:
            result: np.ndarray = vals[:, int(np.abs(lv - level).argmin())]
            return result

        columns: dict[str, Any] = {"ds": part["ds"], "mean": part["mean"], "q0.5": nearest(0.5)}
        for low, high in FAN_LEVELS:
            columns[f"q{low:g}"] = nearest(low)
            columns[f"q{high:g}"] = nearest(high)
        fans[str(warehouse)] = pl.DataFrame(columns)
    return fans


def _arrivals(wh: Warehouse, sku_id: str, asof: date, plan_run: str | None) -> pl.DataFrame:
    return frame(
        wh,
        """
        SELECT sh.to_warehouse_id AS warehouse_id, greatest(sh.eta, $asof + 1) AS day, sum(sl.qty) AS qty,
               'in_transit' AS kind
        FROM shipment sh JOIN shipment_line sl USING (shipment_id)
        WHERE sl.sku_id = $sku AND sh.status IN ('planned', 'in_transit') AND sh.arrived_date IS NULL
        GROUP BY ALL
        UNION ALL
        SELECT po.destination_warehouse_id, greatest(coalesce(po.expected_ready, $asof + 1), $asof + 1),
               sum(l.qty_ordered - l.qty_received), 'purchase_order'
        FROM purchase_order po JOIN purchase_order_line l USING (po_id)
        WHERE l.sku_id = $sku AND po.status = 'open' AND po.destination_warehouse_id IS NOT NULL
          AND l.qty_ordered > l.qty_received
        GROUP BY ALL
        UNION ALL
        SELECT warehouse_id, coalesce(expected_arrival, $asof + 1), sum(qty), 'plan'
        FROM plan_line WHERE run_id = $plan AND sku_id = $sku AND status <> 'rejected' AND action <> 'clearance'
        GROUP BY ALL
        ORDER BY 1, 2
    """,
        {"sku": sku_id, "asof": asof, "plan": plan_run},
    )


def projection(
    wh: Warehouse, sku_id: str, asof: date, plan_run: str | None, locations: pl.DataFrame, fans: dict[str, pl.DataFrame]
) -> dict[str, Any]:
    """Projected available stock per warehouse for 90 days: today's stock + arrivals - expected demand.

    Demand is the forecast mean where a forecast exists, else the location's recent daily average;
    unmet demand is lost, so stock never goes below zero.
    """
    arrivals = _arrivals(wh, sku_id, asof, plan_run)
    days = [asof + timedelta(days=i) for i in range(1, PROJECTION_DAYS + 1)]
    series = {}
    for location in locations.iter_rows(named=True):
        warehouse = location["warehouse_id"]
        demand = np.full(PROJECTION_DAYS, float(location["daily_demand"] or 0.0))
        fan = fans.get(warehouse)
        if fan is not None:
            means = dict(zip(fan["ds"].to_list(), fan["mean"].to_list(), strict=True))
            demand = np.array([means.get(day, demand[i]) for i, day in enumerate(days)])
        inflow = np.zeros(PROJECTION_DAYS)
        for arrival in arrivals.filter(pl.col("warehouse_id") == warehouse).iter_rows(named=True):
            index = (arrival["day"] - asof).days - 1
            if 0 <= index < PROJECTION_DAYS:
                inflow[index] += arrival["qty"]
        stock = np.empty(PROJECTION_DAYS)
        level = max(float(location["available"]), 0.0)
        for i in range(PROJECTION_DAYS):  # 90 steps: lost sales make each day depend on the one before
            level = max(level + inflow[i] - demand[i], 0.0)
            stock[i] = level
        series[warehouse] = stock.round(1).tolist()
    return {"days": days, "stock": series, "arrivals": arrivals.to_dicts()}


def aging(layers: pl.DataFrame, sku_id: str, settings: Settings) -> dict[str, Any]:
    """Units on hand per warehouse and FIFO age bucket, from the analytics library's layers of all SKUs."""
    buckets = _labels(settings)
    mine = layers.filter(pl.col("sku_id") == sku_id)
    table: dict[str, list[float]] = {}
    per = mine.group_by("warehouse_id", "bucket").agg(pl.col("units").sum())
    for row in per.iter_rows(named=True):
        units = table.setdefault(row["warehouse_id"], [0.0] * len(buckets))
        if row["bucket"] in buckets:
            units[buckets.index(row["bucket"])] += row["units"]
    next_tier = mine.filter(pl.col("next_tier_in_days").is_not_null()).sort("next_tier_in_days").head(5)
    return {
        "buckets": buckets,
        "units": dict(sorted(table.items())),
        "next_tiers": next_tier.select(
            "warehouse_id", "received", "units", "next_tier_in_days", "next_tier_surcharge_month"
        ).to_dicts(),
    }


def _labels(settings: Settings) -> list[str]:
    from stockturn.analytics.aging import bucket_labels

    return bucket_labels(settings.aging_buckets_days)


def cost_waterfall(profit: pl.DataFrame, sku_id: str, period: an.Period) -> dict[str, Any]:
    """The SKU's row of the analytics profit table as waterfall steps, revenue down to net profit."""
    found = profit.filter(pl.col("sku_id") == sku_id)
    if found.height == 0:
        return {"steps": [], "net_profit": None, "net_margin": None, "period_days": period.days}
    row = found.row(0, named=True)
    steps = [{"step": name, "amount": sign * float(row[name] or 0.0)} for name, _label, sign in WATERFALL]
    return {
        "steps": steps,
        "net_profit": float(row["net_profit"]),
        "net_margin": row["net_margin_pct"],
        "period_days": period.days,
        "period_start": period.start,
        "period_end": period.end,
    }
