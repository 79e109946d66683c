"""Replay engine: exact hand-checked trajectories, no look-ahead, seeded lead times, real-data slice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from stockturn.errors import InputError
from stockturn.planning.policies.base import FloatArray, Mode, ReviewState
from stockturn.planning.policies.classic_sq import ClassicSQ
from stockturn.planning.policies.cover_rule import CoverRule
from stockturn.planning.policies.min_max import FixedMinMax
from stockturn.planning.policies.stockturn import StockturnPolicy
from stockturn.planning.replay import ReplayConfig, ReplayData, replay

DAY0 = dt.date(2024, 1, 1)


def grid(n_days: int) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    return np.arange(np.datetime64(DAY0), np.datetime64(DAY0) + n_days, dtype="datetime64[D]")


@dataclass
class Scripted:
    """Orders a fixed quantity at every review and records what it was shown."""

    quantity: float
    name: str = "scripted"
    seen: list[tuple[dt.date, int, float]] = field(default_factory=list)

    def order(self, state: ReviewState) -> FloatArray:
        self.seen.append((state.today, state.sales.shape[1], float(state.sales[0, -1])))
        return np.full(len(state.series_ids), self.quantity)


def test_trajectory_matches_hand_computation() -> None:
    # demand 2/day; the warm start orders 4 (on hand 4 on day 10); every 3 days order 4, lead time 2
    demand = np.full((1, 20), 2.0)
    data = ReplayData(["A@W"], grid(20), demand, np.array([1.0]), np.array([2.0]))
    config = ReplayConfig(start=DAY0 + dt.timedelta(days=10), end=DAY0 + dt.timedelta(days=16),
                          modes=(Mode("truck", 2, 2),), review_period=3)
    result = replay(data, Scripted(4.0), config)
    t = result.trajectory
    # day 10: 4 -> sell 2 -> 2, order 4 (sellable day 12); day 11: 2 -> 0; day 12: 0 + 4 -> 2;
    # day 13: 2 -> 0, order 4 (day 15); day 14: opens empty, 2 lost; day 15: 4 -> 2; day 16: 2 -> 0
    assert_allclose(t["on_hand"].to_numpy(), [2, 0, 2, 0, 0, 2, 0])
    assert_allclose(t["sales"].to_numpy(), [2, 2, 2, 2, 0, 2, 2])
    assert_allclose(t["lost"].to_numpy(), [0, 0, 0, 0, 2, 0, 0])
    assert_allclose(t["ordered"].to_numpy(), [4, 0, 0, 4, 0, 0, 4])
    assert_allclose(t["arrived"].to_numpy(), [0, 0, 4, 0, 0, 4, 0])
    assert_allclose(t["on_order"].to_numpy(), [4, 4, 0, 4, 4, 0, 4])
    s = result.summary
    assert_allclose(s["fill_rate"], 12 / 14)
    assert_allclose(s["stockout_day_rate"], 1 / 7)
    assert_allclose(s["turnover"], 12.0 / (6 / 7) * 365 / 7)
    assert_allclose(s["lost_margin"], 2 * (2.0 - 1.0))


def test_policy_sees_only_the_past() -> None:
    demand = np.arange(40, dtype=np.float64)[None, :].repeat(2, axis=0)
    data = ReplayData(["A@W", "B@W"], grid(40), demand, np.ones(2), np.full(2, 2.0))
    policy = Scripted(1000.0)  # plenty of stock: simulated sales equal demand
    replay(data, policy, ReplayConfig(start=DAY0 + dt.timedelta(days=20), end=DAY0 + dt.timedelta(days=39),
                                      modes=(Mode("truck", 1, 1),), review_period=7))
    for today, width, last_sale in policy.seen[1:]:
        index = (today - DAY0).days
        assert width == index + 1
        assert last_sale == index  # today's sales, never tomorrow's


def test_lead_times_are_seeded_and_within_the_mode_range() -> None:
    demand = np.full((30, 120), 1.0)
    data = ReplayData([f"S{i}@W" for i in range(30)], grid(120), demand, np.ones(30), np.full(30, 2.0))
    config = ReplayConfig(start=DAY0 + dt.timedelta(days=30), end=DAY0 + dt.timedelta(days=100),
                          modes=(Mode("sea", 5, 9),), review_period=7, seed=7)
    first = replay(data, Scripted(3.0), config).trajectory
    second = replay(data, Scripted(3.0), config).trajectory
    assert first.equals(second)
    arrivals = first.filter(pl.col("arrived") > 0).group_by("sku").agg(pl.col("day").min()).sort("sku")
    first_day = np.datetime64(DAY0 + dt.timedelta(days=30), "D")
    delays = (arrivals["day"].to_numpy().astype("datetime64[D]") - first_day).astype(np.int64)
    assert delays.min() >= 5
    assert delays.max() <= 9
    assert len(set(delays.tolist())) > 1


def test_bad_window_is_a_domain_error() -> None:
    data = ReplayData(["A@W"], grid(10), np.ones((1, 10)), np.ones(1), np.ones(1))
    with pytest.raises(InputError, match="outside the data"):
        replay(data, Scripted(1.0), ReplayConfig(start=DAY0, end=DAY0 + dt.timedelta(days=30),
                                                 modes=(Mode("sea", 1, 2),)))


def m5_slice(shared_data: Path, n: int = 40, days: int = 400) -> ReplayData:
    sales = pl.read_parquet(shared_data / "m5" / "tx3_foods3_sales_d1_d1885.parquet").head(n)
    demand = sales.drop("id").to_numpy()[:, -days:].astype(np.float64)
    last = np.datetime64("2016-03-27")
    dates = np.arange(last - days + 1, last + 1, dtype="datetime64[D]")
    ids = [f"{s[:11]}@TX_3" for s in sales["id"].to_list()]
    return ReplayData(ids, dates, demand, np.full(n, 2.25), np.full(n, 3.0))


def test_baseline_policies_on_a_real_m5_slice(shared_data: Path) -> None:
    data = m5_slice(shared_data)
    config = ReplayConfig(start=dt.date(2016, 1, 1), end=dt.date(2016, 3, 27),
                          modes=(Mode("truck", 7, 21),), warmup_days=14, seed=3)
    for policy in (CoverRule(), FixedMinMax(), ClassicSQ()):
        result = replay(data, policy, config)
        t = result.trajectory
        assert t.height == 40 * 87
        assert_allclose((t["sales"] + t["lost"]).to_numpy(), t["demand"].to_numpy())
        assert (t["on_hand"] >= 0).all()
        s = result.summary
        assert 0.3 < s["fill_rate"] <= 1.0, policy.name
        assert s["turnover"] > 0


def poisson_forecaster(rate: float) -> Any:
    """A test double honouring the forecast() contract: the true Poisson distribution of the demand."""

    def forecaster(
        history: pl.DataFrame, *, horizon: int, quantiles: Sequence[float], as_of: dt.date | None = None
    ) -> pl.DataFrame:
        assert as_of is not None and history["ds"].max() == as_of
        ids = history["unique_id"].unique().sort().to_list()
        days = np.arange(np.datetime64(as_of) + 1, np.datetime64(as_of) + 1 + horizon, dtype="datetime64[D]")
        frame: dict[str, Any] = {"unique_id": np.repeat(ids, horizon), "ds": np.tile(days, len(ids)),
                                 "mean": np.full(len(ids) * horizon, rate)}
        for q in quantiles:
            frame[f"q{q:g}"] = np.full(len(ids) * horizon, float(stats.poisson.ppf(q, rate)))
        return pl.DataFrame(frame).with_columns(pl.col("ds").cast(pl.Date))

    return forecaster


@pytest.mark.parametrize("target", [0.90, 0.98])
def test_stockturn_policy_meets_its_fill_rate_with_a_true_forecast(target: float) -> None:
    rng = np.random.default_rng(11)
    n, days = 60, 420
    demand = rng.poisson(3.0, size=(n, days)).astype(np.float64)
    data = ReplayData([f"S{i}@W" for i in range(n)], grid(days), demand, np.ones(n), np.full(n, 2.0))
    config = ReplayConfig(start=DAY0 + dt.timedelta(days=60), end=DAY0 + dt.timedelta(days=days - 1),
                          modes=(Mode("truck", 7, 21),), warmup_days=21, seed=5)
    policy = StockturnPolicy(service_level=target, forecaster=poisson_forecaster(3.0))
    result = replay(data, policy, config)
    # the lost-sales correction is approximate and errs on the safe side: never below, a little above
    assert target - 0.005 <= result.summary["fill_rate"] <= target + 0.05


def test_stockturn_flies_a_bridge_only_when_the_margin_pays_for_it() -> None:
    n, days = 2, 200
    demand = np.full((n, days), 6.0)  # twice the forecast: stock runs down before the sea orders land
    data = ReplayData(["RICH@W", "POOR@W"], grid(days), demand, np.array([1.0, 1.0]), np.array([10.0, 1.5]))
    config = ReplayConfig(start=DAY0 + dt.timedelta(days=100), end=DAY0 + dt.timedelta(days=199),
                          modes=(Mode("sea", 30, 60), Mode("air", 7, 10, unit_freight_cost=2.0)), seed=2)
    result = replay(data, StockturnPolicy(service_level=0.95, forecaster=poisson_forecaster(3.0)), config)
    flown = result.summary["freight_cost"] / 2.0
    assert flown > 0  # RICH flew a bridge (margin 9 > 2 per unit), POOR (margin 0.5) did not
    lost = result.trajectory.group_by("sku").agg(pl.col("lost").sum()).sort("sku")
    assert lost["lost"].to_list()[0] > lost["lost"].to_list()[1]  # POOR lost more than RICH


def rate_forecaster(rates: dict[str, float]) -> Any:
    """Like poisson_forecaster, with each series' own (believed) Poisson rate."""

    def forecaster(
        history: pl.DataFrame, *, horizon: int, quantiles: Sequence[float], as_of: dt.date | None = None
    ) -> pl.DataFrame:
        assert as_of is not None
        ids = history["unique_id"].unique().sort().to_list()
        days = np.arange(np.datetime64(as_of) + 1, np.datetime64(as_of) + 1 + horizon, dtype="datetime64[D]")
        rate = np.repeat([rates[i] for i in ids], horizon)
        frame: dict[str, Any] = {"unique_id": np.repeat(ids, horizon), "ds": np.tile(days, len(ids)), "mean": rate}
        for q in quantiles:
            frame[f"q{q:g}"] = stats.poisson.ppf(q, rate).astype(np.float64)
        return pl.DataFrame(frame).with_columns(pl.col("ds").cast(pl.Date))

    return forecaster


