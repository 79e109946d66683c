"""Opening a warehouse: creation, migrations, and refusing what it must not touch."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from stockturn.errors import NotAWarehouse, SchemaTooNew, WarehouseNotFound
from stockturn.warehouse import migrate, open_warehouse
from stockturn.warehouse.migrate import Migration, available_migrations, latest_version

CORE_TABLES = {
    "sku", "sku_alias", "warehouse", "channel", "supplier", "sales_line", "stock_snapshot", "stock_movement",
    "purchase_order", "purchase_order_line", "shipment", "shipment_line", "unit_cost", "fx_rate", "fee",
    "ad_spend", "event", "receivable", "payable", "forecast", "plan_line", "alert", "run", "import_batch",
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_create_applies_every_migration(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb", create=True) as wh:
        assert wh.schema_version() == latest_version()
        assert set(wh.tables()) >= CORE_TABLES
        names = [row[0] for row in wh.con.execute("SELECT name FROM schema_migration ORDER BY version").fetchall()]
    assert names == [m.name for m in available_migrations()]


def test_reopen_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_warehouse(path, create=True) as wh:
        wh.con.execute(
            "INSERT INTO warehouse VALUES ('FBA-US', 'Amazon US', 'fba', 'US', 'NA', 'USD', NULL, NULL, NULL)"
        )
    with open_warehouse(path, read_only=True) as wh:
        assert wh.scalar("SELECT name FROM warehouse") == "Amazon US"


def test_missing_path_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nope.duckdb"
    with pytest.raises(WarehouseNotFound, match="no warehouse at"):
        open_warehouse(path)
    assert not path.exists()


def test_text_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "orders.duckdb"
    path.write_text("order_id,sku\n1,A\n")
    before = digest(path)
    with pytest.raises(NotAWarehouse, match="not a DuckDB database"):
        open_warehouse(path)
    assert digest(path) == before


def test_foreign_duckdb_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    before = digest(path)
    with pytest.raises(NotAWarehouse, match="not a stockturn warehouse"):
        open_warehouse(path)
    assert digest(path) == before


def test_newer_schema_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.duckdb"
    with open_warehouse(path, create=True) as wh:
        wh.con.execute("INSERT INTO schema_migration (version, name, stockturn_version) VALUES (999, 'future', '9')")
        wh.con.execute("CHECKPOINT")
    before = digest(path)
    with pytest.raises(SchemaTooNew, match="schema version 999"):
        open_warehouse(path)
    assert digest(path) == before


def test_failed_migration_leaves_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.duckdb"
    open_warehouse(path, create=True).close()
    broken = Migration(latest_version() + 1, "broken", "CREATE TABLE half_done (x INT); SELECT * FROM missing_table;")
    shipped = available_migrations()
    monkeypatch.setattr(migrate, "available_migrations", lambda: [*shipped, broken])
    monkeypatch.setattr("stockturn.warehouse.connection.latest_version", lambda: broken.version)
    with pytest.raises(duckdb.Error):
        open_warehouse(path)
    monkeypatch.undo()
    with open_warehouse(path, read_only=True) as wh:
        assert wh.schema_version() == latest_version()
        assert "half_done" not in wh.tables()


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb", create=True) as wh:
        with pytest.raises(RuntimeError), wh.transaction():
            wh.con.execute("INSERT INTO channel VALUES ('AMZ-US', 'Amazon', 'amazon', 'US', 'USD', NULL, NULL, NULL)")
            raise RuntimeError("boom")
        assert wh.scalar("SELECT count(*) FROM channel") == 0


def test_busy_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from stockturn.errors import WarehouseBusy

    path = tmp_path / "w.duckdb"
    open_warehouse(path, create=True).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ok', flush=True); "
         "time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match="open for writing in another process"):
            open_warehouse(path)
        assert time.monotonic() - started < 30
    finally:
        holder.kill()
        holder.wait()
