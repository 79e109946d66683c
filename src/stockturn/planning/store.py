"""Warehouse adapter for planning: read positions, sourcing, routes and forecasts; write plan lines.

The only planning module that touches the warehouse, and only through a ``Warehouse`` it is given.
Money is taken as it is stored (supplier prices and route costs in their own currency are treated as
the base currency; FX conversion of plan costs is left to the reports).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from stockturn import phrases as P
from stockturn.errors import InputError, NotFound
from stockturn.planning.budget import BudgetResult, optimise_budget
from stockturn.planning.clearance import clearance_candidates
from stockturn.planning.forecast_input import forecast_arrays
from stockturn.planning.lead_time import Closure
from stockturn.planning.levels import MIN_CALIBRATION_SERIES, LevelError, calibrate_level_error
from stockturn.planning.plan import PlanSettings, build_plan
from stockturn.planning.policies import POLICIES, Mode
from stockturn.planning.replay import ReplayConfig, ReplayData, ReplayResult, replay
from stockturn.planning.transfers import plan_transfers
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse, finish_run, start_run
from stockturn.warehouse.fx import convert_frame

_POSITIONS = """
WITH snap AS (
    SELECT warehouse_id, sku_id, on_hand, reserved, inbound
    FROM stock_snapshot
    WHERE snapshot_date = (SELECT max(snapshot_date) FROM stock_snapshot WHERE snapshot_date <= $as_of)
), po AS (
    SELECT p.destination_warehouse_id AS warehouse_id, l.sku_id, sum(l.qty_ordered - l.qty_received) AS open_po
    FROM purchase_order p JOIN purchase_order_line l USING (po_id)
    WHERE p.status IN ('draft', 'open') AND p.destination_warehouse_id IS NOT NULL
    GROUP BY ALL
), ship AS (
    SELECT s.to_warehouse_id AS warehouse_id, l.sku_id, sum(l.qty) AS in_transit
    FROM shipment s JOIN shipment_line l USING (shipment_id)
    WHERE s.status = 'in_transit' GROUP BY ALL
)
SELECT coalesce(snap.warehouse_id, po.warehouse_id, ship.warehouse_id) AS warehouse_id,
       coalesce(snap.sku_id, po.sku_id, ship.sku_id) AS sku_id,
       coalesce(snap.on_hand, 0) AS on_hand, coalesce(snap.reserved, 0) AS reserved,
       greatest(coalesce(snap.inbound, 0), coalesce(ship.in_transit, 0)) AS in_transit,
       coalesce(po.open_po, 0) AS open_po
FROM snap
FULL JOIN po ON po.warehouse_id = snap.warehouse_id AND po.sku_id = snap.sku_id
FULL JOIN ship ON ship.warehouse_id = coalesce(snap.warehouse_id, po.warehouse_id)
              AND ship.sku_id = coalesce(snap.sku_id, po.sku_id)
"""

_SOURCING = """
SELECT ss.sku_id, ss.supplier_id, s.country AS supplier_country, ss.unit_price AS unit_cost, s.currency,
       greatest(ss.moq_units, s.moq_units) AS moq, greatest(ss.case_pack, coalesce(k.case_pack, 1)) AS case_pack,
       s.lead_time_mean_days AS production_mean, s.lead_time_sd_days AS production_sd,
       s.payment_terms_days, s.deposit_share, coalesce(k.weight_kg, 1.0) AS weight_kg,
       s.capacity_units_month
FROM sku_supplier ss JOIN supplier s USING (supplier_id) LEFT JOIN sku k USING (sku_id)
WHERE ss.is_primary
"""

_PRICES = """
SELECT sku_id, warehouse_id, currency, sum(qty * unit_price) / nullif(sum(qty), 0) AS unit_price
FROM sales_line
WHERE line_type = 'product' AND qty > 0 AND sku_id IS NOT NULL AND warehouse_id IS NOT NULL
  AND CAST(ordered_at AS DATE) BETWEEN $as_of - INTERVAL 90 DAY AND $as_of
