"""Issue 3 speed target: importing a file takes at most 2x DuckDB's own load of the same file into a table,
with peak memory under 4 GB. Measured on the largest real files the importers read (Rossmann daily sales,
844,338 rows; Olist order items, the largest real file by bytes that has an importer) and on a generated
10-million-line orders CSV (generic_orders layout).

Each run is a fresh child process (so its peak RSS is its own) writing a fresh warehouse file:
- stockturn: `import_file(...)` = read, validate every cell, classify, resolve SKUs, write by natural key
  in one transaction, with provenance and an import_batch row;
- duckdb:    `CREATE TABLE t AS SELECT * FROM read_csv(file)` (read_parquet for Parquet), types auto-detected.

    .venv/bin/python benchmarks/import_speed.py [--lines 10000000] [--skip-big] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
REAL = [("rossmann_sales", SHARED / "rossmann" / "train_open_sales_gt0.parquet"),
        ("olist_order_items", SHARED / "olist" / "olist_order_items_dataset.parquet")]


def generate_orders(path: Path, lines: int) -> None:
    """A generic_orders CSV: 3 lines per order, 5,000 SKUs, 4 channels, one year of timestamps."""
    import polars as pl

    n = pl.int_range(lines, dtype=pl.Int64)
    pl.select(
        order_id=pl.lit("O") + (n // 3).cast(pl.Utf8),
        line_no=n % 3 + 1,
        channel=pl.lit("CH-") + ((n // 3) % 4).cast(pl.Utf8),
        ordered_at=(pl.lit(datetime(2024, 1, 1)) + pl.duration(seconds=(n * 3) % 31_536_000))
        .dt.strftime("%Y-%m-%d %H:%M:%S"),
        sku=pl.lit("SKU-") + (n * 7919 % 5000).cast(pl.Utf8),
        qty=n % 4 + 1,
        unit_price=((n % 2000) / 100 + 1.99).round(2),
        currency=pl.lit("USD"),
    ).write_csv(path)


# The same rows written by DuckDB alone into sales_line (no validation, no provenance): what writing this
# table's rows costs DuckDB itself (since migration 060 sales_line has no primary-key index; its natural key
# is enforced by stockturn's writers).
KEYED_SQL = {
    "generic_orders": "INSERT INTO sales_line (order_id, line_no, channel_id, ordered_at, source_sku, qty, unit_price, "
                      "currency) SELECT order_id, line_no, channel, ordered_at, sku, qty, unit_price, currency "
                      "FROM read_csv(?)",
    "rossmann_sales": "INSERT INTO sales_line (order_id, line_no, channel_id, ordered_at, source_sku, warehouse_id, "
                      "ship_country, qty, unit_price, currency) SELECT Store || ':' || Date, 1, 'ROSSMANN', "
                      "Date::TIMESTAMP, 'ALL', 'ROSSMANN-' || Store, 'DE', Customers, Sales / Customers, 'EUR' "
                      "FROM read_parquet(?) WHERE Customers > 0 AND Sales > 0",
}


def child(kind: str, file: str, source: str, db: str) -> None:
    """Run one load and print {seconds, peak_mb, rows} as JSON. Module imports and the creation of an empty
    warehouse happen before the clock starts: what is timed is loading the file."""
    import duckdb

    from stockturn.ingestion import import_file, importers
    from stockturn.settings import Settings
    from stockturn.warehouse import open_warehouse

    path = Path(db)
    if kind != "duckdb":
        open_warehouse(path, create=True).close()
        importers()  # loads the source modules (module imports, like the ones above)
    started = time.perf_counter()
    if kind == "duckdb":
        con = duckdb.connect(db)
        reader = "read_parquet" if file.endswith(".parquet") else "read_csv"
        con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}(?)", [file])
        rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
        con.close()
    elif kind == "duckdb-pk":  # DuckDB alone, straight into stockturn's sales_line
        with open_warehouse(path) as wh:
            wh.con.execute(KEYED_SQL[source], [file])
            rows = wh.con.execute("SELECT count(*) FROM sales_line").fetchall()[0][0]
    else:
        with open_warehouse(path) as wh:
            result = import_file(wh, Path(file), settings=Settings(), source=source)
        rows = result.added
    seconds = time.perf_counter() - started
    peak_mb = _peak_rss_mb()
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "rows": rows}))


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). ru_maxrss is not used: Linux carries it over from the parent
    across fork+exec, so a child would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def run(kind: str, file: Path, source: str, work: Path) -> dict[str, float]:
    db = work / f"{kind}-{file.stem}-{time.monotonic_ns()}.duckdb"
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(file), source, str(db)],
                         check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    for leftover in work.glob(db.name + "*"):
        leftover.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--rounds", type=int, default=1,
                        help="stockturn and DuckDB loads alternate this many times per file (shared machines)")
    parser.add_argument("--child", nargs=4)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="stockturn-import-bench-"))
    cases = list(REAL)
    if not args.skip_big:
        big = work / "orders_10m.csv"
        started = time.perf_counter()
        generate_orders(big, args.lines)
        print(f"generated {big.name}: {args.lines:,} lines, {big.stat().st_size / 1e6:,.0f} MB "
              f"in {time.perf_counter() - started:.1f} s", flush=True)
        cases.append(("generic_orders", big))
    print(f"load average before: {_load()}")
    print(f"{'file':34} {'round':>5} {'rows':>11} {'stockturn s':>12} {'duckdb s':>9} {'ratio':>6} "
          f"{'peak MB (st / duck)':>20} {'duckdb->sales_line s':>21}")
    for source, file in cases:
        ratios = []
        for round_ in range(1, args.rounds + 1):
            ours = run("stockturn", file, source, work)
            base = run("duckdb", file, source, work)
            keyed = (run("duckdb-pk", file, source, work)["seconds"] if source in KEYED_SQL and round_ == 1
                     else float("nan"))
            ratios.append(ours["seconds"] / base["seconds"])
            print(f"{file.name:34} {round_:>5} {int(ours['rows']):>11,} {ours['seconds']:>12.2f} "
                  f"{base['seconds']:>9.2f} {ratios[-1]:>6.2f} {ours['peak_mb']:>10,.0f} / {base['peak_mb']:>7,.0f}"
                  f" {keyed:>21.2f}   load {_load()}", flush=True)
        if args.rounds > 1:
            print(f"{file.name:34} median ratio {statistics.median(ratios):.2f}, best {min(ratios):.2f}", flush=True)
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()


if __name__ == "__main__":
    main()
