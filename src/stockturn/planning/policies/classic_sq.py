"""Classic (s,Q) with normal safety stock, reviewed weekly: Q from the EOQ, s covers review + lead time.

Mean and sd of daily sales from the last 90 days at each review; s = mu (R + L) + z sigma with
sigma = sqrt((R + L) s_d^2 + d^2 s_L^2) (normal, textbook), z for a cycle service level. When the
position is at or below s, order as many Q as bring it above s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stockturn.planning.policies.base import FloatArray, ReviewState
from stockturn.planning.textbook import eoq, reorder_point_sq


@dataclass
class ClassicSQ:
    cycle_service_level: float = 0.95
    order_cost: float = 1.0  # per order line, in the data's currency
    holding_rate: float = 0.22  # per year, on unit cost
    history_days: int = 90
    name: str = "classic_sQ"

    def order(self, state: ReviewState) -> FloatArray:
        window = state.sales[:, -self.history_days :]
        daily_mean = window.mean(axis=1)
        daily_sd = window.std(axis=1, ddof=1) if window.shape[1] > 1 else np.zeros(len(daily_mean))
        mode = state.modes[0]
        s = reorder_point_sq(
            daily_mean, daily_sd, mode.mean_days + state.review_period, mode.sd_days, self.cycle_service_level
        )
        holding = np.maximum(state.unit_cost * self.holding_rate, 1e-9)
        q = np.maximum(np.ceil(eoq(daily_mean * 365.0, self.order_cost, holding)), 1.0)
        position = state.position
        batches = np.where((position <= s) & (daily_mean > 0), np.floor((s - position) / q) + 1.0, 0.0)
        return np.asarray(batches * q, dtype=np.float64)
