"""Replay engine: run a replenishment policy day by day over real demand, with random lead times.

Each simulated day: arrivals are received, real demand is served from stock (what cannot be served is
lost, not backordered), and on review days the policy decides what to order seeing only the days up to
and including today. Orders arrive after a lead time drawn (seeded) from the mode's distribution.
Everything is vectorised over series with NumPy; the only Python loop is over days.

Stock tracked is on hand at the selling location; "on order" is everything ordered and not yet arrived.
The policy sees the sales the simulation produced, with ``available`` False on a day the item ran out
(censored demand), exactly what a real system would have seen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from numpy.typing import NDArray

from stockturn.errors import InputError
from stockturn.planning.policies.base import Mode, Policy, ReviewState

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ReplayData:
    """Daily demand on a dense day grid: history before ``start`` plus the replayed days."""

    series_ids: list[str]
    dates: NDArray[np.datetime64]  # (T,) consecutive days
    demand: FloatArray  # (n, T) real units sold per day
    unit_cost: FloatArray  # (n,)
    unit_price: FloatArray  # (n,)

    def __post_init__(self) -> None:
        n, t = self.demand.shape
        if len(self.series_ids) != n or self.dates.shape != (t,):
            raise InputError(
                f"replay data: {len(self.series_ids)} ids and {self.dates.shape[0]} dates for a "
                f"{n} x {t} demand matrix",
                hint="give one id per demand row and one date per demand column",
            )
        if self.unit_cost.shape != (n,) or self.unit_price.shape != (n,):
            raise InputError("replay data: unit_cost and unit_price need one value per series",
                             hint="pass arrays of length n")
        if np.any(np.diff(self.dates.astype("datetime64[D]").astype(np.int64)) != 1):
            raise InputError("replay data: dates must be consecutive days", hint="fill missing days with 0 demand")

    def index_of(self, day: dt.date) -> int:
        position = int((np.datetime64(day, "D") - self.dates[0].astype("datetime64[D]")).astype(np.int64))
        if not 0 <= position < self.dates.shape[0]:
            raise InputError(
                f"replay date {day} is outside the data ({self.dates[0]} .. {self.dates[-1]})",
                hint="choose --start/--end inside the demand history",
            )
        return position


@dataclass(frozen=True)
class ReplayConfig:
    start: dt.date
    end: dt.date  # inclusive
    modes: tuple[Mode, ...]
    review_period: int = 7
    warmup_days: int = 0
    holding_rate: float = 0.22  # per year, on inventory value at cost
    seed: int = 0


@dataclass
class ReplayResult:
    policy: str
    trajectory: pl.DataFrame
    summary: dict[str, float] = field(default_factory=dict)


def replay(data: ReplayData, policy: Policy, config: ReplayConfig) -> ReplayResult:
    """Replay ``policy`` over [config.start, config.end]; metrics cover those days only."""
    first = data.index_of(config.start)
    last = data.index_of(config.end)
    sim_start = first - config.warmup_days
    if sim_start < 1 or last < first:
        raise InputError(
            f"replay window {config.start}..{config.end} with {config.warmup_days} warm-up days needs "
            f"history before it; data starts {data.dates[0]}",
            hint="start later or shorten the warm-up",
        )
    rng = np.random.default_rng(config.seed)
    n, _ = data.demand.shape
    n_modes = len(config.modes)
    max_lead = max(mode.max_days for mode in config.modes)
    days = last - sim_start + 1
    arrivals = np.zeros((n, days + max_lead + 2))
    sales_seen = data.demand[:, : last + 1].astype(np.float64).copy()
    available_seen = np.ones_like(sales_seen, dtype=bool)
    on_hand = np.zeros(n)
    on_order = np.zeros(n)
    rows = np.arange(n)

    out_on_hand = np.zeros((n, days))
    out_on_order = np.zeros((n, days))
    out_sales = np.zeros((n, days))
    out_lost = np.zeros((n, days))
    out_ordered = np.zeros((n, days))
    out_arrived = np.zeros((n, days))
    out_opening = np.zeros((n, days))
    freight = np.zeros(n)
    order_row = np.zeros(0, dtype=np.int64)
    order_qty = np.zeros(0)
    order_mode = np.zeros(0, dtype=np.int64)
    order_due = np.zeros(0, dtype=np.int64)  # sim-day index of expected arrival (mode mean)
    order_arrive = np.zeros(0, dtype=np.int64)  # sim-day index of actual arrival

    def state_at(t: int) -> ReviewState:
        k = t - sim_start
        open_orders = order_arrive > k
        return ReviewState(
            day=t,
            dates=data.dates[: t + 1],
            series_ids=data.series_ids,
            sales=sales_seen[:, : t + 1],
            available=available_seen[:, : t + 1],
            on_hand=on_hand.copy(),
            on_order=on_order.copy(),
            modes=config.modes,
            review_period=config.review_period,
            unit_cost=data.unit_cost,
            unit_price=data.unit_price,
            pipeline_row=order_row[open_orders],
            pipeline_quantity=order_qty[open_orders],
            pipeline_mode=order_mode[open_orders],
            pipeline_eta=np.maximum(order_due[open_orders] - k, 1),
        )

    # warm start: each policy begins with the stock it would order from nothing, delivered at once
    initial = _as_matrix(policy.order(state_at(sim_start - 1)), n, n_modes)
    on_hand += initial.sum(axis=1)

    for k in range(days):
        t = sim_start + k
        received = arrivals[:, k]
        on_hand += received
        on_order -= received
        opening = on_hand.copy()
        sold = np.minimum(on_hand, data.demand[:, t])
        lost = data.demand[:, t] - sold
        on_hand -= sold
        sales_seen[:, t] = sold
        available_seen[:, t] = (opening > 0) & (lost <= 0)
        ordered_today = np.zeros(n)
        if k % config.review_period == 0:
            quantities = _as_matrix(policy.order(state_at(t)), n, n_modes)
            for m, mode in enumerate(config.modes):
                q = quantities[:, m]
                placed = q > 0
                if not placed.any():
                    continue
                lead = mode.sample(rng, int(placed.sum()))
                np.add.at(arrivals, (rows[placed], k + lead), q[placed])
                order_row = np.concatenate((order_row, rows[placed]))
                order_qty = np.concatenate((order_qty, q[placed]))
                order_mode = np.concatenate((order_mode, np.full(int(placed.sum()), m, dtype=np.int64)))
                order_due = np.concatenate(
                    (order_due, np.full(int(placed.sum()), k + round(mode.mean_days), dtype=np.int64))
                )
                order_arrive = np.concatenate((order_arrive, k + lead))
                freight[placed] += q[placed] * mode.freight_per_unit(data.unit_price)[placed]
                ordered_today += q
            on_order += ordered_today
        out_on_hand[:, k] = on_hand
        out_on_order[:, k] = on_order
        out_sales[:, k] = sold
        out_lost[:, k] = lost
        out_ordered[:, k] = ordered_today
        out_arrived[:, k] = received
        out_opening[:, k] = opening

    keep = slice(config.warmup_days, days)
    dates = data.dates[first : last + 1].astype("datetime64[D]")
    window_days = last - first + 1
    trajectory = pl.DataFrame(
        {
            "sku": np.repeat(np.asarray(data.series_ids, dtype=object), window_days).astype(str),
            "location": np.repeat(np.asarray([_location(s) for s in data.series_ids], dtype=object),
                                  window_days).astype(str),
            "day": np.tile(dates, n),
            "on_hand": out_on_hand[:, keep].ravel(),
            "on_order": out_on_order[:, keep].ravel(),
            "demand": data.demand[:, first : last + 1].astype(np.float64).ravel(),
            "sales": out_sales[:, keep].ravel(),
            "lost": out_lost[:, keep].ravel(),
            "ordered": out_ordered[:, keep].ravel(),
            "arrived": out_arrived[:, keep].ravel(),
        }
    ).with_columns(pl.col("day").cast(pl.Date))
    summary = summarise(
        demand=data.demand[:, first : last + 1].astype(np.float64),
        sales=out_sales[:, keep],
        lost=out_lost[:, keep],
        closing=out_on_hand[:, keep],
        opening=out_opening[:, keep],
        unit_cost=data.unit_cost,
        unit_price=data.unit_price,
        holding_rate=config.holding_rate,
        freight=freight,
    )
    return ReplayResult(policy=policy.name, trajectory=trajectory, summary=summary)


def summarise(
    *,
    demand: FloatArray,
    sales: FloatArray,
    lost: FloatArray,
    closing: FloatArray,
    opening: FloatArray,
    unit_cost: FloatArray,
    unit_price: FloatArray,
    holding_rate: float,
    freight: FloatArray | None = None,
) -> dict[str, float]:
    """Portfolio metrics over the replayed days.

    turnover: cost of goods sold / average inventory value at cost, annualised (x 365 / days).
    fill rate: units sold / units demanded. stockout-day rate: share of series-days on which the item
    opened with no stock or lost a sale, over series with any demand in the window (an item nobody
    asked for should not be stocked by any policy).
    """
    days = demand.shape[1]
    active = demand.sum(axis=1) > 0
    cogs = float((sales.sum(axis=1) * unit_cost).sum())
    average_value = float((closing.mean(axis=1) * unit_cost).sum())
    stockout = ((opening <= 0) | (lost > 0))[active]
    lost_sale_days = (lost > 0)[active]
    total_demand = float(demand.sum())
    return {
        "series": float(demand.shape[0]),
        "active_series": float(active.sum()),
        "days": float(days),
        "turnover": cogs / average_value * 365.0 / days if average_value > 0 else float("inf"),
        "fill_rate": float(sales.sum()) / total_demand if total_demand > 0 else 1.0,
        "stockout_day_rate": float(stockout.mean()) if stockout.size else 0.0,
        "lost_sale_day_rate": float(lost_sale_days.mean()) if lost_sale_days.size else 0.0,
        "average_inventory_value": average_value,
        "holding_cost": average_value * holding_rate * days / 365.0,
        "lost_margin": float((lost.sum(axis=1) * (unit_price - unit_cost)).sum()),
        "freight_cost": float(freight.sum()) if freight is not None else 0.0,
        "cogs": cogs,
        "units_demanded": total_demand,
        "units_lost": float(lost.sum()),
    }


def _as_matrix(quantities: FloatArray, n: int, n_modes: int) -> FloatArray:
    q = np.asarray(quantities, dtype=np.float64)
    if q.ndim == 1:
        q = np.concatenate((q[:, None], np.zeros((n, n_modes - 1))), axis=1)
    if q.shape != (n, n_modes) or not np.all(np.isfinite(q)):
        raise InputError(
            f"policy returned orders of shape {q.shape} (or non-finite values), expected ({n}, {n_modes})",
            hint="return one non-negative quantity per series (and mode)",
        )
    return np.maximum(q, 0.0)


def _location(series_id: str) -> str:
    return series_id.split("@", 1)[1] if "@" in series_id else ""
