"""The replenishment plan: one actionable line per SKU x destination warehouse that needs stock.

Pure and vectorised: frames in, frames out, no database. ``stockturn.planning.store`` feeds it from
the warehouse and writes its lines to ``plan_line``. For every row:

1. lead time = production + transit + customs + receiving of the cheapest lane (sea when there is one);
2. order-up-to level from the forecast distribution at the row's fill-rate target (ABC class);
3. quantity = level - (on hand + in transit + open POs - reserved - backorders), then MOQ, case pack,
   supplier capacity (most urgent rows first);
4. projected stockout without action, order-by date (moved earlier by supplier closures), ship-by,
   expected arrival, cover after arrival, cost and cash (deposit at order, balance after shipment);
5. mode choice: when the cheap lane lands after the projected stockout and a faster lane exists, the
   bridge quantity that covers the gap is priced by the fast lane; it is flown only when its extra
   freight is below the margin it saves, and the reason says so with both numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from stockturn import phrases as P
from stockturn.errors import InputError
from stockturn.planning.forecast_input import forecast_arrays, window_moments
from stockturn.planning.lead_time import Closure, latest_order_dates
from stockturn.planning.levels import LevelError, fill_rate_order_up_to
from stockturn.planning.ordering import apply_capacity, inventory_position, round_order

FloatArray = NDArray[np.float64]

POSITION_COLUMNS = ("sku_id", "warehouse_id", "on_hand")
SOURCING_COLUMNS = (
    "sku_id", "warehouse_id", "supplier_id", "unit_cost", "unit_price", "production_mean", "production_sd",
)
LANE_COLUMNS = ("warehouse_id", "mode", "transit_mean", "transit_sd", "cost_per_unit_weight")


@dataclass(frozen=True)
class PlanSettings:
    review_period_days: int = 7
    service_level_a: float = 0.98
    service_level_b: float = 0.95
    service_level_c: float = 0.90
    holding_rate: float = 0.22  # per year on unit cost
    forecast_correlation: float = 0.0
    horizon_days: int = 120  # how far projected stockout and cover look


def _require(frame: pl.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{name} has no column(s) {', '.join(missing)}; found {', '.join(frame.columns)}",
            file=name,
            hint=f"provide {', '.join(columns)}",
        )


def abc_class(value: FloatArray) -> NDArray[np.str_]:
    """A = rows making the top 80 % of value, B the next 15 %, C the rest (ties keep input order)."""
    order = np.argsort(-value, kind="stable")
    share = np.cumsum(value[order]) / max(float(value.sum()), 1e-12)
    classes = np.where(share - value[order] / max(float(value.sum()), 1e-12) < 0.80, "A",
                       np.where(share - value[order] / max(float(value.sum()), 1e-12) < 0.95, "B", "C"))
    out = np.empty(value.shape[0], dtype="<U1")
    out[order] = classes
    return out


def _col(frame: pl.DataFrame, column: str) -> FloatArray:
    return np.asarray(frame[column].cast(pl.Float64).fill_null(0.0).to_numpy(), dtype=np.float64)


def _lane_choice(rows: pl.DataFrame, lanes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per row the cheapest lane (primary) and the fastest lane (bridge candidate)."""
    joined = rows.select("_row", "warehouse_id", "weight_kg").join(lanes, on="warehouse_id", how="left")
    joined = joined.with_columns(
        lane_cost=pl.col("cost_per_unit_weight") * pl.col("weight_kg"),
        lane_days=pl.col("transit_mean") + pl.col("customs_days") + pl.col("receiving_days"),
    )
    primary = joined.sort("_row", "lane_cost", "lane_days").group_by("_row", maintain_order=True).first()
    fastest = joined.sort("_row", "lane_days", "lane_cost").group_by("_row", maintain_order=True).first()
    return primary, fastest


