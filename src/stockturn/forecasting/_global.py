"""The global gradient-boosted model: one LightGBM (Tweedie) over every series and every horizon."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np

from stockturn.forecasting._features import CATEGORICAL, Calendar, SeriesStats, feature_names, gather
from stockturn.forecasting._panel import F32, Panel


@dataclass(frozen=True)
class GlobalParams:
    """LightGBM settings. Tweedie suits zero-inflated, right-skewed unit sales (as in the M5 winners)."""

    rounds: int = 300
    learning_rate: float = 0.06
    num_leaves: int = 63
    min_data_in_leaf: int = 100
    feature_fraction: float = 0.6
    bagging_fraction: float = 0.5  # each tree sees half the rows: half the time, all rows still used
    tweedie_variance_power: float = 1.1
    train_days: int = 1456  # target days used for training, counted back from the cut (4 years)
    max_rows: int = 1_500_000  # rows sampled from (series, day) pairs beyond this; caps time and memory
    threads: int = 2
    seed: int = 7
    # Final model: 0 = refit from scratch on all data up to as_of; > 0 = continue the backtest model with
    # this many more rounds on the newest `update_days` target days (the days it has not seen as targets,
    # and some before them), which costs a fraction of a refit. 0 by default: continuing was unstable on
    # lumpy data (Online Retail: 28-day sums forecast 2-3x too high at some origins; docs/forecasting.md).
    update_rounds: int = 0
    update_days: int = 182
    extra: dict[str, Any] = field(default_factory=dict)

    def lgb_params(self) -> dict[str, Any]:
        return {
            "objective": "tweedie",
            "tweedie_variance_power": self.tweedie_variance_power,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "lambda_l2": 0.1,
            "max_bin": 127,
            "num_threads": self.threads,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "verbose": -1,
            **self.extra,
        }


def fit_global(
    panel: Panel,
    cal: Calendar,
    stats: SeriesStats,
    *,
    cut: int,
    horizon: int,
    params: GlobalParams,
    init: lgb.Booster | None = None,
) -> lgb.Booster | None:
    """Train on observed target days in (cut - train_days, cut]; None when there is nothing to learn.

    With `init`, continue that model for `params.update_rounds` rounds on the target days in
    (cut - update_days, cut] instead of training from scratch.
    """
    days = params.train_days if init is None else params.update_days
    lo = max(0, cut - days + 1)
    rows, cols = np.nonzero(panel.observed[:, lo : cut + 1])
    if rows.size < 50:
        return init
    rng = np.random.default_rng(params.seed + (0 if init is None else 1))
    if rows.size > params.max_rows:
        keep = np.sort(rng.choice(rows.size, size=params.max_rows, replace=False))
        rows, cols = rows[keep], cols[keep]
    t = (cols + lo).astype(np.int64)
    i = rows.astype(np.int64)
    h = rng.integers(1, horizon + 1, size=t.size).astype(np.int64)
    x = gather(panel, cal, stats, i, t, h)
    target = panel.y[i, t]
    names = feature_names(cal)
    data = lgb.Dataset(
        x,
        label=target,
        feature_name=names,
        categorical_feature=[names.index(c) for c in CATEGORICAL],
        free_raw_data=True,
    )
    if init is not None:
        return lgb.train(params.lgb_params(), data, num_boost_round=params.update_rounds, init_model=init)
    return lgb.train(params.lgb_params(), data, num_boost_round=params.rounds)


def predict_global(
    booster: lgb.Booster | None, panel: Panel, cal: Calendar, stats: SeriesStats, *, origin: int, horizon: int
) -> F32:
    """Mean forecast (n, horizon) for days origin+1 .. origin+horizon."""
    n = panel.n
    if booster is None:
        level = stats.roll[1][:, origin]
        return np.repeat(np.nan_to_num(level, nan=0.0)[:, None], horizon, axis=1).astype(np.float32)
    i = np.repeat(np.arange(n, dtype=np.int64), horizon)
    h = np.tile(np.arange(1, horizon + 1, dtype=np.int64), n)
    t = origin + h
    x = gather(panel, cal, stats, i, t, h)
    pred = np.asarray(booster.predict(x, num_threads=panel_threads(booster)), dtype=np.float32)
    return np.maximum(pred, 0).reshape(n, horizon)


def panel_threads(booster: lgb.Booster) -> int:
    return int(booster.params.get("num_threads", 2)) if booster.params else 2


def importance(booster: lgb.Booster | None) -> dict[str, float]:
    if booster is None:
        return {}
    gains = booster.feature_importance(importance_type="gain")
    total = float(np.sum(gains)) or 1.0
    return {name: float(g) / total for name, g in zip(booster.feature_name(), gains, strict=True)}
