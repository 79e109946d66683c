"""How far can any order-up-to policy go on the replay data? Hindsight bounds for the replay target.

    .venv/bin/python benchmarks/replay_bounds.py --dataset m5      # after replay_benchmark.py (forecast cache)
    .venv/bin/python benchmarks/replay_bounds.py --dataset online_retail

Three families of weekly order-up-to policies, each run over a grid of multipliers a on the same replay
(same window, lead times, seed and first mode as replay_benchmark.py; sea only for Online Retail):

- ``clairvoyant``: S = a x the demand that will really come in the next R + L - 1 days (perfect
  foresight of demand, not of lead times): what the lead-time spread alone still costs;
- ``forecast``: S = a x stockturn's forecast over those days (the policy's own cached forecasts, tracked
  between refits as the policy does);
- ``trailing``: S = a x the in-stock average of the last 56 days over those days.

Then, for each family, every series gets *its own* multiplier picked after the fact (on the scored year)
by a Lagrangian trade of units sold against inventory value: the best any per-series safety factor could
do with that information. These are upper bounds, not policies (they look at the answers). They tell
whether the issue's target (fill >= 97 % at 1.8x the 30-day rule's turnover) is within reach of better
safety stock or needs better information (forecasts).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from replay_benchmark import RESULTS, SharedForecasts, setup
from stockturn.planning.forecast_input import window_moments
from stockturn.planning.policies import StockturnPolicy
from stockturn.planning.policies.base import FloatArray, Mode, ReviewState
from stockturn.planning.replay import ReplayConfig, ReplayData, replay

GRIDS = {
    "clairvoyant": (1.0, 1.1, 1.2, 1.35, 1.5, 1.75, 2.0, 2.5),
    "forecast": (0.8, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 6.0),
    "trailing": (0.8, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 6.0),
}
LAMBDAS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)


def _protection(state: ReviewState) -> int:
    return int(state.review_period + max(state.modes[0].mean_days - 1.0, 0.0))


@dataclass
class Clairvoyant:
    a: float
    cumulative: FloatArray  # (n, T + 1) running sums of the real demand
    name: str = "clairvoyant"

    def order(self, state: ReviewState) -> FloatArray:
        t = state.day
        end = min(t + 1 + _protection(state), self.cumulative.shape[1] - 1)
        level = self.a * (self.cumulative[:, end] - self.cumulative[:, t + 1])
        return np.asarray(np.maximum(np.ceil(level - 1e-9) - state.position, 0.0), dtype=np.float64)


@dataclass
class Trailing:
    a: float
    days: int = 56
    name: str = "trailing"

    def order(self, state: ReviewState) -> FloatArray:
        sales, in_stock = state.sales[:, -self.days :], state.available[:, -self.days :]
        long_sales, long_in_stock = state.sales[:, -365:], state.available[:, -365:]
        seen = in_stock.sum(axis=1)
        short = (sales * in_stock).sum(axis=1) / np.maximum(seen, 1)
        long = (long_sales * long_in_stock).sum(axis=1) / np.maximum(long_in_stock.sum(axis=1), 1)
        weight = np.minimum(seen / self.days, 1.0)
        level = self.a * (weight * short + (1.0 - weight) * long) * _protection(state)
        return np.asarray(np.maximum(np.ceil(level - 1e-9) - state.position, 0.0), dtype=np.float64)


@dataclass
class ForecastScaled(StockturnPolicy):
    """stockturn's forecasts and tracking, with S = a x the protection-period mean (no safety model)."""

    a: float = 1.0

    def _level(
        self, mean: FloatArray, variance: FloatArray, correlation: FloatArray, offset: int, mode: Mode,
        review: int, target: FloatArray,
    ) -> FloatArray:
        window_mean, _ = window_moments(mean, variance, float(offset), max(mode.mean_days - 1.0, 0.0) + review)
        return np.asarray(self.a * window_mean, dtype=np.float64)


def per_series_bound(sold: FloatArray, value: FloatArray, data: ReplayData, days: int) -> list[dict[str, float]]:
    """For each lambda: every series takes the multiplier maximising COGS - lambda x inventory value."""
    demand = data.demand[:, -days:].sum(axis=1)
    cost = data.unit_cost
    series = np.arange(sold.shape[1])
    points = []
    for lam in LAMBDAS:
        pick = (sold * cost - lam * value).argmax(axis=0)
        s, v = sold[pick, series], value[pick, series]
        points.append({"lambda": lam, "fill_rate": float(s.sum() / demand.sum()),
                       "turnover": float((s * cost).sum() / v.sum() * 365.0 / days)})
    return points


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=("m5", "online_retail"), default="m5")
    args = parser.parse_args(argv)
    data, config, baseline_modes = setup(args.dataset, None)
    config = ReplayConfig(**{**config.__dict__, "modes": baseline_modes})
    cache = Path(__file__).resolve().parent / "out" / "replay_cache" / args.dataset
    shared = SharedForecasts(data, cache, history_days=1100, n_jobs=2)
    cumulative = np.concatenate((np.zeros((data.demand.shape[0], 1)), np.cumsum(data.demand, axis=1)), axis=1)
    days = (config.end - config.start).days + 1
    n = len(data.series_ids)
    out: dict[str, Any] = {"dataset": args.dataset, "window": [str(config.start), str(config.end)], "families": {}}
    for family, grid in GRIDS.items():
        sold, value, uniform = [], [], []
        for a in grid:
            policy: Any
            if family == "clairvoyant":
                policy = Clairvoyant(a, cumulative)
            elif family == "trailing":
                policy = Trailing(a)
            else:
                policy = ForecastScaled(a=a, forecaster=shared, calibrate=False)
            result = replay(data, policy, config)
            t = result.trajectory
            sold.append(t["sales"].to_numpy().reshape(n, -1).sum(axis=1))
            value.append(t["on_hand"].to_numpy().reshape(n, -1).mean(axis=1) * data.unit_cost)
            uniform.append({"a": a, "fill_rate": result.summary["fill_rate"], "turnover": result.summary["turnover"]})
            print(f"{family:12s} a={a:<5g} fill {result.summary['fill_rate']:.3f} "
                  f"turnover {result.summary['turnover']:6.2f}", flush=True)
        bound = per_series_bound(np.array(sold), np.array(value), data, days)
        for point in bound:
            print(f"{family:12s} per-series lambda={point['lambda']:<5g} fill {point['fill_rate']:.3f} "
                  f"turnover {point['turnover']:6.2f}", flush=True)
        out["families"][family] = {"uniform": uniform, "per_series": bound}
    path = RESULTS / f"replay_bounds_{args.dataset}.json"
    path.write_text(json.dumps(out, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
