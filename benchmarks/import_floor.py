"""How fast can any importer write Rossmann's rows as sales lines? (issue 3's largest real file by rows)

The issue's baseline is DuckDB reading the file into a table of its own 9 columns. An import has to write
the rows in `sales_line`'s shape: 16 columns, among them a unique order id and the warehouse id built as
strings. This script measures, side by side and alternating per round, each on a fresh database file
(opening and closing it inside the clock, as `import_speed.py` does):

- `read`: `CREATE TABLE t AS SELECT * FROM read_parquet(file)`, the issue's baseline;
- `derived CTAS`: DuckDB alone building the 10 sales-line columns in SQL into a new table of just those
  columns (no constraints, no provenance, no validation); `numbers only` and `numbers + constants` are
  parts of it (the 4 numeric and date columns; those plus the 4 constant strings), to show where it costs;
- `INSERT sales_line`: the same rows inserted into stockturn's real `sales_line` table (migrations applied),
  with `import_speed.py`'s DuckDB-only INSERT;
- `stockturn import`: `import_file` (read, type, validate, resolve SKUs, write with provenance and audit).

    .venv/bin/python benchmarks/import_floor.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_speed import KEYED_SQL, REAL, _load
from stockturn.ingestion import import_file, importers
from stockturn.settings import Settings
from stockturn.warehouse import open_warehouse

FILE = dict(REAL)["rossmann_sales"]
# The parts of the sales-line SELECT (the same values as import_speed's DuckDB-only INSERT into sales_line)
NUMBERS = "1 AS line_no, Date::TIMESTAMP AS ordered_at, Customers::DOUBLE AS qty, Sales / Customers AS unit_price"
CONSTANTS = "'ROSSMANN' AS channel_id, 'ALL' AS source_sku, 'DE' AS ship_country, 'EUR' AS currency"
BUILT = "Store || ':' || Date AS order_id, 'ROSSMANN-' || Store AS warehouse_id"
WHERE = "FROM read_parquet(?) WHERE Customers > 0 AND Sales > 0"


def _plain(sql: str) -> Callable[[Path], None]:
    def load(db: Path) -> None:
        con = duckdb.connect(str(db))
        con.execute(sql, [str(FILE)])
        con.close()

    return load


def _into_sales_line(db: Path) -> None:
    with open_warehouse(db) as wh:
        wh.con.execute(KEYED_SQL["rossmann_sales"], [str(FILE)])


def _stockturn(db: Path) -> None:
    with open_warehouse(db) as wh:
        import_file(wh, FILE, settings=Settings(), source="rossmann_sales")


CASES: dict[str, tuple[bool, Callable[[Path], None]]] = {  # name: (needs stockturn's schema, load)
    "read (the baseline)": (False, _plain("CREATE TABLE t AS SELECT * FROM read_parquet(?)")),
    "numbers only": (False, _plain(f"CREATE TABLE t AS SELECT {NUMBERS} {WHERE}")),
    "numbers + constants": (False, _plain(f"CREATE TABLE t AS SELECT {NUMBERS}, {CONSTANTS} {WHERE}")),
    "derived CTAS": (False, _plain(f"CREATE TABLE t AS SELECT {NUMBERS}, {CONSTANTS}, {BUILT} {WHERE}")),
    "INSERT sales_line": (True, _into_sales_line),
    "stockturn import": (True, _stockturn),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    importers()  # source modules loaded before any clock starts
    seconds: dict[str, list[float]] = {name: [] for name in CASES}
    print(f"load average before: {_load()}")
    with tempfile.TemporaryDirectory() as work:
        for round_ in range(args.rounds):
            for name, (schema, load) in CASES.items():
                db = Path(work) / f"{round_}-{name.replace(' ', '_')}.duckdb"
                if schema:
                    open_warehouse(db, create=True).close()
                started = time.perf_counter()
                load(db)
                seconds[name].append(time.perf_counter() - started)
                db.unlink()
    base = statistics.median(seconds["read (the baseline)"])
    print(f"{'case':20} {'median s':>9} {'min s':>7} {'x read':>7}")
    for name, values in seconds.items():
        median = statistics.median(values)
        print(f"{name:20} {median:>9.3f} {min(values):>7.3f} {median / base:>7.2f}")
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
