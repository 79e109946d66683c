"""Safety stock, reorder point and order-up-to level from forecast quantiles and lead-time spread.

Demand over the protection period (review + lead time) is the sum of the forecast days; its mean and
variance come from the daily means and quantiles (see forecast_input), plus the lead-time spread term
(mean daily demand)^2 x var(lead time). A gamma with those moments gives the levels: non-negative and
right-skewed, which suits the intermittent demand most SKUs have. The service target is either a cycle
service level (probability of no stockout per cycle) or a fill rate (share of units served from stock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from stockturn.errors import InputError
from stockturn.planning.forecast_input import Cumulative, add_lead_time_spread, forecast_arrays, window_moments
from stockturn.planning.textbook import gamma_quantile, level_for_fill_rate

ServiceKind = Literal["cycle", "fill"]
FloatArray = NDArray[np.float64]


def levels_from_moments(
    lead_mean: FloatArray,
    lead_var: FloatArray,
    protection_mean: FloatArray,
    protection_var: FloatArray,
    cycle_mean: FloatArray,
    service_level: ArrayLike,
    kind: ServiceKind = "fill",
) -> tuple[FloatArray, FloatArray]:
    """Reorder point (over the lead time) and order-up-to level (over review + lead time)."""
    target = np.asarray(service_level, dtype=np.float64)
    if np.any((target <= 0) | (target >= 1)):
        raise InputError(
            f"service level must be strictly between 0 and 1, found {target.min()}..{target.max()}",
            hint="give a fraction such as 0.95",
        )
    if kind == "cycle":
        reorder = gamma_quantile(lead_mean, lead_var, target)
        up_to = gamma_quantile(protection_mean, protection_var, target)
    else:
        reorder = level_for_fill_rate(lead_mean, lead_var, cycle_mean, target)
        up_to = level_for_fill_rate(protection_mean, protection_var, cycle_mean, target)
    return reorder, up_to


def fill_rate_order_up_to(
    mean: FloatArray,
    variance: FloatArray,
    offset: NDArray[np.float64] | float,
    lead_mean: NDArray[np.float64] | float,
    lead_sd: NDArray[np.float64] | float,
    review: float,
    target: ArrayLike,
    correlation: FloatArray | float = 0.0,
) -> FloatArray:
    """Order-up-to level meeting a fill-rate target under lost sales, from daily forecast arrays.

    ``mean``/``variance`` are (n, horizon) daily forecasts, column 0 = tomorrow + ``offset`` days.
    Reviews happen at the end of a day and an order with lead time L is sellable on day t + L, so the
    stock on hand and on order must cover days t+1 .. t+R+L-1 (R + L - 1 days). Sales are lost, not
    backordered: a lost unit is never replenished, so the shortage allowed per cycle is
    (1 - beta) / beta x cycle demand (Silver et al. sec. 6.9.1). Demand over the window is a gamma with
    the forecast's mean and variance plus the lead-time spread term.
    """
    cum = Cumulative.of(mean, variance)
    before_arrival = np.maximum(np.asarray(lead_mean, dtype=np.float64) - 1.0, 0.0)
    lead_m, lead_v = window_moments(cum, None, offset, before_arrival, correlation)
    lead_v = add_lead_time_spread(lead_m, lead_v, before_arrival, lead_sd)
    cover = before_arrival + review
    prot_m, prot_v = window_moments(cum, None, offset, cover, correlation)
    prot_v = add_lead_time_spread(prot_m, prot_v, cover, lead_sd)
    cycle_m, _ = window_moments(cum, None, np.asarray(offset) + before_arrival, float(review), correlation)
    beta = np.asarray(target, dtype=np.float64)
    lost_sales_target = 1.0 - (1.0 - beta) / beta
    return level_for_fill_rate(prot_m, prot_v, cycle_m, lost_sales_target, lead_m, lead_v)


def cycle_service_order_up_to(
    mean: FloatArray,
    variance: FloatArray,
    offset: NDArray[np.float64] | float,
    lead_mean: NDArray[np.float64] | float,
    lead_sd: NDArray[np.float64] | float,
    review: float,
    target: ArrayLike,
    correlation: FloatArray | float = 0.0,
) -> FloatArray:
    """Order-up-to level = the target quantile of demand over R + L - 1 days (cycle service level).

    One common cycle service level across SKUs of similar unit cost is what minimises total inventory
    for a portfolio fill rate: raising S_i by a unit costs its holding and cuts expected shortage by
    P(D_i > S_i), so the optimum equalises P(D_i > S_i) x (1 / unit cost) - the newsvendor argument.
    Fast movers then get high item fill rates cheaply, slow movers lower ones.
    """
    cum = Cumulative.of(mean, variance)
    cover = np.maximum(np.asarray(lead_mean, dtype=np.float64) - 1.0, 0.0) + review
    prot_m, prot_v = window_moments(cum, None, offset, cover, correlation)
    prot_v = add_lead_time_spread(prot_m, prot_v, cover, lead_sd)
    return gamma_quantile(prot_m, prot_v, target)


def reorder_levels(
    forecast: pl.DataFrame,
    *,
    as_of: dt.date,
    lead_time_mean: ArrayLike,
    lead_time_sd: ArrayLike = 0.0,
    review_period: float = 7.0,
    service_level: ArrayLike = 0.95,
    kind: ServiceKind = "fill",
    correlation: float = 0.0,
    series_ids: list[str] | None = None,
) -> pl.DataFrame:
    """Per series: protection-period mean and sd, safety stock, reorder point and order-up-to level.

    ``forecast`` holds the days after ``as_of`` (``ds`` > as_of). Array arguments are per series in
    the order of ``series_ids`` (default: the frame's ids sorted).
    """
    ids = series_ids if series_ids is not None else sorted(forecast["unique_id"].unique().to_list())
    lt_mean = np.broadcast_to(np.asarray(lead_time_mean, dtype=np.float64), (len(ids),))
    lt_sd = np.broadcast_to(np.asarray(lead_time_sd, dtype=np.float64), (len(ids),))
    horizon = int(np.ceil(lt_mean.max(initial=0.0) + review_period)) + 1
    arrays = forecast_arrays(forecast, ids, as_of + dt.timedelta(days=1), horizon)
    uncovered = np.isnan(arrays.mean).all(axis=1)
    if uncovered.any():
        first = ids[int(np.flatnonzero(uncovered)[0])]
        raise InputError(
            f"forecast has no days after {as_of} for {int(uncovered.sum())} series (first: {first})",
            hint="forecast with as_of <= the planning date and a horizon covering lead time + review",
        )
    lead_mean, lead_var = window_moments(arrays.mean, arrays.variance, 0, lt_mean, correlation)
    lead_var = add_lead_time_spread(lead_mean, lead_var, lt_mean, lt_sd)
    prot_days = lt_mean + review_period
    prot_mean, prot_var = window_moments(arrays.mean, arrays.variance, 0, prot_days, correlation)
    prot_var = add_lead_time_spread(prot_mean, prot_var, prot_days, lt_sd)
    cycle_mean, _ = window_moments(arrays.mean, arrays.variance, lt_mean, review_period, correlation)
    reorder, up_to = levels_from_moments(
        lead_mean, lead_var, prot_mean, prot_var, cycle_mean, service_level, kind
    )
    return pl.DataFrame(
        {
            "unique_id": ids,
            "lead_time_demand": lead_mean,
            "protection_demand": prot_mean,
            "protection_sd": np.sqrt(prot_var),
            "safety_stock": up_to - prot_mean,
            "reorder_point": reorder,
            "order_up_to": up_to,
        }
    )


CORRELATION_GRID = (0.0, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3)  # squared CV of the level error
CHECK_LEVELS = (0.5, 0.8, 0.9, 0.95, 0.98)
VOLUME_BUCKETS = (0.5, 0.8, 0.95)  # quantiles of forecast daily volume splitting the level-error calibration
MIN_CALIBRATION_SERIES = 20


@dataclass(frozen=True)
class LevelError:
    """The shared level error (squared CV, see window_moments) per volume bucket.

    ``edges`` are daily-volume thresholds (units per day) between buckets, ``values`` one c per bucket
    (len(edges) + 1), ``overall`` the single value that calibrates all series together.
    """

    edges: tuple[float, ...] = ()
    values: tuple[float, ...] = (0.0,)
    overall: float = 0.0
    days: int = 28  # the volume of a series = its forecast's mean over its first `days` days

    def of(self, mean: FloatArray) -> FloatArray:
        """Each series' c from its daily forecast means (n, horizon), bucketed by volume as calibrated."""
        bucket = np.searchsorted(np.asarray(self.edges, dtype=np.float64), daily_volume(mean, self.days), side="right")
        values: FloatArray = np.asarray(self.values, dtype=np.float64)[bucket]
        return values


def daily_volume(mean: FloatArray, days: int) -> FloatArray:
    """Mean units per day over the first ``days`` forecast days (uncovered days count as 0)."""
    volume: FloatArray = np.nan_to_num(mean[:, :days]).mean(axis=1)
    return volume


def calibrate_level_error(
    mean: FloatArray, variance: FloatArray, actual: FloatArray, days: float,
    buckets: tuple[float, ...] = VOLUME_BUCKETS, min_series: int = MIN_CALIBRATION_SERIES,
) -> LevelError:
    """Per volume bucket, the level error that best calibrates the sums of a past forecast's first
    ``days`` days (``mean``/``variance`` (n, >= days) daily, ``actual`` (n,) what sold over those days).

    Buckets: the forecast's daily volume split at the ``buckets`` quantiles (default median, 80th and
    95th percentile). Slow movers' sums are dominated by day-to-day noise, fast movers' by the level
    error, so one value for all over-protects one group and under-protects the other. A bucket with
    fewer than ``min_series`` series takes the overall value.
    """
    window = int(np.ceil(days))
    if mean.shape[0] < min_series:
        return LevelError(days=window)
    overall = CORRELATION_GRID[int(np.argmin(correlation_losses(mean, variance, actual, days)))]
    daily = daily_volume(mean, window)
    edges = np.quantile(daily, buckets)
    bucket = np.searchsorted(edges, daily, side="right")
    values = []
    for b in range(len(edges) + 1):
        members = bucket == b
        if members.sum() < min_series:
            values.append(overall)
            continue
        losses = correlation_losses(mean[members], variance[members], actual[members], days)
        values.append(CORRELATION_GRID[int(np.argmin(losses))])
    return LevelError(tuple(float(e) for e in edges), tuple(values), overall, window)


def correlation_losses(
    mean: FloatArray, variance: FloatArray, actual: FloatArray, days: float,
    grid: tuple[float, ...] = CORRELATION_GRID,
) -> FloatArray:
    """How well each shared level error (squared CV, see window_moments) calibrates window sums of a past forecast.

    For each rho in ``grid``: the squared gaps between the share of series whose realised sum over the
    first ``days`` forecast days fell below the gamma quantile and the quantile's level, summed over
    CHECK_LEVELS. Daily quantiles can be calibrated while their sums are not: errors on consecutive
    days share the level error, so sums spread wider than independent days imply.
    """
    losses = np.zeros(len(grid))
    for g, rho in enumerate(grid):
        m, v = window_moments(mean, variance, 0, days, rho)
        for level in CHECK_LEVELS:
            covered = float((actual <= np.floor(gamma_quantile(m, v, level))).mean())
            losses[g] += (covered - level) ** 2
    return losses