GROUP BY ALL
"""


@dataclass
class PlanRun:
    run_id: str
    as_of: dt.date
    lines: pl.DataFrame
    budget: BudgetResult | None
    clearance: pl.DataFrame


def plan_settings(settings: Settings) -> PlanSettings:
    return PlanSettings(
        review_period_days=settings.review_period_days,
        service_level_a=settings.service_level_a,
        service_level_b=settings.service_level_b,
        service_level_c=settings.service_level_c,
        holding_rate=settings.capital_cost_rate + settings.obsolescence_rate + settings.insurance_rate,
        horizon_days=settings.plan_horizon_days,
    )


def latest_stock_date(wh: Warehouse, as_of: dt.date | None) -> dt.date:
    day = wh.scalar("SELECT max(snapshot_date) FROM stock_snapshot WHERE snapshot_date <= $d",
                    {"d": as_of or dt.date(9999, 12, 31)})  # type: ignore[arg-type]
    if day is None:
        raise NotFound("the warehouse has no stock snapshot to plan from",
                       hint="import stock levels first (stockturn import ... stock)")
    assert isinstance(day, dt.date)
    return day


def load_forecast(wh: Warehouse, as_of: dt.date, horizon: int) -> pl.DataFrame:
    """The newest SKU x location forecast made on ``as_of``, or a new one (stored as a forecast run)."""
    run = wh.scalar(
        "SELECT r.run_id FROM run r WHERE r.kind = 'forecast' AND r.finished_at IS NOT NULL AND r.as_of = $d "
        "AND EXISTS (SELECT 1 FROM forecast f WHERE f.run_id = r.run_id AND f.warehouse_id <> '') "
        "AND (SELECT max(ds) FROM forecast f WHERE f.run_id = r.run_id) >= $d + $h "
        "ORDER BY r.started_at DESC LIMIT 1",
        {"d": as_of, "h": horizon},  # type: ignore[arg-type]
    )
    if run is None:
        from stockturn.forecasting.store import run_forecast

        run = run_forecast(wh, horizon=horizon, as_of=as_of).run_id
    return _forecast_frame(wh, str(run))


def _forecast_frame(wh: Warehouse, run: str) -> pl.DataFrame:
    """A stored forecast run's SKU x location rows as a forecast frame (unique_id, ds, mean, q...)."""
    long = wh.frame(
        "SELECT sku_id || '@' || warehouse_id AS unique_id, ds, mean, "
        "unnest(map_keys(quantiles)) AS level, unnest(map_values(quantiles)) AS value "
        "FROM forecast WHERE run_id = $run AND warehouse_id <> ''",
        {"run": run},  # type: ignore[arg-type]
    )
    names = {level: f"q{level:g}" for level in long["level"].unique().to_list()}
    wide = long.with_columns(name=pl.col("level").replace_strict(names, return_dtype=pl.String))
    return wide.pivot(on="name", index=["unique_id", "ds", "mean"], values="value")


TRACK_RECORD_DAYS = 28

_TRACK_RECORD = """
WITH sold AS (
    SELECT sku_id || '@' || coalesce(warehouse_id, '') AS unique_id, sum(qty) AS sold
    FROM sales_line
    WHERE sku_id IS NOT NULL AND line_type = 'product' AND qty > 0
      AND CAST(ordered_at AS DATE) > $start AND CAST(ordered_at AS DATE) <= $end
    GROUP BY 1
), daily AS (
    SELECT sku_id || '@' || warehouse_id AS unique_id, snapshot_date, bool_or(on_hand - reserved > 0) AS available
    FROM stock_snapshot WHERE snapshot_date > $start AND snapshot_date <= $end
    GROUP BY ALL
), out_of_stock AS (
    SELECT unique_id, count(*) FILTER (WHERE NOT available) AS out_days FROM daily GROUP BY 1
)
SELECT coalesce(s.unique_id, o.unique_id) AS unique_id, coalesce(s.sold, 0) AS sold, coalesce(o.out_days, 0) AS out_days
FROM sold s FULL OUTER JOIN out_of_stock o ON s.unique_id = o.unique_id
"""


