"""M5 accuracy and uncertainty metrics (Makridakis et al., "The M5 competition", 2022).

- RMSSE: root of the mean squared forecast error, scaled by the mean squared one-step naive error of the
  training series counted from its first non-zero sale.
- SPL: pinball loss per quantile, scaled by the mean absolute one-step naive error (same start rule).
- WRMSSE / WSPL: weights are each series' share of dollar (or unit) sales over the last 28 training days;
  over several aggregation levels every level gets the same total weight (the mean of the level scores).

Arrays are (series, time). NaN in `train` before a series starts is allowed; NaN in `actual` marks a day
that is not scored (e.g. a closed store).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[np.float64]


def _started(train: Arr) -> npt.NDArray[np.bool_]:
    positive = np.nan_to_num(train, nan=0.0) != 0
    return np.logical_or.accumulate(positive, axis=1)


def _naive_scale(train: Arr, power: int) -> Arr:
    x = np.asarray(train, dtype=np.float64)
    started = _started(x)
    d = np.abs(np.diff(x, axis=1)) ** power
    ok = started[:, :-1] & ~np.isnan(d)
    count = ok.sum(axis=1)
    total = np.where(ok, d, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def rmsse(train: Arr, actual: Arr, forecast: Arr) -> Arr:
    """Per-series RMSSE; NaN where the scale is zero or undefined."""
    a = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    ok = ~np.isnan(a)
    mse = np.where(ok, (a - f) ** 2, 0.0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
    scale = _naive_scale(train, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, np.sqrt(mse / scale), np.nan)


def spl(train: Arr, actual: Arr, qforecast: Arr, quantiles: Sequence[float]) -> Arr:
    """Per-series scaled pinball loss averaged over `quantiles`; qforecast is (series, time, quantile)."""
    a = np.asarray(actual, dtype=np.float64)
    q = np.asarray(qforecast, dtype=np.float64)
    ok = ~np.isnan(a)
    days = np.maximum(ok.sum(axis=1), 1)
    total = np.zeros(a.shape[0])
    for j, u in enumerate(quantiles):
        diff = np.where(ok, a - q[:, :, j], 0.0)
        total += np.maximum(u * diff, (u - 1) * diff).sum(axis=1) / days
    scale = _naive_scale(train, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, total / len(quantiles) / scale, np.nan)


def sales_weights(actual_last28: Arr, price: Arr | None = None) -> Arr:
    """Share of dollar sales (units x price; units when price is None) over the given window."""
    units = np.nan_to_num(np.asarray(actual_last28, dtype=np.float64), nan=0.0)
    dollars = units * np.nan_to_num(price, nan=0.0) if price is not None else units
    per_series = dollars.sum(axis=1)
    total = per_series.sum()
    return per_series / total if total > 0 else np.full(per_series.shape, 1.0 / max(per_series.size, 1))


def weighted(scores: Arr, weights: Arr) -> float:
    """Sum of weight x score; series with zero weight never contribute (even when their score is NaN)."""
    w = np.asarray(weights, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    return float(np.sum(np.where(w > 0, w * np.nan_to_num(s, nan=0.0, posinf=0.0), 0.0)))


def aggregate_rows(values: Arr, groups: npt.NDArray[np.int64]) -> Arr:
    """Sum rows of a (series, ...) array into (n_groups, ...) by integer group code (NaN as 0)."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
    out = np.zeros((int(groups.max()) + 1, *v.shape[1:]))
    np.add.at(out, groups, v)
    return out


def wrmsse(
    train: Arr,
    actual: Arr,
    forecast: Arr,
    dollars_last28: Arr,
    levels: Sequence[npt.NDArray[np.int64]],
) -> tuple[float, list[float]]:
    """WRMSSE over aggregation levels: bottom-level forecasts summed up, each level weighted equally.

    `levels` holds one group-code array per level (e.g. all zeros for the total, arange(n) for items).
    `dollars_last28` is the bottom-level dollar sales per series over the last 28 training days.
    Returns the overall score and the per-level scores.
    """
    per_level: list[float] = []
    train0 = np.where(_started(train), np.nan_to_num(train, nan=0.0), np.nan)
    for groups in levels:
        tr = aggregate_rows(train0, groups)
        # An aggregate starts when its first member starts: leading all-NaN columns stay not started.
        ac = aggregate_rows(actual, groups)
        fc = aggregate_rows(forecast, groups)
        w = aggregate_rows(dollars_last28[:, None], groups)[:, 0]
        w = w / w.sum() if w.sum() > 0 else np.full(w.shape, 1.0 / w.size)
        per_level.append(weighted(rmsse(tr, ac, fc), w))
    return float(np.mean(per_level)), per_level
