"""The contract every replenishment policy shares: one ``order(state)`` call per review, vectorised.

A policy is any object with a ``name`` and ``order(state) -> quantities`` returning one non-negative
quantity per series (shape (n,), first mode) or per series and mode (shape (n, n_modes)). It may keep
state between reviews (a forecast it refits every few weeks, levels fixed once). New policy = new file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Mode:
    """A shipping mode with a discrete uniform lead time in days [low_days, high_days].

    Freight per unit = unit_freight_cost + freight_share_of_price x unit price (costs beyond those
    already in the unit cost, e.g. the air premium over sea).
    """

    name: str
    low_days: int
    high_days: int
    unit_freight_cost: float = 0.0
    freight_share_of_price: float = 0.0

    def freight_per_unit(self, unit_price: FloatArray) -> FloatArray:
        return np.asarray(self.unit_freight_cost + self.freight_share_of_price * unit_price, dtype=np.float64)

    @property
    def mean_days(self) -> float:
        return (self.low_days + self.high_days) / 2.0

    @property
    def sd_days(self) -> float:
        width = self.high_days - self.low_days + 1
        return float(np.sqrt((width**2 - 1) / 12.0))

    @property
    def max_days(self) -> int:
        return self.high_days

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.int64]:
        return rng.integers(self.low_days, self.high_days + 1, size=size)


@dataclass(frozen=True)
class ReviewState:
    """What a policy may see on a review day: data up to and including ``day`` only."""

    day: int  # index of today in the day grid
    dates: NDArray[np.datetime64]  # (day + 1,) days up to today
    series_ids: list[str]
    sales: FloatArray  # (n, day + 1) units sold (censored when out of stock)
    available: NDArray[np.bool_]  # (n, day + 1) False where the item ran out (censored demand)
    on_hand: FloatArray  # (n,)
    on_order: FloatArray  # (n,) ordered, not yet arrived
    modes: tuple[Mode, ...]
    review_period: int
    unit_cost: FloatArray
    unit_price: FloatArray
    # open orders, one entry per order: series row, quantity, mode index, days until expected arrival (>= 1)
    pipeline_row: NDArray[np.int64]
    pipeline_quantity: FloatArray
    pipeline_mode: NDArray[np.int64]
    pipeline_eta: NDArray[np.int64]

    def expected_within(self, days: float) -> FloatArray:
        """Per series, units on order expected to arrive within ``days`` days from today."""
        due = self.pipeline_eta <= days
        return np.bincount(
            self.pipeline_row[due], weights=self.pipeline_quantity[due], minlength=len(self.series_ids)
        ).astype(np.float64)

    @property
    def today(self) -> dt.date:
        return dt.date.fromisoformat(str(self.dates[-1].astype("datetime64[D]")))

    @property
    def position(self) -> FloatArray:
        return self.on_hand + self.on_order

    def trailing_mean(self, days: int) -> FloatArray:
        """Average daily sales over the last ``days`` days (fewer if history is shorter)."""
        window = self.sales[:, -days:]
        return np.asarray(window.mean(axis=1), dtype=np.float64)


class Policy(Protocol):
    name: str

    def order(self, state: ReviewState) -> FloatArray: ...
