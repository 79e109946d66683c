"""THE metric definitions. Every number stockturn shows (CLI, web, exports, alerts) comes from here.

Each metric is computed at the requested grain from the sums of the additive base measures (base.py),
so a ratio at category level is the ratio of sums, never an average of SKU ratios. docs/metrics.md
states the same formulas in words; tests pin them on hand-computed cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from stockturn.analytics.base import MEASURES
from stockturn.errors import InputError

YEAR_DAYS = 365.0


@dataclass(frozen=True)
class Grain:
    name: str
    keys: tuple[str, ...]
    label: str


GRAINS: dict[str, Grain] = {
    g.name: g
    for g in (
        Grain("sku", ("sku_id",), "SKU"),
        Grain("sku-warehouse", ("sku_id", "warehouse_id"), "SKU x warehouse"),
        Grain("category", ("category",), "category"),
        Grain("brand", ("brand",), "brand"),
        Grain("warehouse", ("warehouse_id",), "warehouse"),
        Grain("region", ("region",), "region"),
        Grain("channel", ("channel_id",), "channel"),
        Grain("company", (), "whole company"),
    )
}


def grain(name: str) -> Grain:
    key = name.strip().lower().replace("_", "-").replace(" ", "")
    key = {"skuxwarehouse": "sku-warehouse", "sku×warehouse": "sku-warehouse", "location": "sku-warehouse",
           "sku-location": "sku-warehouse", "all": "company", "total": "company"}.get(key, key)
    if key not in GRAINS:
        raise InputError(f"grain {name!r} is not known", column="--by",
                         hint="use one of: " + ", ".join(GRAINS))
    return GRAINS[key]


def _div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den, NULL when den is 0 (an undefined ratio is shown as empty, never as 0 or infinity)."""
    return pl.when(den != 0).then(num / den).otherwise(None)


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str  # units | money | days | ratio | share | per_year
    build: Callable[[int], pl.Expr]  # period days -> expression over summed base measures
    higher_is_better: bool | None = None


def _c(name: str) -> pl.Expr:
    return pl.col(name)


METRICS: list[Metric] = [
    Metric("units_sold", "Units sold (net)", "units", lambda d: _c("units_sold"), True),
    Metric("units_returned", "Units returned", "units", lambda d: _c("units_returned"), False),
    Metric("revenue", "Revenue (net)", "money", lambda d: _c("revenue"), True),
    Metric("cogs", "COGS (landed)", "money", lambda d: _c("cogs")),
    Metric("gross_margin", "Gross margin", "money", lambda d: _c("revenue") - _c("cogs"), True),
    Metric("gross_margin_pct", "Gross margin %", "share",
           lambda d: _div(_c("revenue") - _c("cogs"), _c("revenue")), True),
    Metric("avg_inventory_units", "Avg inventory (units)", "units", lambda d: _c("unit_days") / d),
    Metric("avg_inventory_value", "Avg inventory (value)", "money", lambda d: _c("value_days") / d),
    Metric("ending_units", "Ending units", "units", lambda d: _c("ending_units")),
    Metric("ending_value", "Ending value", "money", lambda d: _c("ending_value")),
    Metric("turnover", "Turnover", "ratio", lambda d: _div(_c("cogs"), _c("value_days") / d), True),
    Metric("turnover_annualised", "Turnover / year", "per_year",
           lambda d: _div(_c("cogs") * (YEAR_DAYS / d), _c("value_days") / d), True),
    Metric("dio", "Days of inventory", "days",
           lambda d: pl.when(_c("cogs") > 0).then(_c("value_days") / _c("cogs")).otherwise(None), False),
    Metric("days_of_cover", "Days of cover", "days",
           lambda d: pl.when(_c("demand_rate") > 0).then(_c("ending_available") / _c("demand_rate"))
           .when(_c("ending_available") <= 0).then(0.0).otherwise(None)),
    Metric("cover_from_forecast", "Demand from forecast", "share",
           lambda d: _div(_c("forecast_rate"), _c("demand_rate"))),
    Metric("sell_through", "Sell-through", "share",
           lambda d: _div(_c("units_sold"), _c("units_sold") + _c("ending_units")), True),
    Metric("active_days", "Active SKU-location-days", "days", lambda d: _c("active_days")),
    Metric("stockout_days", "Stockout days", "days", lambda d: _c("stockout_days"), False),
    Metric("stockout_rate", "Stockout rate", "share", lambda d: _div(_c("stockout_days"), _c("active_days")), False),
    Metric("lost_units", "Est. lost units", "units", lambda d: _c("lost_units"), False),
    Metric("lost_revenue", "Est. lost revenue", "money", lambda d: _c("lost_revenue"), False),
    Metric("fill_rate", "Fill rate", "share",
           lambda d: _div(_c("gross_units"), _c("gross_units") + _c("lost_units")), True),
    Metric("gmroi", "GMROI", "ratio", lambda d: _div(_c("revenue") - _c("cogs"), _c("value_days") / d), True),
    Metric("gmroi_annualised", "GMROI / year", "per_year",
           lambda d: _div((_c("revenue") - _c("cogs")) * (YEAR_DAYS / d), _c("value_days") / d), True),
]
METRIC_BY_NAME = {m.name: m for m in METRICS}
# Metrics computable from the "turnover" scope of the base facts alone (base.TURNOVER_MEASURES).
TURNOVER_METRICS = ("units_sold", "units_returned", "revenue", "cogs", "gross_margin", "gross_margin_pct",
                    "avg_inventory_units", "avg_inventory_value", "ending_units", "ending_value", "turnover",
                    "turnover_annualised", "dio", "sell_through", "gmroi", "gmroi_annualised")