def track_record_level_error(
    wh: Warehouse, day: dt.date, ids: list[str], days: int = TRACK_RECORD_DAYS
) -> tuple[LevelError, str] | None:
    """The shared level error per volume bucket that the forecasts' own track record calls for.

    Takes the newest stored SKU x location forecast run made at least ``days`` days before ``day`` and
    covering ``days`` days, compares the sums of its first ``days`` days with what sold since (series
    in stock on every one of those days only: the others' sales are censored) and calibrates as the
    replay policy does (``calibrate_level_error``). None while no such run exists (a new warehouse, or
    forecasts kept for less than a month): the plan then uses ``PlanSettings.forecast_correlation`` (0: the
    daily quantiles alone).
    """
    found = wh.frame(
        "SELECT r.run_id, r.as_of FROM run r WHERE r.kind = 'forecast' AND r.finished_at IS NOT NULL "
        "AND r.as_of <= $latest "
        "AND EXISTS (SELECT 1 FROM forecast f WHERE f.run_id = r.run_id AND f.warehouse_id <> '') "
        "AND (SELECT max(ds) FROM forecast f WHERE f.run_id = r.run_id) >= r.as_of + $days "
        "ORDER BY r.as_of DESC, r.started_at DESC LIMIT 1",
        {"latest": day - dt.timedelta(days=days), "days": days},  # type: ignore[arg-type]
    )
    if found.height == 0:
        return None
    run, past = found.row(0)
    assert isinstance(past, dt.date)
    arrays = forecast_arrays(_forecast_frame(wh, run), ids, past + dt.timedelta(days=1), days)
    record = wh.frame(_TRACK_RECORD, {"start": past, "end": past + dt.timedelta(days=days)})  # type: ignore[arg-type]
    index = pl.DataFrame({"unique_id": ids}).join(record, on="unique_id", how="left")
    sold = index["sold"].fill_null(0.0).cast(pl.Float64).to_numpy()
    clean = (index["out_days"].fill_null(0).to_numpy() == 0) & ~np.isnan(arrays.mean).any(axis=1)
    if clean.sum() < MIN_CALIBRATION_SERIES:
        return None
    level_error = calibrate_level_error(arrays.mean[clean], arrays.variance[clean], sold[clean], float(days))
    return level_error, run


def _to_base(wh: Warehouse, frame: pl.DataFrame, columns: list[str], base: str, day: dt.date) -> pl.DataFrame:
    """Amounts in each row's `currency` converted to the base currency at the plan date's rate."""
    dated = frame.with_columns(day=pl.lit(day))
    return convert_frame(wh, dated, amount_columns=columns, base=base).drop("day", "currency")


def load_plan_inputs(wh: Warehouse, as_of: dt.date, base: str = "USD") -> dict[str, Any]:
    positions = wh.frame(_POSITIONS, {"as_of": as_of})  # type: ignore[arg-type]
    sourcing = _to_base(wh, wh.frame(_SOURCING), ["unit_cost"], base, as_of)
    prices = _to_base(wh, wh.frame(_PRICES, {"as_of": as_of}), ["unit_price"], base, as_of)  # type: ignore[arg-type]
    prices = prices.group_by("sku_id", "warehouse_id").agg(pl.col("unit_price").mean())
    if sourcing.height == 0:
        raise NotFound("no primary supplier for any SKU (table sku_supplier)",
                       hint="import suppliers and SKU-supplier prices first")
    # destinations: warehouses that receive from a supplier's country (first-leg routes)
    warehouses = wh.frame("SELECT warehouse_id, country, type FROM warehouse")
    routes = _to_base(wh, wh.frame("SELECT * EXCLUDE (import_id, source_file, source_row) FROM route"),
                      ["cost_per_kg"], base, as_of)
    origin = warehouses.filter(pl.col("type") == "own").select(from_warehouse_id="warehouse_id",
                                                                origin_country="country")
    first_leg = routes.join(origin, on="from_warehouse_id", how="inner")
    destinations = first_leg["to_warehouse_id"].unique().to_list()
    sourcing = (
        sourcing.join(positions.select("sku_id", "warehouse_id").filter(pl.col("warehouse_id").is_in(destinations)),
                      on="sku_id", how="inner")
        .join(prices, on=["sku_id", "warehouse_id"], how="left")
        .with_columns(unit_price=pl.col("unit_price").fill_null(pl.col("unit_cost") * 2.5))
    )
    lanes = first_leg.select(
        "to_warehouse_id", "mode", transit_mean="transit_mean_days", transit_sd="transit_sd_days",
        customs_days="customs_days", receiving_days="receiving_days", cost_per_unit_weight="cost_per_kg",
    ).rename({"to_warehouse_id": "warehouse_id"})
    closures_frame = wh.frame(
        "SELECT name, country, start_date, end_date FROM event WHERE event_type = 'closure' AND end_date >= $d",
        {"d": as_of},  # type: ignore[arg-type]
    )
    closures: dict[str, list[Closure]] = {}
    for name, country, start, end in closures_frame.iter_rows():
        closures.setdefault(country, []).append(Closure(name, start, end))
    capacity = {
        str(k): float(v) * 7 / 30  # monthly capacity -> one weekly order cycle
        for k, v in sourcing.select("supplier_id", "capacity_units_month").unique().iter_rows() if v is not None
    }
    return {"positions": positions.filter(pl.col("warehouse_id").is_in(destinations)), "sourcing": sourcing,
            "lanes": lanes, "closures": closures, "capacity": capacity, "routes": routes,
            "all_positions": positions, "prices": prices}