def test_tracking_corrects_a_stale_forecast_between_refits() -> None:
    # the forecaster believes 3/day, the shelf sells 6/day; it is refit only once (refit_every=100)
    n, days = 20, 260
    demand = np.random.default_rng(4).poisson(6.0, size=(n, days)).astype(np.float64)
    data = ReplayData([f"S{i}@W" for i in range(n)], grid(days), demand, np.ones(n), np.full(n, 2.0))
    config = ReplayConfig(start=DAY0 + dt.timedelta(days=120), end=DAY0 + dt.timedelta(days=days - 1),
                          modes=(Mode("truck", 7, 14),), warmup_days=28, seed=1)
    fills = {}
    for track in (False, True):
        policy = StockturnPolicy(service_level=0.95, service_kind="cycle", refit_every=100, calibrate=False,
                                 track=track, forecaster=poisson_forecaster(3.0))
        fills[track] = replay(data, policy, config).summary["fill_rate"]
    assert fills[False] < 0.75  # ordering for half the demand
    assert fills[True] > fills[False] + 0.15  # the sales since the refit pulled the level up


def test_level_error_is_calibrated_per_volume_bucket() -> None:
    # 100 slow series whose Poisson forecast is exactly right, 100 fast ones whose level is off by a
    # factor of sd ~30 % (the same factor every day): only the fast ones need a shared level error
    rng = np.random.default_rng(8)
    n_slow, n_fast, days = 100, 100, 140
    factor = np.exp(rng.normal(0.0, 0.3, size=n_fast))
    demand = np.vstack([rng.poisson(0.5, size=(n_slow, days)),
                        rng.poisson(50.0 * factor[:, None], size=(n_fast, days))]).astype(np.float64)
    ids = [f"S{i:03d}@W" for i in range(n_slow)] + [f"F{i:03d}@W" for i in range(n_fast)]
    rates = {i: (0.5 if i.startswith("S") else 50.0) for i in ids}
    data = ReplayData(ids, grid(days), demand, np.ones(n_slow + n_fast), np.full(n_slow + n_fast, 2.0))
    config = ReplayConfig(start=DAY0 + dt.timedelta(days=110), end=DAY0 + dt.timedelta(days=days - 1),
                          modes=(Mode("truck", 7, 14),), warmup_days=14, seed=1)
    policy = StockturnPolicy(service_level=0.95, forecaster=rate_forecaster(rates))
    replay(data, policy, config)
    by_bucket = dict(zip(("slow half", "next 30 %", "next 15 %", "top 5 %"), policy._level_error.values, strict=True))
    # Poisson noise explains the slow sums (a little level error makes up for the coarse quantiles of a
    # 0.5/day forecast); the fast ones need about the truth, 0.3^2 ~ 0.09
    assert by_bucket["slow half"] <= 0.02
    assert by_bucket["next 30 %"] >= 0.04 and by_bucket["next 15 %"] >= 0.04
    assert by_bucket["slow half"] < policy.correlation  # one value for all would over-protect the slow half


def test_cost_weighted_targets_protect_cheap_items_more_at_the_same_average() -> None:
    policy = StockturnPolicy(service_level=0.9, service_kind="cycle")
    mean = np.array([[10.0] * 28, [10.0] * 28, [30.0] * 28])  # units per day
    cost = np.array([1.0, 3.0, 1.0])
    targets = policy._targets(mean, cost)
    stockout = 1.0 - targets
    assert_allclose(stockout[1] / stockout[0], 3.0)  # three times the cost, three times the risk
    assert_allclose((stockout * mean.sum(axis=1)).sum() / mean.sum(), 0.1)  # demand-weighted mean = 1 - target
    fill_kind = StockturnPolicy(service_level=0.9, service_kind="fill")
    assert_allclose(fill_kind._targets(mean, cost), 0.9)  # item fill-rate targets stay as given
