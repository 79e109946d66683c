"""The one adapter between forecasting and planning: a forecast frame becomes per-day mean and variance
arrays, and a (series x day) sales matrix becomes the long history frame the forecaster takes.

The forecast frame (``ForecastResult.frame`` or the warehouse forecast table) has ``unique_id``, ``ds``,
``mean`` and one Float64 column per quantile named ``q{level:g}`` (``q0.005`` ... ``q0.995``). Planning
needs the distribution of demand summed over a protection period, so each day's quantiles are turned into
a variance here (exact for a normal day, a sound approximation otherwise) and days are then summed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy import stats

from stockturn.errors import InputError

FloatArray = NDArray[np.float64]
_QUANTILE_COLUMN = re.compile(r"^q(0?\.\d+|1(\.0*)?|0)$")


def quantile_columns(frame: pl.DataFrame) -> list[tuple[float, str]]:
    """The (level, column) pairs of a forecast frame, sorted by level; validates the frame's shape."""
    missing = [c for c in ("unique_id", "ds", "mean") if c not in frame.columns]
    if missing:
        raise InputError(
            f"forecast frame has no column(s) {', '.join(missing)}; found {', '.join(frame.columns)}",
            hint="pass ForecastResult.frame (unique_id, ds, mean, q0.005 ... q0.995)",
        )
    pairs = sorted(
        (float(name[1:]), name)
        for name in frame.columns
        if _QUANTILE_COLUMN.match(name) and 0.0 < float(name[1:]) < 1.0
    )
    if len(pairs) < 2:
        raise InputError(
            f"forecast frame needs at least two quantile columns such as q0.165 and q0.835; found "
            f"{[name for _, name in pairs] or 'none'}",
            hint="forecast with quantiles=[0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995]",
        )
    return pairs


