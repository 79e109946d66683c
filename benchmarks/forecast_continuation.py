"""How stable is the continued final model (GlobalParams.update_rounds > 0) against the refit from scratch?

    .venv/bin/python benchmarks/forecast_continuation.py                 # both checks below
    .venv/bin/python benchmarks/forecast_continuation.py --skip-m5       # Online Retail only

Online Retail (the replay's 1,544 SKUs): at the origins where the 182-day continuation forecast 2-3x
what sold in the replay, the forecast's next-28-day total over what sold, for each variant and horizon.
M5: WRMSSE and WSPL of each continued variant in the two windows of forecast_m5.py (stockturn only).
Results are recorded in BENCHMARKS.md (Forecasting).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import forecast_m5 as fm
import replay_data
from forecast_data import load_m5
from stockturn.forecasting import DEFAULT_QUANTILES, forecast
from stockturn.forecasting._global import GlobalParams
from stockturn.planning.forecast_input import history_frame

ORIGINS = (dt.date(2010, 11, 27), dt.date(2011, 1, 22), dt.date(2011, 8, 6))
VARIANTS = {
    "refit": GlobalParams(),
    "continued 60 / 182 days": GlobalParams(update_rounds=60),
    "continued 60 / 364 days": GlobalParams(update_rounds=60, update_days=364),
}


def online_retail(horizons: list[int]) -> None:
    data = replay_data.online_retail(min_sale_days=60)
    for as_of in ORIGINS:
        end = data.index_of(as_of)
        recorded = history_frame(data.series_ids, data.dates[: end + 1], data.demand[:, : end + 1])
        actual = data.demand[:, end + 1 : end + 29].sum()
        for horizon in horizons:
            for name, params in VARIANTS.items():
                started = time.perf_counter()
                frame = forecast(recorded, horizon=horizon, as_of=as_of, params=params).frame
                first28 = frame.filter(pl.col("ds") <= as_of + dt.timedelta(days=28))["mean"].sum()
                print(
                    f"Online Retail {as_of} horizon {horizon} {name}: next-28-day total / sold "
                    f"{first28 / actual:.2f} ({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )


def m5() -> None:
    m = load_m5()
    for cut in fm.WINDOWS:
        history, future = m.history(cut), m.future(cut, fm.HORIZON)
        for name, params in VARIANTS.items():
            started = time.perf_counter()
            res = forecast(history, horizon=fm.HORIZON, quantiles=DEFAULT_QUANTILES, events=m.events,
                           future=future, params=params)
            seconds = time.perf_counter() - started
            mean, qs = fm.to_matrix(res, m.ids, m.day(cut + 1))
            sc = fm.score(m, cut, mean, qs)
            print(f"M5 window d_{cut + 1} {name}: WRMSSE {sc['WRMSSE']:.4f} WSPL {sc['WSPL_L12']:.4f} "
                  f"{seconds:.1f} s (load {os.getloadavg()[0]:.1f})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip-m5", action="store_true")
    ap.add_argument("--horizons", default="28,96", help="comma list of forecast horizons for Online Retail")
    args = ap.parse_args()
    online_retail([int(h) for h in args.horizons.split(",")])
    if not args.skip_m5:
        m5()


if __name__ == "__main__":
    main()
