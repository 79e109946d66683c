"""Textbook inventory formulas, vectorised: EOQ, newsvendor, safety stock, (s,Q) and order-up-to levels.

Every function takes floats or NumPy arrays (broadcast together) and returns the same shape. Units are
consistent by construction: demand per day with lead times in days, or per year with yearly costs.
References: Silver, Pyke & Peterson, *Inventory and Production Management in Supply Chains* (4th ed.),
ch. 4 and 6; Snyder & Shen, *Fundamentals of Supply Chain Theory*, ch. 3-4.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

FloatArray = NDArray[np.float64]


def _arr(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def eoq(demand_rate: ArrayLike, order_cost: ArrayLike, holding_cost: ArrayLike) -> FloatArray:
    """Economic order quantity sqrt(2 D K / h); D and h per the same time unit (e.g. per year)."""
    d, k, h = _arr(demand_rate), _arr(order_cost), _arr(holding_cost)
    return np.sqrt(2.0 * d * k / h)


def eoq_cost(demand_rate: ArrayLike, order_cost: ArrayLike, holding_cost: ArrayLike) -> FloatArray:
    """Ordering plus holding cost per time unit at the EOQ: sqrt(2 D K h)."""
    d, k, h = _arr(demand_rate), _arr(order_cost), _arr(holding_cost)
    return np.sqrt(2.0 * d * k * h)


def critical_fractile(underage_cost: ArrayLike, overage_cost: ArrayLike) -> FloatArray:
    """Newsvendor critical ratio cu / (cu + co): the optimal probability of not running out."""
    cu, co = _arr(underage_cost), _arr(overage_cost)
    return cu / (cu + co)


def newsvendor_normal(
    mean: ArrayLike, sd: ArrayLike, underage_cost: ArrayLike, overage_cost: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Optimal newsvendor quantity under normal demand and its expected cost (co + cu) sd phi(z)."""
    cu, co = _arr(underage_cost), _arr(overage_cost)
    z = stats.norm.ppf(critical_fractile(cu, co))
    s = _arr(sd)
    quantity = _arr(mean) + z * s
    cost = (cu + co) * s * stats.norm.pdf(z)
    return np.asarray(quantity, dtype=np.float64), np.asarray(cost, dtype=np.float64)


def normal_loss(z: ArrayLike) -> FloatArray:
    """Standard normal loss function G(z) = E[(Z - z)+] = phi(z) - z (1 - Phi(z))."""
    zz = _arr(z)
    return np.asarray(stats.norm.pdf(zz) - zz * stats.norm.sf(zz), dtype=np.float64)


def lead_time_demand(
    daily_mean: ArrayLike, daily_sd: ArrayLike, lead_time_mean: ArrayLike, lead_time_sd: ArrayLike = 0.0
) -> tuple[FloatArray, FloatArray]:
    """Mean and sd of demand over a random lead time: mu = d L, sigma = sqrt(L s_d^2 + d^2 s_L^2).

    Assumes daily demands independent of each other and of the lead time (Silver et al. eq. 6.8).
    """
    d, s, lt, slt = _arr(daily_mean), _arr(daily_sd), _arr(lead_time_mean), _arr(lead_time_sd)
    return d * lt, np.sqrt(lt * s**2 + d**2 * slt**2)


def z_for_service(cycle_service_level: ArrayLike) -> FloatArray:
    """Safety factor z for a cycle service level (probability of no stockout per cycle)."""
    return np.asarray(stats.norm.ppf(_arr(cycle_service_level)), dtype=np.float64)


def safety_stock_normal(sigma: ArrayLike, cycle_service_level: ArrayLike) -> FloatArray:
    """Safety stock z sigma for a cycle service level under normal protection-period demand."""
    return z_for_service(cycle_service_level) * _arr(sigma)


