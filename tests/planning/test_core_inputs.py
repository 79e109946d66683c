"""Forecast quantiles -> levels, lead-time components, closures, netting and order rounding."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from stockturn.errors import InputError
from stockturn.planning.forecast_input import variance_from_quantiles, window_moments
from stockturn.planning.lead_time import Closure, LeadTime, Stage, latest_order_dates
from stockturn.planning.levels import reorder_levels
from stockturn.planning.ordering import apply_capacity, inventory_position, order_quantity, round_order
from stockturn.planning.textbook import gamma_quantile

LEVELS = np.array([0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995])


def normal_forecast(ids: list[str], start: dt.date, days: int, mean: float, sd: float) -> pl.DataFrame:
    rows = []
    for uid in ids:
        for k in range(days):
            row: dict[str, object] = {"unique_id": uid, "ds": start + dt.timedelta(days=k), "mean": mean}
            for level in LEVELS:
                row[f"q{level:g}"] = mean + sd * float(stats.norm.ppf(level))
            rows.append(row)
    return pl.DataFrame(rows)


def test_variance_from_quantiles_recovers_a_normal() -> None:
    values = 5.0 + 3.0 * stats.norm.ppf(LEVELS)[None, :]
    assert_allclose(variance_from_quantiles(LEVELS, values), [9.0])


def test_window_moments_sums_days_and_extends_past_horizon() -> None:
    mean = np.array([[1.0, 2.0, 3.0]])
    var = np.array([[1.0, 1.0, 4.0]])
    m, v = window_moments(mean, var, 1, 3.5)  # days 1, 2, then 1.5 more days of the last one
    assert_allclose(m, [2.0 + 3.0 + 1.5 * 3.0])
    assert_allclose(v, [1.0 + 4.0 + 1.5 * 4.0])
    _, v_level = window_moments(mean, var, 0, 3, correlation=0.04)  # a 20 % level error shared by the days
    assert_allclose(v_level, [1 + 1 + 4 + 0.04 * 6.0**2])


def test_reorder_levels_from_quantiles_match_hand_computation() -> None:
    as_of = dt.date(2024, 3, 1)
    frame = normal_forecast(["A@W1", "B@W1"], as_of + dt.timedelta(days=1), 40, mean=10.0, sd=4.0)
    out = reorder_levels(
        frame, as_of=as_of, lead_time_mean=[14.0, 14.0], lead_time_sd=[0.0, 3.0], review_period=7,
        service_level=0.98, kind="cycle",
    )
    prot_var = np.array([21 * 16.0, 21 * 16.0 + 100.0 * 9.0])
    assert_allclose(out["protection_demand"].to_numpy(), [210.0, 210.0])
    assert_allclose(out["protection_sd"].to_numpy(), np.sqrt(prot_var))
    assert_allclose(out["order_up_to"].to_numpy(), gamma_quantile(210.0, prot_var, 0.98))
    assert_allclose(out["reorder_point"].to_numpy()[0], gamma_quantile(140.0, 14 * 16.0, 0.98))


def test_reorder_levels_reject_a_frame_without_quantiles() -> None:
    frame = pl.DataFrame({"unique_id": ["A"], "ds": [dt.date(2024, 1, 2)], "mean": [1.0]})
    with pytest.raises(InputError, match="quantile columns"):
        reorder_levels(frame, as_of=dt.date(2024, 1, 1), lead_time_mean=7.0)


def test_lead_time_components_add_means_and_variances() -> None:
    lt = LeadTime(
        production=Stage("production", 20, 4), transit=Stage("sea CN-DE", 35, 5),
        customs=Stage("customs", 3, 0), receiving=Stage("FBA check-in", 5, 0), review_period_days=7,
    )
    assert_allclose([lt.mean_days, lt.sd_days, lt.protection_days, lt.after_shipping_days],
                    [63.0, np.sqrt(41.0), 70.0, 43.0])
    with pytest.raises(InputError, match="production"):
        Stage("production", -1)


def test_chinese_new_year_moves_the_order_date_earlier() -> None:
    cny = Closure("Chinese New Year", dt.date(2025, 1, 25), dt.date(2025, 2, 12))
    ship_by = [dt.date(2025, 2, 20), dt.date(2025, 6, 20)]
    without = latest_order_dates(ship_by, 15)
    assert_array_equal(without, np.array(["2025-02-05", "2025-06-05"], dtype="datetime64[D]"))
    # 7 open days Feb 13-19 after the closure; the other 8 must be Jan 17-24 before it
    with_closure = latest_order_dates(ship_by, 15, [cny])
    assert_array_equal(with_closure, np.array(["2025-01-17", "2025-06-05"], dtype="datetime64[D]"))


def test_netting_moq_case_pack_and_capacity() -> None:
    position = inventory_position(on_hand=[50, 0, 10], in_transit=[20, 0, 0], open_po=[10, 0, 0],
                                  reserved=[5, 0, 0], backorders=[0, 3, 0])
    assert_allclose(position, [75, -3, 10])
    qty = order_quantity([100, 10, 5], position, moq=[0, 50, 0], case_pack=[12, 10, 1])
    assert_allclose(qty, [36, 50, 0])  # 25 -> 3 packs of 12; 13 -> MOQ 50; none needed
    assert_allclose(round_order([24.0000000001], 0, 12), [24])
    capped = apply_capacity([36, 50, 40], ["S1", "S1", "S2"], {"S1": 60}, priority=[5, 1, 0],
                            case_pack=[12, 10, 1])
    assert_allclose(capped, [0, 50, 40])  # the more urgent row (priority 1) keeps its 50


def test_correlation_losses_find_the_shared_level_error() -> None:
    from stockturn.planning.levels import CORRELATION_GRID, correlation_losses

    rng = np.random.default_rng(3)
    n, days, cv2 = 6000, 28, 0.02  # every day of a series is off by the same ~14 % level error
    level = 1.0 + np.sqrt(cv2) * rng.standard_normal((n, 1))
    daily = 10.0 * level + 2.0 * rng.standard_normal((n, days))
    losses = correlation_losses(np.full((n, days), 10.0), np.full((n, days), 4.0), daily.sum(axis=1), days)
    assert CORRELATION_GRID[int(np.argmin(losses))] == cv2


def test_forecast_arrays_fast_path_equals_the_join_path() -> None:
    from stockturn.planning.forecast_input import forecast_arrays

    start = dt.date(2024, 3, 2)
    frame = normal_forecast(["A@W", "B@W"], start, 10, mean=4.0, sd=2.0).with_columns(
        mean=pl.Series(np.arange(20, dtype=np.float64))
    )
    dense = forecast_arrays(frame, ["A@W", "B@W"], start, 8)  # series-major, 10 >= 8 days: no join
    shuffled = forecast_arrays(frame.sample(fraction=1.0, shuffle=True, seed=1), ["A@W", "B@W"], start, 8)
    assert_allclose(dense.mean, shuffled.mean)
    assert_allclose(dense.variance, shuffled.variance)
    assert_allclose(dense.mean[1], np.arange(10, 18))
