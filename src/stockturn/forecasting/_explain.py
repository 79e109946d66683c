"""Per-series explanation of demand: weekly seasonality, event lift, price elasticity, promotion lift.

All computed from the observed (uncensored) days of the last year, vectorised over series.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from stockturn.forecasting._features import Calendar
from stockturn.forecasting._panel import F64, Panel


def _masked_mean(values: F64, mask: npt.NDArray[np.bool_]) -> F64:
    ok = mask & ~np.isnan(values)
    cnt = ok.sum(axis=1)
    total = np.where(ok, values, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, total / np.maximum(cnt, 1), np.nan)


def explain(panel: Panel, cal: Calendar) -> pl.DataFrame:
    lo = max(0, panel.n_hist - 364)
    y = panel.y[:, lo : panel.n_hist].astype(np.float64)
    width = y.shape[1]
    overall = _masked_mean(y, np.ones_like(y, dtype=bool))
    dow = cal.dow[lo : panel.n_hist]
    by_dow = np.column_stack([_masked_mean(y, np.broadcast_to(dow == d, y.shape)) for d in range(7)])
    hi = np.where(np.isnan(by_dow), -np.inf, by_dow).max(axis=1)
    lo_pos = np.where(np.isnan(by_dow) | ~(np.nan_to_num(by_dow, nan=0.0) > 0), np.inf, by_dow).min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        weekly = np.where(np.isfinite(hi) & np.isfinite(lo_pos), hi / lo_pos, np.nan)
    peak_dow = np.where(np.isnan(by_dow).all(axis=1), -1, np.argmax(np.nan_to_num(by_dow, nan=-1), axis=1))

    codes = cal.event_code[panel.country][:, lo : panel.n_hist]
    on_event = codes > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        event_lift = _masked_mean(y, on_event) / _masked_mean(y, ~on_event)
        promo = panel.promo[:, lo : panel.n_hist] > 0
        promo_lift = _masked_mean(y, promo) / _masked_mean(y, ~promo)

    # Log-log price elasticity by least squares per series over observed days with a price.
    price = panel.price[:, lo : panel.n_hist].astype(np.float64)
    ok = ~np.isnan(y) & ~np.isnan(price) & (price > 0)
    lx = np.where(ok, np.log(np.where(ok, price, 1.0)), 0.0)
    ly = np.where(ok, np.log1p(np.where(ok, y, 0.0)), 0.0)
    cnt = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = lx.sum(axis=1) / cnt
        my = ly.sum(axis=1) / cnt
        sxx = np.where(ok, (lx - mx[:, None]) ** 2, 0.0).sum(axis=1)
        sxy = np.where(ok, (lx - mx[:, None]) * (ly - my[:, None]), 0.0).sum(axis=1)
        elasticity = np.where((cnt >= 28) & (sxx > 1e-4), sxy / sxx, np.nan)
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    return pl.DataFrame(
        {
            "unique_id": panel.ids,
            "mean_daily_demand": overall,
            "weekly_peak_to_trough": weekly,
            "peak_weekday": [days[d] if d >= 0 else None for d in peak_dow],
            "event_lift": event_lift,
            "promo_lift": promo_lift,
            "price_elasticity": elasticity,
            "observed_days_last_year": (~np.isnan(y)).sum(axis=1).astype(np.int64),
            "censored_days_last_year": (np.isnan(y) & (np.arange(width)[None, :] + lo >= panel.first[:, None]))
            .sum(axis=1)
            .astype(np.int64),
        }
    ).with_columns(pl.col(pl.Float64).fill_nan(None))