def build_plan(
    positions: pl.DataFrame,
    sourcing: pl.DataFrame,
    lanes: pl.DataFrame,
    forecast: pl.DataFrame,
    *,
    today: dt.date,
    settings: PlanSettings | None = None,
    closures: dict[str, list[Closure]] | None = None,
    capacity: dict[str, float] | None = None,
    level_error: LevelError | None = None,
) -> pl.DataFrame:
    """Plan lines (action 'order') for rows that need stock; see the module docstring for the method.

    ``level_error``: the shared level error per volume bucket learnt from the forecasts' track record
    (``store.track_record_level_error``); without it every row takes ``settings.forecast_correlation``.

    positions: sku_id, warehouse_id, on_hand [, in_transit, open_po, reserved, backorders]
    sourcing: sku_id, warehouse_id, supplier_id, unit_cost, unit_price, production_mean, production_sd
              [, moq, case_pack, payment_terms_days, deposit_share, weight_kg, supplier_country]
    lanes: warehouse_id, mode, transit_mean, transit_sd, cost_per_unit_weight [, customs_days,
           receiving_days] (cost per kg, times the SKU's weight; weight 1 when unknown = per unit)
    forecast: unique_id ("SKU@WAREHOUSE"), ds, mean, q... (days after ``today``)
    closures: supplier country -> closures; capacity: supplier_id -> units per order cycle.
    """
    cfg = settings or PlanSettings()
    _require(positions, POSITION_COLUMNS, "positions")
    _require(sourcing, SOURCING_COLUMNS, "sourcing")
    _require(lanes, LANE_COLUMNS, "lanes")
    lanes = lanes.with_columns(
        [pl.lit(0.0).alias(c) for c in ("customs_days", "receiving_days") if c not in lanes.columns]
    )
    defaults = {"in_transit": 0.0, "open_po": 0.0, "reserved": 0.0, "backorders": 0.0}
    positions = positions.with_columns([pl.lit(v).alias(k) for k, v in defaults.items() if k not in positions.columns])
    source_defaults = {"moq": 1.0, "case_pack": 1.0, "payment_terms_days": 0.0, "deposit_share": 0.0,
                       "weight_kg": 1.0, "supplier_country": ""}
    sourcing = sourcing.with_columns(
        [pl.lit(v).alias(k) for k, v in source_defaults.items() if k not in sourcing.columns]
    ).with_columns(pl.col("weight_kg").fill_null(1.0))
    rows = (
        positions.join(sourcing, on=["sku_id", "warehouse_id"], how="inner")
        .sort("sku_id", "warehouse_id")
        .with_row_index("_row")
        .with_columns(unique_id=pl.col("sku_id") + "@" + pl.col("warehouse_id"))
    )
    n = rows.height
    if n == 0:
        return _empty_plan()
    primary, fastest = _lane_choice(rows, lanes)
    if primary["mode"].null_count():
        first = rows.row(int(primary.filter(pl.col("mode").is_null())["_row"][0]), named=True)
        raise InputError(
            f"no route into warehouse {first['warehouse_id']} (SKU {first['sku_id']})",
            file="route", hint="add a route row (from, to, mode, transit days, cost) for this warehouse",
        )
    f = _col
    production = f(rows, "production_mean")
    lead_mean = production + f(primary, "lane_days")
    lead_sd = np.sqrt(f(rows, "production_sd") ** 2 + f(primary, "transit_sd") ** 2)
    fast_lead = production + f(fastest, "lane_days")
    horizon = int(np.ceil(max(lead_mean.max(), 0.0) + cfg.review_period_days)) + cfg.horizon_days + 1
    ids = rows["unique_id"].to_list()
    arrays = forecast_arrays(forecast, ids, today + dt.timedelta(days=1), horizon)
    missing = np.isnan(arrays.mean).all(axis=1)
    if missing.any():
        raise InputError(
            f"no forecast after {today} for {int(missing.sum())} SKU-location(s), first {ids[int(np.argmax(missing))]}",
            file="forecast", hint="run `stockturn forecast` (or pass a forecast covering the plan date)",
        )
    mean = np.nan_to_num(arrays.mean)
    daily = mean[:, : cfg.horizon_days].mean(axis=1)
    price, cost = f(rows, "unit_price"), f(rows, "unit_cost")
    klass = abc_class(daily * price)
    target = np.where(klass == "A", cfg.service_level_a, np.where(klass == "B", cfg.service_level_b,
                                                                   cfg.service_level_c))
    correlation = cfg.forecast_correlation if level_error is None else level_error.of(mean)
    up_to = fill_rate_order_up_to(mean, arrays.variance, 0.0, lead_mean, lead_sd, float(cfg.review_period_days),
                                  target, correlation)
    position = inventory_position(f(rows, "on_hand"), f(rows, "in_transit"), f(rows, "open_po"),
                                  f(rows, "reserved"), f(rows, "backorders"))
    need = np.maximum(np.ceil(up_to - 1e-9) - position, 0.0)
    qty = round_order(need, f(rows, "moq"), f(rows, "case_pack"))

    # projected stockout without action: first day cumulative demand exceeds usable stock
    cumulative = np.cumsum(mean, axis=1)
    runs_out = cumulative > np.maximum(position, 0.0)[:, None]
    has_stockout = runs_out.any(axis=1)
    stockout_day = np.where(has_stockout, runs_out.argmax(axis=1) + 1, horizon + 1).astype(np.int64)
    qty = apply_capacity(qty, rows["supplier_id"].to_numpy(), capacity, stockout_day, f(rows, "case_pack"))

    # order-by: latest date so that production (open factory days) + shipping lands before the stockout
    today64 = np.datetime64(today, "D")
    after_shipping = lead_mean - production
    arrive_by = today64 + (stockout_day - 1).astype("timedelta64[D]")
    ship_by = arrive_by - np.ceil(after_shipping).astype("timedelta64[D]")
    order_by = np.empty(n, dtype="datetime64[D]")
    countries = rows["supplier_country"].fill_null("").to_numpy().astype(str)
    for country in np.unique(countries):
        mask = countries == country
        order_by[mask] = latest_order_dates(ship_by[mask], production[mask], (closures or {}).get(country, []))
    order_by = np.maximum(order_by, today64)
    # if ordered on order_by, production (with closures) ends at ship_by at the earliest
    ship_by = np.maximum(ship_by, order_by + np.ceil(production).astype("timedelta64[D]"))
    arrival = ship_by + np.ceil(after_shipping).astype("timedelta64[D]")
    late_days = np.maximum((arrival - arrive_by).astype(np.int64), 0) * has_stockout

    # mode choice: bridge the gap between the stockout and the primary arrival with the fast lane
    margin = price - cost
    primary_cost, fast_cost = f(primary, "lane_cost"), f(fastest, "lane_cost")
    fast_arrival_offset = np.ceil(fast_lead)
    gap_start = np.maximum(stockout_day - 1, fast_arrival_offset)
    gap_end = (arrival - today64).astype(np.int64).astype(np.float64)
    gap_days = np.maximum(gap_end - gap_start, 0.0)
    bridge_units, _ = window_moments(mean, arrays.variance, gap_start, gap_days)
    bridge_qty = np.minimum(np.ceil(bridge_units), qty)
    extra_freight = bridge_qty * np.maximum(fast_cost - primary_cost, 0.0)
    saved_margin = bridge_qty * margin
    has_fast = (f(fastest, "lane_days") < f(primary, "lane_days")) & (fast_lead < lead_mean)
    fly = has_fast & (late_days > 0) & (bridge_qty > 0) & (extra_freight < saved_margin)
    bridge_qty = np.where(fly, bridge_qty, 0.0)
    sea_qty = qty - bridge_qty

    days_to_stockout = np.where(has_stockout, stockout_day, np.nan)
    base = rows.select("sku_id", "warehouse_id", "supplier_id").with_columns(
        klass=pl.Series(klass), target=pl.Series(target), position=pl.Series(position),
        order_up_to=pl.Series(np.ceil(up_to - 1e-9)), daily=pl.Series(daily), unit_cost=pl.Series(cost),
        unit_price=pl.Series(price),
        deposit_share=rows["deposit_share"].cast(pl.Float64),
        payment_terms_days=rows["payment_terms_days"].cast(pl.Float64),
        lead_days=pl.Series(lead_mean), days_to_stockout=pl.Series(days_to_stockout, nan_to_null=True),
        projected_stockout=pl.Series(np.where(has_stockout, arrive_by, np.datetime64("NaT"))).cast(pl.Date),
        order_by=pl.Series(order_by).cast(pl.Date), late_days=pl.Series(late_days.astype(np.float64)),
        moq=rows["moq"].cast(pl.Float64), case_pack=rows["case_pack"].cast(pl.Float64),
        extra_freight=pl.Series(extra_freight), saved_margin=pl.Series(saved_margin),
        primary_mode=primary["mode"],
    )
    primary_lines = base.with_columns(
        qty=pl.Series(sea_qty), mode=primary["mode"], ship_by=pl.Series(ship_by).cast(pl.Date),
        expected_arrival=pl.Series(arrival).cast(pl.Date), freight_per_unit=pl.Series(primary_cost),
        bridge=pl.lit(False), split=pl.Series(fly),
    )
    fast_ship = order_by + np.ceil(production).astype("timedelta64[D]")
    fast_arrival = fast_ship + np.ceil(fast_lead - production).astype("timedelta64[D]")
    bridge_lines = base.with_columns(
        qty=pl.Series(bridge_qty), mode=fastest["mode"], ship_by=pl.Series(fast_ship).cast(pl.Date),
        expected_arrival=pl.Series(fast_arrival).cast(pl.Date), freight_per_unit=pl.Series(fast_cost),
        bridge=pl.lit(True), split=pl.Series(fly),
    ).filter(pl.col("qty") > 0)
    lines = pl.concat([primary_lines.filter(pl.col("qty") > 0), bridge_lines])
    return _finish(lines, today)