def run_plan(wh: Warehouse, settings: Settings, *, as_of: dt.date | None = None,
             budget: float | None = None) -> PlanRun:
    """Build the plan from the warehouse, optionally fit it to a cash budget, store it as a plan run."""
    day = latest_stock_date(wh, as_of)
    cfg = plan_settings(settings)
    inputs = load_plan_inputs(wh, day, settings.base_currency)
    horizon = int(inputs["sourcing"]["production_mean"].max() or 0) + 60 + cfg.horizon_days
    forecast = load_forecast(wh, day, min(horizon, 365))
    ids = (inputs["sourcing"]["sku_id"] + "@" + inputs["sourcing"]["warehouse_id"]).to_list()
    known = set(forecast["unique_id"].unique().to_list())
    keep = [i for i in ids if i in known]
    sourcing = inputs["sourcing"].filter((pl.col("sku_id") + "@" + pl.col("warehouse_id")).is_in(keep))
    learnt = track_record_level_error(wh, day, keep)
    lines = build_plan(inputs["positions"], sourcing, inputs["lanes"], forecast, today=day, settings=cfg,
                       closures=inputs["closures"], capacity=inputs["capacity"],
                       level_error=learnt[0] if learnt else None)
    budget_result = None
    if budget is not None:
        arrays = forecast_arrays(forecast, keep, day + dt.timedelta(days=1), cfg.horizon_days + 200)
        budget_result = optimise_budget(lines, arrays, budget, holding_rate=cfg.holding_rate,
                                        review_period=cfg.review_period_days)
        share = pl.col("qty_chosen") / pl.col("qty")
        lines = budget_result.lines.with_columns(
            qty=pl.col("qty_chosen"), cost=pl.col("cost") * share, cash_needed=pl.col("cash_needed") * share,
            reason=pl.concat_str([pl.col("reason"), pl.format(P.BUDGET.en, pl.col("budget_reason"))]),
        )
    stock = (inputs["all_positions"]
             .join(forecast.group_by("unique_id").agg(daily=pl.col("mean").mean())
                   .with_columns(sku_id=pl.col("unique_id").str.split("@").list.first(),
                                 warehouse_id=pl.col("unique_id").str.split("@").list.last()),
                   on=["sku_id", "warehouse_id"], how="inner")
             .join(inputs["sourcing"].select("sku_id", "warehouse_id", "unit_cost", "unit_price"),
                   on=["sku_id", "warehouse_id"], how="left"))
    clearance = clearance_candidates(stock.with_columns(pl.col("unit_cost").fill_null(0.0)),
                                     sell_within_days=settings.clearance_sell_within_days,
                                     elasticity=settings.clearance_elasticity)
    run_id = write_plan_lines(wh, "plan", day, lines, clearance,
                              {"budget": budget, "service_levels": [cfg.service_level_a, cfg.service_level_b,
                                                                     cfg.service_level_c],
                               "level_error": _describe(learnt, cfg.forecast_correlation)})
    return PlanRun(run_id, day, lines, budget_result, clearance)