# ... and from its "inventory" scope (base.INVENTORY_MEASURES): COGS and stock-days only.
INVENTORY_METRICS = ("units_sold", "units_returned", "cogs", "avg_inventory_units", "avg_inventory_value",
                     "turnover", "turnover_annualised", "dio")

# Holding cost and profit waterfall (docs/metrics.md, "Cost of holding" and "Net profit").
HOLDING_PARTS = ["storage_cost", "aged_surcharge", "capital_cost", "obsolescence_cost", "insurance_cost",
                 "disposal_cost"]
WATERFALL = [
    ("gross_revenue", "Gross revenue", 1),
    ("refunds", "Returns (refunds)", -1),
    ("cogs", "COGS at landed cost", -1),
    ("platform_fees", "Platform & fulfilment fees", -1),
    ("ad_spend", "Advertising", -1),
    ("holding_cost", "Holding cost", -1),
]


def summed(base: pl.DataFrame, keys: tuple[str, ...]) -> pl.DataFrame:
    """Sum the base measures to `keys` (missing keys shown as '(none)')."""
    frame = base.with_columns([pl.col(k).fill_null("").replace("", "(none)") for k in keys])
    sums = [pl.col(m).sum() for m in MEASURES]
    if keys:
        return frame.group_by(list(keys)).agg(sums).sort(list(keys))
    return frame.select(sums)


def compute(base: pl.DataFrame, grain_name: str, days: int) -> pl.DataFrame:
    """Every metric in METRICS at `grain_name`, plus the holding cost and net profit columns."""
    g = grain(grain_name)
    frame = summed(base, g.keys)
    frame = frame.with_columns(
        pl.sum_horizontal([pl.col(p) for p in HOLDING_PARTS]).alias("holding_cost"),
        (pl.col("sales_fees") + pl.col("fee_charges")).alias("platform_fees"),
    )
    frame = frame.with_columns(
        *[m.build(days).alias(m.name) for m in METRICS],
        (pl.col("revenue") - pl.col("cogs") - pl.col("platform_fees") - pl.col("ad_spend")
         - pl.col("holding_cost")).alias("net_profit"),
    )
    return frame.with_columns(_div(pl.col("net_profit"), pl.col("revenue")).alias("net_margin_pct"))


def compare(current: pl.DataFrame, previous: pl.DataFrame, grain_name: str, metrics: list[str],
            *, threshold: float, previous_label: str) -> pl.DataFrame:
    """Add `<metric>_prev`, `<metric>_change` (relative) and a `trend` text for moves >= threshold."""
    keys = list(grain(grain_name).keys)
    prev = previous.select(*keys, *[pl.col(m).alias(f"{m}_prev") for m in metrics])
    joined = current.join(prev, on=keys, how="left") if keys else pl.concat([current, prev], how="horizontal")
    changes = []
    for m in metrics:
        change = _div(pl.col(m) - pl.col(f"{m}_prev"), pl.col(f"{m}_prev").abs())
        changes.append(change.alias(f"{m}_change"))
    joined = joined.with_columns(changes)
    flags = []
    for m in metrics:
        label = METRIC_BY_NAME[m].label if m in METRIC_BY_NAME else m.replace("_", " ").capitalize()
        change = pl.col(f"{m}_change")
        flags.append(
            pl.when(change.abs() >= threshold)
            .then(pl.format(f"{label} {{}} {{}}% against the {previous_label}",
                            pl.when(change > 0).then(pl.lit("up")).otherwise(pl.lit("down")),
                            (change.abs() * 100).round(0).cast(pl.Int64)))
        )
    return joined.with_columns(pl.concat_str(flags, separator="; ", ignore_nulls=True).alias("trend"))
