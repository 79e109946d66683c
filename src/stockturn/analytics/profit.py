"""Net profit after every cost of selling and holding, as a waterfall (docs/metrics.md, "Net profit").

`profit_waterfall` works on real data (base facts at any grain); `unit_economics` works on one unit from
a price, a landed cost and the days it takes to turn, with the documented default rates. Both use the
same holding-cost formula: annual rate x landed value x days held / 365, plus storage.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from stockturn.analytics.definitions import HOLDING_PARTS, WATERFALL, compute, grain
from stockturn.settings import Settings, StorageRule

YEAR_DAYS = 365.0
MONTH_DAYS = YEAR_DAYS / 12


def holding_cost_per_unit(landed_cost: float, days_held: float, settings: Settings) -> dict[str, float]:
    """Capital, obsolescence and insurance cost of holding one unit worth `landed_cost` for `days_held`."""
    years = days_held / YEAR_DAYS
    return {
        "capital_cost": settings.capital_cost_rate * landed_cost * years,
        "obsolescence_cost": settings.obsolescence_rate * landed_cost * years,
        "insurance_cost": settings.insurance_rate * landed_cost * years,
    }


def storage_cost_per_unit(rule: StorageRule, volume_m3: float, days_held: float) -> float:
    """Storage of one unit for `days_held`, at the rule's average monthly rate over a year (peak months
    weighted by their number) and its minimum per unit, plus aged surcharges for the days past each tier."""
    peak = rule.peak_rate_m3_month if rule.peak_rate_m3_month is not None else rule.rate_m3_month
    n_peak = len(set(rule.peak_months))
    rate = (rule.rate_m3_month * (12 - n_peak) + peak * n_peak) / 12
    monthly = max(volume_m3 * rate, rule.min_unit_month)
    cost = monthly * days_held / MONTH_DAYS
    tiers = sorted(rule.surcharge_tiers, key=lambda t: t.min_age_days)
    for index, tier in enumerate(tiers):
        end = tiers[index + 1].min_age_days if index + 1 < len(tiers) else float("inf")
        days_in_tier = max(0.0, min(days_held, end) - tier.min_age_days)
        cost += max(volume_m3 * tier.rate_m3_month, tier.rate_unit_month) * days_in_tier / MONTH_DAYS
    return cost


@dataclass(frozen=True)
class UnitEconomics:
    steps: pl.DataFrame  # step, amount (signed), running, share_of_price

    @property
    def net_profit(self) -> float:
        return float(self.steps["running"][-1])

    @property
    def net_margin(self) -> float:
        return float(self.steps["share_of_price"][-1])


def unit_economics(price: float, landed_cost: float, days_to_turn: float, settings: Settings, *,
                   warehouse_type: str = "fba", volume_m3: float | None = None) -> UnitEconomics:
    """Waterfall of one unit sold at `price` that cost `landed_cost` and waited `days_to_turn` days, with
    the referral, fulfilment, advertising and return rates and the storage rule of `warehouse_type` from
    settings. The golden example of docs/metrics.md: 100, 50, 120 days -> net margin below 15 %."""
    rule = settings.storage_rules.get(warehouse_type, StorageRule())
    holding = holding_cost_per_unit(landed_cost, days_to_turn, settings)
    storage = storage_cost_per_unit(rule, volume_m3 if volume_m3 is not None else settings.unit_volume_m3,
                                    days_to_turn)
    steps = [
        ("Price", price),
        ("Landed cost", -landed_cost),
        ("Referral fee", -settings.referral_fee_rate * price),
        ("Fulfilment fee", -settings.fulfilment_fee_rate * price),
        ("Advertising", -settings.ad_spend_rate * price),
        ("Returns", -settings.return_cost_rate * price),
        ("Storage", -storage),
        ("Capital cost", -holding["capital_cost"]),
        ("Obsolescence", -holding["obsolescence_cost"]),
        ("Insurance", -holding["insurance_cost"]),
    ]
    frame = pl.DataFrame({"step": [s for s, _ in steps], "amount": [float(a) for _, a in steps]},
                         schema={"step": pl.String, "amount": pl.Float64})
    frame = frame.with_columns(pl.col("amount").cum_sum().alias("running"))
    frame = pl.concat([frame, pl.DataFrame({"step": ["Net profit"], "amount": [frame["running"][-1]],
                                            "running": [frame["running"][-1]]})])
    return UnitEconomics(frame.with_columns((pl.col("running") / price).alias("share_of_price")))


def profit_waterfall(base: pl.DataFrame, grain_name: str, days: int) -> pl.DataFrame:
    """Wide profit table at a grain: gross revenue, refunds, net revenue, COGS, gross margin, platform fees,
    ads, each holding part, holding cost, net profit and net margin (all base currency)."""
    keys = list(grain(grain_name).keys)
    metrics = compute(base, grain_name, days)
    return metrics.select(
        *keys, "gross_revenue", "refunds", "revenue", "cogs", "gross_margin", "platform_fees", "ad_spend",
        *HOLDING_PARTS, "holding_cost", "net_profit", "net_margin_pct",
    ).sort("net_profit")


def waterfall_steps(row: dict[str, float]) -> pl.DataFrame:
    """One group's waterfall as steps (step, amount, running) from a row of profit_waterfall."""
    steps = [(label, sign * float(row[name])) for name, label, sign in WATERFALL]
    frame = pl.DataFrame({"step": [s for s, _ in steps], "amount": [float(a) for _, a in steps]},
                         schema={"step": pl.String, "amount": pl.Float64})
    frame = frame.with_columns(pl.col("amount").cum_sum().alias("running"))
    net = float(frame["running"][-1])
    return pl.concat([frame, pl.DataFrame({"step": ["Net profit"], "amount": [net], "running": [net]})])
