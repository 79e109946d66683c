"""M5 accuracy and speed benchmark of stockturn.forecasting against statsforecast baselines.

    .venv/bin/python benchmarks/forecast_m5.py            # two 28-day windows, all baselines
    .venv/bin/python benchmarks/forecast_m5.py --scale    # 30,490 resampled series, time + peak memory

Windows: fit on d_1..d_1857 and score d_1858..d_1885 (the last 28 days present), and fit on d_1..d_1829
and score d_1830..d_1857. Metrics are the official M5 ones (stockturn.forecasting.metrics): WRMSSE over
the 12 levels (bottom-level forecasts summed up; weights = dollar sales of the last 28 training days,
TX_3 FOODS_3 priced at 3.00, see forecast_data.py), level-12 RMSSE and level-12 WSPL of the 9 M5
quantiles. Baselines run in the same process on the same series (forecast_baselines.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))

from forecast_baselines import BASELINES, long_frame, run_baseline
from forecast_data import M5, load_m5
from stockturn.forecasting import DEFAULT_QUANTILES, ForecastResult, forecast, quantile_column
from stockturn.forecasting import metrics as mt
from stockturn.forecasting._panel import day_offsets

Arr = npt.NDArray[np.float64]
HORIZON = 28
WINDOWS = (1857, 1829)  # last training day of each window


def to_matrix(res: ForecastResult, ids: list[str], first_day: object) -> tuple[Arr, Arr]:
    fr = res.frame
    row = {u: i for i, u in enumerate(ids)}
    r = np.array([row[u] for u in fr["unique_id"].to_list()])
    c = day_offsets(fr["ds"], first_day)  # type: ignore[arg-type]
    mean = np.zeros((len(ids), res.horizon))
    qs = np.zeros((len(ids), res.horizon, len(res.quantiles)))
    mean[r, c] = fr["mean"].to_numpy()
    for j, q in enumerate(res.quantiles):
        qs[r, c, j] = fr[quantile_column(q)].to_numpy()
    return mean, qs


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def score(m: M5, cut: int, mean: Arr, qs: Arr) -> dict[str, float]:
    train = m.sales[:, :cut]
    actual = m.sales[:, cut : cut + HORIZON]
    dollars = (m.sales[:, cut - 28 : cut] * np.nan_to_num(m.weight_price[:, cut - 28 : cut])).sum(axis=1)
    total, levels = mt.wrmsse(train, actual, mean, dollars, m.levels())
    r12 = mt.rmsse(train, actual, mean)
    w12 = dollars / dollars.sum()
    out = {"WRMSSE": total, "RMSSE_L12_mean": float(np.nanmean(r12)), "WRMSSE_L12": levels[-1]}
    out["WSPL_L12"] = mt.weighted(mt.spl(train, actual, qs, DEFAULT_QUANTILES), w12)
    for k, v in enumerate(levels, 1):
        out[f"L{k}"] = v
    # Per slice (each store x department is its own small hierarchy).
    for store in sorted(set(m.store)):
        rows = np.array([s == store for s in m.store])
        d = dollars[rows]
        levels_s = [np.zeros(rows.sum(), dtype=np.int64), np.arange(rows.sum(), dtype=np.int64)]
        out[f"WRMSSE_{store}(total+items)"] = mt.wrmsse(train[rows], actual[rows], mean[rows], d, levels_s)[0]
    return out


def run_window(m: M5, cut: int, baselines: list[str], n_jobs: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    history = m.history(cut)
    future = m.future(cut, HORIZON)
    t0 = time.perf_counter()
    res = forecast(history, horizon=HORIZON, quantiles=DEFAULT_QUANTILES, events=m.events, future=future)
    seconds = time.perf_counter() - t0
    mean, qs = to_matrix(res, m.ids, m.day(cut + 1))
    results["stockturn"] = {**score(m, cut, mean, qs), "seconds": seconds}
    results["stockturn"].update({f"t_{k}": v for k, v in res.timings.items()})
    chosen = res.models["model"].value_counts().sort("count", descending=True)
    print(f"  window d_{cut + 1}: models chosen {dict(chosen.iter_rows())}", flush=True)
    frame = long_frame(m.sales[:, :cut])
    for name in baselines:
        run = run_baseline(name, frame, len(m.ids), HORIZON, DEFAULT_QUANTILES, n_jobs)
        results[name] = {**score(m, cut, run.mean, run.quantiles), "seconds": run.seconds}
        print(f"  {name}: WRMSSE {results[name]['WRMSSE']:.4f} in {run.seconds:.1f}s", flush=True)
    return results


def report(all_results: dict[int, dict[str, dict[str, float]]]) -> None:
    cols = ["WRMSSE", "WRMSSE_L12", "RMSSE_L12_mean", "WSPL_L12", "seconds"]
    for cut, res in all_results.items():
        print(f"\n### window d_{cut + 1}..d_{cut + HORIZON} (fit on d_1..d_{cut})\n")
        print("| model | " + " | ".join(cols) + " |")
        print("|---" * (len(cols) + 1) + "|")
        for name, r in res.items():
            print(f"| {name} | " + " | ".join(f"{r[c]:.4f}" if c != "seconds" else f"{r[c]:.1f}" for c in cols) + " |")
        base = {k: v for k, v in res.items() if k != "stockturn"}
        if base:
            best = min(base, key=lambda k: base[k]["WRMSSE"])
            best_spl = min(base, key=lambda k: base[k]["WSPL_L12"])
            ours = res["stockturn"]
            ratio = ours["WRMSSE"] / base[best]["WRMSSE"]
            print(f"\nWRMSSE ratio to best baseline ({best}): {ratio:.3f} (target <= 0.85)")
            ratio = ours["WSPL_L12"] / base[best_spl]["WSPL_L12"]
            print(f"WSPL ratio to best baseline ({best_spl}): {ratio:.3f} (target < 1)")
            if "AutoETS(7)" in base:
                ratio = base["AutoETS(7)"]["seconds"] / ours["seconds"]
                print(f"speed: AutoETS(7) / stockturn = {ratio:.2f}x (target >= 5)")
        print("\nper level (stockturn): " + ", ".join(f"L{k} {res['stockturn'][f'L{k}']:.3f}" for k in range(1, 13)))
        print(
            "per slice (stockturn): "
            + ", ".join(f"{k} {v:.3f}" for k, v in res["stockturn"].items() if k.startswith("WRMSSE_") and "(" in k)
        )


def scale_test(m: M5, n_series: int, seed: int = 0) -> None:
    """A full M5-size problem: real series resampled with replacement and Poisson-thinned/scaled."""
    import polars as pl

    rng = np.random.default_rng(seed)
    cut = WINDOWS[0]
    src = rng.integers(0, len(m.ids), n_series)
    factor = rng.uniform(0.5, 1.5, n_series)
    t0 = time.perf_counter()
    sales = rng.poisson(m.sales[src, :cut] * factor[:, None]).astype(np.float64)
    big = M5(
        ids=[f"S{k:05d}_{m.item[s]}@{m.store[s]}" for k, s in enumerate(src)],
        item=[f"S{k:05d}_{m.item[s]}" for k, s in enumerate(src)],
        dept=[m.dept[s] for s in src],
        cat=[m.cat[s] for s in src],
        store=[m.store[s] for s in src],
        state=[m.state[s] for s in src],
        sales=sales,
        price=m.price[src],
        weight_price=m.weight_price[src],
        events=m.events,
    )
    history = big.history(cut)
    future = big.future(cut, HORIZON)
    prep = time.perf_counter() - t0
    print(f"generated {n_series} series, {history.height:,} history rows in {prep:.1f}s", flush=True)
    del sales, big  # only the history and future frames go into the forecast
    t0 = time.perf_counter()
    res = forecast(history, horizon=HORIZON, quantiles=DEFAULT_QUANTILES, events=m.events, future=future)
    wall = time.perf_counter() - t0
    out = {
        "series": n_series,
        "history_rows": history.height,
        "forecast_rows": res.frame.height,
        "wall_seconds": round(wall, 1),
        "peak_rss_gb": round(peak_rss_gb(), 2),
        "load_average_1_5_15min_at_end": [round(x, 1) for x in os.getloadavg()],
        "stages": {k: round(v, 1) for k, v in res.timings.items()},
        "models": dict(res.models["model"].value_counts().iter_rows()),
    }
    print(json.dumps(out, indent=1))
    assert isinstance(res.frame, pl.DataFrame)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", action="store_true", help="run only the 30,490-series speed/memory test")
    ap.add_argument("--series", type=int, default=30_490)
    ap.add_argument("--windows", default=",".join(map(str, WINDOWS)))
    ap.add_argument("--baselines", default=",".join(BASELINES), help="comma list; '' for none")
    ap.add_argument("--n-jobs", type=int, default=2, help="processes for the statsforecast baselines")
    args = ap.parse_args()
    m = load_m5()
    if args.scale:
        scale_test(m, args.series)
        return
    baselines = [b for b in args.baselines.split(",") if b]
    all_results = {}
    for cut in map(int, args.windows.split(",")):
        all_results[cut] = run_window(m, cut, baselines, args.n_jobs)
    report(all_results)
    print(f"\npeak RSS of the whole run: {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
