"""Warehouse -> forecast -> warehouse, and the `stockturn forecast` command, on a small temp warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose
from typer.testing import CliRunner

from stockturn.cli.app import app
from stockturn.forecasting import GlobalParams
from stockturn.forecasting.store import load_forecast_input, run_forecast
from stockturn.warehouse import insert_frame, open_warehouse

START = dt.date(2024, 1, 1)
DAYS = 150
LAST = START + dt.timedelta(days=DAYS - 1)
FAST = GlobalParams(rounds=40, num_leaves=15, min_data_in_leaf=20)
OUT_OF_STOCK = range(100, 115)  # SKU-A at FBA-US had no stock on these days


@pytest.fixture
def small_wh(tmp_path: Path) -> Path:
    path = tmp_path / "shop.duckdb"
    rng = np.random.default_rng(11)
    with open_warehouse(path, create=True) as wh:
        insert_frame(
            wh,
            "warehouse",
            pl.DataFrame(
                {
                    "warehouse_id": ["FBA-US", "CN-HOME"],
                    "name": ["FBA US", "Shenzhen"],
                    "type": ["fba", "own"],
                    "country": ["US", "CN"],
                    "currency": ["USD", "CNY"],
                }
            ),
        )
        insert_frame(
            wh,
            "channel",
            pl.DataFrame({"channel_id": ["amz"], "name": ["Amazon"], "platform": ["amazon"], "currency": ["USD"]}),
        )
        insert_frame(
            wh,
            "sku",
            pl.DataFrame({"sku_id": ["SKU-A", "SKU-B"], "title": ["Lamp", "Mug"], "category": ["home", "kitchen"]}),
        )
        rows = []
        for sku, wh_id, rate in (("SKU-A", "FBA-US", 6.0), ("SKU-A", "CN-HOME", 2.0), ("SKU-B", "FBA-US", 3.0)):
            for d in range(DAYS):
                if sku == "SKU-A" and wh_id == "FBA-US" and d in OUT_OF_STOCK:
                    continue
                qty = int(rng.poisson(rate))
                if qty:
                    rows.append((sku, wh_id, START + dt.timedelta(days=d), qty))
        sales = pl.DataFrame(rows, schema=["sku_id", "warehouse_id", "day", "qty"], orient="row")
        insert_frame(
            wh,
            "sales_line",
            sales.with_columns(
                order_id=pl.format("o{}", pl.int_range(pl.len())),
                line_no=pl.lit(1, dtype=pl.Int32),
                channel_id=pl.lit("amz"),
                ordered_at=pl.col("day").cast(pl.Datetime) + pl.duration(hours=12),
                source_sku=pl.col("sku_id"),
                qty=pl.col("qty").cast(pl.Float64),
                unit_price=pl.lit(19.9),
                currency=pl.lit("USD"),
            ).drop("day"),
        )
        insert_frame(
            wh,
            "stock_snapshot",
            pl.DataFrame(
                {
                    "snapshot_date": [START + dt.timedelta(days=d) for d in range(95, 120)],
                    "warehouse_id": "FBA-US",
                    "sku_id": "SKU-A",
                    "on_hand": [0.0 if d in OUT_OF_STOCK else 50.0 for d in range(95, 120)],
                }
            ),
        )
        insert_frame(
            wh,
            "event",
            pl.DataFrame(
                {
                    "name": ["Prime Day", "Mug promo"],
                    "event_type": ["platform", "promotion"],
                    "country": ["US", ""],
                    "sku_id": [None, "SKU-B"],
                    "start_date": [dt.date(2024, 3, 10), LAST + dt.timedelta(days=2)],
                    "end_date": [dt.date(2024, 3, 11), LAST + dt.timedelta(days=4)],
                }
            ),
        )
    return path


def test_history_marks_stockout_days_censored_and_reads_promotions(small_wh: Path) -> None:
    with open_warehouse(small_wh, read_only=True) as wh:
        data = load_forecast_input(wh, as_of=None, horizon=7)
    assert data.as_of == LAST
    a = data.history.filter(pl.col("unique_id") == "SKU-A@FBA-US")
    censored = a.filter(~pl.col("available"))
    assert censored.height == len(OUT_OF_STOCK)
    assert (censored["y"] == 0).all()
    assert set(data.history["country"]) == {"US", "CN"}
    assert data.events["event_name"].to_list().count("Prime Day") == 2
    assert data.future.filter(pl.col("unique_id") == "SKU-B@FBA-US").height == 3


def test_run_is_stored_with_quantiles_models_and_as_of(small_wh: Path) -> None:
    as_of = LAST - dt.timedelta(days=10)
    with open_warehouse(small_wh) as wh:
        run = run_forecast(wh, horizon=7, as_of=as_of, params=FAST)
        stored = wh.frame("SELECT * FROM forecast WHERE run_id = ? ORDER BY sku_id, warehouse_id, ds", [run.run_id])
        models = wh.frame("SELECT * FROM forecast_model WHERE run_id = ?", [run.run_id])
        finished = wh.scalar("SELECT finished_at IS NOT NULL FROM run WHERE run_id = ?", [run.run_id])
        q975 = wh.frame(
            "SELECT mean, quantiles[0.975] AS q, quantiles[0.5] AS med FROM forecast WHERE run_id = ?", [run.run_id]
        )
    assert finished
    assert stored.height == 3 * 7
    assert stored["ds"].min() == as_of + dt.timedelta(days=1)
    assert set(stored["warehouse_id"]) == {"FBA-US", "CN-HOME"}
    assert (q975["q"] >= q975["med"]).all()
    assert models.height == 3
    assert models["backtest_rmsse"].null_count() == 0
    assert "weekly_peak_to_trough" in models["explanation"][0]


def test_sku_level_sums_locations(small_wh: Path) -> None:
    with open_warehouse(small_wh) as wh:
        loc = run_forecast(wh, horizon=7, params=FAST)
        sku = run_forecast(wh, horizon=7, level="sku", params=FAST)
        bottom = wh.frame(
            "SELECT sku_id, ds, sum(mean) AS m FROM forecast WHERE run_id = ? GROUP BY ALL ORDER BY ALL", [loc.run_id]
        )
        top = wh.frame(
            "SELECT sku_id, ds, mean AS m, warehouse_id FROM forecast WHERE run_id = ? ORDER BY ALL", [sku.run_id]
        )
    assert set(top["warehouse_id"]) == {""}
    assert_allclose(top["m"].to_numpy(), bottom["m"].to_numpy(), rtol=1e-9)


def test_cli_forecast_writes_a_run(small_wh: Path) -> None:
    result = CliRunner().invoke(
        app, ["forecast", "--horizon", "5", "--quantiles", "0.1,0.5,0.9", "--db", str(small_wh)]
    )
    assert result.exit_code == 0, result.output
    assert "Forecast run forecast-" in result.output
    assert "3 series x 5 days" in result.output
    with open_warehouse(small_wh, read_only=True) as wh:
        keys = wh.scalar("SELECT map_keys(quantiles) FROM forecast LIMIT 1")
    assert keys == [0.1, 0.5, 0.9]


def test_cli_bad_input_is_one_line_and_changes_nothing(small_wh: Path) -> None:
    result = CliRunner().invoke(app, ["forecast", "--as-of", "yesterday", "--db", str(small_wh)])
    assert result.exit_code != 0
    assert "--as-of 'yesterday' is not a day" in result.output
    result = CliRunner().invoke(app, ["forecast", "--quantiles", "0.5,2", "--db", str(small_wh)])
    assert result.exit_code != 0
    assert "outside (0, 1)" in result.output
    with open_warehouse(small_wh, read_only=True) as wh:
        assert wh.scalar("SELECT count(*) FROM run") == 0
        assert wh.scalar("SELECT count(*) FROM forecast") == 0
