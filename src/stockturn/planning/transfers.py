"""Transfers between warehouses (a min-cost transportation LP) and the cheapest fulfilment source.

Surplus at a warehouse = stock beyond ``keep_days`` of its own forecast cover; deficit = what a
warehouse lacks to reach ``need_days`` of cover. Moving a unit on a lane costs its freight and is worth
the margin it saves at the destination (a unit it would otherwise lose) when it lands before the
destination's own replenishment could. The LP maximises margin saved minus freight over all SKUs at
once (one HiGHS model; transportation problems have integral optima for integral supplies).
"""

from __future__ import annotations

import highspy
import numpy as np
import polars as pl

from stockturn import phrases as P
from stockturn.errors import InputError

STOCK_COLUMNS = ("sku_id", "warehouse_id", "on_hand", "daily", "unit_margin")
LANE_COLUMNS = ("from_warehouse_id", "to_warehouse_id", "mode", "transit_days", "cost_per_unit")


def plan_transfers(
    stock: pl.DataFrame,
    lanes: pl.DataFrame,
    *,
    keep_days: float = 60.0,
    need_days: float = 30.0,
    max_transit_days: float | None = None,
) -> pl.DataFrame:
    """Transfer lines: sku_id, source_warehouse_id, warehouse_id (destination), mode, qty, cost, reason.

    stock: sku_id, warehouse_id, on_hand, daily (forecast units/day), unit_margin [, inbound,
           replenish_days (days until the destination's own next arrival)]
    lanes: from_warehouse_id, to_warehouse_id, mode, transit_days, cost_per_unit (per unit of this SKU
           class; join per-kg costs to weights before calling)
    A lane is used for a SKU only if it lands before the destination's own replenishment.
    """
    for name, frame, columns in (("stock", stock, STOCK_COLUMNS), ("lanes", lanes, LANE_COLUMNS)):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InputError(f"{name} has no column(s) {', '.join(missing)}", file=name,
                             hint=f"provide {', '.join(columns)}")
    stock = stock.with_columns(
        [pl.lit(v).alias(k) for k, v in (("inbound", 0.0), ("replenish_days", 1e9)) if k not in stock.columns]
    )
    stock = stock.with_columns(
        surplus=(pl.col("on_hand") - pl.col("daily") * keep_days).clip(lower_bound=0).floor(),
        deficit=(pl.col("daily") * need_days - pl.col("on_hand") - pl.col("inbound")).clip(lower_bound=0).ceil(),
    )
    sources = stock.filter(pl.col("surplus") > 0).select(
        "sku_id", from_warehouse_id="warehouse_id", surplus="surplus"
    )
    sinks = stock.filter(pl.col("deficit") > 0).select(
        "sku_id", to_warehouse_id="warehouse_id", deficit="deficit", unit_margin="unit_margin",
        replenish_days="replenish_days", daily="daily", dest_on_hand="on_hand",
    )
    arcs = (
        sources.join(sinks, on="sku_id", how="inner")
        .filter(pl.col("from_warehouse_id") != pl.col("to_warehouse_id"))
        .join(lanes, on=["from_warehouse_id", "to_warehouse_id"], how="inner")
        .filter(pl.col("transit_days") < pl.col("replenish_days"))
        .with_columns(net=pl.col("unit_margin") - pl.col("cost_per_unit"))
        .filter(pl.col("net") > 0)
    )
    if max_transit_days is not None:
        arcs = arcs.filter(pl.col("transit_days") <= max_transit_days)
    if arcs.height == 0:
        return _empty()
    # keep the best mode per (sku, from, to)
    arcs = arcs.sort("net", descending=True).unique(["sku_id", "from_warehouse_id", "to_warehouse_id"],
                                                    keep="first", maintain_order=True)
    arcs = arcs.with_row_index("_arc").with_columns(
        _src=pl.struct("sku_id", "from_warehouse_id").rank("dense") - 1,
        _dst=pl.struct("sku_id", "to_warehouse_id").rank("dense") - 1,
    )
    m = arcs.height
    src = arcs["_src"].to_numpy().astype(np.int64)
    dst = arcs["_dst"].to_numpy().astype(np.int64)
    n_src, n_dst = int(src.max()) + 1, int(dst.max()) + 1
    supply = np.zeros(n_src)
    supply[src] = arcs["surplus"].to_numpy()
    demand = np.zeros(n_dst)
    demand[dst] = arcs["deficit"].to_numpy()
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.silent()
    inf = highspy.kHighsInf
    h.addVars(m, np.zeros(m), np.minimum(supply[src], demand[dst]))
    h.changeColsCost(m, np.arange(m, dtype=np.int32), -arcs["net"].to_numpy())
    # rows: one per source (sum out <= surplus), one per sink (sum in <= deficit); column-wise build
    order_s = np.argsort(src, kind="stable")
    starts_s = np.searchsorted(src[order_s], np.arange(n_src)).astype(np.int32)
    h.addRows(n_src, np.full(n_src, -inf), supply, m, starts_s, order_s.astype(np.int32), np.ones(m))
    order_d = np.argsort(dst, kind="stable")
    starts_d = np.searchsorted(dst[order_d], np.arange(n_dst)).astype(np.int32)
    h.addRows(n_dst, np.full(n_dst, -inf), demand, m, starts_d, order_d.astype(np.int32), np.ones(m))
    h.run()
    x = np.round(np.asarray(h.getSolution().col_value, dtype=np.float64)[:m])
    moves = arcs.with_columns(qty=pl.Series(x)).filter(pl.col("qty") > 0)
    return moves.select(
        "sku_id",
        source_warehouse_id="from_warehouse_id",
        warehouse_id="to_warehouse_id",
        mode="mode",
        qty="qty",
        transit_days="transit_days",
        cost=pl.col("qty") * pl.col("cost_per_unit"),
        margin_saved=pl.col("qty") * pl.col("unit_margin"),
        reason=pl.format(
            P.TRANSFER.en,
            "from_warehouse_id", pl.lit(int(keep_days)), "to_warehouse_id", pl.col("dest_on_hand").cast(pl.Int64),
            (pl.col("dest_on_hand") / pl.col("daily")).round(0).cast(pl.Int64), pl.col("qty").cast(pl.Int64),
            "mode", pl.col("transit_days").round(0).cast(pl.Int64), (pl.col("qty") * pl.col("cost_per_unit")).round(2),
            (pl.col("qty") * pl.col("unit_margin")).round(2),
        ),
    ).sort("sku_id", "warehouse_id", "source_warehouse_id")


