"""Fixed min/max: levels set once from the 90 days before the first review, never updated.

min = average daily sales x (lead time + 7 days); max = average x (lead time + 37 days): when the
position falls to min or below, order up to max. A common ERP setting that nobody revisits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stockturn.planning.policies.base import FloatArray, ReviewState


@dataclass
class FixedMinMax:
    history_days: int = 90
    safety_days: float = 7.0
    extra_days: float = 30.0
    name: str = "fixed_min_max"
    _levels: tuple[FloatArray, FloatArray] | None = field(default=None, repr=False)

    def order(self, state: ReviewState) -> FloatArray:
        if self._levels is None:
            average = state.trailing_mean(self.history_days)
            lead_time = state.modes[0].mean_days
            low = np.ceil(average * (lead_time + self.safety_days))
            high = np.ceil(average * (lead_time + self.safety_days + self.extra_days))
            self._levels = (low, high)
        low, high = self._levels
        position = state.position
        return np.asarray(np.where((position <= low) & (high > 0), high - position, 0.0), dtype=np.float64)
