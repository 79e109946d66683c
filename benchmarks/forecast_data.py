"""Real data for the forecasting benchmarks, in the forecasting input contract.

M5 (two store x department slices, d_1..d_1885):
- a series starts at its first sale (M5 writes zeros before an item is stocked; they are not demand);
- CA_3 HOBBIES_2 days in a week without a sell price are censored (available=False: not on the shelf);
- prices: CA_3 HOBBIES_2 weekly sell prices (also known for the forecast window, as in M5);
  TX_3 FOODS_3 has no price file: no price feature, and for the WRMSSE dollar weights every TX_3 item is
  priced at 3.00 (a typical FOODS_3 shelf price; the same assumption as benchmarks/replay_data.py);
- events: the M5 calendar's events (country '' = everywhere) plus SNAP days per state (country = state,
  matched to the series' `country` column, which holds the state).
Rossmann: one series per store, y = daily sales (EUR); closed days are censored (missing rows), `Promo`
is a known-in-advance promotion flag, state holidays are events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from stockturn.forecasting._panel import day_offsets

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
M5_START = dt.date(2011, 1, 29)
M5_DAYS = 1885
TX3_PRICE = 3.00
Arr = npt.NDArray[np.float64]


@dataclass
class M5:
    ids: list[str]  # "FOODS_3_001@TX_3"
    item: list[str]
    dept: list[str]
    cat: list[str]
    store: list[str]
    state: list[str]
    sales: Arr  # (n, 1885) units, zeros before first stock as in M5
    price: Arr  # (n, 1885) daily sell price, NaN unknown
    weight_price: Arr  # (n, 1885) price for WRMSSE weights (TX_3 imputed)
    events: pl.DataFrame

    def day(self, d: int) -> dt.date:
        """Date of M5 day d_<d>."""
        return M5_START + dt.timedelta(days=d - 1)

    def levels(self) -> list[npt.NDArray[np.int64]]:
        """Group codes of the 12 M5 aggregation levels (official order)."""
        keys = [
            ["all"] * len(self.ids),
            self.state,
            self.store,
            self.cat,
            self.dept,
            [f"{a}|{b}" for a, b in zip(self.state, self.cat, strict=True)],
            [f"{a}|{b}" for a, b in zip(self.state, self.dept, strict=True)],
            [f"{a}|{b}" for a, b in zip(self.store, self.cat, strict=True)],
            [f"{a}|{b}" for a, b in zip(self.store, self.dept, strict=True)],
            self.item,
            [f"{a}|{b}" for a, b in zip(self.item, self.state, strict=True)],
            self.ids,
        ]
        out = []
        for k in keys:
            _, codes = np.unique(np.array(k), return_inverse=True)
            out.append(codes.astype(np.int64))
        return out

    def history(self, last_day: int, rows: npt.NDArray[np.int64] | None = None) -> pl.DataFrame:
        """Long history d_1..d_<last_day> in the forecasting contract."""
        rows = np.arange(len(self.ids)) if rows is None else rows
        y = self.sales[rows, :last_day]
        price = self.price[rows, :last_day]
        started = np.logical_or.accumulate(y > 0, axis=1)
        r, c = np.nonzero(started)
        ca = np.array([self.store[i] == "CA_3" for i in rows])
        available = ~(ca[r] & np.isnan(price[r, c]))
        take = pl.Series(rows[r].astype(np.int64))
        return pl.DataFrame(
            {
                "unique_id": pl.Series(self.ids).gather(take),
                "ds": _dates(c),
                "y": y[r, c],
                "available": available,
                "price": price[r, c],
                "category": pl.Series(self.dept).gather(take),
                "country": pl.Series(self.state).gather(take),
            }
        )

    def future(self, last_day: int, horizon: int, rows: npt.NDArray[np.int64] | None = None) -> pl.DataFrame:
        """Known sell prices for d_<last_day+1>.. (M5 publishes prices for the forecast window)."""
        rows = np.arange(len(self.ids)) if rows is None else rows
        block = self.price[rows, last_day : last_day + horizon]
        r, c = np.nonzero(~np.isnan(block))
        return pl.DataFrame(
            {
                "unique_id": np.array(self.ids, dtype=object)[rows][r].tolist(),
                "ds": _dates(c + last_day),
                "price": block[r, c],
            }
        )


def _dates(cols: npt.NDArray[np.int64]) -> pl.Series:
    base = np.datetime64(M5_START, "D")
    return pl.Series("ds", base + cols.astype("timedelta64[D]"), dtype=pl.Date)


def load_m5(data_dir: Path = DATA) -> M5:
    frames = [
        pl.read_parquet(data_dir / "m5" / "tx3_foods3_sales_d1_d1885.parquet"),
        pl.read_parquet(data_dir / "m5" / "ca3_hobbies2_sales_d1_d1885.parquet"),
    ]
    sales = pl.concat(frames)
    raw = [s.removesuffix("_validation").removesuffix("_evaluation") for s in sales["id"].to_list()]
    item = [s[:-5] for s in raw]
    store = [s[-4:] for s in raw]
    ids = [f"{i}@{s}" for i, s in zip(item, store, strict=True)]
    dept = ["_".join(i.split("_")[:2]) for i in item]
    cat = [i.split("_")[0] for i in item]
    state = [s.split("_")[0] for s in store]
    y = sales.drop("id").to_numpy().astype(np.float64)

    cal = pl.read_csv(data_dir / "m5" / "calendar.csv.gz", try_parse_dates=True)
    cal = cal.with_columns(day=pl.col("d").str.slice(2).cast(pl.Int64))
    prices = pl.read_parquet(data_dir / "m5" / "ca3_hobbies2_sell_prices_to_wk11609.parquet")
    daily = (
        cal.select("day", "wm_yr_wk")
        .join(prices.select("item_id", "wm_yr_wk", "sell_price"), on="wm_yr_wk")
        .filter(pl.col("day") <= cal["day"].max())
    )
    n = len(ids)
    width = int(cal["day"].max())  # type: ignore[arg-type]
    price = np.full((n, width), np.nan)
    row_of = {sid: k for k, sid in enumerate(ids)}
    keys = [row_of.get(f"{i}@CA_3", -1) for i in daily["item_id"].to_list()]
    r = np.array(keys, dtype=np.int64)
    ok = r >= 0
    price[r[ok], daily["day"].to_numpy()[ok] - 1] = daily["sell_price"].to_numpy()[ok]
    weight_price = price.copy()
    tx = np.array([s == "TX_3" for s in store])
    weight_price[tx] = TX3_PRICE

    ev = []
    for k in (1, 2):
        ev.append(
            cal.filter(pl.col(f"event_name_{k}").is_not_null()).select(
                ds=pl.col("date"),
                event_name=pl.col(f"event_name_{k}"),
                event_type=pl.col(f"event_type_{k}"),
                country=pl.lit(""),
            )
        )
    for st in ("CA", "TX", "WI"):
        ev.append(
            cal.filter(pl.col(f"snap_{st}") == 1).select(
                ds=pl.col("date"), event_name=pl.lit("SNAP"), event_type=pl.lit("SNAP"), country=pl.lit(st)
            )
        )
    events = pl.concat(ev)
    return M5(ids, item, dept, cat, store, state, y[:, :M5_DAYS], price, weight_price, events)


@dataclass
class Rossmann:
    stores: list[str]
    dates: list[dt.date]
    sales: Arr  # (stores, days), NaN = closed / no row
    promo: Arr
    events: pl.DataFrame
    state_holiday: pl.DataFrame

    def history(self, last: int) -> pl.DataFrame:
        block = self.sales[:, : last + 1]
        r, c = np.nonzero(~np.isnan(block))
        return pl.DataFrame(
            {
                "unique_id": np.array(self.stores, dtype=object)[r].tolist(),
                "ds": pl.Series([self.dates[i] for i in c], dtype=pl.Date),
                "y": block[r, c],
                "promo": self.promo[r, c],
            }
        )

    def future(self, last: int, horizon: int) -> pl.DataFrame:
        block = self.promo[:, last + 1 : last + 1 + horizon]
        r, c = np.nonzero(~np.isnan(block))
        return pl.DataFrame(
            {
                "unique_id": np.array(self.stores, dtype=object)[r].tolist(),
                "ds": pl.Series([self.dates[last + 1 + i] for i in c], dtype=pl.Date),
                "promo": block[r, c],
            }
        )


def load_rossmann(data_dir: Path = DATA) -> Rossmann:
    t = pl.read_parquet(data_dir / "rossmann" / "train_open_sales_gt0.parquet")
    first, last = t["Date"].min(), t["Date"].max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    days = (last - first).days + 1
    dates = [first + dt.timedelta(days=k) for k in range(days)]
    stores = sorted(set(t["Store"].to_list()))
    row = {s: k for k, s in enumerate(stores)}
    r = np.array([row[s] for s in t["Store"].to_list()])
    c = day_offsets(t["Date"], first)
    sales = np.full((len(stores), days), np.nan)
    promo = np.full((len(stores), days), np.nan)
    sales[r, c] = t["Sales"].to_numpy()
    promo[r, c] = t["Promo"].to_numpy()
    # Promotions run chain-wide: a day's promo flag is known for every store (closed days included).
    day_promo = t.group_by("Date").agg(pl.col("Promo").max()).sort("Date")
    pc = day_offsets(day_promo["Date"], first)
    full = np.zeros(days)
    full[pc] = day_promo["Promo"].to_numpy()
    promo = np.where(np.isnan(promo), full[None, :], promo)
    hol = (
        t.filter(pl.col("StateHoliday") != "0")
        .select(
            ds=pl.col("Date"),
            event_name=pl.lit("state_holiday_") + pl.col("StateHoliday"),
            event_type=pl.lit("holiday"),
        )
        .unique()
    )
    events = hol.with_columns(country=pl.lit(""))
    return Rossmann([f"store_{s}" for s in stores], dates, sales, promo, events, hol)
