"""statsforecast baselines for the forecasting benchmarks, scored exactly like stockturn's forecasts.

Each baseline sees the raw series from its first non-zero value (the M5 benchmark convention) and gives
quantiles from its own intervals: native ones for AutoETS, conformal ones (2 windows) for the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from statsforecast import StatsForecast
from statsforecast.models import (
    ADIDA,
    TSB,
    AutoETS,
    CrostonOptimized,
    SeasonalNaive,
    SimpleExponentialSmoothingOptimized,
)
from statsforecast.utils import ConformalIntervals

Arr = npt.NDArray[np.float64]

BASELINES: dict[str, Callable[[], Any]] = {
    "SeasonalNaive(7)": lambda: SeasonalNaive(season_length=7, alias="m"),
    "ES_bu (SESOpt)": lambda: SimpleExponentialSmoothingOptimized(alias="m"),
    "CrostonOptimized": lambda: CrostonOptimized(alias="m"),
    "ADIDA": lambda: ADIDA(alias="m"),
    "TSB": lambda: TSB(alpha_d=0.1, alpha_p=0.1, alias="m"),
    "AutoETS(7)": lambda: AutoETS(season_length=7, alias="m"),
}


@dataclass
class BaselineRun:
    mean: Arr  # (n, h)
    quantiles: Arr  # (n, h, q)
    seconds: float


def long_frame(train: Arr) -> pl.DataFrame:
    """Series from their first non-zero value; NaN (unknown) days are given to the baselines as 0."""
    x = np.nan_to_num(train, nan=0.0)
    started = np.logical_or.accumulate(x != 0, axis=1)
    started[~started.any(axis=1), -56:] = True  # never sold: give the model its last 8 weeks of zeros
    r, c = np.nonzero(started)
    return pl.DataFrame({"unique_id": r.astype(np.int64), "ds": c.astype(np.int64), "y": x[r, c]})


def _level(q: float) -> tuple[str, int]:
    lvl = round(abs(2 * q - 1) * 100)
    return ("lo" if q < 0.5 else "hi"), lvl


def run_baseline(
    name: str, frame: pl.DataFrame, n: int, horizon: int, quantiles: Sequence[float], n_jobs: int
) -> BaselineRun:
    levels = sorted({_level(q)[1] for q in quantiles if q != 0.5})
    model = BASELINES[name]()
    sf = StatsForecast(models=[model], freq=1, n_jobs=n_jobs)
    intervals = None if name.startswith("AutoETS") else ConformalIntervals(h=horizon, n_windows=2)
    t0 = time.perf_counter()
    fc = sf.forecast(df=frame, h=horizon, level=levels, prediction_intervals=intervals)
    seconds = time.perf_counter() - t0
    uid = fc["unique_id"].to_numpy().astype(np.int64)
    last = int(np.max(frame["ds"].to_numpy()))
    step = fc["ds"].to_numpy().astype(np.int64) - last - 1
    mean = np.zeros((n, horizon))
    mean[uid, step] = np.maximum(fc["m"].to_numpy(), 0)
    qs = np.zeros((n, horizon, len(quantiles)))
    for j, q in enumerate(quantiles):
        if q == 0.5:
            qs[uid, step, j] = mean[uid, step]
        else:
            side, lvl = _level(q)
            qs[uid, step, j] = np.maximum(fc[f"m-{side}-{lvl}"].to_numpy(), 0)
    return BaselineRun(mean, qs, seconds)