def run_transfers(wh: Warehouse, settings: Settings, *, as_of: dt.date | None = None) -> tuple[str, pl.DataFrame]:
    day = latest_stock_date(wh, as_of)
    inputs = load_plan_inputs(wh, day, settings.base_currency)
    forecast = load_forecast(wh, day, 60)
    daily = forecast.group_by("unique_id").agg(daily=pl.col("mean").mean()).with_columns(
        sku_id=pl.col("unique_id").str.split("@").list.first(),
        warehouse_id=pl.col("unique_id").str.split("@").list.last(),
    )
    cost = inputs["sourcing"].group_by("sku_id").agg(pl.col("unit_cost").first(), pl.col("unit_price").mean(),
                                                     pl.col("weight_kg").first(),
                                                     pl.col("production_mean").first())
    # a warehouse with stock but no sales of its own (e.g. the home warehouse in China) has no forecast:
    # all its stock is surplus
    stock = (inputs["all_positions"].join(daily.drop("unique_id"), on=["sku_id", "warehouse_id"], how="left")
             .with_columns(pl.col("daily").fill_null(0.0))
             .join(cost, on="sku_id", how="inner")
             .with_columns(unit_margin=pl.col("unit_price") - pl.col("unit_cost"),
                           inbound=pl.col("in_transit") + pl.col("open_po"),
                           replenish_days=pl.col("production_mean") + 30.0))
    lanes = inputs["routes"].join(cost.select("sku_id", "weight_kg"), how="cross").select(
        "sku_id", "from_warehouse_id", "to_warehouse_id", "mode",
        transit_days=pl.col("transit_mean_days") + pl.col("customs_days") + pl.col("receiving_days"),
        cost_per_unit=pl.col("cost_per_kg") * pl.col("weight_kg"),
    )
    moves = []
    # per-SKU lanes (cost depends on weight): solve per weight class would be cleaner; one LP per SKU group
    for (sku,), sku_stock in stock.partition_by("sku_id", as_dict=True).items():
        sku_lanes = lanes.filter(pl.col("sku_id") == sku).drop("sku_id")
        found = plan_transfers(sku_stock, sku_lanes, keep_days=settings.transfer_keep_days,
                               need_days=settings.transfer_need_days)
        if found.height:
            moves.append(found)
    result = pl.concat(moves) if moves else plan_transfers(stock.head(0), lanes.drop("sku_id").head(0))
    lines = result.with_columns(action=pl.lit("transfer"), supplier_id=pl.lit(None, dtype=pl.String),
                                order_by=pl.lit(day), ship_by=pl.lit(day),
                                expected_arrival=pl.lit(day)
                                + pl.duration(days=pl.col("transit_days").ceil().cast(pl.Int64)),
                                cash_needed=pl.col("cost"), cash_date=pl.lit(day))
    run_id = write_plan_lines(wh, "plan", day, lines, None, {"kind": "transfers"})
    return run_id, result


PLAN_LINE_COLUMNS = ("sku_id", "warehouse_id", "supplier_id", "source_warehouse_id", "action", "qty", "mode",
                     "order_by", "ship_by", "expected_arrival", "projected_stockout", "cover_after_days", "cost",
                     "cash_needed", "cash_date", "reason")


def _describe(learnt: tuple[LevelError, str] | None, setting: float) -> dict[str, Any]:
    """What the plan used as the shared level error, for the run's parameters."""
    if learnt is None:
        return {"source": f"no track record yet (no forecast run made {TRACK_RECORD_DAYS}+ days before the plan)",
                "values": [setting]}
    level_error, run = learnt
    return {"source": f"track record of forecast run {run}", "volume_edges_per_day": list(level_error.edges),
            "values": list(level_error.values)}


def write_plan_lines(wh: Warehouse, kind: str, as_of: dt.date, lines: pl.DataFrame,
                     clearance: pl.DataFrame | None, parameters: dict[str, Any]) -> str:
    """Store order/transfer lines (and clearance candidates) under a new run id, all or nothing."""
    frames = [_conform(lines)]
    if clearance is not None and clearance.height:
        frames.append(_conform(clearance.with_columns(action=pl.lit("clearance"), qty=pl.col("excess"),
                                                      cost=pl.col("tied_cost"))))
    rows = pl.concat(frames, how="vertical_relaxed").with_row_index("line_id", offset=1)
    rows = rows.with_columns(pl.col("line_id").cast(pl.Int32))
    with wh.transaction():
        run_id = start_run(wh, kind, as_of=as_of, parameters=parameters)
        wh.con.register("_plan", rows.to_arrow())
        try:
            cols = ", ".join(("line_id", *PLAN_LINE_COLUMNS))
            wh.con.execute(f"INSERT INTO plan_line (run_id, {cols}) SELECT $run, {cols} FROM _plan", {"run": run_id})
        finally:
            wh.con.unregister("_plan")
        finish_run(wh, run_id)
    return run_id


