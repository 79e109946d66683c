"""Quantiles from a negative binomial around the mean, with dispersion calibrated on backtests.

Var(y) = mu + mu^2 / k. Per series, 1/k comes from the backtest residuals of the chosen model by the
method of moments, shrunk towards the pooled value (little data -> pooled). One global multiplier on
1/k is then chosen to minimise the pinball loss on held-out backtest days (estimate on even horizon
days, calibrate on odd ones), which corrects what the moment estimate gets wrong about the tails.
For large means a gamma with the same mean and variance replaces the negative binomial (same answer,
much faster).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from stockturn.forecasting._panel import F32, F64

SHRINK_DAYS = 28.0
DEFAULT_INV_K = 0.5  # used when there is no backtest at all (history shorter than two horizons)
GRID = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0)
GAMMA_ABOVE = 30.0
MAX_STEPS = 400
MAX_CALIBRATION_SERIES = 3000


def moment_inv_k(mean: F32, actual: F32) -> tuple[F64, F64]:
    """Raw per-series 1/k and the number of days it is based on."""
    ok = ~np.isnan(actual) & ~np.isnan(mean)
    mu = np.where(ok, mean, 0.0).astype(np.float64)
    err2 = np.where(ok, (actual - mean) ** 2, 0.0).astype(np.float64)
    n = ok.sum(axis=1).astype(np.float64)
    s_mu = mu.sum(axis=1)
    s_mu2 = (mu**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(s_mu2 > 0, (err2.sum(axis=1) - s_mu) / s_mu2, np.nan)
    return np.clip(raw, 0.0, 50.0), n


def shrunk_inv_k(mean: F32, actual: F32) -> F64:
    raw, n = moment_inv_k(mean, actual)
    valid = ~np.isnan(raw) & (n > 0)
    pooled = float(np.median(raw[valid])) if valid.any() else DEFAULT_INV_K
    w = np.where(valid, n / (n + SHRINK_DAYS), 0.0)
    return np.asarray(w * np.nan_to_num(raw, nan=0.0) + (1 - w) * pooled, dtype=np.float64)


def nb_quantiles(mean: F32, inv_k: F64, quantiles: Sequence[float]) -> F32:
    """(n, h, len(quantiles)) quantiles of NB(mean, 1/k); inv_k is per series."""
    mu = np.maximum(mean.astype(np.float64), 0.0)
    ik = np.broadcast_to(np.maximum(inv_k, 1e-6)[:, None], mu.shape)
    out = np.zeros((*mu.shape, len(quantiles)), dtype=np.float32)
    pos = mu > 1e-9
    small = pos & (mu < GAMMA_ABOVE)
    big = pos & ~small
    if small.any():
        out[small] = _nb_ppf(mu[small], 1.0 / ik[small], quantiles)
    if big.any():
        m_b, ik_b = mu[big], ik[big]
        var_b = m_b + m_b**2 * ik_b
        shape_b = m_b**2 / var_b
        scale_b = var_b / m_b
        out[big] = np.column_stack([stats.gamma.ppf(q, shape_b, scale=scale_b) for q in quantiles])
    return out


def _nb_ppf(mu: F64, k: F64, quantiles: Sequence[float]) -> F32:
    """Smallest x with P(X <= x) >= q, walking the pmf recursion for all cells at once.

    P(0) = (k / (k + mu))^k and P(x + 1) = P(x) (x + k) / (x + 1) mu / (k + mu); the answer for level q
    is the number of steps with cdf < q. Much faster than scipy's nbinom.ppf, which searches cell by
    cell; the rare cells with very long tails are finished by scipy after MAX_STEPS.
    """
    qs = np.asarray(quantiles, dtype=np.float64)
    counts = np.zeros((mu.size, qs.size), dtype=np.float64)
    idx = np.arange(mu.size)
    kk = k.copy()
    rr = mu / (k + mu)
    pmf = np.exp(k * np.log(k / (k + mu)))
    cdf = pmf.copy()
    for x in range(MAX_STEPS):
        below = cdf[:, None] < qs[None, :] - 1e-12
        counts[idx] += below
        alive = below[:, -1]
        if not alive.all():
            idx, pmf, cdf, kk, rr = idx[alive], pmf[alive], cdf[alive], kk[alive], rr[alive]
            if idx.size == 0:
                break
        pmf = pmf * (x + kk) / (x + 1) * rr
        cdf = cdf + pmf
    if idx.size:
        p = k[idx] / (k[idx] + mu[idx])
        counts[idx] = np.column_stack([stats.nbinom.ppf(q, k[idx], p) for q in qs])
    return counts.astype(np.float32)


def pinball(actual: F32, qpred: F32, quantiles: Sequence[float]) -> float:
    ok = ~np.isnan(actual)
    total = 0.0
    for j, q in enumerate(quantiles):
        diff = np.where(ok, actual - qpred[..., j], 0.0)
        total += float(np.sum(np.maximum(q * diff, (q - 1) * diff)))
    return total


def calibrate(mean: F32, actual: F32, quantiles: Sequence[float], weights: F64) -> tuple[F64, float]:
    """Per-series 1/k from all backtest days, times the multiplier that wins on held-out days."""
    n = mean.shape[0]
    if n > MAX_CALIBRATION_SERIES:
        pick = np.random.default_rng(0).choice(n, MAX_CALIBRATION_SERIES, replace=False)
    else:
        pick = np.arange(n)
    even = actual.copy()
    even[:, 1::2] = np.nan
    odd = actual.copy()
    odd[:, 0::2] = np.nan
    inv_even = shrunk_inv_k(mean, even)
    w = weights[pick][:, None, None]
    best, best_loss = 1.0, np.inf
    for mult in GRID:
        qp = nb_quantiles(mean[pick], inv_even[pick] * mult, quantiles)
        ok = ~np.isnan(odd[pick])
        loss = 0.0
        for j, q in enumerate(quantiles):
            diff = np.where(ok, odd[pick] - qp[..., j], 0.0)
            loss += float(np.sum(w[..., 0] * np.maximum(q * diff, (q - 1) * diff)))
        if loss < best_loss:
            best, best_loss = mult, loss
    return shrunk_inv_k(mean, actual) * best, best
