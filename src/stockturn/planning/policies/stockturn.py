"""stockturn's policy: order-up-to levels from probabilistic forecasts, refit on a production schedule.

Every ``refit_every`` reviews the forecaster (``stockturn.forecasting.forecast``) is called with
``as_of`` = today on the sales seen so far (stockout days flagged as censored). At each weekly review the
demand over review + lead time is read from the latest forecast (days since the refit skipped), its
variance from the quantiles plus the lead-time spread, and the order-up-to level is the smallest level
whose expected shortage per cycle meets the fill-rate target (gamma demand, see textbook). Daily
quantiles may be calibrated while their sums over weeks are too narrow (errors of consecutive days share
the level error): at its first refit the policy forecasts as if 28 days earlier, scores the sums of those
28 days against what sold (series fully in stock only) and keeps the shared level error (squared CV) that
calibrates them best. (Re-learning it later from the policy's own censored sales is biased: series that
ran out are the ones whose demand beat the forecast.) With a
second, faster mode (air) it also keeps a short-horizon index (dual-index policy): if stock on hand plus
what arrives within the air lead time falls below the air level, the gap is flown in, but only for
items whose margin exceeds the air freight premium per unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from stockturn.errors import StockturnError
from stockturn.planning.forecast_input import ForecastArrays, forecast_arrays, history_frame
from stockturn.planning.levels import (
    MIN_CALIBRATION_SERIES,
    VOLUME_BUCKETS,
    LevelError,
    calibrate_level_error,
    cycle_service_order_up_to,
    fill_rate_order_up_to,
)
from stockturn.planning.policies.base import FloatArray, Mode, ReviewState

DEFAULT_QUANTILES = (0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995)


class Forecaster(Protocol):
    def __call__(
        self, history: pl.DataFrame, *, horizon: int, quantiles: Sequence[float], as_of: dt.date | None = None
    ) -> Any: ...


def _day(value: np.datetime64) -> dt.date:
    return dt.date.fromisoformat(str(value.astype("datetime64[D]")))


def default_forecaster() -> Forecaster:
    """The forecasting package's ``forecast``; a clear error while it is not installed."""
    try:
        from stockturn.forecasting import forecast
    except ImportError as exc:
        raise StockturnError(
            f"the stockturn policy needs stockturn.forecasting.forecast, which cannot be imported ({exc})",
            hint="install the forecasting package (issue 5) or pass forecaster=...",
        ) from None
    return forecast


