"""What one LightGBM tree costs on this machine at the global model's size (issue 5's speed target).

The global forecasting model trains on ~1.19 million rows x 35 features (M5 slices) with the settings of
`GlobalParams`; the forecast fits it twice (backtest and final), 300 rounds each. This script trains the
same settings on random data of that shape and prints milliseconds per tree for a few variants, with
OpenMP threads waiting passively (stockturn's setting, safe on a shared machine) and actively (spinning),
each in its own process because OpenMP reads the policy once at start-up.

    .venv/bin/python benchmarks/lightgbm_tree_cost.py [--rows 1190000] [--rounds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

VARIANTS: dict[str, dict[str, object]] = {
    "stockturn settings": {},
    "1 thread": {"num_threads": 1},
    "bagging 0.2": {"bagging_fraction": 0.2},
    "31 leaves": {"num_leaves": 31},
    "column-wise histograms": {"force_row_wise": False, "force_col_wise": True},
}


def child(rows: int, rounds: int) -> None:
    import lightgbm as lgb
    import numpy as np

    from stockturn.forecasting._global import GlobalParams

    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 35)).astype(np.float32)
    x[:, :5] = rng.integers(0, 7, size=(rows, 5))
    y = rng.poisson(np.exp(0.3 * x[:, 5] + 0.2 * x[:, 6])).astype(np.float64)
    settings = GlobalParams().lgb_params()
    data = lgb.Dataset(x, y, params={"max_bin": settings["max_bin"], "verbose": -1}).construct()
    out = {}
    for name, extra in VARIANTS.items():
        started = time.perf_counter()
        lgb.train({**settings, **extra}, data, num_boost_round=rounds)
        out[name] = (time.perf_counter() - started) / rounds * 1000
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_190_000)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.rows, args.rounds)
        return
    print(f"{args.rows:,} rows x 35 features, {args.rounds} rounds; load average {os.getloadavg()[0]:.1f}")
    results = {}
    for policy in ("PASSIVE", "ACTIVE"):
        env = {**os.environ, "OMP_WAIT_POLICY": policy}
        command = [sys.executable, __file__, "--child", "--rows", str(args.rows), "--rounds", str(args.rounds)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        results[policy] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{'variant':24} {'ms/tree passive':>16} {'ms/tree active':>15}")
    for name in VARIANTS:
        print(f"{name:24} {results['PASSIVE'][name]:>16.0f} {results['ACTIVE'][name]:>15.0f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