def z_for_fill_rate(fill_rate: ArrayLike, order_quantity: ArrayLike, sigma: ArrayLike) -> FloatArray:
    """Safety factor z with sigma G(z) = (1 - fill_rate) Q: the fill-rate ("P2") rule of (s,Q).

    Solved by bisection on z in [-4, 8], vectorised; G is decreasing so the root is unique.
    """
    target = (1.0 - _arr(fill_rate)) * _arr(order_quantity) / np.maximum(_arr(sigma), 1e-12)
    target = np.broadcast_to(target, np.broadcast(target, _arr(fill_rate)).shape).astype(np.float64)
    lo = np.full(target.shape, -4.0)
    hi = np.full(target.shape, 8.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        too_much_shortage = normal_loss(mid) > target
        lo = np.where(too_much_shortage, mid, lo)
        hi = np.where(too_much_shortage, hi, mid)
    return np.asarray(0.5 * (lo + hi), dtype=np.float64)


def reorder_point_sq(
    daily_mean: ArrayLike,
    daily_sd: ArrayLike,
    lead_time_mean: ArrayLike,
    lead_time_sd: ArrayLike,
    cycle_service_level: ArrayLike,
) -> FloatArray:
    """Reorder point s of a continuous-review (s,Q) policy: mu_L + z sigma_L (normal)."""
    mu, sigma = lead_time_demand(daily_mean, daily_sd, lead_time_mean, lead_time_sd)
    return mu + safety_stock_normal(sigma, cycle_service_level)


def order_up_to_level(
    daily_mean: ArrayLike,
    daily_sd: ArrayLike,
    review_period: ArrayLike,
    lead_time_mean: ArrayLike,
    lead_time_sd: ArrayLike,
    cycle_service_level: ArrayLike,
) -> FloatArray:
    """Order-up-to level S of a periodic-review (R,S) policy: protection period R + L (normal)."""
    protection = _arr(review_period) + _arr(lead_time_mean)
    mu, sigma = lead_time_demand(daily_mean, daily_sd, protection, lead_time_sd)
    return mu + safety_stock_normal(sigma, cycle_service_level)


def gamma_loss(mean: ArrayLike, variance: ArrayLike, level: ArrayLike) -> FloatArray:
    """Expected shortage E[(X - S)+] for X ~ gamma with the given mean and variance.

    With shape k and scale theta: E[(X-S)+] = k theta (1 - F_{k+1}(S)) - S (1 - F_k(S)). A gamma fits
    non-negative, right-skewed demand over a protection period better than a normal for slow movers.
    Zero-mean rows have no shortage.
    """
    m, v, s = np.broadcast_arrays(_arr(mean), _arr(variance), _arr(level))
    positive = m > 0
    safe_m = np.where(positive, m, 1.0)
    safe_v = np.where(positive, np.maximum(v, 1e-9 * safe_m**2), 1.0)
    shape = safe_m**2 / safe_v
    scale = safe_v / safe_m
    x = np.maximum(s, 0.0) / scale
    loss = safe_m * special.gammaincc(shape + 1.0, x) - np.maximum(s, 0.0) * special.gammaincc(shape, x)
    loss = loss + np.maximum(-s, 0.0)  # a negative level is short by |S| for sure
    return np.asarray(np.where(positive, np.maximum(loss, 0.0), np.maximum(-s, 0.0)), dtype=np.float64)


def gamma_quantile(mean: ArrayLike, variance: ArrayLike, probability: ArrayLike) -> FloatArray:
    """Quantile of a gamma with the given mean and variance (0 where the mean is 0)."""
    m, v, p = np.broadcast_arrays(_arr(mean), _arr(variance), _arr(probability))
    positive = m > 0
    safe_m = np.where(positive, m, 1.0)
    safe_v = np.where(positive, np.maximum(v, 1e-9 * safe_m**2), 1.0)
    q = special.gammaincinv(safe_m**2 / safe_v, p) * (safe_v / safe_m)
    return np.where(positive, q, 0.0)


def level_for_fill_rate(
    mean: ArrayLike,
    variance: ArrayLike,
    cycle_demand: ArrayLike,
    fill_rate: ArrayLike,
    lead_mean: ArrayLike | None = None,
    lead_variance: ArrayLike | None = None,
) -> FloatArray:
    """Smallest level S with expected shortage per cycle <= (1 - fill_rate) x cycle demand (gamma demand).

    X is demand over the protection period (review + lead time) and cycle_demand the mean demand per
    review cycle. Shortage per cycle is E[(X - S)+], the standard fill-rate ("P2") approximation for an
    (R,S) policy; given the lead-time demand moments it is E[(X - S)+] - E[(X_L - S)+], which removes the
    shortage already counted in the previous cycle (Silver et al. sec. 6.9). Bisection, vectorised.
    """
    m, v, c, f = np.broadcast_arrays(_arr(mean), _arr(variance), _arr(cycle_demand), _arr(fill_rate))
    allowed = (1.0 - f) * c
    sd = np.sqrt(np.maximum(v, 0.0))
    # the level lies between the mean minus 3 sd and the mean plus 10 sd (plus a unit for tiny means);
    # 32 halvings of that bracket are far finer than the one unit plans round to
    lo = np.maximum(m - 3.0 * sd, 0.0)
    hi = m + 10.0 * sd + 1.0
    lead_m = None if lead_mean is None or lead_variance is None else _arr(lead_mean)
    lead_v = None if lead_mean is None or lead_variance is None else _arr(lead_variance)
    for _ in range(32):
        mid = 0.5 * (lo + hi)
        shortage = gamma_loss(m, v, mid)
        if lead_m is not None and lead_v is not None:
            shortage = shortage - gamma_loss(lead_m, lead_v, mid)
        short = shortage > allowed
        lo = np.where(short, mid, lo)
        hi = np.where(short, hi, mid)
    return np.asarray(np.where(m > 0, hi, 0.0), dtype=np.float64)
