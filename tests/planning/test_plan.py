"""Plan lines and the cash budget on small hand-checked cases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from stockturn.errors import InputError
from stockturn.planning.budget import optimise_budget
from stockturn.planning.forecast_input import forecast_arrays
from stockturn.planning.lead_time import Closure
from stockturn.planning.plan import PlanSettings, abc_class, build_plan

TODAY = dt.date(2025, 1, 2)
LEVELS = (0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995)


def normal_forecast(rates: dict[str, float], days: int = 260, cv: float = 0.3) -> pl.DataFrame:
    ids = list(rates)
    ds = np.arange(np.datetime64(TODAY) + 1, np.datetime64(TODAY) + 1 + days, dtype="datetime64[D]")
    mean = np.repeat([rates[i] for i in ids], days)
    frame = {"unique_id": np.repeat(ids, days), "ds": np.tile(ds, len(ids)), "mean": mean}
    for q in LEVELS:
        frame[f"q{q:g}"] = np.maximum(mean + cv * mean * stats.norm.ppf(q), 0.0)
    return pl.DataFrame(frame).with_columns(pl.col("ds").cast(pl.Date))


LANES = pl.DataFrame({
    "warehouse_id": ["FBA-US", "FBA-US"], "mode": ["sea", "air"], "transit_mean": [30.0, 5.0],
    "transit_sd": [4.0, 1.0], "customs_days": [3.0, 1.0], "receiving_days": [5.0, 3.0],
    "cost_per_unit_weight": [0.5, 4.0],
})


def sourcing(skus: list[str], price: float = 10.0) -> pl.DataFrame:
    return pl.DataFrame({
        "sku_id": skus, "warehouse_id": ["FBA-US"] * len(skus), "supplier_id": ["S1"] * len(skus),
        "unit_cost": [2.0] * len(skus), "unit_price": [price] * len(skus), "production_mean": [20.0] * len(skus),
        "production_sd": [0.0] * len(skus), "moq": [100.0] * len(skus), "case_pack": [50.0] * len(skus),
        "payment_terms_days": [30.0] * len(skus), "deposit_share": [0.3] * len(skus),
        "weight_kg": [1.0] * len(skus), "supplier_country": ["CN"] * len(skus),
    })


def test_urgent_sku_gets_an_air_bridge_and_a_sea_remainder() -> None:
    positions = pl.DataFrame({"sku_id": ["MUG"], "warehouse_id": ["FBA-US"], "on_hand": [100.0]})
    plan = build_plan(positions, sourcing(["MUG"]), LANES, normal_forecast({"MUG@FBA-US": 10.0}), today=TODAY)
    assert plan["mode"].to_list() == ["air", "sea"]
    air, sea = plan.row(0, named=True), plan.row(1, named=True)
    # stock 100 at 10/day runs out on day 11 (Jan 12); ordered today, air lands day 20 + 9 = 29 and sea day 58:
    # the bridge covers days 29..58 = 29 days x 10 = 290 units; extra freight 290 x 3.5 < margin 290 x 7.5
    assert air["projected_stockout"] == dt.date(2025, 1, 12)
    assert air["order_by"] == TODAY
    assert air["qty"] == 290
    assert air["expected_arrival"] == dt.date(2025, 1, 31)
    assert sea["expected_arrival"] == dt.date(2025, 3, 1)
    assert_allclose(air["extra_freight"], 290 * 3.5)
    assert "Air bridge" in air["reason"] and "runs out 2025-01-12" in sea["reason"]
    assert (air["qty"] + sea["qty"]) % 50 == 0  # case packs of 50
    # cash: 30 % deposit at order, the purchase and freight after shipment + 30 days of terms
    assert_allclose(sea["deposit"], 0.3 * sea["qty"] * 2.0)
    assert sea["cash_date"] == dt.date(2025, 1, 22) + dt.timedelta(days=30)


def test_bridge_not_flown_when_margin_is_below_the_air_premium() -> None:
    positions = pl.DataFrame({"sku_id": ["MUG"], "warehouse_id": ["FBA-US"], "on_hand": [100.0]})
    plan = build_plan(positions, sourcing(["MUG"], price=5.0), LANES, normal_forecast({"MUG@FBA-US": 10.0}),
                      today=TODAY)
    assert plan["mode"].to_list() == ["sea"]
    assert "not worth it" in plan["reason"][0]


def test_chinese_new_year_moves_the_order_by_date() -> None:
    positions = pl.DataFrame({"sku_id": ["LAMP"], "warehouse_id": ["FBA-US"], "on_hand": [680.0]})
    forecast = normal_forecast({"LAMP@FBA-US": 10.0})
    cny = {"CN": [Closure("Chinese New Year", dt.date(2025, 1, 25), dt.date(2025, 2, 12))]}
    # runs out on day 69 (Mar 11); shipping takes 38 days -> ship by Feb 1; 20 production days -> Jan 12.
    # The factory is closed Jan 25 - Feb 12: the 20 days must be Jan 5 - Jan 24.
    plain = build_plan(positions, sourcing(["LAMP"]), LANES, forecast, today=TODAY)
    closed = build_plan(positions, sourcing(["LAMP"]), LANES, forecast, today=TODAY, closures=cny)
    assert plain["projected_stockout"][0] == dt.date(2025, 3, 11)
    assert plain["order_by"][0] == dt.date(2025, 1, 12)
    assert closed["order_by"][0] == dt.date(2025, 1, 5)


def test_abc_classes_and_missing_route_error() -> None:
    assert abc_class(np.array([50.0, 30.0, 10.0, 6.0, 4.0])).tolist() == ["A", "A", "B", "B", "C"]
    positions = pl.DataFrame({"sku_id": ["MUG"], "warehouse_id": ["FBA-DE"], "on_hand": [1.0]})
    src = sourcing(["MUG"]).with_columns(warehouse_id=pl.lit("FBA-DE"))
    with pytest.raises(InputError, match="no route into warehouse FBA-DE"):
        build_plan(positions, src, LANES, normal_forecast({"MUG@FBA-DE": 1.0}), today=TODAY)


def test_budget_cuts_the_least_valuable_units_first() -> None:
    rates = {"FAST@FBA-US": 20.0, "SLOW@FBA-US": 1.0}
    positions = pl.DataFrame({"sku_id": ["FAST", "SLOW"], "warehouse_id": ["FBA-US"] * 2, "on_hand": [0.0, 0.0]})
    src = sourcing(["FAST", "SLOW"]).with_columns(moq=pl.lit(1.0), case_pack=pl.lit(1.0))
    lanes = LANES.filter(pl.col("mode") == "sea")
    plan = build_plan(positions, src, lanes, normal_forecast(rates), today=TODAY,
                      settings=PlanSettings(service_level_a=0.99, service_level_b=0.99, service_level_c=0.99))
    arrays = forecast_arrays(normal_forecast(rates), list(rates), TODAY + dt.timedelta(days=1), 300)
    full = optimise_budget(plan, arrays, budget=1e9)
    assert_allclose(full.lines["qty_chosen"].to_numpy(), plan["qty"].to_numpy())
    assert full.spent == pytest.approx(full.requested)
    half = optimise_budget(plan, arrays, budget=full.requested / 2)
    assert half.spent <= full.requested / 2 + 1e-6
    chosen = dict(zip(half.lines["sku_id"].to_list(), half.lines["qty_chosen"].to_list(), strict=True))
    # FAST's first units are near-certain sales; SLOW's tail is not: the cut falls on both tails
    assert chosen["FAST"] > 0.4 * plan.filter(pl.col("sku_id") == "FAST")["qty"][0]
    assert all(r.startswith(("kept", "cut", "dropped")) for r in half.lines["budget_reason"].to_list())
    assert half.expected_profit < full.expected_profit
