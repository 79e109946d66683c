"""Probabilistic demand forecasting: `forecast(history, horizon=..., quantiles=...) -> ForecastResult`."""

import os

# OpenMP threads that spin while waiting make LightGBM ~10x slower when the cores are shared with other
# work (measured on the 2-core benchmark machine); passive waiting costs nothing when they are not.
# Must be set before LightGBM loads its OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from stockturn.forecasting._global import GlobalParams
from stockturn.forecasting.engine import (
    DEFAULT_CANDIDATES,
    DEFAULT_QUANTILES,
    ForecastResult,
    forecast,
    quantile_column,
)

__all__ = [
    "DEFAULT_CANDIDATES",
    "DEFAULT_QUANTILES",
    "ForecastResult",
    "GlobalParams",
    "forecast",
    "quantile_column",
]
