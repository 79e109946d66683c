"""Issue 2 speed target: `make demo` under 2 minutes from a fresh clone (setup included) and under 20 s
when .venv exists. Times the two runs of `make demo DEMO_FLAGS=--no-serve` in a fresh clone of this repo,
and, as the in-process baseline, the demo build alone (`build_demo_warehouse`).

    .venv/bin/python benchmarks/demo_speed.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main() -> None:
    from stockturn.demo.build import build_demo_warehouse

    work = Path(tempfile.mkdtemp(prefix="stockturn-demo-bench-"))
    try:
        started = time.perf_counter()
        build_demo_warehouse(work / "inprocess.duckdb")
        in_process = time.perf_counter() - started
        subprocess.run(["git", "clone", "-q", str(REPO), str(work / "clone")], check=True)
        fresh = timed(["make", "demo", "DEMO_FLAGS=--no-serve"], work / "clone")
        again = timed(["make", "demo", "DEMO_FLAGS=--no-serve"], work / "clone")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"demo build in process (baseline): {in_process:6.1f} s")
    print(f"make demo, fresh clone (setup):   {fresh:6.1f} s   target < 120 s")
    print(f"make demo, .venv exists:          {again:6.1f} s   target <  20 s")
    if fresh > 120 or again > 20:
        sys.exit("speed target missed")


if __name__ == "__main__":
    main()
