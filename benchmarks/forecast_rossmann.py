"""Rossmann daily store sales: stockturn.forecasting against statsforecast baselines, same run.

    .venv/bin/python benchmarks/forecast_rossmann.py

One series per store (1,115); closed days are censored for stockturn (no row) and 0 for the baselines
(their raw series); only open days are scored, as in the Kaggle competition. Windows: the last 28 days
present (2015-07-04..2015-07-31) and the 28 days before. Scores: per-store RMSSE (mean over stores),
WRMSSE over two levels (chain total, stores; weights = sales of the last 28 training days) and the
store-level WSPL of the nine M5 quantiles.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))

from forecast_baselines import BASELINES, long_frame, run_baseline
from forecast_data import Rossmann, load_rossmann
from forecast_m5 import peak_rss_gb, to_matrix
from stockturn.forecasting import DEFAULT_QUANTILES, forecast
from stockturn.forecasting import metrics as mt

Arr = npt.NDArray[np.float64]
HORIZON = 28


def score(r: Rossmann, cut: int, mean: Arr, qs: Arr) -> dict[str, float]:
    train = r.sales[:, : cut + 1]
    actual = r.sales[:, cut + 1 : cut + 1 + HORIZON]
    last28 = np.nan_to_num(train[:, -28:]).sum(axis=1)
    open_mask = ~np.isnan(actual)
    levels = [np.zeros(len(r.stores), dtype=np.int64), np.arange(len(r.stores), dtype=np.int64)]
    # Aggregates are scored on open-store sums; closed stores contribute neither actual nor forecast.
    fc_open = np.where(open_mask, mean, np.nan)
    total, per_level = mt.wrmsse(train, actual, fc_open, last28, levels)
    r12 = mt.rmsse(train, actual, mean)
    w = last28 / last28.sum()
    return {
        "WRMSSE": total,
        "RMSSE_total": per_level[0],
        "RMSSE_store_mean": float(np.nanmean(r12)),
        "WRMSSE_store": per_level[1],
        "WSPL_store": mt.weighted(mt.spl(train, actual, qs, DEFAULT_QUANTILES), w),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baselines", default=",".join(BASELINES))
    ap.add_argument("--n-jobs", type=int, default=2)
    args = ap.parse_args()
    r = load_rossmann()
    last = len(r.dates) - 1
    cols = ["WRMSSE", "RMSSE_total", "RMSSE_store_mean", "WSPL_store", "seconds"]
    for cut in (last - HORIZON, last - 2 * HORIZON):
        results: dict[str, dict[str, float]] = {}
        t0 = time.perf_counter()
        res = forecast(
            r.history(cut), horizon=HORIZON, events=r.events, future=r.future(cut, HORIZON), as_of=r.dates[cut]
        )
        seconds = time.perf_counter() - t0
        mean, qs = to_matrix(res, r.stores, r.dates[cut + 1])
        results["stockturn"] = {**score(r, cut, mean, qs), "seconds": seconds}
        print(f"window {r.dates[cut + 1]}: models {dict(res.models['model'].value_counts().iter_rows())}", flush=True)
        frame = long_frame(r.sales[:, : cut + 1])
        for name in [b for b in args.baselines.split(",") if b]:
            run = run_baseline(name, frame, len(r.stores), HORIZON, DEFAULT_QUANTILES, args.n_jobs)
            results[name] = {**score(r, cut, run.mean, run.quantiles), "seconds": run.seconds}
            print(f"  {name}: WRMSSE {results[name]['WRMSSE']:.4f} in {run.seconds:.1f}s", flush=True)
        print(f"\n### Rossmann window {r.dates[cut + 1]}..{r.dates[cut + HORIZON]}\n")
        print("| model | " + " | ".join(cols) + " |")
        print("|---" * (len(cols) + 1) + "|")
        for name, v in results.items():
            print(f"| {name} | " + " | ".join(f"{v[c]:.4f}" if c != "seconds" else f"{v[c]:.1f}" for c in cols) + " |")
        print(flush=True)
    print(f"peak RSS: {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
