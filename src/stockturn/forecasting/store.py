"""The one adapter between the warehouse and forecasting: read history as of a day, write a forecast run.

Demand read from the warehouse (one row per SKU x warehouse x day):
- y: units on product sales lines (`line_type = 'product'`, qty > 0) ordered that day; returns are not
  negative demand. Lines whose SKU is not mapped yet (`sku_id` NULL) are left out.
- available: False when that day's stock snapshot shows no sellable stock (on_hand - reserved <= 0);
  such days are censored demand. Days without a snapshot count as available.
- price: the day's average unit price on those lines; promo: a `promotion` event naming the SKU covers
  the day (also known for the forecast days, so planned promotions move the forecast).
- events: every `event` row without a SKU, one row per day from start_date to end_date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from stockturn.errors import InputError, NotFound
from stockturn.forecasting.engine import DEFAULT_QUANTILES, ForecastResult, forecast, quantile_column
from stockturn.warehouse import Warehouse, finish_run, start_run

Level = Literal["sku_location", "sku"]
SEP = "@"

_SALES = """
WITH sales AS (
    SELECT sku_id, coalesce(warehouse_id, '') AS warehouse_id, CAST(ordered_at AS DATE) AS ds,
           sum(qty) AS y, sum(qty * unit_price) / sum(qty) AS price
    FROM sales_line
    WHERE sku_id IS NOT NULL AND line_type = 'product' AND qty > 0 AND CAST(ordered_at AS DATE) <= $as_of
    GROUP BY ALL
), series AS (SELECT DISTINCT sku_id, warehouse_id FROM sales),
stock AS (
    SELECT s.sku_id, s.warehouse_id, s.snapshot_date AS ds, bool_or(s.on_hand - s.reserved > 0) AS available
    FROM stock_snapshot s JOIN series USING (sku_id, warehouse_id)
    WHERE s.snapshot_date <= $as_of
    GROUP BY ALL
), days AS (
    SELECT coalesce(a.sku_id, b.sku_id) AS sku_id, coalesce(a.warehouse_id, b.warehouse_id) AS warehouse_id,
           coalesce(a.ds, b.ds) AS ds, coalesce(a.y, 0) AS y, coalesce(b.available, TRUE) AS available, a.price
    FROM sales a FULL OUTER JOIN stock b
      ON a.sku_id = b.sku_id AND a.warehouse_id = b.warehouse_id AND a.ds = b.ds
)
SELECT d.sku_id || '@' || d.warehouse_id AS unique_id, d.sku_id, d.warehouse_id, d.ds,
       CAST(d.y AS DOUBLE) AS y, d.available, d.price,
       coalesce(k.category, '') AS category, coalesce(w.country, '') AS country
FROM days d
LEFT JOIN sku k USING (sku_id)
LEFT JOIN warehouse w USING (warehouse_id)
ORDER BY unique_id, ds
"""

_PROMO_DAYS = """
SELECT DISTINCT e.sku_id, CAST(g.ds AS DATE) AS ds, e.country
FROM event e, LATERAL (SELECT unnest(generate_series(e.start_date, e.end_date, INTERVAL 1 DAY)) AS ds) g
WHERE e.event_type = 'promotion' AND e.sku_id IS NOT NULL
  AND CAST(g.ds AS DATE) BETWEEN $first AND $last
