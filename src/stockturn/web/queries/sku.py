"""Everything the SKU detail page shows about one SKU: history, forecast, projection, aging, costs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from stockturn.errors import NotFound
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse
from stockturn.web.queries.common import COST_CTE, FX_CTE, frame, rows
from stockturn.web.queries.inventory import AGE_BUCKETS, age_bucket_label, aging_layers, bucketed

HISTORY_DAYS = 365
PROJECTION_DAYS = 90
FAN_LEVELS = ((0.025, 0.975), (0.25, 0.75))


def sku_master(wh: Warehouse, sku_id: str) -> dict[str, Any]:
    found = rows(wh, "SELECT * EXCLUDE (import_id, source_file, source_row) FROM sku WHERE sku_id = $sku",
                 {"sku": sku_id})
    if not found:
        raise NotFound(f"no SKU {sku_id!r} in the warehouse", hint="search for it on the SKUs page")
    master = found[0]
    master["aliases"] = rows(
        wh, "SELECT alias_type, alias, scope, confidence, created_by, created_at FROM sku_alias "
            "WHERE sku_id = $sku ORDER BY alias_type, alias", {"sku": sku_id})
    master["suppliers"] = rows(
        wh, "SELECT ss.supplier_id, s.name, ss.unit_price, s.currency, ss.moq_units, ss.case_pack, ss.is_primary "
            "FROM sku_supplier ss JOIN supplier s USING (supplier_id) WHERE ss.sku_id = $sku ORDER BY 1",
        {"sku": sku_id})
    return master


def sales_history(wh: Warehouse, sku_id: str, asof: date) -> pl.DataFrame:
    """Daily units sold (all channels) and how many of the SKU's locations had no available stock."""
    start = asof - timedelta(days=HISTORY_DAYS - 1)
    params = {"sku": sku_id, "start": start, "asof": asof}
    days = pl.DataFrame({"day": pl.date_range(start, asof, "1d", eager=True)})
    sold = frame(wh, "SELECT ordered_at::DATE AS day, sum(qty) AS units FROM sales_line "
                     "WHERE sku_id = $sku AND line_type = 'product' AND ordered_at >= $start "
                     "AND ordered_at < $asof + 1 GROUP BY 1", params)
    out = frame(wh, "SELECT snapshot_date AS day, count(*) FILTER (WHERE on_hand - reserved <= 0) AS out_locations, "
                    "count(*) AS locations FROM stock_snapshot WHERE sku_id = $sku AND snapshot_date >= $start "
                    "AND snapshot_date <= $asof GROUP BY 1", params)
    return (days.join(sold, on="day", how="left").join(out, on="day", how="left")
            .with_columns(pl.col("units").fill_null(0.0), pl.col("out_locations").fill_null(0)))


def forecast_fan(wh: Warehouse, sku_id: str, run_id: str | None) -> dict[str, pl.DataFrame]:
    """Per warehouse: ds, mean, median and the fan's quantile bands from the latest forecast run."""
    if run_id is None:
        return {}
    data = frame(wh, "SELECT warehouse_id, ds, mean, map_keys(quantiles) AS levels, map_values(quantiles) AS qty "
                     "FROM forecast WHERE run_id = $run AND sku_id = $sku ORDER BY warehouse_id, ds",
                 {"run": run_id, "sku": sku_id})
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
    return frame(wh, """
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
    """, {"sku": sku_id, "asof": asof, "plan": plan_run})


def projection(wh: Warehouse, sku_id: str, asof: date, plan_run: str | None, locations: pl.DataFrame,
               fans: dict[str, pl.DataFrame]) -> dict[str, Any]:
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


def aging(wh: Warehouse, sku_id: str, asof: date) -> dict[str, Any]:
    layers = aging_layers(wh, asof, sku_id)
    per = bucketed(layers, "warehouse_id") if layers.height else pl.DataFrame()
    buckets = [age_bucket_label(low, high) for low, high in AGE_BUCKETS]
    table: dict[str, list[float]] = {}
    for row in per.iter_rows(named=True) if per.height else []:
        table.setdefault(row["warehouse_id"], [0.0] * len(buckets))[buckets.index(row["bucket"])] += row["units"]
    return {"buckets": buckets, "units": dict(sorted(table.items()))}


_WATERFALL_SQL = f"""
WITH {FX_CTE}, {COST_CTE},
s AS (
    SELECT sum(qty * unit_price * fx.rate) FILTER (WHERE line_type = 'product') AS revenue,
           sum(qty * unit_price * fx.rate) FILTER (WHERE line_type = 'return') AS returns,
           sum(qty) FILTER (WHERE line_type IN ('product', 'return')) AS units,
           sum(fees * fx.rate) AS platform_fees
    FROM sales_line JOIN fx USING (currency)
    WHERE sku_id = $sku AND ordered_at >= $start AND ordered_at < $asof + 1
),
inv AS (
    SELECT avg(units) AS avg_units FROM (
        SELECT snapshot_date, sum(on_hand) AS units FROM stock_snapshot
        WHERE sku_id = $sku AND snapshot_date >= $start AND snapshot_date <= $asof GROUP BY 1)
)
SELECT coalesce(s.revenue, 0) AS revenue, coalesce(s.returns, 0) AS returns,
       coalesce(s.units, 0) * c.unit_cost AS cogs, coalesce(s.platform_fees, 0) AS platform_fees,
       (SELECT coalesce(sum(f.amount * fx.rate), 0) FROM fee f JOIN fx USING (currency)
        WHERE f.sku_id = $sku AND f.period_start >= $start AND f.period_start <= $asof) AS storage_fees,
       (SELECT coalesce(sum(a.spend * fx.rate), 0) FROM ad_spend a JOIN fx USING (currency)
        WHERE a.sku_id = $sku AND a.spend_date >= $start AND a.spend_date <= $asof) AS ads,
       coalesce(inv.avg_units, 0) * c.unit_cost AS avg_inventory_value
FROM s, inv LEFT JOIN cost c ON c.sku_id = $sku
"""


def cost_waterfall(wh: Warehouse, settings: Settings, sku_id: str, asof: date) -> dict[str, Any]:
    """Last 365 days: revenue, then each cost down to net profit, in the base currency."""
    params = {"sku": sku_id, "asof": asof, "start": asof - timedelta(days=HISTORY_DAYS - 1),
              "base": settings.base_currency}
    values = rows(wh, _WATERFALL_SQL, params)[0]
    holding_rate = settings.capital_cost_rate + settings.obsolescence_rate + settings.insurance_rate
    holding = (values["avg_inventory_value"] or 0.0) * holding_rate * HISTORY_DAYS / 365
    steps = [
        ("revenue", values["revenue"]),
        ("returns", values["returns"]),
        ("cogs", -(values["cogs"] or 0.0)),
        ("platform_fees", -values["platform_fees"]),
        ("storage_fees", -values["storage_fees"]),
        ("ads", -values["ads"]),
        ("holding_cost", -holding),
    ]
    net = sum(v for _, v in steps)
    return {"steps": [{"step": name, "amount": float(v)} for name, v in steps], "net_profit": float(net),
            "net_margin": float(net / values["revenue"]) if values["revenue"] else None,
            "period_days": HISTORY_DAYS, "holding_rate": holding_rate}
