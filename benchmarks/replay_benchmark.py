"""Replay benchmark: stockturn's policy against the rules sellers use, on real daily demand.

    .venv/bin/python benchmarks/replay_benchmark.py --dataset m5
    .venv/bin/python benchmarks/replay_benchmark.py --dataset online_retail
    .venv/bin/python benchmarks/replay_plot.py          # PNG + markdown table from both results

Last 364 days of each data set, weekly review, lost sales, seeded lead times (see replay_data.py for
prices, costs and SKU selection). stockturn's policy is run at fill-rate targets 90/95/98/99 %; it
calls ``stockturn.forecasting.forecast`` (default settings) every 4 weekly reviews with ``as_of`` = that
day. To keep the run within the session, the forecasts of one refit date are computed once from the
recorded sales up to that date and shared by the four targets (each run would otherwise refit on its
own simulated, stockout-censored sales; at these service levels the difference is small). Forecasts are
cached in benchmarks/results/cache so a rerun replays in seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import replay_data
from stockturn.planning.forecast_input import history_frame
from stockturn.planning.policies import ClassicSQ, CoverRule, FixedMinMax, Mode, StockturnPolicy
from stockturn.planning.replay import ReplayConfig, ReplayData, replay

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = (0.90, 0.95, 0.98, 0.99)


class SharedForecasts:
    """Calls the real forecaster once per as_of date on the recorded sales up to that date."""

    def __init__(self, data: ReplayData, cache_dir: Path, history_days: int, n_jobs: int) -> None:
        self.data = data
        self.cache_dir = cache_dir
        self.history_days = history_days
        self.n_jobs = n_jobs
        self.seconds: list[float] = []
        cache_dir.mkdir(parents=True, exist_ok=True)

    def __call__(
        self, history: pl.DataFrame, *, horizon: int, quantiles: Sequence[float], as_of: dt.date | None = None
    ) -> pl.DataFrame:
        from stockturn.forecasting import forecast

        assert as_of is not None
        path = self.cache_dir / f"{as_of.isoformat()}_h{horizon}.parquet"
        if path.exists():
            return pl.read_parquet(path)
        end = self.data.index_of(as_of)
        begin = max(0, end - self.history_days + 1)
        recorded = history_frame(self.data.series_ids, self.data.dates[begin : end + 1],
                                 self.data.demand[:, begin : end + 1])
        started = time.perf_counter()
        result = forecast(recorded, horizon=horizon, quantiles=quantiles, as_of=as_of, n_jobs=self.n_jobs)
        self.seconds.append(time.perf_counter() - started)
        print(f"  forecast as_of {as_of}: {self.seconds[-1]:.1f} s", flush=True)
        result.frame.write_parquet(path)
        return result.frame


def setup(dataset: str, limit: int | None) -> tuple[ReplayData, ReplayConfig, tuple[Mode, ...]]:
    if dataset == "m5":
        data = replay_data.m5(limit=limit)
        modes: tuple[Mode, ...] = (Mode("truck", 7, 21),)
        baseline_modes = modes
        warmup = 28
    else:
        data = replay_data.online_retail(min_sale_days=60, limit=limit)
        # air premium over sea: 20 % of the selling price per unit (documented in BENCHMARKS.md)
        modes = (Mode("sea", 30, 60), Mode("air", 7, 10, freight_share_of_price=0.20))
        baseline_modes = modes[:1]
        warmup = 63
    last = dt.date.fromisoformat(str(data.dates[-1]))
    config = ReplayConfig(
        start=last - dt.timedelta(days=363), end=last, modes=modes, review_period=7, warmup_days=warmup, seed=42
    )
    return data, config, baseline_modes


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=("m5", "online_retail", "all"), default="all")
    parser.add_argument("--limit", type=int, default=None, help="first N series only (smoke runs)")
    parser.add_argument("--targets", default=",".join(str(t) for t in TARGETS))
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--kind", choices=("cycle", "fill"), default="cycle",
                        help="stockturn's target: cycle service level (portfolio-optimal) or item fill rate")
    args = parser.parse_args(argv)
    if args.dataset == "all":
        for name in ("m5", "online_retail"):
            run(name, args.limit, args.targets, args.n_jobs, args.kind)
    else:
        run(args.dataset, args.limit, args.targets, args.n_jobs, args.kind)


def run(dataset: str, limit: int | None, targets: str, n_jobs: int, kind: str) -> None:
    args = argparse.Namespace(dataset=dataset, limit=limit, targets=targets, n_jobs=n_jobs)
    started = time.perf_counter()
    data, config, baseline_modes = setup(args.dataset, args.limit)
    suffix = f"_limit{args.limit}" if args.limit else ""
    cache = Path(__file__).resolve().parent / "out" / "replay_cache" / f"{args.dataset}{suffix}"
    shared = SharedForecasts(data, cache, history_days=1100, n_jobs=args.n_jobs)
    rows: list[dict[str, Any]] = []
    baseline_config = ReplayConfig(**{**config.__dict__, "modes": baseline_modes})
    for policy in (CoverRule(), FixedMinMax(), ClassicSQ()):
        t0 = time.perf_counter()
        result = replay(data, policy, baseline_config)
        rows.append({"policy": policy.name, "target": None, "seconds": time.perf_counter() - t0, **result.summary})
        print(f"{policy.name:22s} {_fmt(result.summary)}", flush=True)
    for target in (float(t) for t in args.targets.split(",")):
        t0 = time.perf_counter()
        policy = StockturnPolicy(service_level=target, service_kind=kind, forecaster=shared)
        result = replay(data, policy, config)
        name = f"stockturn {kind}@{target * 100:g}%"
        rows.append({"policy": "stockturn", "target": target, "kind": kind, "correlation": policy.correlation,
                     "seconds": time.perf_counter() - t0, **result.summary})
        print(f"{name:22s} {_fmt(result.summary)}", flush=True)
        if abs(target - 0.95) < 1e-9:
            result.trajectory.write_parquet(RESULTS / f"replay_{args.dataset}{suffix}_{kind}95_trajectory.parquet")
    out = {
        "dataset": args.dataset,
        "series": len(data.series_ids),
        "window": [config.start.isoformat(), config.end.isoformat()],
        "modes": [m.__dict__ for m in config.modes],
        "warmup_days": config.warmup_days,
        "seed": config.seed,
        "forecast_seconds": shared.seconds,
        "total_seconds": time.perf_counter() - started,
        "machine": f"{platform.machine()} {platform.python_version()} cpus={__import__('os').cpu_count()}",
        "command": f"benchmarks/replay_benchmark.py --dataset {dataset} --kind {kind} --targets {targets}"
        + (f" --limit {limit}" if limit else ""),
        "rows": rows,
    }
    (RESULTS / f"replay_{args.dataset}{suffix}_{kind}.json").write_text(json.dumps(out, indent=2, default=str))
    print(f"total {out['total_seconds']:.0f} s", flush=True)


def _fmt(s: dict[str, float]) -> str:
    return (
        f"turnover {s['turnover']:6.2f}  fill {s['fill_rate']:.3f}  stockout-days {s['stockout_day_rate']:.3f}"
        f"  inventory {s['average_inventory_value']:10.0f}  lost margin {s['lost_margin']:10.0f}"
        f"  freight {s['freight_cost']:8.0f}"
    )


if __name__ == "__main__":
    main()
