"""`stockturn forecast`: probabilistic demand forecast per SKU x location, stored as a run in the warehouse."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from stockturn.cli.common import DbOption, console, db_path, state
from stockturn.errors import InputError
from stockturn.forecasting import DEFAULT_QUANTILES
from stockturn.forecasting.store import run_forecast
from stockturn.warehouse import open_warehouse


def _quantiles(text: str | None, extra: list[float]) -> list[float]:
    if text is None:
        return sorted({*DEFAULT_QUANTILES, *extra})
    try:
        return sorted({float(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise InputError(
            f"--quantiles {text!r} is not a list of numbers", column="--quantiles", hint="e.g. --quantiles 0.1,0.5,0.9"
        ) from None


def forecast(
    ctx: typer.Context,
    horizon: Annotated[
        int | None, typer.Option("--horizon", help="Days to forecast (default: the forecast_horizon_days setting).")
    ] = None,
    level: Annotated[str, typer.Option("--level", help="sku_location (per warehouse) or sku (summed).")] = (
        "sku_location"
    ),
    quantiles: Annotated[
        str | None,
        typer.Option(
            "--quantiles",
            help="Comma-separated probability levels (default: the M5 nine plus the forecast_quantiles setting).",
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Forecast as if on this day, using only data up to it.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Forecast daily demand (mean and quantiles) and store it under a new run id.

    Example: stockturn forecast --horizon 28 --level sku_location --db stockturn-demo.duckdb
    """
    settings = state(ctx).settings
    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise InputError(
                f"--as-of {as_of!r} is not a day", column="--as-of", hint="write it as YYYY-MM-DD"
            ) from None
    if level not in ("sku_location", "sku"):
        raise InputError(f"--level {level!r} is not known", column="--level", hint="use sku_location or sku")
    qs = _quantiles(quantiles, settings.forecast_quantiles)
    with open_warehouse(db_path(ctx, db)) as wh:
        run = run_forecast(
            wh,
            horizon=horizon or settings.forecast_horizon_days,
            quantiles=qs,
            as_of=day,
            level="sku" if level == "sku" else "sku_location",
        )
    result = run.result
    console.print(
        f"Forecast run {run.run_id}: {run.series} series x {result.horizon} days after {result.as_of} "
        f"({run.rows} rows, level {run.level})."
    )
    counts = result.models.group_by("model").agg(n=pl.len(), rmsse=pl.col("backtest_rmsse").median())
    table = Table("model", "series", "median backtest RMSSE")
    for model, n, rmsse in counts.sort("n", descending=True).iter_rows():
        table.add_row(str(model), str(n), "-" if rmsse is None else f"{rmsse:.3f}")
    console.print(table)
