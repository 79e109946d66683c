"""Behaviour of forecast(): contract, as-of cut, stockout correction, new-SKU priors, aggregation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose

from stockturn.errors import InputError
from stockturn.forecasting import DEFAULT_QUANTILES, ForecastResult, GlobalParams, forecast, quantile_column
from stockturn.forecasting._quantiles import nb_quantiles

FAST = GlobalParams(rounds=60, num_leaves=15, min_data_in_leaf=20, update_rounds=30)


@pytest.fixture(scope="module")
def m5_result(m5_small: Any) -> ForecastResult:
    return forecast(m5_small.history, horizon=14, events=m5_small.events, params=FAST)


def test_result_follows_the_contract(m5_small: Any, m5_result: ForecastResult) -> None:
    res = m5_result
    frame = res.frame
    qcols = [quantile_column(q) for q in DEFAULT_QUANTILES]
    assert frame.columns == ["unique_id", "ds", "mean", *qcols]
    assert frame.schema["ds"] == pl.Date
    assert frame.height == len(m5_small.ids) * 14
    last = m5_small.history["ds"].max()
    assert frame["ds"].min() == last + dt.timedelta(days=1)
    q = frame.select(qcols).to_numpy()
    assert (np.diff(q, axis=1) >= 0).all(), "quantiles must not cross"
    assert (frame["mean"] >= 0).all()
    models = res.models
    assert set(models["unique_id"]) == set(m5_small.ids)
    assert models["backtest_rmsse"].null_count() == 0
    assert {"model", "backtest_mae", "dispersion", "best_local_model"} <= set(models.columns)


def test_real_m5_forecast_beats_zero_and_covers_the_holdout(m5_small: Any, m5_result: ForecastResult) -> None:
    frame = m5_result.frame
    row = {u: i for i, u in enumerate(m5_small.ids)}
    actual = m5_small.sales[:, m5_small.cut : m5_small.cut + 14]
    r = np.array([row[u] for u in frame["unique_id"]])
    c = np.tile(np.arange(14), len(m5_small.ids))
    truth = actual[r, c]
    mean = frame["mean"].to_numpy()
    assert np.mean((truth - mean) ** 2) < 0.5 * np.mean(truth**2)
    inside = (truth >= frame["q0.025"].to_numpy()) & (truth <= frame["q0.975"].to_numpy())
    assert inside.mean() > 0.85


def test_as_of_uses_only_data_up_to_that_day(m5_small: Any) -> None:
    hist = m5_small.history
    as_of = hist["ds"].max() - dt.timedelta(days=20)
    cut = forecast(hist.filter(pl.col("ds") <= as_of), horizon=7, params=FAST)
    replay = forecast(hist, horizon=7, as_of=as_of, params=FAST)
    assert replay.frame["ds"].min() == as_of + dt.timedelta(days=1)
    assert_allclose(replay.frame["mean"].to_numpy(), cut.frame["mean"].to_numpy())


def test_stockout_days_are_censored_not_zero_demand(panel: Callable[..., pl.DataFrame]) -> None:
    # True demand ~ 8/day. On 40 % of days the shelf was empty: 0 sold, available=False.
    hist = panel(12, 300, 8.0, seed=1)
    rng = np.random.default_rng(2)
    out = rng.random(hist.height) < 0.4
    censored = hist.with_columns(y=pl.when(pl.Series(out)).then(0.0).otherwise(pl.col("y")), available=pl.Series(~out))
    ignorant = censored.with_columns(available=pl.lit(True))  # the same zeros, taken at face value
    good = forecast(censored, horizon=14, params=FAST, candidates=("ses",))
    bad = forecast(ignorant, horizon=14, params=FAST, candidates=("ses",))
    good_mean = good.frame["mean"].mean()
    bad_mean = bad.frame["mean"].mean()
    assert isinstance(good_mean, float) and isinstance(bad_mean, float)
    assert abs(good_mean - 8.0) < 1.0, good_mean
    assert bad_mean < 6.0, bad_mean  # learning the zeros under-forecasts by about 40 %


def test_new_sku_gets_its_category_prior(panel: Callable[..., pl.DataFrame]) -> None:
    fast = panel(10, 200, 20.0, seed=3).with_columns(category=pl.lit("fast"))
    slow = panel(10, 200, 1.0, seed=4).with_columns(
        category=pl.lit("slow"), unique_id=pl.col("unique_id").str.replace("S", "T")
    )
    last = fast["ds"].max()
    assert isinstance(last, dt.date)
    new = pl.DataFrame(
        {
            "unique_id": ["NEW@WH"] * 3,
            "ds": [last - dt.timedelta(days=k) for k in (2, 1, 0)],
            "y": [25.0, 15.0, 20.0],
            "available": [True] * 3,
            "category": ["fast"] * 3,
        }
    )
    res = forecast(pl.concat([fast, slow, new], how="diagonal_relaxed"), horizon=7, params=FAST)
    row = res.models.filter(pl.col("unique_id") == "NEW@WH")
    assert row["model"][0] == "category_prior"
    assert row["is_new"][0]
    level = res.frame.filter(pl.col("unique_id") == "NEW@WH")["mean"].mean()
    assert isinstance(level, float)
    assert 15.0 < level < 25.0  # the fast category's level, not the slow one's


def test_aggregates_add_up_and_single_members_keep_their_quantiles(m5_result: ForecastResult) -> None:
    res = m5_result
    groups = res.models.select("unique_id", group=pl.col("unique_id").str.split("_").list.get(0))
    agg = res.aggregate(groups)
    bottom = res.frame.join(groups, on="unique_id").group_by("group", "ds").agg(pl.col("mean").sum())
    joined = agg.join(bottom, on=["group", "ds"], suffix="_bottom")
    assert_allclose(joined["mean"].to_numpy(), joined["mean_bottom"].to_numpy(), rtol=1e-9)
    q = agg.select([quantile_column(x) for x in DEFAULT_QUANTILES]).to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
    solo = res.aggregate(res.models.select("unique_id", group=pl.col("unique_id")))
    both = solo.join(res.frame, left_on=["group", "ds"], right_on=["unique_id", "ds"], suffix="_s")
    assert_allclose(both["q0.975"].to_numpy(), both["q0.975_s"].to_numpy(), atol=1e-6)


def test_negative_binomial_quantiles_match_the_geometric_case() -> None:
    # k = 1 is the geometric distribution: P(X <= x) = 1 - (1 - p)^(x+1), p = 1/(1+mu).
    # mu = 3: median x = 2 (0.75^3 = 0.42 <= 0.5), q0.9 x = 8 (0.75^9 = 0.075 <= 0.1 < 0.75^8).
    q = nb_quantiles(np.array([[3.0]], dtype=np.float32), np.array([1.0]), [0.5, 0.9])
    assert_allclose(q[0, 0], [2.0, 8.0])
    # Almost no extra dispersion is Poisson(3): median 3.
    assert_allclose(nb_quantiles(np.array([[3.0]], dtype=np.float32), np.array([1e-9]), [0.5])[0, 0], [3.0])


def test_explanations_recover_price_elasticity_and_event_lift() -> None:
    rng = np.random.default_rng(5)
    days = 400
    start = dt.date(2022, 1, 3)
    dates = [start + dt.timedelta(days=k) for k in range(days)]
    price = np.where((np.arange(days) // 28) % 2 == 0, 10.0, 8.0)
    event_days = set(range(10, days, 30))
    lam = 40.0 * (price / 10.0) ** -2.0 * np.array([2.0 if k in event_days else 1.0 for k in range(days)])
    hist = pl.DataFrame(
        {"unique_id": ["P@WH"] * days, "ds": dates, "y": rng.poisson(lam).astype(float), "price": price}
    )
    events = pl.DataFrame(
        {"ds": [dates[k] for k in sorted(event_days)], "event_name": "sale", "event_type": "promotion"}
    )
    res = forecast(hist, horizon=7, events=events, params=FAST)
    ex = res.explanations.row(0, named=True)
    assert -2.6 < ex["price_elasticity"] < -1.4
    assert 1.6 < ex["event_lift"] < 2.4


@pytest.mark.parametrize(
    ("frame", "column"),
    [
        (pl.DataFrame({"unique_id": ["a"], "ds": [dt.date(2024, 1, 1)]}), "y"),
        (pl.DataFrame({"unique_id": ["a"], "ds": [dt.date(2024, 1, 1)], "y": [-1.0]}), "y"),
        (pl.DataFrame({"unique_id": ["a"], "ds": ["2024-01-01"], "y": [1.0]}), "ds"),
        (pl.DataFrame({"unique_id": ["a"], "ds": [dt.date(2024, 1, 1)], "y": [1.0], "price": [0.0]}), "price"),
    ],
)
def test_bad_history_names_the_column(frame: pl.DataFrame, column: str) -> None:
    with pytest.raises(InputError) as err:
        forecast(frame, horizon=7)
    assert err.value.column == column
    assert column in str(err.value)


def test_duplicate_days_and_bad_quantiles_are_refused(panel: Callable[..., pl.DataFrame]) -> None:
    dup = pl.DataFrame({"unique_id": ["a", "a"], "ds": [dt.date(2024, 1, 1)] * 2, "y": [1.0, 2.0]})
    with pytest.raises(InputError, match="more than one row"):
        forecast(dup, horizon=7)
    ok = panel(1, 30, 2.0)
    with pytest.raises(InputError, match="outside"):
        forecast(ok, horizon=7, quantiles=[0.5, 1.5])


def test_any_history_length_works(panel: Callable[..., pl.DataFrame]) -> None:
    for days in (1, 5, 40):
        res = forecast(panel(3, days, 4.0), horizon=7, params=FAST)
        assert res.frame.height == 21
        assert np.isfinite(res.frame["mean"].to_numpy()).all()


def test_a_quiet_month_does_not_forecast_zero_for_an_item_that_still_sells(
    panel: Callable[..., pl.DataFrame],
) -> None:
    # S00 sold ~3/day until 40 days ago, then nothing: its 28-day backtest is all zeros, where seasonal naive
    # scores a perfect MSE of 0. A flat zero would never reorder it; it sold within 91 days, so the global
    # model forecasts it. S01 has sold nothing for 200 days: zero is a fair forecast there.
    hist = panel(10, 400, 3.0, seed=5)
    last = hist["ds"].max()
    assert isinstance(last, dt.date)
    quiet = (pl.col("unique_id") == "S00@WH") & (pl.col("ds") > last - dt.timedelta(days=40))
    dead = (pl.col("unique_id") == "S01@WH") & (pl.col("ds") > last - dt.timedelta(days=200))
    hist = hist.with_columns(y=pl.when(quiet | dead).then(0.0).otherwise(pl.col("y")))
    result = forecast(hist, horizon=14, params=FAST, candidates=("seasonal_naive",))
    models = dict(zip(result.models["unique_id"], result.models["model"], strict=True))
    means = result.frame.group_by("unique_id").agg(pl.col("mean").sum())
    total = dict(zip(means["unique_id"], means["mean"], strict=True))
    assert models["S00@WH"] == "global_lgbm" and total["S00@WH"] > 0
    assert total["S01@WH"] < total["S02@WH"] / 5


def test_final_model_learns_the_days_after_the_backtest_cut(panel: Callable[..., pl.DataFrame]) -> None:
    # Demand steps from 3 to 12 a day in the last 21 days: the backtest model (targets up to as_of - 28)
    # never saw a day above ~8. Reused as is (refit=False) it stays near the old range; continued on the
    # newest days (the default) or refitted from scratch, the final model follows the new level.
    hist = panel(20, 400, 3.0, seed=11)
    last = hist["ds"].max()
    assert isinstance(last, dt.date)
    rng = np.random.default_rng(12)
    step = pl.col("ds") > last - dt.timedelta(days=21)
    jump = pl.Series(rng.poisson(12.0, hist.height)).cast(pl.Float64)
    hist = hist.with_columns(y=pl.when(step).then(jump).otherwise("y"))
    kw: dict[str, Any] = {"horizon": 14, "candidates": ()}
    reused = forecast(hist, refit=False, params=FAST, **kw).frame["mean"].mean()
    updated = forecast(hist, params=FAST, **kw).frame["mean"].mean()
    scratch = forecast(hist, params=replace(FAST, update_rounds=0), **kw).frame["mean"].mean()
    assert isinstance(reused, float) and isinstance(updated, float) and isinstance(scratch, float)
    assert reused < 9.0, reused
    assert updated > 10.0, updated
    assert scratch > 10.0, scratch


def test_group_features_carry_the_group_totals_seasonal_shape() -> None:
    # Two categories, three series each, 800 days. Category A doubles every year on days 300-313 of the
    # year (counted from the start); category B is flat. A single series is too noisy to show it, the
    # group total does: its "last year from origin to target" ratio is ~2 for A and ~1 for B.
    from stockturn.forecasting._features import build_calendar, build_stats, feature_names, gather
    from stockturn.forecasting._panel import build_panel
    from stockturn.forecasting._validate import validate_events, validate_future, validate_history

    rng = np.random.default_rng(3)
    start = dt.date(2022, 1, 3)
    days = 800
    season = np.ones(days)
    for year in (0, 1, 2):
        season[364 * year + 300 : 364 * year + 314] = 2.0
    frames = []
    for k, cat in enumerate("AAABBB"):
        shape = season if cat == "A" else np.ones(days)
        frames.append(
            pl.DataFrame(
                {
                    "unique_id": f"S{k}@WH",
                    "ds": pl.date_range(start, start + dt.timedelta(days=days - 1), eager=True),
                    "y": rng.poisson(20.0 * shape).astype(np.float64),
                    "category": cat,
                    # two censored days in the week A peaked last year: counted at the recent mean, not 0
                    "available": ~np.isin(np.arange(days), (305, 306)),
                }
            )
        )
    hist, as_of = validate_history(pl.concat(frames), start + dt.timedelta(days=364 + 290))
    panel = build_panel(hist, validate_future(None), as_of=as_of, horizon=400, max_history_days=2000)
    cal = build_calendar(panel, validate_events(None))
    stats = build_stats(panel)
    origin = panel.n_hist - 1  # day 654 = 364 + 290: the peak starts 10 days later
    h = np.array([14, 14, 400], dtype=np.int64)  # a target in the peak (days 668), and one too far ahead
    i = np.array([0, 3, 0], dtype=np.int64)  # a member of A, a member of B
    x = gather(panel, cal, stats, i, origin + h, h)
    year_ratio = x[:, feature_names(cal).index("group_year_1")]
    assert 1.8 < year_ratio[0] < 2.2, year_ratio
    assert 0.9 < year_ratio[1] < 1.1, year_ratio
    assert np.isnan(year_ratio[2])  # last year's target day lies after the origin: unknown, never leaked
