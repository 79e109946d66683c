"""Lead time as components, and supply closures that move order dates earlier.

A replenishment lead time is the sum of independent stages: supplier production or preparation,
first-leg transit on a route and mode (sea, rail, air, express), customs, and receiving (for example FBA
check-in). Each stage has a mean and a spread; the total's variance is the sum of the stages' variances.
The review period is not part of the lead time but of the protection period (review + lead time).
Factories close (Chinese New Year, national holidays): production days only count when the factory
is open, so an order must be placed earlier when a closure falls inside its production window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from stockturn.errors import InputError

MODES = ("sea", "rail", "air", "express")


@dataclass(frozen=True)
class Stage:
    """One stage of a lead time, in days."""

    name: str
    mean_days: float
    sd_days: float = 0.0

    def __post_init__(self) -> None:
        if self.mean_days < 0 or self.sd_days < 0:
            raise InputError(
                f"lead-time stage {self.name!r}: expected mean and sd >= 0 days, "
                f"found mean={self.mean_days}, sd={self.sd_days}",
                hint="give days as non-negative numbers",
            )


@dataclass(frozen=True)
class LeadTime:
    """A lead time made of stages (production, transit, customs, receiving) plus the review period."""

    production: Stage
    transit: Stage
    customs: Stage = Stage("customs", 0.0)
    receiving: Stage = Stage("receiving", 0.0)
    review_period_days: float = 7.0
    mode: str = "sea"

    @property
    def stages(self) -> tuple[Stage, ...]:
        return (self.production, self.transit, self.customs, self.receiving)

    @property
    def mean_days(self) -> float:
        return float(sum(stage.mean_days for stage in self.stages))

    @property
    def sd_days(self) -> float:
        return float(np.sqrt(sum(stage.sd_days**2 for stage in self.stages)))

    @property
    def after_shipping_days(self) -> float:
        """Days from leaving the supplier to being sellable: transit + customs + receiving."""
        return self.transit.mean_days + self.customs.mean_days + self.receiving.mean_days

    @property
    def protection_days(self) -> float:
        """Review period + mean lead time: how far ahead an order placed today must cover."""
        return self.review_period_days + self.mean_days


@dataclass(frozen=True)
class Closure:
    """Days a supplier does not produce, first and last day included (e.g. Chinese New Year)."""

    name: str
    first_day: dt.date
    last_day: dt.date


def stacked_lead_time(
    production_mean: NDArray[np.float64],
    production_sd: NDArray[np.float64],
    transit_mean: NDArray[np.float64],
    transit_sd: NDArray[np.float64],
    customs_days: NDArray[np.float64] | float = 0.0,
    receiving_days: NDArray[np.float64] | float = 0.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Vectorised total lead time (mean, sd) over many SKU x route rows; stages independent."""
    mean = production_mean + transit_mean + np.asarray(customs_days) + np.asarray(receiving_days)
    sd = np.sqrt(production_sd**2 + transit_sd**2)
    return np.asarray(mean, dtype=np.float64), np.asarray(sd, dtype=np.float64)


def latest_order_dates(
    ship_by: Sequence[dt.date] | NDArray[np.datetime64],
    production_days: NDArray[np.float64] | Sequence[float] | float,
    closures: Iterable[Closure] = (),
) -> NDArray[np.datetime64]:
    """Latest order date for each row so that ``production_days`` open factory days end before ship_by.

    Without closures this is ship_by - production_days. A closure inside the window pushes the order
    date back by the closed days it covers. Vectorised: one cumulative open-day calendar for all rows.
    """
    ship = np.asarray(ship_by, dtype="datetime64[D]")
    days_needed = np.broadcast_to(np.asarray(production_days, dtype=np.float64), ship.shape)
    need = np.ceil(days_needed).astype(np.int64)
    if ship.size == 0:
        return ship
    closure_list = list(closures)
    closed_total = sum((c.last_day - c.first_day).days + 1 for c in closure_list)
    first = ship.min() - np.timedelta64(int(need.max()) + closed_total + 1, "D")
    days = np.arange(first, ship.max() + np.timedelta64(1, "D"), dtype="datetime64[D]")
    open_day = np.ones(days.size, dtype=np.int64)
    for closure in closure_list:
        inside = (days >= np.datetime64(closure.first_day, "D")) & (
            days <= np.datetime64(closure.last_day, "D")
        )
        open_day[inside] = 0
    # open_before[i] = open days strictly before days[i]
    open_before = np.concatenate(([0], np.cumsum(open_day)))
    ship_index = (ship - first).astype(np.int64)
    target = open_before[ship_index] - need
    # latest start index o (an open day) with open_before[ship] - open_before[o] >= need
    start_index = np.searchsorted(open_before, target, side="right") - 1
    start_index = np.clip(start_index, 0, days.size - 1)
    return np.asarray(days[start_index], dtype="datetime64[D]")
