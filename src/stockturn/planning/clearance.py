"""Clearance candidates: stock that cannot sell in time at the forecast rate, with the markdown to clear it.

Two triggers per SKU x warehouse: units that will still be there when they enter the next aging
surcharge tier (e.g. FBA's 181/271/365-day tiers), and units beyond what sells within ``sell_within_days``.
The markdown needed uses a constant price elasticity e (default 2.5, discretionary consumer goods):
selling u times the forecast needs a price (1 - m) with (1 - m)^(-e) = u, so m = 1 - u^(-1/e), capped.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from stockturn import phrases as P
from stockturn.errors import InputError

REQUIRED = ("sku_id", "warehouse_id", "on_hand", "daily", "unit_cost")


def clearance_candidates(
    stock: pl.DataFrame,
    *,
    sell_within_days: float = 180.0,
    elasticity: float = 2.5,
    max_markdown: float = 0.7,
) -> pl.DataFrame:
    """stock: sku_id, warehouse_id, on_hand, daily, unit_cost [, unit_price, days_to_next_tier].

    ``days_to_next_tier``: days until the oldest units enter the next aging-surcharge tier (from
    receipt dates); when given, units not sold by then are candidates too.
    """
    missing = [c for c in REQUIRED if c not in stock.columns]
    if missing:
        raise InputError(f"stock has no column(s) {', '.join(missing)}", file="stock",
                         hint=f"provide {', '.join(REQUIRED)}")
    if elasticity <= 0:
        raise InputError(f"elasticity must be > 0, found {elasticity}", hint="use e.g. 2.5")
    frame = stock.with_columns(
        [pl.lit(v).alias(k) for k, v in (("unit_price", None), ("days_to_next_tier", None))
         if k not in stock.columns]
    ).with_columns(pl.col("unit_price").cast(pl.Float64), pl.col("days_to_next_tier").cast(pl.Float64))
    window = pl.min_horizontal(pl.lit(sell_within_days), pl.col("days_to_next_tier").fill_null(sell_within_days))
    frame = frame.with_columns(
        window_days=window,
        sells_in_window=pl.col("daily") * window,
    ).with_columns(
        excess=(pl.col("on_hand") - pl.col("sells_in_window")).clip(lower_bound=0).floor(),
        cover_days=pl.when(pl.col("daily") > 0).then(pl.col("on_hand") / pl.col("daily")).otherwise(None),
    ).filter(pl.col("excess") > 0)
    lift = (frame["on_hand"] / frame["sells_in_window"].clip(lower_bound=1e-9)).to_numpy()
    markdown = np.clip(1.0 - lift ** (-1.0 / elasticity), 0.0, max_markdown)
    frame = frame.with_columns(
        markdown=pl.Series(markdown),
        clears=pl.Series(1.0 - lift ** (-1.0 / elasticity) <= max_markdown),
    ).with_columns(
        markdown=pl.when(pl.col("unit_price").is_not_null()).then(pl.col("markdown")).otherwise(None),
        new_price=pl.col("unit_price") * (1 - pl.col("markdown")),
        tied_cost=pl.col("excess") * pl.col("unit_cost"),
    )
    values = (pl.col("on_hand").cast(pl.Int64), pl.col("daily").round(2), pl.col("excess").cast(pl.Int64),
              pl.col("window_days").round(0).cast(pl.Int64))
    reason = (
        pl.when(pl.col("days_to_next_tier").is_not_null() & (pl.col("days_to_next_tier") < sell_within_days))
        .then(pl.format(P.CLEAR_BEFORE_TIER.en, *values))
        .otherwise(pl.format(P.CLEAR.en, *values))
    )
    price_text = (
        pl.when(pl.col("markdown").is_null())
        .then(pl.lit(P.CLEAR_NO_PRICE.en))
        .when(pl.col("clears"))
        .then(pl.format(P.CLEAR_MARKDOWN.en,
                        (pl.col("markdown") * 100).round(0).cast(pl.Int64), pl.col("new_price").round(2),
                        pl.lit(elasticity)))
        .otherwise(pl.format(P.CLEAR_NOT_ENOUGH.en,
                             (pl.col("markdown") * 100).round(0).cast(pl.Int64)))
    )
    return frame.with_columns(reason=pl.concat_str([reason, price_text])).select(
        "sku_id", "warehouse_id", "on_hand", "daily", "cover_days", "excess", "tied_cost", "markdown",
        "new_price", "reason",
    ).sort("tied_cost", descending=True)
