"""The rule many sellers use today: when cover < lead time, order up to the 30-day average x 60 days.

Cover = (on hand + on order) / average daily sales of the last 30 days. An item that sold nothing in
30 days has infinite cover and is never reordered, as with the spreadsheet rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stockturn.planning.policies.base import FloatArray, ReviewState


@dataclass
class CoverRule:
    average_days: int = 30
    cover_days: int = 60
    name: str = "cover_30d_avg_x60"

    def order(self, state: ReviewState) -> FloatArray:
        average = state.trailing_mean(self.average_days)
        lead_time = state.modes[0].mean_days
        position = state.position
        with np.errstate(divide="ignore", invalid="ignore"):
            cover = np.where(average > 0, position / average, np.inf)
        need = np.where(cover < lead_time, average * self.cover_days - position, 0.0)
        return np.asarray(np.ceil(np.maximum(need, 0.0)), dtype=np.float64)
