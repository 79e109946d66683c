"""Real daily demand for the replay benchmarks: M5 item-store series and UCI Online Retail SKUs.

Assumptions (documented in BENCHMARKS.md):
- M5 CA_3 HOBBIES_2: unit price = the item's mean weekly sell price (over weeks with a price).
  M5 TX_3 FOODS_3 has no price file here: every item is priced at 3.00 (a typical FOODS_3 shelf price),
  so its value figures are units x 3.00 and turnover is unit-based within that store.
  Unit cost = 75 % of price for M5 (Walmart's gross margin is about 25 %).
- Online Retail: Online Retail II (2009-12-01 .. 2010-11-30) then Online Retail (2010-12-01 .. 2011-12-09)
  as one history; cancellation lines (invoice starting with C) are dropped together with the order line
  they call off (same customer, stock code and quantity, latest first, one for one: 80,995 units of
  23843 ordered and cancelled on 2011-12-09 were never demand); non-positive quantities or prices, and
  non-product stock codes (anything not starting with 5 digits: POST, DOT, M, D, C2, BANK CHARGES,
  AMAZONFEE, gift vouchers, ...) are dropped. Unit price = the SKU's median unit price; unit cost = 50 %
  of price (landed cost of imported gifts). SKUs kept: sold on at least 20 days in the year before the
  replay window (the ones a buyer actually replenishes).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from stockturn.planning.replay import ReplayData

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
M5_START = dt.date(2011, 1, 29)  # d_1
M5_LAST = dt.date(2016, 3, 27)  # d_1885
TX3_PRICE = 3.00
M5_COST_SHARE = 0.75
RETAIL_COST_SHARE = 0.50


def m5(data_dir: Path = DATA, limit: int | None = None) -> ReplayData:
    frames = []
    for name in ("tx3_foods3_sales_d1_d1885.parquet", "ca3_hobbies2_sales_d1_d1885.parquet"):
        frames.append(pl.read_parquet(data_dir / "m5" / name))
    sales = pl.concat(frames)
    if limit is not None:
        sales = pl.concat([frames[0].head(limit), frames[1].head(max(limit // 5, 1))])
    ids = [s.removesuffix("_validation").removesuffix("_evaluation") for s in sales["id"].to_list()]
    # "FOODS_3_001_TX_3" -> "FOODS_3_001@TX_3"
    series_ids = [f"{i[:-5]}@{i[-4:]}" for i in ids]
    demand = sales.drop("id").to_numpy().astype(np.float64)
    dates = np.arange(np.datetime64(M5_START), np.datetime64(M5_LAST) + 1, dtype="datetime64[D]")
    prices = pl.read_parquet(data_dir / "m5" / "ca3_hobbies2_sell_prices_to_wk11609.parquet")
    mean_price = dict(
        prices.group_by("item_id").agg(pl.col("sell_price").mean()).iter_rows()
    )
    price = np.array([mean_price.get(s.split("@")[0], TX3_PRICE) for s in series_ids], dtype=np.float64)
    return ReplayData(series_ids, dates, demand, price * M5_COST_SHARE, price)


PRODUCT_CODE = r"^\d{5}"


def online_retail_lines(data_dir: Path = DATA) -> pl.DataFrame:
    """Clean order lines (StockCode, day, quantity, price) of both Online Retail files."""
    old = pl.read_parquet(data_dir / "online_retail_ii" / "online_retail_ii_2009_2010.parquet").select(
        invoice=pl.col("Invoice"), code=pl.col("StockCode"), qty=pl.col("Quantity"),
        ts=pl.col("InvoiceDate"), price=pl.col("Price"), customer=pl.col("Customer ID"),
    )
    new = pl.read_parquet(data_dir / "online_retail" / "online_retail.parquet").select(
        invoice=pl.col("InvoiceNo"), code=pl.col("StockCode"), qty=pl.col("Quantity"),
        ts=pl.col("InvoiceDate"), price=pl.col("UnitPrice"), customer=pl.col("CustomerID"),
    )
    switch = dt.datetime(2010, 12, 1)
    lines = pl.concat([old.filter(pl.col("ts") < switch), new.filter(pl.col("ts") >= switch)])
    key = ["customer", "code", "size"]
    cancelled = (
        lines.filter(pl.col("invoice").str.starts_with("C") & pl.col("customer").is_not_null())
        .group_by(pl.col("customer"), pl.col("code"), size=-pl.col("qty"))
        .agg(cancelled=pl.len())
    )
    orders = lines.filter(~pl.col("invoice").str.starts_with("C")).with_columns(size=pl.col("qty"))
    orders = (
        orders.with_columns(
            latest_first=pl.col("ts").rank("ordinal", descending=True).over(key)
        )
        .join(cancelled, on=key, how="left")
        .filter(pl.col("cancelled").is_null() | (pl.col("latest_first") > pl.col("cancelled")))
    )
    return orders.filter(
        (pl.col("qty") > 0)
        & (pl.col("price") > 0)
        & pl.col("code").str.contains(PRODUCT_CODE)
    ).with_columns(day=pl.col("ts").dt.date(), code=pl.col("code").str.to_uppercase())


def online_retail(
    data_dir: Path = DATA, window_days: int = 364, min_sale_days: int = 20, limit: int | None = None
) -> ReplayData:
    lines = online_retail_lines(data_dir)
    last = lines["day"].max()
    assert isinstance(last, dt.date)
    first = lines["day"].min()
    assert isinstance(first, dt.date)
    window_start = last - dt.timedelta(days=window_days - 1)
    year_before = window_start - dt.timedelta(days=365)
    active = (
        lines.filter((pl.col("day") >= year_before) & (pl.col("day") < window_start))
        .group_by("code").agg(pl.col("day").n_unique().alias("sale_days"))
        .filter(pl.col("sale_days") >= min_sale_days)
        .sort("code")
    )
    codes = active["code"].to_list()
    if limit is not None:
        codes = codes[:limit]
    daily = (
        lines.filter(pl.col("code").is_in(codes))
        .group_by("code", "day").agg(pl.col("qty").sum())
    )
    dates = np.arange(np.datetime64(first), np.datetime64(last) + 1, dtype="datetime64[D]")
    row = {code: i for i, code in enumerate(codes)}
    demand = np.zeros((len(codes), dates.size))
    r = np.array([row[c] for c in daily["code"].to_list()], dtype=np.int64)
    c = (daily["day"].cast(pl.Date).to_numpy().astype("datetime64[D]") - dates[0]).astype(np.int64)
    demand[r, c] = daily["qty"].to_numpy()
    prices = lines.filter(pl.col("code").is_in(codes)).group_by("code").agg(pl.col("price").median())
    price_map = dict(prices.iter_rows())
    price = np.array([price_map[c] for c in codes], dtype=np.float64)
    return ReplayData([f"{c}@UK" for c in codes], dates, demand, price * RETAIL_COST_SHARE, price)
