"""Speed of planning: a plan for 100,000 SKU-locations (forecasts given) and the budget MIP for 10,000 SKUs.

    .venv/bin/python benchmarks/plan_speed.py [--rows 100000] [--budget-rows 10000]

Synthetic but realistic inputs, seeded: 20,000 SKUs x 5 warehouses, negative-binomial-like daily
forecasts (mean from a log-normal, nine quantiles) over lead time + review + plan horizon, three lanes
per warehouse (sea, rail, air), MOQ and case packs, 50 suppliers with capacities. The baseline timed in
the same process is the textbook normal order-up-to level (NumPy, no forecast frame, no rounding or
dates), i.e. the floor any plan has to do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from stockturn.planning.budget import optimise_budget
from stockturn.planning.forecast_input import forecast_arrays
from stockturn.planning.plan import PlanSettings, build_plan
from stockturn.planning.textbook import order_up_to_level

TODAY = dt.date(2025, 6, 1)
LEVELS = (0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995)
WAREHOUSES = ("3PL-US", "FBA-DE", "FBA-JP", "FBA-UK", "FBA-US")  # sorted: the forecast comes series-major


Frames = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]


def make_inputs(rows: int, horizon: int, seed: int = 1) -> Frames:
    rng = np.random.default_rng(seed)
    skus = rows // len(WAREHOUSES)
    sku = np.repeat([f"SKU{i:06d}" for i in range(skus)], len(WAREHOUSES))
    wh = np.tile(WAREHOUSES, skus)
    n = sku.size
    rate = np.exp(rng.normal(0.0, 1.2, n))
    positions = pl.DataFrame({"sku_id": sku, "warehouse_id": wh, "on_hand": np.floor(rate * rng.uniform(0, 90, n)),
                              "in_transit": np.floor(rate * rng.uniform(0, 30, n)), "reserved": np.zeros(n)})
    cost = np.exp(rng.normal(1.5, 0.6, skus)).repeat(len(WAREHOUSES))
    sourcing = pl.DataFrame({
        "sku_id": sku, "warehouse_id": wh, "supplier_id": np.array([f"S{i % 50}" for i in range(skus)]).repeat(5),
        "unit_cost": cost, "unit_price": cost * rng.uniform(2.0, 3.5, n), "production_mean": rng.uniform(10, 30, n),
        "production_sd": rng.uniform(0, 5, n), "moq": rng.choice([1.0, 50.0, 100.0, 300.0], n),
        "case_pack": rng.choice([1.0, 6.0, 12.0, 24.0], n), "payment_terms_days": 30.0, "deposit_share": 0.3,
        "weight_kg": rng.uniform(0.1, 3.0, n), "supplier_country": "CN",
    })
    lanes = pl.DataFrame({
        "warehouse_id": np.repeat(WAREHOUSES, 3), "mode": ["sea", "rail", "air"] * len(WAREHOUSES),
        "transit_mean": [32.0, 20.0, 7.0] * len(WAREHOUSES), "transit_sd": [5.0, 4.0, 1.5] * len(WAREHOUSES),
        "customs_days": 3.0, "receiving_days": 5.0, "cost_per_unit_weight": [1.1, 2.6, 6.5] * len(WAREHOUSES),
    })
    ids = np.char.add(np.char.add(sku.astype(str), "@"), wh.astype(str))
    days = np.arange(np.datetime64(TODAY) + 1, np.datetime64(TODAY) + 1 + horizon, dtype="datetime64[D]")
    mean = np.repeat(rate, horizon) * np.tile(1 + 0.2 * np.sin(np.arange(horizon) * 2 * np.pi / 7), n)
    frame = {"unique_id": np.repeat(ids, horizon), "ds": np.tile(days, n), "mean": mean}
    sd = np.sqrt(mean + 0.3 * mean**2)
    for q in LEVELS:
        frame[f"q{q:g}"] = np.maximum(mean + sd * stats.norm.ppf(q), 0.0)
    forecast = pl.DataFrame(frame).with_columns(pl.col("ds").cast(pl.Date))
    return positions, sourcing, lanes, forecast


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--budget-rows", type=int, default=10_000)
    args = parser.parse_args()
    cfg = PlanSettings(horizon_days=120)
    horizon = 30 + 43 + 7 + cfg.horizon_days + 2
    t0 = time.perf_counter()
    positions, sourcing, lanes, forecast = make_inputs(args.rows, horizon)
    build_s = time.perf_counter() - t0
    print(f"inputs: {positions.height} SKU-locations, {forecast.height:,} forecast rows ({build_s:.1f} s)", flush=True)

    t0 = time.perf_counter()
    rate = forecast.group_by("unique_id").agg(pl.col("mean").mean(), pl.col("q0.835").mean())
    baseline = order_up_to_level(rate["mean"].to_numpy(), rate["q0.835"].to_numpy() - rate["mean"].to_numpy(),
                                 7, 60, 5, 0.95)
    baseline_s = time.perf_counter() - t0
    print(f"baseline textbook (R,S) levels: {baseline_s:.1f} s ({baseline.size} rows)", flush=True)

    capacity = {f"S{i}": 1e9 if i % 5 else 20_000.0 for i in range(50)}
    t0 = time.perf_counter()
    plan = build_plan(positions, sourcing, lanes, forecast, today=TODAY, settings=cfg, capacity=capacity)
    plan_s = time.perf_counter() - t0
    print(f"plan: {plan_s:.1f} s, {plan.height} lines ({int(plan['bridge'].sum())} air bridges)", flush=True)

    sub = plan.filter(pl.col("sku_id").is_in(plan["sku_id"].unique().sort().head(args.budget_rows).to_list()))
    sub = sub.head(args.budget_rows)
    ids = (sub["sku_id"] + "@" + sub["warehouse_id"]).unique().to_list()
    t0 = time.perf_counter()
    arrays = forecast_arrays(forecast.filter(pl.col("unique_id").is_in(ids)), ids,
                             TODAY + dt.timedelta(days=1), horizon)
    requested = float((sub["qty"] * (sub["unit_cost"] + sub["freight_per_unit"])).sum())
    result = optimise_budget(sub, arrays, requested * 0.5, holding_rate=cfg.holding_rate)
    budget_s = time.perf_counter() - t0
    print(f"budget LP: {budget_s:.1f} s for {sub.height} lines, spent {result.spent:,.0f} of "
          f"{result.budget:,.0f} ({result.status})", flush=True)
    out = {
        "machine": f"{platform.machine()} python {platform.python_version()} cpus={__import__('os').cpu_count()}",
        "rows": positions.height, "forecast_rows": forecast.height, "plan_seconds": plan_s,
        "plan_lines": plan.height, "baseline_textbook_seconds": baseline_s, "budget_lines": sub.height,
        "budget_seconds": budget_s, "budget_status": result.status, "budget_spent": result.spent,
        "budget_limit": result.budget,
    }
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "plan_speed.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