@dataclass
class StockturnPolicy:
    service_level: ArrayLike = 0.97  # target, scalar or per series
    service_kind: Literal["fill", "cycle"] = "fill"  # item fill rate, or cycle service level
    refit_every: int = 4  # reviews between two forecast refits (4 weekly reviews = monthly)
    history_days: int | None = 730  # history passed to the forecaster (None = all)
    correlation: float = 0.0  # squared CV of a level error shared by all days (calibrated at the first refit)
    calibrate: bool = True  # estimate the correlation from a backtest of the last calibration_days
    calibration_days: int = 28
    volume_buckets: tuple[float, ...] = VOLUME_BUCKETS
    cost_weighted: bool = True  # cycle kind: stockout probability proportional to unit cost
    track: bool = True  # correct the forecast's level by what sold since the refit
    track_prior: float = 2.0  # units added to sold and forecast in the tracking ratio
    track_power: float = 0.5  # how far the tracking ratio moves the level (1 = all the way)
    forecaster: Forecaster | None = None
    name: str = "stockturn"
    _forecast: ForecastArrays | None = field(default=None, repr=False)
    _origin: int = field(default=-1, repr=False)
    _reviews: int = field(default=0, repr=False)
    _calibrated: bool = field(default=False, repr=False)
    _level_error: LevelError = field(default_factory=LevelError, repr=False)

    def order(self, state: ReviewState) -> FloatArray:
        if self._forecast is None or self._reviews % self.refit_every == 0:
            self._refit(state)
        self._reviews += 1
        assert self._forecast is not None
        offset = state.day - self._origin  # forecast column 0 is the day after the refit
        mean, variance = self._tracked(state, offset)
        correlation = self._level_error.of(mean)
        target = self._targets(mean, state.unit_cost)
        sea = state.modes[0]
        up_to = self._level(mean, variance, correlation, offset, sea, state.review_period, target)
        if len(state.modes) == 1:
            return np.asarray(np.maximum(np.ceil(up_to - 1e-9) - state.position, 0.0), dtype=np.float64)
        air = state.modes[1]
        air_level = self._level(mean, variance, correlation, offset, air, state.review_period, target)
        worth_flying = (state.unit_price - state.unit_cost) > air.freight_per_unit(state.unit_price)
        near_position = state.on_hand + state.expected_within(air.mean_days + state.review_period)
        fly = np.where(worth_flying, np.maximum(np.ceil(air_level - 1e-9) - near_position, 0.0), 0.0)
        ship = np.maximum(np.ceil(up_to - 1e-9) - state.position - fly, 0.0)
        quantities = np.zeros((len(state.on_hand), len(state.modes)))
        quantities[:, 0] = ship
        quantities[:, 1] = fly
        return quantities

    def _tracked(self, state: ReviewState, offset: int) -> tuple[FloatArray, FloatArray]:
        """The latest forecast, its level corrected by what sold since the refit (a damped tracking signal).

        Between two refits the forecast goes stale: on M5 the error of 20-day sums grows from 34 % for
        the first window to 41 % three weeks later. The ratio of units sold to units forecast on the
        in-stock days since the refit, with ``track_prior`` units added to both (so a day or two of
        noise moves little) and taken to the power ``track_power`` (half-way to what it says), scales
        the forecast's mean and variance. Out-of-stock days are left out: their sales are censored.
        """
        assert self._forecast is not None
        mean, variance = self._forecast.mean, self._forecast.variance
        if not self.track or offset <= 0:
            return mean, variance
        seen_days = slice(self._origin + 1, state.day + 1)
        in_stock = state.available[:, seen_days]
        forecast_days = np.nan_to_num(mean[:, :offset])
        sold = (state.sales[:, seen_days] * in_stock).sum(axis=1)
        expected = (forecast_days[:, : in_stock.shape[1]] * in_stock[:, : forecast_days.shape[1]]).sum(axis=1)
        ratio = ((sold + self.track_prior) / (expected + self.track_prior)) ** self.track_power
        return mean * ratio[:, None], variance * ratio[:, None]

    def _targets(self, mean: FloatArray, unit_cost: FloatArray) -> FloatArray:
        """Per-series service targets. With ``cost_weighted`` (cycle kind) the stockout probability per
        cycle is proportional to unit cost, scaled so its demand-weighted mean is 1 - target: the
        Lagrangian optimum of holding cost against units short (a unit of stock costs c_i h and saves
        P(D_i > S_i) units), so cheap items are protected more and dear ones less."""
        target = np.broadcast_to(np.asarray(self.service_level, dtype=np.float64), unit_cost.shape)
        if not (self.cost_weighted and self.service_kind == "cycle"):
            return target
        units = np.nan_to_num(mean[:, : self.calibration_days]).sum(axis=1)
        if units.sum() <= 0:
            return target
        average_cost = float((units * unit_cost).sum() / units.sum())
        stockout = (1.0 - target) * unit_cost / max(average_cost, 1e-12)
        return np.asarray(np.clip(1.0 - stockout, 0.5, 0.9995), dtype=np.float64)

    def _level(
        self, mean: FloatArray, variance: FloatArray, correlation: FloatArray, offset: int, mode: Mode,
        review: int, target: FloatArray,
    ) -> FloatArray:
        level = fill_rate_order_up_to if self.service_kind == "fill" else cycle_service_order_up_to
        return level(mean, variance, float(offset), mode.mean_days, mode.sd_days, float(review), target, correlation)

    def _calibrate_correlation(self, state: ReviewState, forecaster: Forecaster) -> None:
        """Once, at the first refit: forecast as if ``calibration_days`` ago, compare the sums of its
        days with what sold since (series fully in stock over those days only) and keep, per volume
        bucket, the shared level error that calibrates those sums best (``calibrate_level_error``).
        Uses only data up to today."""
        self._calibrated = True
        self._level_error = LevelError(values=(self.correlation,), overall=self.correlation,
                                       days=self.calibration_days)
        days = self.calibration_days
        if not self.calibrate or state.sales.shape[1] < days + 2 * 28:
            return
        past = state.day - days
        clean = state.available[:, past + 1 :].all(axis=1)
        if clean.sum() < MIN_CALIBRATION_SERIES:
            return
        history = self._history(state, past)
        result = forecaster(history, horizon=days, quantiles=list(DEFAULT_QUANTILES), as_of=_day(state.dates[past]))
        frame = result.frame if hasattr(result, "frame") else result
        arrays = forecast_arrays(frame, state.series_ids, _day(state.dates[past]) + dt.timedelta(days=1), days)
        sold = state.sales[:, past + 1 :].sum(axis=1)
        self._level_error = calibrate_level_error(
            arrays.mean[clean], arrays.variance[clean], sold[clean], float(days), self.volume_buckets
        )
        self.correlation = self._level_error.overall

    def _history(self, state: ReviewState, last: int) -> pl.DataFrame:
        """The long history frame the forecaster takes, days up to index ``last`` (inclusive)."""
        end = last + 1
        keep = end if self.history_days is None else min(self.history_days, end)
        window = slice(end - keep, end)
        return history_frame(state.series_ids, state.dates[window], state.sales[:, window],
                             state.available[:, window])

    def _refit(self, state: ReviewState) -> None:
        forecaster = self.forecaster or default_forecaster()
        if not self._calibrated:
            self._calibrate_correlation(state, forecaster)
        history = self._history(state, state.day)
        horizon = self.refit_every * state.review_period + state.review_period
        horizon += max(mode.max_days for mode in state.modes) + 1
        result = forecaster(history, horizon=horizon, quantiles=list(DEFAULT_QUANTILES), as_of=state.today)
        frame = result.frame if hasattr(result, "frame") else result
        self._forecast = forecast_arrays(
            frame, state.series_ids, state.today + dt.timedelta(days=1), horizon
        )
        self._origin = state.day
