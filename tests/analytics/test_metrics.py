"""Every metric of docs/metrics.md pinned on small hand-computed warehouses (landed cost 10 per unit)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from analytics_tiny import day, masters, sale, sales, snapshots
from numpy.testing import assert_allclose

from stockturn import analytics as an
from stockturn.analytics.period import Period
from stockturn.settings import Settings, StorageRule
from stockturn.warehouse import Warehouse, open_warehouse
from stockturn.warehouse.fx import FxRateMissing

TEN_DAYS = Period(day(1), day(10))
NO_STORAGE = {"storage_rules": {}}


def _row(frame: pl.DataFrame, **keys: str) -> dict[str, object]:
    for key, value in keys.items():
        frame = frame.filter(pl.col(key) == value)
    assert frame.height == 1, frame
    return frame.row(0, named=True)


@pytest.fixture
def basic(tiny: Callable[[], Warehouse]) -> Warehouse:
    """A: 100 units every day, 10 sold at 20 on day 3, 2 returned on day 5.
    B: launched day 3 with 5 units, out of stock days 7-10, sold 8 units while in stock.
    C: listed, never stocked, never sold.  D: 50 units, never sold."""
    wh = tiny()
    with wh.transaction():
        masters(wh, ["A", "B", "C", "D"])
        snapshots(wh, "A", "W1", [100.0] * 10)
        snapshots(wh, "B", "W1", [0, 0, 5, 5, 5, 5, 0, 0, 0, 0])
        snapshots(wh, "C", "W1", [0.0] * 10)
        snapshots(wh, "D", "W1", [50.0] * 10)
        sales(wh, [sale("A", 3, 10, 20.0, fees=5.0), sale("A", 5, -2, 20.0),
                   sale("B", 3, 4, 20.0), sale("B", 5, 4, 20.0)])
    return wh


def test_sales_turnover_and_inventory_of_one_sku(basic: Warehouse) -> None:
    m = _row(an.metrics(basic, Settings(**NO_STORAGE), by="sku", period=TEN_DAYS, with_previous=False), sku_id="A")
    assert_allclose([m["units_sold"], m["units_returned"], m["revenue"], m["cogs"]], [8, 2, 160, 80])
    assert_allclose([m["gross_margin"], m["gross_margin_pct"]], [80, 0.5])
    assert_allclose([m["avg_inventory_units"], m["avg_inventory_value"]], [100, 1000])
    assert_allclose(m["turnover"], 80 / 1000)
    assert_allclose(m["turnover_annualised"], 0.08 * 365 / 10)
    assert_allclose(m["dio"], 1000 / 80 * 10)  # 125 days
    assert_allclose(m["sell_through"], 8 / 108)
    assert_allclose(m["gmroi"], 80 / 1000)
    assert_allclose(m["platform_fees"], 5.0)


def test_new_sku_stockouts_lost_sales_and_fill_rate(basic: Warehouse) -> None:
    m = _row(an.metrics(basic, Settings(**NO_STORAGE), by="sku", period=TEN_DAYS, with_previous=False), sku_id="B")
    # active from its first stocked day (day 3): 8 days, of which days 7-10 without stock
    assert_allclose([m["active_days"], m["stockout_days"], m["stockout_rate"]], [8, 4, 0.5])
    # 8 units over 4 in-stock days = 2 per day, x 4 stockout days
    assert_allclose([m["lost_units"], m["lost_revenue"], m["fill_rate"]], [8, 160, 0.5])
    assert m["days_of_cover"] == 0.0  # nothing available


def test_zero_stock_and_no_sales_give_empty_ratios(basic: Warehouse) -> None:
    frame = an.metrics(basic, Settings(**NO_STORAGE), by="sku", period=TEN_DAYS, with_previous=False)
    never = _row(frame, sku_id="C")
    assert never["active_days"] == 0 and never["stockout_rate"] is None
    assert never["turnover"] is None and never["dio"] is None and never["sell_through"] is None
    idle = _row(frame, sku_id="D")
    assert idle["turnover"] == 0.0 and idle["dio"] is None  # stock that never sells has no finite DIO
    assert idle["days_of_cover"] is None and idle["sell_through"] == 0.0


def test_coarser_grains_are_ratios_of_sums(basic: Warehouse) -> None:
    frame = an.metrics(basic, Settings(**NO_STORAGE), by="category", period=TEN_DAYS, with_previous=False)
    cat1 = _row(frame, category="Cat1")  # A and C
    assert_allclose(cat1["turnover"], 80 / 1000)
    company = an.metrics(basic, Settings(**NO_STORAGE), by="company", period=TEN_DAYS, with_previous=False).row(
        0, named=True)
    # A 1000 + B (4 days x 5 units x 10 = 200) / 10 days + D 500 = 1520 average value; COGS 80 + 80
    assert_allclose(company["avg_inventory_value"], 1000 + 20 + 500)
    assert_allclose(company["turnover"], 160 / 1520)
    assert_allclose(company["stockout_rate"], 4 / (10 + 8 + 10))


def test_days_of_cover_from_recent_average_and_from_forecast(tiny: Callable[[], Warehouse]) -> None:
    wh = tiny()
    with wh.transaction():
        masters(wh, ["A"])
        snapshots(wh, "A", "W1", [0, 0, 0, 0, 0, 60, 60, 60, 60, 60])
        sales(wh, [sale("A", 6, 5, 20.0), sale("A", 8, 5, 20.0)])
    settings = Settings(cover_lookback_days=10, **NO_STORAGE)
    m = an.metrics(wh, settings, by="sku", period=TEN_DAYS, with_previous=False).row(0, named=True)
    assert_allclose(m["days_of_cover"], 60 / (10 / 5))  # 10 units over 5 in-stock days
    from stockturn.warehouse import finish_run, start_run

    with wh.transaction():  # a forecast run overrides the recent average
        run_id = start_run(wh, "forecast")
        wh.con.execute("INSERT INTO forecast SELECT ?, 'A', 'W1', DATE '2024-01-10' + CAST(i AS INTEGER), 3.0, "
                       "MAP {0.5: 3.0} FROM range(1, 29) r(i)", [run_id])
        finish_run(wh, run_id)
    m = an.metrics(wh, settings, by="sku", period=TEN_DAYS, with_previous=False).row(0, named=True)
    assert_allclose([m["days_of_cover"], m["cover_from_forecast"]], [20.0, 1.0])


def test_multiple_currencies_convert_at_the_day_rate(tiny: Callable[[], Warehouse]) -> None:
    wh = tiny()
    with wh.transaction():
        masters(wh, ["A"])
        snapshots(wh, "A", "W1", [100.0] * 10)
        sales(wh, [sale("A", 2, 10, 20.0, channel="C2", currency="EUR"), sale("A", 3, 10, 20.0)])
    usd = an.metrics(wh, Settings(**NO_STORAGE), by="channel", period=TEN_DAYS, with_previous=False)
    assert_allclose([_row(usd, channel_id="C2")["revenue"], _row(usd, channel_id="C1")["revenue"]], [220, 200])
    eur = an.metrics(wh, Settings(base_currency="EUR", **NO_STORAGE), by="company", period=TEN_DAYS,
                     with_previous=False).row(0, named=True)
    assert_allclose(eur["revenue"], 200 + 200 / 1.1)
    assert_allclose(eur["cogs"], 10 * 10 / 1.1 * 2)  # landed cost 10 USD at the cost's own day


def test_missing_rate_names_currency_and_days(tiny: Callable[[], Warehouse]) -> None:
    wh = tiny()
    with wh.transaction():
        masters(wh, ["A"])
        snapshots(wh, "A", "W1", [10.0] * 10)
        sales(wh, [sale("A", 4, 1, 20.0, currency="GBP"), sale("A", 6, 1, 20.0, currency="GBP")])
    with pytest.raises(FxRateMissing, match=r"GBP on 2 day\(s\) from 2024-01-04 to 2024-01-06"):
        an.metrics(wh, Settings(), by="sku", period=TEN_DAYS, with_previous=False)


def test_channel_grain_splits_stock_by_units_sold(tiny: Callable[[], Warehouse]) -> None:
    wh = tiny()
    with wh.transaction():
        masters(wh, ["A"])
        snapshots(wh, "A", "W1", [100.0] * 10)
        sales(wh, [sale("A", 2, 30, 10.0, channel="C1"), sale("A", 2, 10, 10.0, channel="C3")])
    frame = an.metrics(wh, Settings(**NO_STORAGE), by="channel", period=TEN_DAYS, with_previous=False)
    assert_allclose([_row(frame, channel_id="C1")["avg_inventory_units"],
                     _row(frame, channel_id="C3")["avg_inventory_units"]], [75, 25])
    assert_allclose(_row(frame, channel_id="C1")["turnover"], 300 / 750)


def test_comparison_with_previous_period_flags_trends(tiny: Callable[[], Warehouse]) -> None:
    wh = tiny()
    with wh.transaction():
        masters(wh, ["A"])
        snapshots(wh, "A", "W1", [100.0] * 20)
        sales(wh, [sale("A", 2, 10, 20.0), sale("A", 12, 5, 20.0)])
    frame = an.metrics(wh, Settings(**NO_STORAGE), by="sku", period=Period(day(11), day(20)))
    m = frame.row(0, named=True)
    assert_allclose([m["turnover"], m["turnover_prev"], m["turnover_change"]], [0.05, 0.1, -0.5])
    assert "Turnover down 50% against the previous 10 days" in m["trend"]


def test_holding_cost_parts(tiny: Callable[[], Warehouse]) -> None:
    """100 units of 0.001 m3 for all January at 10 per m3-month (minimum 0.02 per unit-month)."""
    wh = tiny()
    with wh.transaction():
        masters(wh, ["A"])
        snapshots(wh, "A", "W1", [100.0] * 31)
    month = Period(day(1), day(31))
    settings = Settings(storage_rules={"W1": StorageRule(rate_m3_month=10.0, min_unit_month=0.0)})
    m = an.metrics(wh, settings, by="sku", period=month, with_previous=False).row(0, named=True)
    assert_allclose(m["storage_cost"], 100 * 0.001 * 10.0)
    assert_allclose(m["capital_cost"], 0.15 * 1000 * 31 / 365)
    assert_allclose(m["obsolescence_cost"], 0.06 * 1000 * 31 / 365)
    assert_allclose(m["insurance_cost"], 0.01 * 1000 * 31 / 365)
    minimum = Settings(storage_rules={"3pl": StorageRule(rate_m3_month=10.0, min_unit_month=0.02)})
    m = an.metrics(wh, minimum, by="sku", period=month, with_previous=False).row(0, named=True)
    assert_allclose(m["storage_cost"], 100 * 0.02)  # the per-unit minimum wins over 0.01 by volume
    peak = Settings(storage_rules={"W1": StorageRule(rate_m3_month=10.0, peak_rate_m3_month=40.0, peak_months=[1])})
    m = an.metrics(wh, peak, by="sku", period=Period(day(17), day(31)), with_previous=False).row(0, named=True)
    assert_allclose(m["storage_cost"], 100 * 0.001 * 40.0 * 15 / 31)  # half a peak month


def test_actual_storage_fees_win_over_the_estimate(tiny: Callable[[], Warehouse]) -> None:
    from datetime import date

    from stockturn.warehouse import insert_frame

    wh = tiny()
    with wh.transaction():
        masters(wh, ["A"])
        snapshots(wh, "A", "W2", [100.0] * 31)
        insert_frame(wh, "fee", pl.DataFrame({
            "fee_key": ["f1"], "period_start": [date(2024, 1, 1)], "period_end": [date(2024, 1, 31)],
            "warehouse_id": ["W2"], "sku_id": ["A"], "fee_type": ["storage"], "amount": [62.0],
            "currency": ["EUR"]}))
    m = an.metrics(wh, Settings(), by="sku", period=Period(day(1), day(10)), with_previous=False).row(0, named=True)
    assert_allclose(m["storage_cost"], 62.0 * 1.1 * 10 / 31)  # pro rata by days, converted to USD


def test_daily_series_for_charts(basic: Warehouse) -> None:
    series = an.daily_series(basic, Settings(), period=TEN_DAYS, sku_id="A")
    assert series.height == 10
    assert_allclose(series["stock_value"].to_numpy(), [1000.0] * 10)
    assert_allclose(series["units_sold"].to_numpy(), [0, 0, 10, 0, -2, 0, 0, 0, 0, 0])
    assert_allclose(series["revenue"].sum(), 160.0)


def test_lean_turnover_scope_also_names_missing_rates(tiny: Callable[[], Warehouse]) -> None:
    wh = tiny()
    with wh.transaction():
        masters(wh, ["A"])
        snapshots(wh, "A", "W1", [10.0] * 10)
        sales(wh, [sale("A", 4, 1, 20.0, currency="GBP")])
    with pytest.raises(FxRateMissing, match=r"GBP on 1 day\(s\) from 2024-01-04 to 2024-01-04"):
        an.metrics(wh, Settings(), by="sku", period=TEN_DAYS, with_previous=False, only=["turnover", "revenue"])
    # turnover alone needs no rate for the sale's currency: COGS is at landed cost in the base currency
    lean = an.metrics(wh, Settings(), by="sku", period=TEN_DAYS, with_previous=False, only=["turnover", "cogs"])
    assert lean["cogs"].to_list() == [10.0]  # 1 unit at landed cost 8 + 1.5 + 0.5


def test_lean_scopes_equal_the_full_computation(demo_warehouse: Path) -> None:
    with open_warehouse(demo_warehouse, read_only=True) as wh:
        settings = Settings()
        for by in ("sku-warehouse", "category", "company"):
            full = an.metrics(wh, settings, by=by, period="90d", with_previous=False)
            for only in (list(an.INVENTORY_METRICS), list(an.TURNOVER_METRICS)):
                lean = an.metrics(wh, settings, by=by, period="90d", with_previous=False, only=only)
                keys = [c for c in lean.columns if c not in only]
                assert full.height == lean.height
                joined = (full.select(*keys, *only).join(lean, on=keys, how="inner", suffix="_lean", nulls_equal=True)
                          if keys else pl.concat([full.select(only), lean.rename(lambda c: f"{c}_lean")],
                                                 how="horizontal"))
                assert joined.height == full.height
                for metric in only:
                    assert_allclose(joined[f"{metric}_lean"].fill_null(-1).to_numpy(),
                                    joined[metric].fill_null(-1).to_numpy(), rtol=1e-9, err_msg=f"{by} {metric}")