def _conform(frame: pl.DataFrame) -> pl.DataFrame:
    types = {"sku_id": pl.String, "warehouse_id": pl.String, "supplier_id": pl.String,
             "source_warehouse_id": pl.String, "action": pl.String, "qty": pl.Float64, "mode": pl.String,
             "order_by": pl.Date, "ship_by": pl.Date, "expected_arrival": pl.Date, "projected_stockout": pl.Date,
             "cover_after_days": pl.Float64, "cost": pl.Float64, "cash_needed": pl.Float64, "cash_date": pl.Date,
             "reason": pl.String}
    return frame.select([
        (pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t)).alias(c) for c, t in types.items()
    ])


def backtest_data(wh: Warehouse, start: dt.date, end: dt.date) -> tuple[ReplayData, tuple[Mode, ...]]:
    """Daily demand per SKU@warehouse from sales lines, unit cost and price, and the main lead time."""
    daily = wh.frame(
        "SELECT sku_id || '@' || warehouse_id AS unique_id, CAST(ordered_at AS DATE) AS ds, sum(qty) AS y, "
        "sum(qty * unit_price) / nullif(sum(qty), 0) AS price FROM sales_line "
        "WHERE line_type = 'product' AND qty > 0 AND sku_id IS NOT NULL AND warehouse_id IS NOT NULL "
        "AND CAST(ordered_at AS DATE) <= $end GROUP BY ALL",
        {"end": end},  # type: ignore[arg-type]
    )
    if daily.height == 0:
        raise NotFound(f"no product sales on or before {end} to replay", hint="import sales first")
    first = daily["ds"].min()
    assert isinstance(first, dt.date)
    if first >= start:
        raise InputError(f"--start {start} leaves no history before it (sales begin {first})",
                         column="--start", hint=f"start after {first + dt.timedelta(days=56)}")
    ids = sorted(daily["unique_id"].unique().to_list())
    dates = np.arange(np.datetime64(first), np.datetime64(end) + 1, dtype="datetime64[D]")
    row = {u: i for i, u in enumerate(ids)}
    demand = np.zeros((len(ids), dates.size))
    r = np.array([row[u] for u in daily["unique_id"].to_list()], dtype=np.int64)
    c = (daily["ds"].to_numpy().astype("datetime64[D]") - dates[0]).astype(np.int64)
    np.add.at(demand, (r, c), daily["y"].to_numpy())
    prices = daily.group_by("unique_id").agg(pl.col("price").median())
    price_of = dict(prices.iter_rows())
    costs = wh.frame("SELECT sku_id, arg_max(purchase_cost + freight_cost + duty_cost + other_cost, valid_from) "
                     "AS cost FROM unit_cost GROUP BY sku_id")
    cost_of = dict(costs.iter_rows())
    price = np.array([price_of[u] or 1.0 for u in ids], dtype=np.float64)
    cost = np.array([cost_of.get(u.rsplit("@", 1)[0]) or 0.5 * p for u, p in zip(ids, price, strict=True)])
    lead = wh.frame("SELECT avg(s.lead_time_mean_days + r.transit_mean_days + r.customs_days + r.receiving_days) "
                    "AS mean, avg(sqrt(s.lead_time_sd_days ^ 2 + r.transit_sd_days ^ 2)) AS sd "
                    "FROM supplier s, route r "
                    "WHERE r.mode = 'sea' AND s.lead_time_mean_days > 0")
    mean = float(lead["mean"][0] or 14.0)
    sd = float(lead["sd"][0] or 0.0)
    half = round(sd * np.sqrt(3.0))
    return ReplayData(ids, dates, demand, cost, price), (Mode("sea", round(mean) - half, round(mean) + half),)


def run_backtest(wh: Warehouse, settings: Settings, *, policy: str, start: dt.date, end: dt.date,
                 service_level: float = 0.97, seed: int = 0) -> tuple[str, ReplayResult]:
    if policy not in POLICIES:
        raise InputError(f"unknown policy {policy!r}", column="--policy", hint=f"choose from {', '.join(POLICIES)}")
    data, modes = backtest_data(wh, start, end)
    chosen = POLICIES[policy](service_level=service_level) if policy == "stockturn" else POLICIES[policy]()
    config = ReplayConfig(start=start, end=end, modes=modes, review_period=settings.review_period_days, seed=seed,
                          holding_rate=settings.capital_cost_rate + settings.obsolescence_rate
                          + settings.insurance_rate)
    result = replay(data, chosen, config)
    with wh.transaction():
        run_id = start_run(wh, "backtest", as_of=end, parameters={"policy": policy, "start": start, "end": end,
                                                                   "summary": result.summary})
        finish_run(wh, run_id)
    return run_id, result
