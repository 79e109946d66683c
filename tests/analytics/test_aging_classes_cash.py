"""FIFO aging, ABC x XYZ, slow/dead stock, cash, periods and the golden unit-economics example."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import polars as pl
import pytest
from analytics_tiny import day, masters, sale, sales, snapshots
from numpy.testing import assert_allclose

from stockturn import analytics as an
from stockturn.analytics.period import Period, parse_period
from stockturn.errors import InputError
from stockturn.settings import Settings, StorageRule, SurchargeTier
from stockturn.warehouse import Warehouse, insert_frame


def _receipts(wh: Warehouse, sku: str, rows: list[tuple[date, float]]) -> None:
    insert_frame(wh, "stock_movement", pl.DataFrame({
        "movement_key": [f"{sku}-{i}" for i in range(len(rows))],
        "moved_at": [datetime.combine(d, datetime.min.time()) for d, _ in rows], "warehouse_id": "W1",
        "sku_id": sku, "movement_type": "receipt", "qty": [q for _, q in rows]}))


@pytest.fixture
def aged(tiny: Callable[[], Warehouse]) -> Warehouse:
    """E: receipts of 100 (Jan 1), 50 (Feb 1), 30 (Mar 1); 60 on hand on Mar 31.
    F: receipts of 20 (Mar 1) but 50 on hand since Jan 1: 30 units older than the records."""
    wh = tiny()
    with wh.transaction():
        masters(wh, ["E", "F"])
        _receipts(wh, "E", [(date(2024, 1, 1), 100), (date(2024, 2, 1), 50), (date(2024, 3, 1), 30)])
        _receipts(wh, "F", [(date(2024, 3, 1), 20)])
        snapshots(wh, "E", "W1", [60.0] * 91)
        snapshots(wh, "F", "W1", [50.0] * 91)
    return wh


def test_fifo_layers_keep_the_newest_receipts(aged: Warehouse) -> None:
    layers = an.aging_layers(aged, date(2024, 3, 31), Settings()).sort("sku_id", "received")
    e = layers.filter(pl.col("sku_id") == "E")
    assert e["received"].to_list() == [date(2024, 2, 1), date(2024, 3, 1)]
    assert_allclose(e["units"].to_numpy(), [30, 30])
    assert e["age_days"].to_list() == [59, 30]
    assert e["bucket"].to_list() == ["31-60", "0-30"]
    f = layers.filter(pl.col("sku_id") == "F")  # 30 unexplained units dated on the first stocked day
    assert f["received"].to_list() == [date(2024, 1, 1), date(2024, 3, 1)]
    assert_allclose(f["units"].to_numpy(), [30, 20])
    summary = an.aging(aged, Settings(), by="company", as_of=date(2024, 3, 31)).row(0, named=True)
    assert_allclose([summary["units"], summary["value"], summary["units 0-30"], summary["units 31-60"],
                     summary["units 61-90"]], [110, 1100, 50, 30, 30])
    assert_allclose(summary["avg_age_days"], (30 * 59 + 30 * 30 + 30 * 90 + 20 * 30) / 110)


def test_aged_surcharge_tiers_and_next_tier(aged: Warehouse) -> None:
    tiers = [SurchargeTier(min_age_days=60, rate_m3_month=1000.0), SurchargeTier(min_age_days=90, rate_unit_month=5.0)]
    settings = Settings(storage_rules={"W1": StorageRule(surcharge_tiers=tiers)}, aging_alert_days=5)
    layers = an.aging_layers(aged, date(2024, 3, 31), settings).sort("sku_id", "received")
    by_age = {(r["sku_id"], r["age_days"]): r for r in layers.iter_rows(named=True)}
    old_f = by_age[("F", 90)]  # 30 units in the 90+ tier: max(0.001 m3 x 0, 5 per unit) per month
    assert_allclose(old_f["surcharge_month"], 30 * 5.0)
    e59 = by_age[("E", 59)]  # enters the 60-day tier tomorrow: 30 x 0.001 x 1000 per month
    assert e59["surcharge_month"] == 0 and e59["next_tier_in_days"] == 1
    assert_allclose(e59["next_tier_surcharge_month"], 30.0)
    alerts = an.compute_alerts(aged, date(2024, 3, 31), settings).filter(pl.col("alert_type") == "aging_tier")
    assert alerts["sku_id"].to_list() == ["E"] and "in 1 days" in alerts["what"][0]


def test_abc_by_revenue_and_xyz_by_weekly_variability(tiny: Callable[[], Warehouse]) -> None:
    wh = tiny()
    with wh.transaction():
        masters(wh, ["A", "B", "C"])
        # A: 7 units every week for 8 weeks (CV 0); B: 8 weeks, all in one week; C: small, steady
        rows = [sale("A", 1 + 7 * w, 7, 10.0) for w in range(8)]
        rows += [sale("B", 1, 8, 25.0)]
        rows += [sale("C", 1 + 7 * w, 1, 12.5) for w in range(8)]
        sales(wh, rows)
        snapshots(wh, "A", "W1", [10.0] * 56)
    classes = an.abc_xyz(wh, day(56), Settings(abc_window_days=56), by="sku")
    got = {r["sku_id"]: (r["abc"], r["xyz"]) for r in classes.iter_rows(named=True)}
    # revenue A 560, B 200, C 100 of 860: shares before each: 0, 0.65, 0.88
    assert got["A"] == ("A", "X") and got["B"][0] == "A" and got["C"][0] == "B"
    assert got["B"][1] == "Z"  # all demand in one of its 8 weeks: CV = sqrt(7) > 1
    b = classes.filter(pl.col("sku_id") == "B").row(0, named=True)
    assert_allclose(b["cv"], 7**0.5)


def test_slow_and_dead_stock(tiny: Callable[[], Warehouse]) -> None:
    wh = tiny()
    with wh.transaction():
        masters(wh, ["A", "D", "S"])
        snapshots(wh, "A", "W1", [100.0] * 120)
        snapshots(wh, "D", "W1", [40.0] * 120)
        snapshots(wh, "S", "W1", [500.0] * 120)
        sales(wh, [sale("A", 119, 30, 10.0), sale("D", 5, 1, 10.0), sale("S", 110, 1, 10.0)])
    status = an.slow_dead_stock(wh, Period(day(91), day(120)), Settings(cover_lookback_days=28))
    got = {r["sku_id"]: r["status"] for r in status.iter_rows(named=True)}
    assert got == {"A": "ok", "D": "dead", "S": "slow"}


def test_cash_tied_up_cycle_and_aging(tiny: Callable[[], Warehouse]) -> None:
    wh = tiny()
    with wh.transaction():
        masters(wh, ["A"])
        snapshots(wh, "A", "W1", [100.0] * 10)
        sales(wh, [sale("A", 3, 10, 20.0)])
        insert_frame(wh, "supplier", pl.DataFrame({"supplier_id": ["S1"], "name": ["s"], "currency": ["USD"],
                                                   "lead_time_mean_days": [20.0]}))
        insert_frame(wh, "purchase_order", pl.DataFrame({
            "po_id": ["P1"], "supplier_id": ["S1"], "ordered_at": [day(1)], "currency": ["USD"], "status": ["open"]}))
        insert_frame(wh, "payable", pl.DataFrame({
            "doc_id": ["P1-DEP", "INV9"], "supplier_id": ["S1", "S1"], "po_id": ["P1", None],
            "issued_date": [day(1), day(1)], "due_date": [day(1), day(30)], "amount": [300.0, 100.0],
            "currency": ["USD", "USD"], "paid_date": [day(2), None], "paid_amount": [300.0, 0.0]}))
        insert_frame(wh, "receivable", pl.DataFrame({
            "doc_id": ["R1", "R2"], "counterparty": ["MKT", "B2B"], "issued_date": [day(1), day(1)],
            "due_date": [day(3), day(5)], "amount": [100.0, 50.0], "currency": ["USD", "EUR"],
            "paid_date": [day(6), None], "paid_amount": [100.0, 0.0]}))
    settings = Settings(storage_rules={})
    tied = an.cash_tied_up(wh, day(10), settings).filter(pl.col("warehouse_id") == "TOTAL").row(0, named=True)
    assert_allclose([tied["on_hand_value"], tied["open_po_paid"], tied["cash_tied_up"]], [1000, 300, 1300])
    cycle = an.cash_cycle(wh, Period(day(1), day(10)), settings)
    # AR: 100 x 5 days + 55 (EUR 50) x 10 days = 1050 money-days over revenue 200; AP: 300 x 1 + 100 x 10 = 1300
    assert_allclose([cycle.dio, cycle.dso, cycle.dpo], [1000 / 100 * 10, 1050 / 200, 1300 / 100])
    assert_allclose(cycle.ccc, 100 + 5.25 - 13)
    items = an.open_items(wh, "receivable", day(10), settings)
    assert items["doc_id"].to_list() == ["R2"] and items["days_past_due"].to_list() == [5]
    assert_allclose(items["open_amount"].to_numpy(), [55.0])
    buckets = an.aging_buckets(items)
    assert_allclose(buckets.filter(pl.col("party") == "TOTAL")["1-30"].to_numpy(), [55.0])
    overdue = an.compute_alerts(wh, day(10), settings).filter(pl.col("alert_type") == "receivable_overdue")
    assert overdue["what"].to_list() == ["R2 from B2B is 5 days overdue"]


def test_golden_example_net_margin_below_15_percent() -> None:
    economics = an.unit_economics(100.0, 50.0, 120.0, Settings())
    steps = dict(zip(economics.steps["step"], economics.steps["amount"], strict=True))
    assert_allclose([steps["Referral fee"], steps["Fulfilment fee"], steps["Advertising"], steps["Returns"]],
                    [-15, -8, -10, -3])
    assert_allclose(steps["Capital cost"], -0.15 * 50 * 120 / 365)
    assert_allclose(steps["Storage"], -0.01 * (9 * 27.55 + 3 * 84.76) / 12 * 120 / (365 / 12))
    assert_allclose(economics.net_margin, 0.0873, atol=5e-4)
    assert economics.net_margin < 0.15
    assert an.unit_economics(100.0, 50.0, 30.0, Settings()).net_margin > economics.net_margin


@pytest.mark.parametrize(("text", "start", "end"), [
    ("90d", date(2011, 9, 11), date(2011, 12, 9)),
    ("month", date(2011, 11, 1), date(2011, 11, 30)),
    ("quarter", date(2011, 7, 1), date(2011, 9, 30)),
    ("week", date(2011, 11, 28), date(2011, 12, 4)),
    ("2011-Q1", date(2011, 1, 1), date(2011, 3, 31)),
    ("2011-02", date(2011, 2, 1), date(2011, 2, 28)),
    ("2011-01-01:2011-01-31", date(2011, 1, 1), date(2011, 1, 31)),
])
def test_periods(text: str, start: date, end: date) -> None:
    period = parse_period(text, date(2011, 12, 9))
    assert (period.start, period.end) == (start, end)


def test_previous_periods_and_bad_period() -> None:
    quarter = parse_period("2011-Q1", date(2011, 12, 9)).previous()
    assert (quarter.start, quarter.end) == (date(2010, 10, 1), date(2010, 12, 31))
    days = parse_period("90d", date(2011, 12, 9)).previous()
    assert (days.start, days.end, days.days) == (date(2011, 6, 13), date(2011, 9, 10), 90)
    with pytest.raises(InputError, match="not understood"):
        parse_period("last quarter", date(2011, 12, 9))


def test_golden_example_through_the_warehouse(tiny: Callable[[], Warehouse]) -> None:
    """The same story on data: bought (landed) at 50, sold at 100 one a day for 120 days from 120 units
    held (DIO 120), 23 % platform and fulfilment fees, 10 % ads, 3 % returns handling, 3PL storage."""
    wh = tiny()
    with wh.transaction():
        masters(wh, ["G"])
        wh.con.execute("UPDATE unit_cost SET purchase_cost = 48, freight_cost = 1.5, duty_cost = 0.5")
        snapshots(wh, "G", "W1", [120.0] * 120)
        sales(wh, [sale("G", d, 1, 100.0, fees=23.0) for d in range(1, 121)])
        insert_frame(wh, "ad_spend", pl.DataFrame({
            "spend_date": [day(60)], "channel_id": ["C1"], "sku_id": ["G"], "source_sku": ["G"], "spend": [1200.0],
            "currency": ["USD"]}))
        insert_frame(wh, "fee", pl.DataFrame({
            "fee_key": ["returns"], "period_start": [day(1)], "period_end": [day(120)], "warehouse_id": ["W1"],
            "channel_id": ["C1"], "sku_id": ["G"], "fee_type": ["other"], "amount": [360.0], "currency": ["USD"]}))
    period = Period(day(1), day(120))
    m = an.metrics(wh, Settings(), by="sku", period=period, with_previous=False).row(0, named=True)
    assert_allclose([m["dio"], m["gross_margin_pct"]], [120.0, 0.5])
    months = 1 + 1 + 1 + 29 / 30  # January to April 29
    holding = 120 * 0.05 * months + (0.15 + 0.06 + 0.01) * 6000 * 120 / 365
    assert_allclose(m["holding_cost"], holding)
    assert_allclose(m["net_profit"], 12000 - 6000 - 2760 - 1200 - 360 - holding)
    assert m["net_margin_pct"] < 0.15
    steps = an.waterfall_steps(an.profit(wh, Settings(), by="company", period=period).row(0, named=True))
    assert_allclose(steps["running"][-1], m["net_profit"])
