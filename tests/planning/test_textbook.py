"""Golden tests: textbook answers for EOQ, newsvendor, (s,Q) and order-up-to levels."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose
from scipy import stats

from stockturn.planning import textbook as tb


def test_eoq_snyder_shen_example_3_1() -> None:
    # K = 8, h = 0.225 per unit-year, D = 1300 per year (Snyder & Shen, Example 3.1)
    assert_allclose(tb.eoq(1300, 8, 0.225), 304.0467800264368)
    assert_allclose(tb.eoq_cost(1300, 8, 0.225), 68.41052550594829)


def test_eoq_vectorised_classic() -> None:
    assert_allclose(tb.eoq([1000, 4000], 10, 0.5), [200.0, 400.0])


def test_newsvendor_snyder_shen_example_4_1() -> None:
    # h = 0.18, p = 0.70, demand ~ N(50, 8): the book prints S* = 56.60 and g(S*) = 1.998
    assert_allclose(tb.critical_fractile(0.70, 0.18), 0.70 / 0.88)
    quantity, cost = tb.newsvendor_normal(50, 8, underage_cost=0.70, overage_cost=0.18)
    assert_allclose(quantity, 56.603955927433887, rtol=1e-9)
    assert_allclose(cost, 1.998, atol=5e-4)
    assert_allclose(cost, 0.88 * 8 * stats.norm.pdf(stats.norm.ppf(0.70 / 0.88)), rtol=1e-12)


def test_normal_loss_table_values() -> None:
    # standard normal loss function tables (Silver, Pyke & Peterson, appendix)
    assert_allclose(tb.normal_loss([0.0, 1.0, 2.0]), [0.3989, 0.0833, 0.008491], atol=5e-5)


def test_lead_time_demand_with_lead_time_spread() -> None:
    # d = 100/day, s_d = 20, L = 9 days, s_L = 2: sigma = sqrt(9*400 + 100^2 * 4) = sqrt(43600)
    mu, sigma = tb.lead_time_demand(100, 20, 9, 2)
    assert_allclose(mu, 900.0)
    assert_allclose(sigma, np.sqrt(43600.0))


def test_sq_reorder_point_cycle_service() -> None:
    s = tb.reorder_point_sq(100, 20, 9, 2, 0.95)
    assert_allclose(s, 900.0 + 1.6448536269514722 * np.sqrt(43600.0))


def test_sq_fill_rate_safety_factor() -> None:
    # sigma G(z) = (1 - beta) Q with Q = 1000, beta = 0.99, sigma = 208.81 -> G(z) = 0.04789,
    # z = 1.276 (tables: G(1.27) = 0.0484, G(1.28) = 0.0475)
    z = tb.z_for_fill_rate(0.99, 1000, np.sqrt(43600.0))
    assert_allclose(tb.normal_loss(z), 10.0 / np.sqrt(43600.0), rtol=1e-9)
    assert_allclose(z, 1.276, atol=1e-3)


def test_order_up_to_level_periodic_review() -> None:
    # R = 7, L = 14: protection 21 days; d = 10, s_d = 4, s_L = 3 -> sigma = sqrt(21*16 + 100*9)
    level = tb.order_up_to_level(10, 4, 7, 14, 3, 0.98)
    assert_allclose(level, 210 + stats.norm.ppf(0.98) * np.sqrt(336 + 900))


def test_gamma_loss_matches_numeric_integration() -> None:
    mean, var, level = 20.0, 50.0, 27.0
    shape, scale = mean**2 / var, var / mean
    x = np.linspace(level, 400, 400_001)
    numeric = np.trapezoid((x - level) * stats.gamma.pdf(x, shape, scale=scale), x)
    assert_allclose(tb.gamma_loss(mean, var, level), numeric, rtol=1e-6)
    assert_allclose(tb.gamma_loss(0.0, 0.0, 3.0), 0.0)


def test_gamma_quantile_and_fill_rate_level() -> None:
    assert_allclose(tb.gamma_quantile(20.0, 50.0, 0.9), stats.gamma.ppf(0.9, 8.0, scale=2.5))
    level = tb.level_for_fill_rate(20.0, 50.0, 7.0, 0.97)
    assert_allclose(tb.gamma_loss(20.0, 50.0, level), 0.03 * 7.0, rtol=1e-6)
    assert_allclose(tb.level_for_fill_rate(0.0, 0.0, 0.0, 0.97), 0.0)
