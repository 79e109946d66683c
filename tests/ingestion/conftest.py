"""Fixtures for import tests: empty warehouses and small slices of the real data sets."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from import_helpers import SHARED

from stockturn.warehouse import open_warehouse


@pytest.fixture(scope="session")
def empty_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    open_warehouse(path, create=True).close()
    return path


@pytest.fixture
def db(tmp_path: Path, empty_warehouse: Path) -> Path:
    """A fresh, empty, migrated warehouse (a copy of one built once per session)."""
    path = tmp_path / "w.duckdb"
    shutil.copy(empty_warehouse, path)
    return path


@pytest.fixture(scope="session")
def real_slices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small slices of every real data set used by an importer (same columns and types as the originals)."""
    if not SHARED.is_dir():
        pytest.fail(f"real data folder missing: {SHARED}")
    out = tmp_path_factory.mktemp("real")
    slices: dict[str, Path] = {}

    def head(name: str, rel: str, n: int, *, csv_gz: bool = False) -> None:
        src = SHARED / rel
        frame = pl.read_csv(src, infer_schema=False) if csv_gz else pl.read_parquet(src)
        path = out / Path(rel).name if not csv_gz else out / Path(rel).name.replace(".csv.gz", ".csv")
        if csv_gz:
            frame.head(n).write_csv(path)
        else:
            frame.head(n).write_parquet(path)
        slices[name] = path

    head("online_retail", "online_retail/online_retail.parquet", 3000)
    head("online_retail_ii", "online_retail_ii/online_retail_ii_2009_2010.parquet", 3000)
    head("m5_sales", "m5/ca3_hobbies2_sales_d1_d1885.parquet", 4)
    head("rossmann_sales", "rossmann/train_open_sales_gt0.parquet", 3000)
    head("rossmann_stores", "rossmann/store.parquet", 50)
    head("olist_order_items", "olist/olist_order_items_dataset.parquet", 2000)
    head("olist_products", "olist/olist_products_dataset.csv.gz", 500, csv_gz=True)
    prices = out / "m5prices"
    prices.mkdir()
    pl.read_parquet(SHARED / "m5/ca3_hobbies2_sell_prices_to_wk11609.parquet").head(500).write_parquet(
        prices / "sell_prices.parquet")
    shutil.copy(SHARED / "m5/calendar.csv.gz", prices / "calendar.csv.gz")
    slices["m5_prices"] = prices / "sell_prices.parquet"
    slices["m5_calendar"] = SHARED / "m5/calendar.csv.gz"
    return slices

