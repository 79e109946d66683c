"""Everything the SKU detail page shows about one SKU: history, forecast, projection, aging, costs."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class BySku:
    """A frame of many SKUs with the row range of each, so a page gets one SKU's rows with a dict lookup and
    a zero-copy slice instead of a scan or a query (the detail page reads ten such frames per request)."""

    frame: pl.DataFrame
    ranges: dict[str, tuple[int, int]]

    @classmethod
    def of(cls, frame: pl.DataFrame) -> BySku:
        ordered = frame.filter(pl.col("sku_id").is_not_null()).sort("sku_id", maintain_order=True)
        runs = (
            ordered.select("sku_id")
            .with_row_index("first")
            .group_by("sku_id", maintain_order=True)
            .agg(pl.col("first").first(), pl.len())
        )
        return cls(ordered, {sku: (first, n) for sku, first, n in runs.iter_rows()})

    def rows(self, sku_id: str) -> pl.DataFrame:
        found = self.ranges.get(sku_id)
        return self.frame.clear() if found is None else self.frame.slice(*found)


def masters_all(wh: Warehouse) -> dict[str, BySku]:
    """SKUs, their aliases and suppliers, each indexed by sku_id (cached per data version by the pages)."""
    frames = {
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
    return {name: BySku.of(found) for name, found in frames.items()}


def _rows_of(indexed: BySku, sku_id: str) -> list[dict[str, Any]]:
    return indexed.rows(sku_id).drop("sku_id").to_dicts()


def sku_master(masters: dict[str, BySku], sku_id: str) -> dict[str, Any]:
    """One SKU's master row with its aliases and suppliers, from `masters_all`."""
    found = masters["sku"].rows(sku_id)
    if found.height == 0:
        raise NotFound(f"no SKU {sku_id!r} in the warehouse", hint="search for it on the SKUs page")
    master: dict[str, Any] = found.row(0, named=True)
    master["aliases"] = _rows_of(masters["aliases"], sku_id)
    master["suppliers"] = _rows_of(masters["suppliers"], sku_id)
    return master


def history_all(wh: Warehouse, asof: date) -> BySku:
    """Per SKU and day of the last 365 days: units sold (all channels) and how many of its locations had no
    available stock; indexed by SKU so one SKU's rows are a slice (cached per data version by the pages)."""
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
    return BySku.of(
        sold.join(out, on=["sku_id", "day"], how="full", coalesce=True)
        .with_columns(pl.col("units").fill_null(0.0), pl.col("out_locations").fill_null(0))
        .sort("sku_id", "day")
    )


def sales_history(history: BySku, sku_id: str, asof: date) -> pl.DataFrame:
    """One SKU's 365 days from `history_all` (its indexed slice, days without sales filled with 0)."""
    start = asof - timedelta(days=HISTORY_DAYS - 1)
    days = pl.DataFrame({"day": pl.date_range(start, asof, "1d", eager=True)})
    mine = history.rows(sku_id).select("day", "units", "out_locations")
    return days.join(mine, on="day", how="left").with_columns(
        pl.col("units").fill_null(0.0), pl.col("out_locations").fill_null(0)
    )


def recent_location_sales_all(wh: Warehouse, asof: date, days: int) -> BySku:
    """Units sold per SKU, warehouse and day over the last `days` days (days with sales only), sorted by
    SKU (cached per data version by the pages; the fan chart's history is a slice of it)."""
    return BySku.of(
        frame(
            wh,
            "SELECT sku_id, warehouse_id, ordered_at::DATE AS day, sum(qty) AS units FROM sales_line "
            "WHERE sku_id IS NOT NULL AND line_type = 'product' AND ordered_at >= $start "
            "AND ordered_at < $asof + 1 GROUP BY ALL ORDER BY sku_id, warehouse_id, day",
            {"start": asof - timedelta(days=days - 1), "asof": asof},
        )
    )


def location_sales(recent: BySku, sku_id: str, warehouse_id: str, asof: date, days: int) -> pl.DataFrame:
    """Daily units sold from one warehouse over the last `days` days (the history next to its forecast)."""
    start = asof - timedelta(days=days - 1)
    calendar = pl.DataFrame({"day": pl.date_range(start, asof, "1d", eager=True)})
    sold = recent.rows(sku_id).filter((pl.col("warehouse_id") == warehouse_id) & (pl.col("day") >= start))
    return calendar.join(sold.select("day", "units"), on="day", how="left").with_columns(pl.col("units").fill_null(0.0))


def fans_all(wh: Warehouse, run_id: str | None) -> BySku:
    """The fan chart's columns for every series of a forecast run (ds, mean, median and the quantiles
    nearest to each FAN_LEVELS band), sorted by SKU (cached per data version by the pages). A run writes
    the same probability levels for every series, so they are read from one row."""
    columns = ["sku_id", "warehouse_id", "ds", "mean", "q0.5"] + [f"q{p:g}" for band in FAN_LEVELS for p in band]
    levels = (
        frame(wh, "SELECT map_keys(quantiles) AS levels FROM forecast WHERE run_id = $run LIMIT 1", {"run": run_id})
        if run_id is not None
        else pl.DataFrame()
    )
    if levels.height == 0:
        return BySku.of(
            pl.DataFrame(
                schema={c: (pl.String if c.endswith("_id") else pl.Date if c == "ds" else pl.Float64) for c in columns}
            )
        )
    available = np.asarray(levels["levels"][0].to_list(), dtype=float)
    wanted = [0.5] + [p for band in FAN_LEVELS for p in band]
    picks = ", ".join(
        f'quantiles[{float(available[int(np.abs(available - p).argmin())])!r}] AS "q{p:g}"' for p in wanted
    )
    return BySku.of(
        frame(
            wh,
            f"SELECT sku_id, warehouse_id, ds, mean, {picks} FROM forecast WHERE run_id = $run "
            "ORDER BY sku_id, warehouse_id, ds",
            {"run": run_id},
        ).select(columns)
    )


