"""Small real slices for forecasting tests: a few dozen M5 series, synthetic panels with known truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest

M5_START = dt.date(2011, 1, 29)


@dataclass
class M5Small:
    history: pl.DataFrame  # contract frame up to `cut`
    events: pl.DataFrame
    ids: list[str]
    sales: npt.NDArray[np.float64]  # (n, days) all days
    cut: int  # number of training days


@pytest.fixture(scope="session")
def m5_small() -> M5Small:
    data = Path(__file__).resolve().parents[3] / "shared" / "data" / "m5"
    if not data.is_dir():
        pytest.fail(f"real data folder missing: {data}")
    tx = pl.read_parquet(data / "tx3_foods3_sales_d1_d1885.parquet")
    ca = pl.read_parquet(data / "ca3_hobbies2_sales_d1_d1885.parquet")
    # the 24 best-selling TX_3 FOODS_3 items and 8 CA_3 HOBBIES_2 items (intermittent), last 600 days
    picked = []
    for frame, k in ((tx, 24), (ca, 8)):
        totals = frame.drop("id").sum_horizontal()
        picked.append(frame.with_columns(total=totals).sort("total", descending=True).head(k).drop("total"))
    sales_frame = pl.concat(picked)
    first_day = 1885 - 600 + 1
    sales = sales_frame.select([f"d_{d}" for d in range(first_day, 1886)]).to_numpy().astype(np.float64)
    ids = [s.removesuffix("_validation") for s in sales_frame["id"].to_list()]
    cut = 600 - 14
    days = [M5_START + dt.timedelta(days=first_day - 1 + k) for k in range(600)]
    n = len(ids)
    history = pl.DataFrame(
        {
            "unique_id": np.repeat(ids, cut).tolist(),
            "ds": pl.Series(days[:cut] * n, dtype=pl.Date),
            "y": sales[:, :cut].reshape(-1),
            "category": np.repeat(["_".join(i.split("_")[:2]) for i in ids], cut).tolist(),
        }
    )
    cal = pl.read_csv(data / "calendar.csv.gz", try_parse_dates=True)
    events = cal.filter(pl.col("event_name_1").is_not_null()).select(
        ds=pl.col("date"), event_name=pl.col("event_name_1"), event_type=pl.col("event_type_1")
    )
    return M5Small(history, events, ids, sales, cut)


@pytest.fixture
def panel() -> Callable[..., pl.DataFrame]:
    """Factory of synthetic Poisson panels (see poisson_panel)."""
    return poisson_panel


def poisson_panel(
    n_series: int, days: int, rate: float, *, seed: int = 0, start: dt.date = dt.date(2023, 1, 2)
) -> pl.DataFrame:
    """Series with constant Poisson demand and a weekly pattern (weekends x1.5)."""
    rng = np.random.default_rng(seed)
    dates = [start + dt.timedelta(days=k) for k in range(days)]
    weekly = np.array([1.5 if d.weekday() >= 5 else 1.0 for d in dates])
    y = rng.poisson(rate * weekly[None, :] / weekly.mean(), size=(n_series, days)).astype(np.float64)
    return pl.DataFrame(
        {
            "unique_id": np.repeat([f"S{i:02d}@WH" for i in range(n_series)], days).tolist(),
            "ds": pl.Series(dates * n_series, dtype=pl.Date),
            "y": y.reshape(-1),
            "available": np.ones(n_series * days, dtype=bool),
        }
    )