def _variance_weights(levels: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weights so that, for quantile values v (n, k) of a piecewise-linear quantile function held flat
    outside the outer levels, mean = v @ w1 and E[X^2] = (v*v) @ w2 + (v[:, :-1] * v[:, 1:]) @ w3."""
    k = levels.size
    widths = np.diff(levels)
    w1 = np.zeros(k)
    w2 = np.zeros(k)
    w3 = widths / 3.0
    w1[0] += levels[0]
    w2[0] += levels[0]
    w1[-1] += 1.0 - levels[-1]
    w2[-1] += 1.0 - levels[-1]
    w1[:-1] += 0.5 * widths
    w1[1:] += 0.5 * widths
    w2[:-1] += widths / 3.0
    w2[1:] += widths / 3.0
    return w1, w2, w3


def _piecewise_linear_variance(levels: FloatArray, values: FloatArray) -> FloatArray:
    """Variance of a random variable whose quantile function is piecewise linear through the points.

    Outside the outermost levels the quantile function is held flat (tails cut off); the caller
    rescales so that a normal is recovered exactly. values has shape (n, k), non-decreasing along k.
    Column by column: a handful of vector operations over millions of forecast rows.
    """
    w1, w2, w3 = _variance_weights(levels)
    columns = [np.ascontiguousarray(values[:, j]) for j in range(values.shape[1])]
    mean = np.zeros(values.shape[0])
    second = np.zeros(values.shape[0])
    for j, column in enumerate(columns):
        mean += w1[j] * column
        second += w2[j] * column * column
        if j + 1 < len(columns):
            second += w3[j] * column * columns[j + 1]
    return np.asarray(np.maximum(second - mean * mean, 0.0), dtype=np.float64)


def variance_from_quantiles(levels: FloatArray, values: FloatArray) -> FloatArray:
    """Per-row variance implied by quantile values (n, k) at the given levels (k,), normal-calibrated."""
    levels = np.asarray(levels, dtype=np.float64)
    ordered = np.asarray(values, dtype=np.float64).copy(order="F")
    for j in range(1, ordered.shape[1]):  # crossing quantiles (a model artefact): running maximum
        np.maximum(ordered[:, j], ordered[:, j - 1], out=ordered[:, j])
    calibration = _piecewise_linear_variance(levels, stats.norm.ppf(levels)[None, :])[0]
    return np.asarray(_piecewise_linear_variance(levels, ordered) / calibration, dtype=np.float64)


@dataclass(frozen=True)
class ForecastArrays:
    """Forecasts aligned on a day grid: row i is series_ids[i], column j is start + j days."""

    series_ids: list[str]
    start: dt.date
    mean: FloatArray  # (n, horizon)
    variance: FloatArray  # (n, horizon)


def forecast_arrays(
    frame: pl.DataFrame, series_ids: list[str], start: dt.date, horizon: int
) -> ForecastArrays:
    """Align a forecast frame on series_ids x [start, start + horizon); days it does not cover are NaN."""
    pairs = quantile_columns(frame)
    levels = np.array([level for level, _ in pairs])
    dense = _dense_block(frame, series_ids, start, horizon)
    if dense is not None:  # fast path: already series-major on this day grid, no join needed
        block, width = dense
        n = len(series_ids)
        mean = np.maximum(block["mean"].cast(pl.Float64).to_numpy(), 0.0).reshape(n, width)[:, :horizon]
        quantiles = block.select([pl.col(name).cast(pl.Float64) for _, name in pairs]).to_numpy()
        variance = variance_from_quantiles(levels, quantiles).reshape(n, width)[:, :horizon]
        return ForecastArrays(series_ids=list(series_ids), start=start, mean=np.ascontiguousarray(mean),
                              variance=np.ascontiguousarray(variance))
    index = pl.DataFrame({"unique_id": series_ids, "_row": np.arange(len(series_ids), dtype=np.int64)})
    window = (
        frame.lazy()
        .with_columns(_col=(pl.col("ds").cast(pl.Date) - pl.lit(start)).dt.total_days())
        .filter((pl.col("_col") >= 0) & (pl.col("_col") < horizon))
        .join(index.lazy(), on="unique_id", how="inner")
        .collect()
    )
    quantiles = window.select([pl.col(name).cast(pl.Float64) for _, name in pairs]).to_numpy()
    daily_var = variance_from_quantiles(levels, quantiles) if len(window) else np.zeros(0)
    rows = window["_row"].to_numpy()
    cols = window["_col"].to_numpy()
    mean = np.full((len(series_ids), horizon), np.nan)
    variance = np.full((len(series_ids), horizon), np.nan)
    mean[rows, cols] = np.maximum(window["mean"].cast(pl.Float64).to_numpy(), 0.0)
    variance[rows, cols] = daily_var
    return ForecastArrays(series_ids=list(series_ids), start=start, mean=mean, variance=variance)


@dataclass(frozen=True)
class Cumulative:
    """Running sums of daily mean, variance and sd: window sums in O(1) per row, reused across windows."""

    mean: FloatArray
    variance: FloatArray
    daily_mean: FloatArray
    daily_variance: FloatArray
    daily_sd: FloatArray
    sd: FloatArray

    @classmethod
    def of(cls, mean: FloatArray, variance: FloatArray) -> Cumulative:
        m = np.where(np.isnan(mean), 0.0, mean)
        v = np.where(np.isnan(variance), 0.0, variance)
        sd = np.sqrt(v)
        zero = np.zeros((m.shape[0], 1))
        return cls(
            mean=np.concatenate((zero, np.cumsum(m, axis=1)), axis=1),
            variance=np.concatenate((zero, np.cumsum(v, axis=1)), axis=1),
            daily_mean=m, daily_variance=v, daily_sd=sd,
            sd=np.concatenate((zero, np.cumsum(sd, axis=1)), axis=1),
        )


def history_frame(
    series_ids: Sequence[str], dates: NDArray[np.datetime64], sales: FloatArray,
    available: NDArray[np.bool_] | None = None,
) -> pl.DataFrame:
    """`unique_id, ds, y, available` for `forecast()` from sales (n, days) on `dates`; available defaults
    to every day (no stockouts recorded)."""
    n, days = sales.shape
    return pl.DataFrame(
        {
            "unique_id": np.repeat(np.asarray(series_ids, dtype=object), days).astype(str),
            "ds": np.tile(dates.astype("datetime64[D]"), n),
            "y": sales.ravel(),
            "available": np.ones(n * days, dtype=bool) if available is None else available.ravel(),
        }
    ).with_columns(pl.col("ds").cast(pl.Date))


def _dense_block(
    frame: pl.DataFrame, series_ids: list[str], start: dt.date, horizon: int
) -> tuple[pl.DataFrame, int] | None:
    """(frame, days per series) when its rows are exactly series_ids (in order) x the same consecutive
    days from ``start``, at least ``horizon`` of them; else None."""
    n = len(series_ids)
    if n == 0 or frame.height % n or frame.height // n < horizon:
        return None
    width = frame.height // n
    days = pl.Series(np.arange(np.datetime64(start), np.datetime64(start) + width, dtype="datetime64[D]"))
    ids = pl.Series(np.repeat(np.asarray(series_ids, dtype=object), width).astype(str))
    same_days = bool((frame["ds"].cast(pl.Date) == pl.concat([days.cast(pl.Date)] * n)).all())
    same_ids = bool((frame["unique_id"].cast(pl.String) == ids).all())
    return (frame, width) if same_days and same_ids else None


def window_moments(
    mean: FloatArray | Cumulative,
    variance: FloatArray | None,
    offset: NDArray[np.int64] | NDArray[np.float64] | float,
    length: NDArray[np.float64] | float,
    correlation: FloatArray | float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Mean and variance of demand summed over days [offset, offset + length) of each row.

    Pass daily (mean, variance) arrays, or a ``Cumulative`` (and None) to reuse running sums. Fractional
    lengths take that share of the last day. Days beyond the forecast horizon repeat the last covered
    day's values. ``correlation`` is the squared coefficient of variation of a level error shared by all
    days of the window (a forecast 10 % too high is too high every day): var = sum(var_d) + c (sum mean_d)^2.
    It scales with the mean, not with the daily spread, so lumpy series are not inflated by it. A scalar
    applies to every row; an array gives each row its own.
    """
    if isinstance(mean, Cumulative):
        cum = mean
    else:
        assert variance is not None
        cum = Cumulative.of(mean, variance)
    n = cum.daily_mean.shape[0]
    begin = np.broadcast_to(np.asarray(offset, dtype=np.float64), (n,))
    finish = begin + np.broadcast_to(np.asarray(length, dtype=np.float64), (n,))
    window_mean = _sum_to(cum.mean, cum.daily_mean, finish) - _sum_to(cum.mean, cum.daily_mean, begin)
    window_var = _sum_to(cum.variance, cum.daily_variance, finish) - _sum_to(cum.variance, cum.daily_variance, begin)
    if np.any(correlation):
        window_var = window_var + np.asarray(correlation, dtype=np.float64) * window_mean**2
    return window_mean, window_var


def _sum_to(cumulative: FloatArray, daily: FloatArray, position: FloatArray) -> FloatArray:
    """Sum of each row's daily values over [0, position), fractional days pro rata, last day repeated."""
    n, horizon = daily.shape
    rows = np.arange(n)
    whole = np.clip(np.floor(position).astype(np.int64), 0, horizon)
    part = position - np.floor(position)
    inside = cumulative[rows, whole] + part * daily[rows, np.minimum(whole, horizon - 1)]
    beyond = np.maximum(position - horizon, 0.0)
    extended = cumulative[rows, horizon] + beyond * daily[:, -1]
    return np.asarray(np.where(position <= horizon, inside, extended), dtype=np.float64)


def add_lead_time_spread(
    window_mean: FloatArray,
    window_variance: FloatArray,
    window_days: FloatArray | float,
    lead_time_sd: FloatArray | float,
) -> FloatArray:
    """Variance over a random lead time: add (mean daily demand)^2 x lead-time variance."""
    daily = window_mean / np.maximum(np.asarray(window_days, dtype=np.float64), 1e-9)
    return window_variance + daily**2 * np.asarray(lead_time_sd, dtype=np.float64) ** 2