def forecast_fan(fans: BySku, sku_id: str) -> dict[str, pl.DataFrame]:
    """Per warehouse: ds, mean, median and the fan's quantile bands, sliced from `fans_all`."""
    mine = fans.rows(sku_id)
    warehouses = mine["warehouse_id"].to_list()
    starts = [i for i in range(len(warehouses)) if i == 0 or warehouses[i] != warehouses[i - 1]]
    bounds = zip(starts, [*starts[1:], len(warehouses)], strict=True) if starts else iter(())
    return {str(warehouses[a]): mine.slice(a, b - a).drop("sku_id", "warehouse_id") for a, b in bounds}


def arrivals_all(wh: Warehouse, asof: date, plan_run: str | None) -> BySku:
    """Every open inbound quantity by SKU, warehouse and day: shipments in transit, open purchase orders and
    the plan's lines (not rejected); sorted by SKU (cached per data version and write by the pages)."""
    return BySku.of(
        frame(
            wh,
            """
        SELECT sl.sku_id, sh.to_warehouse_id AS warehouse_id, greatest(sh.eta, $asof + 1) AS day,
               sum(sl.qty) AS qty, 'in_transit' AS kind
        FROM shipment sh JOIN shipment_line sl USING (shipment_id)
        WHERE sh.status IN ('planned', 'in_transit') AND sh.arrived_date IS NULL
        GROUP BY ALL
        UNION ALL
        SELECT l.sku_id, po.destination_warehouse_id, greatest(coalesce(po.expected_ready, $asof + 1), $asof + 1),
               sum(l.qty_ordered - l.qty_received), 'purchase_order'
        FROM purchase_order po JOIN purchase_order_line l USING (po_id)
        WHERE po.status = 'open' AND po.destination_warehouse_id IS NOT NULL AND l.qty_ordered > l.qty_received
        GROUP BY ALL
        UNION ALL
        SELECT sku_id, warehouse_id, coalesce(expected_arrival, $asof + 1), sum(qty), 'plan'
        FROM plan_line WHERE run_id = $plan AND status <> 'rejected' AND action <> 'clearance'
        GROUP BY ALL
        ORDER BY 1, 2, 3, 5
    """,
            {"asof": asof, "plan": plan_run},
        )
    )


def projection(
    arrivals_frame: BySku, sku_id: str, asof: date, locations: pl.DataFrame, fans: dict[str, pl.DataFrame]
) -> dict[str, Any]:
    """Projected available stock per warehouse for 90 days: today's stock + arrivals - expected demand.

    Demand is the forecast mean where a forecast exists, else the location's recent daily average;
    unmet demand is lost, so stock never goes below zero.
    """
    arrivals = arrivals_frame.rows(sku_id).drop("sku_id")
    days = [asof + timedelta(days=i) for i in range(1, PROJECTION_DAYS + 1)]
    series = {}
    for location in locations.iter_rows(named=True):
        warehouse = location["warehouse_id"]
        demand = np.full(PROJECTION_DAYS, float(location["daily_demand"] or 0.0))
        fan = fans.get(warehouse)
        if fan is not None:
            offsets = np.asarray([(day - asof).days - 1 for day in fan["ds"].to_list()], dtype=int)
            keep = (offsets >= 0) & (offsets < PROJECTION_DAYS)
            demand[offsets[keep]] = fan["mean"].to_numpy()[keep]
        inflow = np.zeros(PROJECTION_DAYS)
        for arrival in arrivals.iter_rows(named=True):
            index = (arrival["day"] - asof).days - 1
            if arrival["warehouse_id"] == warehouse and 0 <= index < PROJECTION_DAYS:
                inflow[index] += arrival["qty"]
        stock = np.empty(PROJECTION_DAYS)
        level = max(float(location["available"]), 0.0)
        for i in range(PROJECTION_DAYS):  # 90 steps: lost sales make each day depend on the one before
            level = max(level + inflow[i] - demand[i], 0.0)
            stock[i] = level
        series[warehouse] = stock.round(1).tolist()
    return {"days": days, "stock": series, "arrivals": arrivals.to_dicts()}


def aging(layers: BySku, sku_id: str, settings: Settings) -> dict[str, Any]:
    """Units on hand per warehouse and FIFO age bucket, sliced from the analytics library's layers of all
    SKUs (sorted by SKU)."""
    buckets = _labels(settings)
    mine = layers.rows(sku_id)
    table: dict[str, list[float]] = {}
    for row in mine.select("warehouse_id", "bucket", "units").iter_rows(named=True):
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


def cost_waterfall(profit: BySku, sku_id: str, period: an.Period) -> dict[str, Any]:
    """The SKU's row of the analytics profit table as waterfall steps, revenue down to net profit."""
    found = profit.rows(sku_id)
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
