"""Priors for new series: the level of established series in the same category, with its weekly shape.

Level = (n * own mean + PRIOR_DAYS * category level) / (n + PRIOR_DAYS), so a SKU with a week of sales
leans on its category and one with two months mostly on itself.
"""

from __future__ import annotations

import numpy as np

from stockturn.forecasting._features import Calendar, SeriesStats
from stockturn.forecasting._panel import F32, Panel

PRIOR_DAYS = 14.0


def category_prior(
    panel: Panel, cal: Calendar, stats: SeriesStats, *, origin: int, horizon: int, min_days: int
) -> tuple[F32, np.ndarray[tuple[int], np.dtype[np.bool_]]]:
    """Prior forecast (n, horizon) and the mask of series that are new at `origin`."""
    n_obs = stats.n_obs[:, origin]
    new = n_obs < min_days
    level_recent = stats.roll[2][:, origin]  # mean of the last 56 observed days
    out = np.zeros((panel.n, horizon), dtype=np.float32)
    if not new.any():
        return out, new
    established = ~new & ~np.isnan(level_recent)
    lo = max(0, origin - 55)
    dow_hist = cal.dow[lo : origin + 1]
    dow_future = cal.dow[origin + 1 : origin + 1 + horizon]
    all_level = float(np.median(level_recent[established])) if established.any() else 0.0
    for code in np.unique(panel.category[new]):
        in_cat = panel.category == code
        ref = in_cat & established
        if not ref.any():
            ref = established
        level = float(np.median(level_recent[ref])) if ref.any() else all_level
        block = np.nan_to_num(panel.y[ref, lo : origin + 1], nan=0.0).sum(axis=0) if ref.any() else None
        profile = np.ones(7)
        if block is not None and block.sum() > 0:
            by_dow = np.array([block[dow_hist == d].mean() if (dow_hist == d).any() else 0.0 for d in range(7)])
            if by_dow.mean() > 0:
                profile = by_dow / by_dow.mean()
        members = new & in_cat
        own = np.nan_to_num(stats.mean_all[members, origin], nan=0.0)
        n = n_obs[members]
        blended = (n * own + PRIOR_DAYS * level) / (n + PRIOR_DAYS)
        out[members] = (blended[:, None] * profile[dow_future][None, :]).astype(np.float32)
    return out, new