def fulfilment_sources(
    stock: pl.DataFrame, lanes: pl.DataFrame, *, cost_per_day: float = 0.05
) -> pl.DataFrame:
    """Cheapest source warehouse per SKU and destination: freight + cost_per_day x transit days.

    stock: sku_id, warehouse_id, on_hand; lanes: from_warehouse_id, to_warehouse_id (the destination
    region's hub or the customer region), mode, transit_days, cost_per_unit. Only sources with stock.
    """
    candidates = (
        stock.filter(pl.col("on_hand") > 0)
        .select("sku_id", from_warehouse_id="warehouse_id", on_hand="on_hand")
        .join(lanes, on="from_warehouse_id", how="inner")
        .with_columns(score=pl.col("cost_per_unit") + cost_per_day * pl.col("transit_days"))
    )
    return (
        candidates.sort("score", "transit_days")
        .group_by("sku_id", "to_warehouse_id", maintain_order=True)
        .first()
        .select("sku_id", destination="to_warehouse_id", source_warehouse_id="from_warehouse_id", mode="mode",
                transit_days="transit_days", cost_per_unit="cost_per_unit", score="score")
        .sort("sku_id", "destination")
    )


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={
        "sku_id": pl.String, "source_warehouse_id": pl.String, "warehouse_id": pl.String, "mode": pl.String,
        "qty": pl.Float64, "transit_days": pl.Float64, "cost": pl.Float64, "margin_saved": pl.Float64,
        "reason": pl.String,
    })