def _finish(lines: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """Cover, cost, cash and the plain-language reason; stable column order."""
    purchase = pl.col("qty") * pl.col("unit_cost")
    freight = pl.col("qty") * pl.col("freight_per_unit")
    lines = lines.with_columns(
        cost=purchase + freight,
        deposit=purchase * pl.col("deposit_share"),
        deposit_date=pl.col("order_by"),
        cash_needed=purchase + freight,
        cash_date=pl.col("ship_by") + pl.duration(days=pl.col("payment_terms_days").cast(pl.Int64)),
        cover_after_days=pl.when(pl.col("daily") > 0)
        .then((pl.col("position").clip(lower_bound=0) + pl.col("qty")) / pl.col("daily"))
        .otherwise(None),
    )
    stock_text = pl.format(
        P.PLAN_STOCK.en,
        pl.col("position").round(0).cast(pl.Int64), pl.col("days_to_stockout").fill_null(999).cast(pl.Int64),
        pl.col("daily").round(2),
    )
    out_text = pl.when(pl.col("projected_stockout").is_not_null()).then(
        pl.format(P.PLAN_RUNS_OUT.en, pl.col("projected_stockout"))
    ).otherwise(pl.lit(P.PLAN_NO_STOCKOUT.en))
    level_text = pl.format(
        P.PLAN_LEVEL.en,
        pl.col("klass"), (pl.col("target") * 100).round(0).cast(pl.Int64), pl.col("order_up_to").cast(pl.Int64),
        pl.col("lead_days").round(0).cast(pl.Int64),
    )
    round_text = pl.when(pl.col("moq") > 1).then(pl.format(P.PLAN_ROUNDING.en, pl.col("moq").cast(pl.Int64),
                                                            pl.col("case_pack").cast(pl.Int64))).otherwise(pl.lit(""))
    late_text = pl.when(pl.col("late_days") > 0).then(
        pl.format(P.PLAN_LATE.en, pl.col("primary_mode"),
                  pl.col("late_days").cast(pl.Int64))
    ).otherwise(pl.lit(""))
    mode_text = (
        pl.when(pl.col("bridge"))
        .then(pl.format(P.PLAN_AIR_BRIDGE.en,
                        pl.col("extra_freight").round(2), pl.col("saved_margin").round(2)))
        .when(pl.col("split"))
        .then(pl.format(P.PLAN_SPLIT.en,
                        pl.col("extra_freight").round(2), pl.col("saved_margin").round(2)))
        .when(pl.col("late_days") > 0)
        .then(pl.format(P.PLAN_NO_BRIDGE.en,
                        pl.col("extra_freight").round(2), pl.col("saved_margin").round(2)))
        .otherwise(pl.lit(""))
    )
    lines = lines.with_columns(
        reason=pl.concat_str([stock_text, out_text, level_text, round_text, late_text, mode_text]),
        action=pl.lit("order"),
        source_warehouse_id=pl.lit(None, dtype=pl.String),
    )
    return lines.select(
        "sku_id", "warehouse_id", "supplier_id", "source_warehouse_id", "action", "qty", "mode", "order_by",
        "ship_by", "expected_arrival", "projected_stockout", "cover_after_days", "cost", "cash_needed",
        "cash_date", "deposit", "deposit_date", "reason", "klass", "target", "unit_cost", "unit_price",
        "freight_per_unit", "daily", "position", "lead_days", "moq", "case_pack", "extra_freight",
        "saved_margin", "bridge",
    ).sort("order_by", "sku_id", "warehouse_id", "bridge", descending=[False, False, False, True])


def _empty_plan() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "sku_id": pl.String, "warehouse_id": pl.String, "supplier_id": pl.String,
            "source_warehouse_id": pl.String, "action": pl.String, "qty": pl.Float64, "mode": pl.String,
            "order_by": pl.Date, "ship_by": pl.Date, "expected_arrival": pl.Date, "projected_stockout": pl.Date,
            "cover_after_days": pl.Float64, "cost": pl.Float64, "cash_needed": pl.Float64, "cash_date": pl.Date,
            "deposit": pl.Float64, "deposit_date": pl.Date, "reason": pl.String, "klass": pl.String,
            "target": pl.Float64, "unit_cost": pl.Float64, "unit_price": pl.Float64,
            "freight_per_unit": pl.Float64, "daily": pl.Float64, "position": pl.Float64, "lead_days": pl.Float64,
            "moq": pl.Float64, "case_pack": pl.Float64, "extra_freight": pl.Float64, "saved_margin": pl.Float64,
            "bridge": pl.Boolean,
        }
    )


def purchase_order_drafts(lines: pl.DataFrame) -> pl.DataFrame:
    """Order lines grouped into draft POs: one per supplier, mode and order-by date."""
    orders = lines.filter((pl.col("action") == "order") & (pl.col("qty") > 0))
    return (
        orders.group_by("supplier_id", "mode", "order_by")
        .agg(
            lines=pl.len(),
            units=pl.col("qty").sum(),
            destinations=pl.col("warehouse_id").unique().sort().str.join(", "),
            cost=pl.col("cost").sum(),
            deposit=pl.col("deposit").sum(),
            balance_date=pl.col("cash_date").min(),
        )
        .sort("order_by", "supplier_id", "mode")
    )
