"""Fast per-series statistical candidates (statsforecast), fitted on the recent history of each series.

Censored days are imputed with the series' own recent mean of observed days (never with zero) because
statsforecast models need a gap-free series.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import polars as pl
from statsforecast import StatsForecast
from statsforecast.models import (
    ADIDA,
    IMAPA,
    TSB,
    CrostonOptimized,
    SeasonalExponentialSmoothingOptimized,
    SeasonalNaive,
    SimpleExponentialSmoothingOptimized,
)

from stockturn.forecasting._features import SeriesStats
from stockturn.forecasting._panel import F32, Panel

LOCAL_MODELS: dict[str, Callable[[], Any]] = {
    "seasonal_naive": lambda: SeasonalNaive(season_length=7, alias="seasonal_naive"),
    "ses": lambda: SimpleExponentialSmoothingOptimized(alias="ses"),
    "seasonal_es": lambda: SeasonalExponentialSmoothingOptimized(season_length=7, alias="seasonal_es"),
    "croston": lambda: CrostonOptimized(alias="croston"),
    "adida": lambda: ADIDA(alias="adida"),
    "imapa": lambda: IMAPA(alias="imapa"),
    "tsb": lambda: TSB(alpha_d=0.1, alpha_p=0.1, alias="tsb"),
}
MIN_LOCAL_DAYS = 28


def imputed(panel: Panel, stats: SeriesStats) -> F32:
    """y with censored days replaced by the mean of the last 28 observed days (or the running mean)."""
    fill = np.where(np.isnan(stats.roll[1]), stats.mean_all, stats.roll[1])
    return np.where(np.isnan(panel.y), np.nan_to_num(fill, nan=0.0), panel.y).astype(np.float32)


def run_local(
    panel: Panel,
    y_imputed: F32,
    *,
    cut: int,
    horizon: int,
    models: Sequence[str],
    history_days: int,
    rows: np.ndarray[Any, np.dtype[np.int64]] | None = None,
    n_jobs: int = 1,
) -> dict[str, F32]:
    """Forecast columns cut+1..cut+horizon with each named model; NaN rows for ineligible series."""
    n = panel.n
    out = {m: np.full((n, horizon), np.nan, dtype=np.float32) for m in models}
    if not models:
        return out
    lo = max(0, cut - history_days + 1)
    start = np.maximum(panel.first, lo)
    eligible = (cut - start + 1) >= MIN_LOCAL_DAYS
    if rows is not None:
        chosen = np.zeros(n, dtype=bool)
        chosen[rows] = True
        eligible &= chosen
    idx = np.flatnonzero(eligible)
    if idx.size == 0:
        return out
    block = y_imputed[idx, lo : cut + 1]
    col = np.arange(lo, cut + 1)[None, :]
    mask = col >= start[idx][:, None]
    r, c = np.nonzero(mask)
    frame = pl.DataFrame(
        {
            "unique_id": idx[r].astype(np.int64),
            "ds": (c + lo).astype(np.int64),
            "y": block[r, c].astype(np.float64),
        }
    )
    sf = StatsForecast(models=[LOCAL_MODELS[m]() for m in models], freq=1, n_jobs=n_jobs)
    fc = sf.forecast(df=frame, h=horizon)
    uid = fc["unique_id"].to_numpy().astype(np.int64)
    step = fc["ds"].to_numpy().astype(np.int64) - cut - 1
    for m in models:
        vals = np.maximum(fc[m].to_numpy().astype(np.float32), 0)
        out[m][uid, step] = vals
    return out
