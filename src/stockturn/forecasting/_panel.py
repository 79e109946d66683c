"""Dense (series x day) arrays built once from the validated long frame.

Every model works on these arrays, so the hot paths are NumPy slices instead of per-row Python.
Censored days (available=False) and days before a series was first listed are NaN in `y`: they are
unknown demand, never zero demand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass
class Panel:
    ids: list[str]
    start: dt.date  # date of column 0
    n_hist: int  # columns 0..n_hist-1 are history (the last one is as_of); the rest is the horizon
    horizon: int
    y: F32  # (n, n_hist + horizon), NaN = unknown (censored, not yet listed, future)
    observed: npt.NDArray[np.bool_]  # True where y is a real observation
    first: I64  # first listed column per series
    price: F32  # NaN = unknown
    promo: F32
    category: I64  # code per series
    categories: list[str]
    country: I64
    countries: list[str]

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def width(self) -> int:
        return self.n_hist + self.horizon

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.width)]

    def day_index(self, day: dt.date) -> int:
        return (day - self.start).days


def build_panel(
    history: pl.DataFrame,
    future: pl.DataFrame,
    *,
    as_of: dt.date,
    horizon: int,
    max_history_days: int,
) -> Panel:
    first_day = history["ds"].min()
    assert isinstance(first_day, dt.date)
    start = max(first_day, as_of - dt.timedelta(days=max_history_days - 1))
    n_hist = (as_of - start).days + 1
    width = n_hist + horizon

    series = (
        history.group_by("unique_id")
        .agg(pl.col("ds").min().alias("first_ds"), pl.col("category").last(), pl.col("country").last())
        .sort("unique_id")
    )
    ids = series["unique_id"].to_list()
    n = len(ids)
    categories = sorted(set(series["category"].to_list()))
    countries = sorted(set(series["country"].to_list()))
    cat_code = np.searchsorted(np.array(categories), series["category"].to_numpy()).astype(np.int64)
    country_code = np.searchsorted(np.array(countries), series["country"].to_numpy()).astype(np.int64)
    first = np.array([(d - start).days for d in series["first_ds"].to_list()], dtype=np.int64)
    first = np.clip(first, 0, n_hist - 1)

    # Row codes through an Enum of the sorted ids: one integer column, no join copying the whole frame.
    rows_all = history["unique_id"].cast(pl.Enum(ids)).to_physical().to_numpy().astype(np.int64)
    cols_all = day_offsets(history["ds"], start).astype(np.int64)
    keep = cols_all >= 0
    rows, cols = rows_all[keep], cols_all[keep]
    del rows_all

    def column(name: str) -> npt.NDArray[np.float32]:
        return history[name].to_numpy().astype(np.float32)[keep]

    # Zero-fill between a series' first row and as_of: a day without a sales row sold nothing.
    col_idx = np.arange(width)[None, :]
    listed = (col_idx >= first[:, None]) & (col_idx < n_hist)
    y = np.where(listed, np.float32(0.0), np.float32(np.nan)).astype(np.float32)
    avail = history["available"].to_numpy()[keep]
    y[rows, cols] = np.where(avail, column("y"), np.float32(np.nan))
    del avail

    price = np.full((n, width), np.nan, dtype=np.float32)
    promo = np.zeros((n, width), dtype=np.float32)
    price[rows, cols] = column("price")
    promo[rows, cols] = np.nan_to_num(column("promo"), nan=0.0)
    if future.height:
        fut = future.filter(
            (pl.col("ds") > as_of) & (pl.col("ds") < start + dt.timedelta(days=width)) & pl.col("unique_id").is_in(ids)
        )
        if fut.height:
            fr = fut["unique_id"].cast(pl.Enum(ids)).to_physical().to_numpy().astype(np.int64)
            fc = day_offsets(fut["ds"], start).astype(np.int64)
            price[fr, fc] = fut["price"].to_numpy().astype(np.float32)
            promo[fr, fc] = np.nan_to_num(fut["promo"].to_numpy().astype(np.float32), nan=0.0)
    price = ffill(price)
    return Panel(
        ids=ids,
        start=start,
        n_hist=n_hist,
        horizon=horizon,
        y=y,
        observed=~np.isnan(y),
        first=first,
        price=price,
        promo=promo,
        category=cat_code,
        categories=categories,
        country=country_code,
        countries=countries,
    )


def day_offsets(days: pl.Series, start: dt.date) -> I64:
    """Whole days from `start` to each date in `days`."""
    epoch = (start - dt.date(1970, 1, 1)).days
    return days.cast(pl.Date).cast(pl.Int64).to_numpy() - epoch


def ffill(a: F32) -> F32:
    """Forward-fill NaN along axis 1 (vectorised)."""
    n, t = a.shape
    idx = np.where(~np.isnan(a), np.arange(t)[None, :], 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    out = a[np.arange(n)[:, None], idx]
    return out.astype(np.float32)
