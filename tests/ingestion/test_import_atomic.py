"""A file loads completely or not at all, even when the process is killed in the middle of the import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from import_helpers import FIXTURES, count, run_import, table_rows

SCRIPT = """
import sys
from pathlib import Path
from stockturn.ingestion import import_file
from stockturn.settings import Settings
from stockturn.warehouse import open_warehouse

with open_warehouse(Path(sys.argv[1])) as wh:
    import_file(wh, Path(sys.argv[2]), settings=Settings(), source="generic_orders",
                progress=lambda stage: print(stage, flush=True))
print("finished", flush=True)
"""


def _big_orders(path: Path, lines: int) -> None:
    n = pl.int_range(lines, eager=True)
    pl.DataFrame({
        "order_id": ("K" + (n // 3).cast(pl.Utf8)),
        "ordered_at": "2024-03-01 10:00:00",
        "sku": ("SKU-" + (n % 997).cast(pl.Utf8)),
        "qty": (n % 5 + 1),
        "unit_price": 9.99,
        "currency": "USD",
        "channel": "BIG",
    }).write_csv(path)


def test_kill_during_import_leaves_the_warehouse_as_before(db: Path, tmp_path: Path) -> None:
    run_import(db, FIXTURES / "generic_orders.csv")
    before = table_rows(db)
    big = tmp_path / "big.csv"
    _big_orders(big, 600_000)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(db), str(big)], stdout=subprocess.PIPE, text=True,
                            env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "writing":  # the transaction is open and rows are going in
            time.sleep(0.3)
            break
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert alive, "the import finished before it could be killed: make the file bigger"
    assert proc.returncode == -signal.SIGKILL
    assert table_rows(db) == before  # reopening recovers from the WAL without the uncommitted rows
    again = run_import(db, FIXTURES / "shopify_orders.csv")  # and the warehouse is fully usable afterwards
    assert again.added == 4
    assert count(db, "SELECT count(*) FROM sales_line WHERE channel_id = 'BIG'") == 0
