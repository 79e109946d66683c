"""The reports: each one calls the analytics API once per sheet and keeps the columns that matter.

Numbers are never recomputed here: reports, web pages and exports read the same analytics functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from stockturn import analytics as an
from stockturn.analytics import METRICS, Period
from stockturn.errors import InputError
from stockturn.reports.model import Report, Sheet
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse


@dataclass(frozen=True)
class Request:
    by: str | None
    period: Period
    as_of: date
    settings: Settings
    cache: an.FactsCache = field(default_factory=dict)  # base facts scanned once per build


def _grain_keys(by: str) -> list[str]:
    return list(an.grain(by).keys)


def overview(wh: Warehouse, r: Request) -> list[Sheet]:
    company = an.metrics(wh, r.settings, cache=r.cache, by="company", period=r.period).row(0, named=True)
    rows = []
    for m in METRICS:
        rows.append({"metric": m.label, "value": company[m.name], "previous": company.get(f"{m.name}_prev"),
                     "change": company.get(f"{m.name}_change"), "unit": m.unit})
    for name, label in (("holding_cost", "Holding cost"), ("net_profit", "Net profit"),
                        ("net_margin_pct", "Net margin")):
        rows.append({"metric": label, "value": company[name], "previous": company.get(f"{name}_prev"),
                     "change": company.get(f"{name}_change"), "unit": "share" if name.endswith("pct") else "money"})
    summary = pl.DataFrame(rows, schema={"metric": pl.String, "value": pl.Float64, "previous": pl.Float64,
                                         "change": pl.Float64, "unit": pl.String})
    by = r.by or "warehouse"
    keys = _grain_keys(by)
    table = an.metrics(wh, r.settings, cache=r.cache, by=by, period=r.period).select(
        *keys, "units_sold", "revenue", "avg_inventory_value", "turnover_annualised", "dio", "days_of_cover",
        "stockout_rate", "fill_rate", "net_profit", "trend")
    trend = str(company.get("trend") or "no metric moved by the trend threshold")
    return [Sheet("Overview", summary, note=f"Trends: {trend}", kinds={"change": "share"}, row_kind="unit"),
            Sheet(f"By {by}"[:31], table)]


def turnover(wh: Warehouse, r: Request) -> list[Sheet]:
    by = r.by or "sku"
    frame = an.metrics(wh, r.settings, cache=r.cache, by=by, period=r.period).select(
        *_grain_keys(by), "units_sold", "revenue", "cogs", "avg_inventory_units", "avg_inventory_value",
        "turnover", "turnover_annualised", "dio", "days_of_cover", "sell_through", "gmroi", "turnover_prev",
        "turnover_change", "trend",
    ).sort("cogs", descending=True)
    return [Sheet("Turnover", frame)]


def aging(wh: Warehouse, r: Request) -> list[Sheet]:
    by = r.by or "warehouse"
    buckets = an.aging(wh, r.settings, by=by, as_of=r.as_of)
    stock = an.slow_dead_stock(wh, r.period, r.settings).filter(pl.col("status") != "ok")
    return [Sheet("Aging", buckets, note="FIFO receipt layers; value at landed cost"),
            Sheet("Slow and dead stock", stock)]


def cost(wh: Warehouse, r: Request) -> list[Sheet]:
    by = r.by or "warehouse"
    frame = an.metrics(wh, r.settings, cache=r.cache, by=by, period=r.period, with_previous=False).with_columns(
        pl.when(pl.col("avg_inventory_value") > 0)
        .then(pl.col("holding_cost") / pl.col("avg_inventory_value") * 365 / r.period.days)
        .alias("holding_cost_pct_year"))
    return [Sheet("Holding cost", frame.select(
        *_grain_keys(by), "avg_inventory_value", "storage_cost", "aged_surcharge", "capital_cost",
        "obsolescence_cost", "insurance_cost", "disposal_cost", "holding_cost", "holding_cost_pct_year",
    ).sort("holding_cost", descending=True))]


def profit(wh: Warehouse, r: Request) -> list[Sheet]:
    by = r.by or "sku"
    table = an.profit(wh, r.settings, cache=r.cache, by=by, period=r.period)
    company = an.profit(wh, r.settings, cache=r.cache, by="company", period=r.period).row(0, named=True)
    steps = an.waterfall_steps(company)
    return [Sheet("Profit", table), Sheet("Waterfall", steps, note="whole company")]


def abc(wh: Warehouse, r: Request) -> list[Sheet]:
    by = r.by or "sku"
    classes = an.abc_xyz(wh, r.as_of, r.settings, by=by)
    matrix = (classes.group_by("abc", "xyz").agg(pl.len().alias("items"), pl.col("revenue").sum(),
                                                 pl.col("share").sum().alias("revenue_share"))
              .sort("abc", "xyz"))
    return [Sheet("ABC-XYZ", classes), Sheet("Matrix", matrix, kinds={"items": "count"})]


def cash(wh: Warehouse, r: Request) -> list[Sheet]:
    tied = an.cash_tied_up(wh, r.as_of, r.settings)
    cycle = an.cash_cycle(wh, r.period, r.settings).frame()
    receivables = an.aging_buckets(an.open_items(wh, "receivable", r.as_of, r.settings))
    payables = an.aging_buckets(an.open_items(wh, "payable", r.as_of, r.settings))
    return [Sheet("Cash tied up", tied), Sheet("Cash conversion cycle", cycle, row_kind="unit"),
            Sheet("Receivables aging", receivables), Sheet("Payables aging", payables)]


def stockouts(wh: Warehouse, r: Request) -> list[Sheet]:
    by = r.by or "warehouse"
    frame = an.metrics(wh, r.settings, cache=r.cache, by=by, period=r.period).select(
        *_grain_keys(by), "active_days", "stockout_days", "stockout_rate", "lost_units", "lost_revenue",
        "fill_rate", "days_of_cover", "stockout_rate_prev", "stockout_rate_change",
    ).sort("lost_revenue", descending=True)
    return [Sheet("Stockouts", frame)]


def alerts(wh: Warehouse, r: Request) -> list[Sheet]:
    stored = an.stored_alerts(wh)
    if stored.height:
        run = stored["run_id"][0]
        return [Sheet("Alerts", stored.drop("run_id", "created_at"), note=f"run {run}")]
    fresh = an.compute_alerts(wh, r.as_of, r.settings)
    return [Sheet("Alerts", fresh, note="computed now, not stored (no alert run yet: run `stockturn demo` or "
                                        "the alerts step of the daily job)")]


REPORTS: dict[str, tuple[str, Callable[[Warehouse, Request], list[Sheet]]]] = {
    "overview": ("Overview", overview),
    "turnover": ("Turnover", turnover),
    "aging": ("Inventory aging", aging),
    "cost": ("Cost of holding", cost),
    "profit": ("Net profit", profit),
    "abc": ("ABC x XYZ classes", abc),
    "cash": ("Cash", cash),
    "stockouts": ("Stockouts and lost sales", stockouts),
    "alerts": ("Alerts", alerts),
}


def build_report(wh: Warehouse, name: str, settings: Settings, *, by: str | None = None,
                 period: str | None = None, as_of: date | None = None) -> Report:
    """Build report `name` ('all' builds every report into one Report with all their sheets)."""
    if name != "all" and name not in REPORTS:
        raise InputError(f"report {name!r} does not exist", hint="use one of: " + ", ".join([*REPORTS, "all"]))
    day = as_of or an.data_end(wh)
    resolved = an.resolve_period(wh, settings, period, day)
    request = Request(by=by, period=resolved, as_of=day, settings=settings)
    subtitle = (f"{resolved} ({resolved.label or resolved.describe()}), as of {day}, "
                f"amounts in {settings.base_currency}")
    if name == "all":
        sheets = []
        for key, (_, build) in REPORTS.items():
            for sheet in build(wh, request):
                sheet.name = sheet.name if sheet.name.lower().startswith(key[:4]) else f"{key} {sheet.name}"[:31]
                sheets.append(sheet)
        return Report("all", "All reports", subtitle, sheets)
    title, build = REPORTS[name]
    return Report(name, title, subtitle, build(wh, request))
