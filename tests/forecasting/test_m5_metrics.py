"""M5 metrics pinned on hand-computed examples."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose

from stockturn.forecasting import metrics


def test_rmsse_scales_by_naive_error_from_first_sale() -> None:
    # Leading zeros are not part of the scale: [1, 3, 2] -> squared diffs 4, 1 -> scale 2.5.
    train = np.array([[0.0, 0.0, 1.0, 3.0, 2.0]])
    actual = np.array([[2.0, 4.0]])
    forecast = np.array([[3.0, 3.0]])
    assert_allclose(metrics.rmsse(train, actual, forecast), [np.sqrt(1 / 2.5)])


def test_spl_pinball_scaled_by_mean_absolute_naive_error() -> None:
    train = np.array([[0.0, 0.0, 1.0, 3.0, 2.0]])  # abs diffs 2, 1 -> scale 1.5
    actual = np.array([[2.0, 4.0]])
    median = np.array([[[3.0], [3.0]]])
    assert_allclose(metrics.spl(train, actual, median, [0.5]), [0.5 / 1.5])
    tails = np.array([[[1.0, 5.0], [1.0, 5.0]]])  # q0.1 losses 0.1, 0.3; q0.9 losses 0.3, 0.1
    assert_allclose(metrics.spl(train, actual, tails, [0.1, 0.9]), [0.2 / 1.5])


def test_wrmsse_sums_bottom_level_and_weights_levels_equally() -> None:
    train = np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 4.0]])
    actual = np.array([[3.0, 3.0], [4.0, 4.0]])
    forecast = np.array([[2.0, 2.0], [4.0, 4.0]])
    dollars = np.array([1.0, 3.0])
    levels = [np.zeros(2, dtype=np.int64), np.arange(2, dtype=np.int64)]
    total, per_level = metrics.wrmsse(train, actual, forecast, dollars, levels)
    # total series: train 3,4,7 -> scale (1 + 9) / 2 = 5, error 1 -> sqrt(1/5); items: 0.25 * 1 + 0.75 * 0
    assert_allclose(per_level, [np.sqrt(1 / 5), 0.25])
    assert_allclose(total, (np.sqrt(1 / 5) + 0.25) / 2)


def test_zero_weight_series_with_undefined_scale_do_not_poison_the_score() -> None:
    train = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    actual = np.array([[0.0, 0.0], [3.0, 3.0]])
    forecast = np.array([[1.0, 1.0], [2.0, 2.0]])
    scores = metrics.rmsse(train, actual, forecast)
    assert np.isnan(scores[0])
    assert_allclose(metrics.weighted(scores, metrics.sales_weights(np.array([[0.0], [5.0]]))), 1.0)
