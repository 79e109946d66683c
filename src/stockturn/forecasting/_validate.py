"""The one place where forecasting input is checked: history, events, future covariates, quantiles.

Everything after this module may assume clean, typed, de-duplicated frames.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from stockturn.errors import InputError

HISTORY = "history"
REQUIRED_HISTORY: dict[str, tuple[type[pl.DataType], ...]] = {
    "unique_id": (pl.String, pl.Categorical),
    "ds": (pl.Date, pl.Datetime),
    "y": (pl.Float64, pl.Float32, pl.Int64, pl.Int32, pl.Int16, pl.Int8, pl.UInt32, pl.UInt16, pl.UInt8),
}
NUMERIC = (pl.Float64, pl.Float32, pl.Int64, pl.Int32, pl.Int16, pl.Int8, pl.UInt32, pl.UInt16, pl.UInt8)


def _check_columns(frame: pl.DataFrame, name: str, required: dict[str, tuple[type[pl.DataType], ...]]) -> None:
    for column, kinds in required.items():
        if column not in frame.columns:
            raise InputError(
                f"column {column!r} is missing (found columns: {', '.join(frame.columns)})",
                file=name,
                column=column,
                hint=f"pass a long frame with columns {', '.join(required)}",
            )
        dtype = frame.schema[column]
        if not any(isinstance(dtype, kind) or dtype == kind for kind in kinds):
            raise InputError(
                f"column {column!r} has type {dtype}, expected one of {', '.join(k.__name__ for k in kinds)}",
                file=name,
                column=column,
                hint=f"cast {column!r} before calling forecast()",
            )


def _first_bad_row(frame: pl.DataFrame, mask: pl.Series) -> int:
    return int(mask.arg_true()[0])


def validate_history(history: pl.DataFrame, as_of: dt.date | None) -> tuple[pl.DataFrame, dt.date]:
    """Return `unique_id, ds, y, available, price, promo, category, country` cut at `as_of`, and as_of."""
    if not isinstance(history, pl.DataFrame):
        raise InputError(
            f"history must be a polars DataFrame, got {type(history).__name__}",
            file=HISTORY,
            hint="convert with polars.from_pandas() or build a pl.DataFrame",
        )
    _check_columns(history, HISTORY, REQUIRED_HISTORY)
    if history.height == 0:
        raise InputError("history has no rows", file=HISTORY, hint="pass at least one day of sales per series")
    frame = history.with_columns(
        pl.col("unique_id").cast(pl.String),
        pl.col("ds").cast(pl.Date),
        pl.col("y").cast(pl.Float64),
    )
    nulls = frame.select(pl.col("unique_id", "ds").is_null().any())
    for column in ("unique_id", "ds"):
        if nulls[column][0]:
            row = _first_bad_row(frame, frame[column].is_null())
            raise InputError(
                "value is empty", file=HISTORY, row=row, column=column, hint="every row needs an id and a date"
            )
    bad_y = frame["y"].is_nan() | (frame["y"] < 0)
    if bad_y.any():
        row = _first_bad_row(frame, bad_y)
        raise InputError(
            f"y is {frame['y'][row]}, expected a number of units >= 0",
            file=HISTORY,
            row=row,
            column="y",
            hint="returns and corrections must be netted out before forecasting",
        )
    if "available" in frame.columns:
        if frame.schema["available"] != pl.Boolean:
            raise InputError(
                f"column 'available' has type {frame.schema['available']}, expected Boolean",
                file=HISTORY,
                column="available",
                hint="True when the item had stock that day, False when it was out of stock",
            )
        frame = frame.with_columns(pl.col("available").fill_null(True))
    else:
        frame = frame.with_columns(available=pl.lit(True))
    # A missing y on an available day is unknown demand; treat it like a censored day.
    frame = frame.with_columns(available=pl.col("available") & pl.col("y").is_not_null())
    for column in ("price", "promo"):
        if column in frame.columns:
            dtype = frame.schema[column]
            if not (dtype in NUMERIC or dtype == pl.Boolean):
                raise InputError(
                    f"column {column!r} has type {dtype}, expected a number",
                    file=HISTORY,
                    column=column,
                    hint=f"cast {column!r} to Float64",
                )
            frame = frame.with_columns(pl.col(column).cast(pl.Float64).fill_nan(None))
        else:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(column))
    bad_price = frame["price"].is_not_null() & ~(frame["price"] > 0)
    if bad_price.any():
        row = _first_bad_row(frame, bad_price)
        raise InputError(
            f"price is {frame['price'][row]}, expected a positive number or empty",
            file=HISTORY,
            row=row,
            column="price",
            hint="leave the price empty when it is unknown",
        )
    for column in ("category", "country"):
        if column in frame.columns:
            frame = frame.with_columns(pl.col(column).cast(pl.String).fill_null(""))
        else:
            frame = frame.with_columns(pl.lit("").alias(column))
    dup = frame.select("unique_id", "ds").is_duplicated()
    if dup.any():
        row = _first_bad_row(frame, dup)
        raise InputError(
            f"series {frame['unique_id'][row]!r} has more than one row for {frame['ds'][row]}",
            file=HISTORY,
            row=row,
            hint="aggregate to one row per unique_id and day first",
        )
    last = frame["ds"].max()
    assert isinstance(last, dt.date)
    if as_of is None:
        as_of = last
    if as_of < last:  # filter copies every column: only when something is cut (large inputs)
        frame = frame.filter(pl.col("ds") <= as_of)
    if frame.height == 0:
        raise InputError(
            f"no history on or before as_of={as_of} (first day in history is {history['ds'].min()!s})",
            file=HISTORY,
            column="ds",
            hint="choose a later as_of date",
        )
    cols = ["unique_id", "ds", "y", "available", "price", "promo", "category", "country"]
    return frame.select(cols), as_of


def validate_events(events: pl.DataFrame | None) -> pl.DataFrame:
    """Return `ds, event_name, event_type, country` ('' = every country)."""
    empty = pl.DataFrame(schema={"ds": pl.Date, "event_name": pl.String, "event_type": pl.String, "country": pl.String})
    if events is None:
        return empty
    _check_columns(
        events, "events", {"ds": (pl.Date, pl.Datetime), "event_name": (pl.String,), "event_type": (pl.String,)}
    )
    frame = events.with_columns(pl.col("ds").cast(pl.Date))
    if frame["ds"].null_count() or frame["event_name"].null_count():
        raise InputError(
            "events need a date and a name on every row", file="events", hint="drop rows without ds/event_name"
        )
    if "country" not in frame.columns:
        frame = frame.with_columns(country=pl.lit(""))
    frame = frame.with_columns(pl.col("country").cast(pl.String).fill_null(""), pl.col("event_type").fill_null("other"))
    return frame.select(empty.columns).unique()


def validate_future(future: pl.DataFrame | None) -> pl.DataFrame:
    """Known future covariates: `unique_id, ds, price, promo` (planned prices and promotions)."""
    schema = {"unique_id": pl.String, "ds": pl.Date, "price": pl.Float64, "promo": pl.Float64}
    if future is None:
        return pl.DataFrame(schema=schema)
    _check_columns(future, "future", {"unique_id": (pl.String,), "ds": (pl.Date, pl.Datetime)})
    out = future.with_columns(pl.col("ds").cast(pl.Date))
    for column in ("price", "promo"):
        out = out.with_columns(
            pl.col(column).cast(pl.Float64).fill_nan(None)
            if column in out.columns
            else pl.lit(None, dtype=pl.Float64).alias(column)
        )
    return out.select(list(schema))


def validate_quantiles(quantiles: Sequence[float]) -> list[float]:
    qs = sorted({float(q) for q in quantiles})
    bad = [q for q in qs if not 0 < q < 1]
    if bad:
        raise InputError(
            f"quantile {bad[0]} is outside (0, 1)", column="quantiles", hint="use levels such as 0.05, 0.5, 0.95"
        )
    return qs


def validate_horizon(horizon: int) -> int:
    if not isinstance(horizon, int) or horizon < 1 or horizon > 366:
        raise InputError(
            f"horizon is {horizon!r}, expected a whole number of days from 1 to 366",
            column="horizon",
            hint="e.g. --horizon 28",
        )
    return horizon