"""

_EVENTS = """
SELECT DISTINCT CAST(g.ds AS DATE) AS ds, e.name AS event_name, e.event_type, e.country
FROM event e, LATERAL (SELECT unnest(generate_series(e.start_date, e.end_date, INTERVAL 1 DAY)) AS ds) g
WHERE e.sku_id IS NULL AND CAST(g.ds AS DATE) <= $last
"""


@dataclass
class ForecastInput:
    history: pl.DataFrame
    events: pl.DataFrame
    future: pl.DataFrame
    as_of: dt.date


def load_forecast_input(wh: Warehouse, *, as_of: dt.date | None, horizon: int) -> ForecastInput:
    """History, events and known future promotions for `forecast()`, using only data up to `as_of`."""
    if as_of is None:
        last = wh.scalar(
            "SELECT max(CAST(ordered_at AS DATE)) FROM sales_line WHERE sku_id IS NOT NULL AND line_type = 'product'"
        )
        if last is None:
            raise NotFound(
                "the warehouse has no product sales with a mapped SKU to forecast from",
                hint="import sales first (stockturn import ...), or map SKUs",
            )
        as_of = last
    assert as_of is not None
    history = wh.frame(_SALES, {"as_of": as_of})  # type: ignore[arg-type]
    if history.height == 0:
        raise NotFound(
            f"no product sales on or before {as_of}",
            hint="choose a later --as-of date, or import sales first",
        )
    first = history["ds"].min()
    last_day = as_of + dt.timedelta(days=horizon)
    promo = wh.frame(_PROMO_DAYS, {"first": first, "last": last_day})  # type: ignore[arg-type]
    series = history.select("unique_id", "sku_id", "country").unique()
    promo_rows = (
        series.join(promo, on="sku_id", how="inner", suffix="_event")
        .filter((pl.col("country_event") == "") | (pl.col("country_event") == pl.col("country")))
        .select("unique_id", "ds", promo=pl.lit(1.0))
        .unique()
    )
    history = history.join(promo_rows, on=["unique_id", "ds"], how="left").with_columns(pl.col("promo").fill_null(0.0))
    future = promo_rows.filter(pl.col("ds") > as_of)
    events = wh.frame(_EVENTS, {"last": last_day})  # type: ignore[arg-type]
    return ForecastInput(history.drop("sku_id", "warehouse_id"), events, future, as_of)


@dataclass
class ForecastRun:
    run_id: str
    result: ForecastResult
    level: Level
    series: int
    rows: int


def split_id(frame: pl.DataFrame, column: str = "unique_id") -> pl.DataFrame:
    """'SKU@WH' -> sku_id, warehouse_id (split at the last '@': SKU ids may contain '@')."""
    parts = pl.col(column).str.split(SEP)
    return frame.with_columns(
        sku_id=parts.list.slice(0, parts.list.len() - 1).list.join(SEP),
        warehouse_id=parts.list.last(),
    )


def run_forecast(
    wh: Warehouse,
    *,
    horizon: int = 28,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    as_of: dt.date | None = None,
    level: Level = "sku_location",
    **options: Any,
) -> ForecastRun:
    """Forecast every SKU x warehouse from the warehouse and store the run (all or nothing)."""
    if level not in ("sku_location", "sku"):
        raise InputError(f"level is {level!r}, expected sku_location or sku", column="level", hint="--level sku")
    data = load_forecast_input(wh, as_of=as_of, horizon=horizon)
    result = forecast(
        data.history,
        horizon=horizon,
        quantiles=quantiles,
        as_of=data.as_of,
        events=data.events,
        future=data.future,
        **options,
    )
    qs = result.quantiles
    models = split_id(result.models.join(result.explanations, on="unique_id", how="left"))
    if level == "sku":
        groups = split_id(result.models.select("unique_id")).select("unique_id", group=pl.col("sku_id"))
        frame = result.aggregate(groups).rename({"group": "sku_id"}).with_columns(warehouse_id=pl.lit(""))
        explanation_cols = ["locations", "models"]
        models = (
            models.group_by("sku_id")
            .agg(
                pl.col("warehouse_id").sort().alias("locations"),
                pl.col("model").value_counts().alias("models"),
            )
            .with_columns(
                warehouse_id=pl.lit(""),
                model=pl.lit("bottom_up"),
                backtest_mae=pl.lit(None, dtype=pl.Float64),
                backtest_rmsse=pl.lit(None, dtype=pl.Float64),
            )
        )
    else:
        frame = split_id(result.frame)
        explanation_cols = [
            c for c in models.columns if c not in ("unique_id", "sku_id", "warehouse_id", "model", "backtest_mae")
        ]
        explanation_cols = [c for c in explanation_cols if c != "backtest_rmsse"]
    model_rows = models.select(
        "sku_id",
        "warehouse_id",
        "model",
        "backtest_mae",
        "backtest_rmsse",
        explanation=pl.struct(explanation_cols).struct.json_encode(),
    )
    keys = ", ".join(str(q) for q in qs)
    values = ", ".join(f'"{quantile_column(q)}"' for q in qs)
    parameters = {"horizon": horizon, "quantiles": qs, "level": level, **options}
    with wh.transaction():
        run_id = start_run(wh, "forecast", as_of=result.as_of, parameters=parameters)
        wh.con.register("_fc", frame.to_arrow())
        wh.con.register("_fm", model_rows.to_arrow())
        try:
            wh.con.execute(
                f"INSERT INTO forecast (run_id, sku_id, warehouse_id, ds, mean, quantiles) "
                f"SELECT $run, sku_id, warehouse_id, ds, mean, MAP([{keys}], [{values}]) FROM _fc",
                {"run": run_id},
            )
            wh.con.execute(
                "INSERT INTO forecast_model (run_id, sku_id, warehouse_id, model, backtest_mae, backtest_rmsse, "
                "explanation) SELECT $run, sku_id, warehouse_id, model, backtest_mae, backtest_rmsse, "
                "CAST(explanation AS JSON) FROM _fm",
                {"run": run_id},
            )
        finally:
            wh.con.unregister("_fc")
            wh.con.unregister("_fm")
        finish_run(wh, run_id)
    return ForecastRun(run_id, result, level, model_rows.height, frame.height)


def json_default(value: object) -> str:
    return json.dumps(value, default=str)
