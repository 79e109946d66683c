"""Transfers (min-cost LP), fulfilment sources and clearance markdowns on hand-checked cases."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.testing import assert_allclose

from stockturn.planning.clearance import clearance_candidates
from stockturn.planning.transfers import fulfilment_sources, plan_transfers

LANES = pl.DataFrame({
    "from_warehouse_id": ["DE", "DE", "UK", "FR"], "to_warehouse_id": ["FR", "UK", "FR", "UK"],
    "mode": ["truck", "truck", "truck", "truck"], "transit_days": [3.0, 5.0, 4.0, 5.0],
    "cost_per_unit": [0.5, 2.0, 1.0, 2.0],
})


def test_transfers_move_surplus_to_deficits_by_the_cheapest_lane() -> None:
    # daily 1/day everywhere: keep 60 days at the source, destinations want 30 days of cover
    stock = pl.DataFrame({
        "sku_id": ["A", "A", "A", "B", "B"], "warehouse_id": ["DE", "FR", "UK", "DE", "FR"],
        "on_hand": [100.0, 0.0, 20.0, 200.0, 0.0], "daily": [1.0, 1.0, 1.0, 1.0, 1.0],
        "unit_margin": [5.0, 5.0, 5.0, 0.4, 0.4], "replenish_days": [30.0, 30.0, 30.0, 30.0, 2.0],
    })
    moves = plan_transfers(stock, LANES)
    # A: DE has 40 surplus; FR lacks 30 (cost 0.5), UK lacks 10 (cost 2): both filled. B: margin 0.4 < cost
    assert moves.select("sku_id", "source_warehouse_id", "warehouse_id", "qty").rows() == [
        ("A", "DE", "FR", 30.0), ("A", "DE", "UK", 10.0)
    ]
    assert_allclose(moves["cost"].to_numpy(), [15.0, 20.0])
    assert "saves 150.0 of margin" in moves["reason"][0]


def test_scarce_surplus_goes_where_it_saves_most() -> None:
    stock = pl.DataFrame({
        "sku_id": ["A", "A", "A"], "warehouse_id": ["DE", "FR", "UK"], "on_hand": [70.0, 0.0, 0.0],
        "daily": [1.0, 1.0, 1.0], "unit_margin": [5.0, 5.0, 5.0],
    })
    moves = plan_transfers(stock, LANES)  # 10 spare units: FR costs 0.5, UK costs 2
    assert moves.select("warehouse_id", "qty").rows() == [("FR", 10.0)]


def test_fulfilment_source_is_cheapest_after_time_cost() -> None:
    stock = pl.DataFrame({"sku_id": ["A", "A"], "warehouse_id": ["DE", "UK"], "on_hand": [5.0, 5.0]})
    best = fulfilment_sources(stock, LANES, cost_per_day=0.1)
    assert best.filter(pl.col("destination") == "FR")["source_warehouse_id"][0] == "DE"  # 0.8 vs 1.4


def test_clearance_markdown_from_elasticity() -> None:
    stock = pl.DataFrame({
        "sku_id": ["OLD", "OK", "NOPRICE"], "warehouse_id": ["DE"] * 3, "on_hand": [400.0, 50.0, 400.0],
        "daily": [1.0, 1.0, 1.0], "unit_cost": [2.0, 2.0, 2.0], "unit_price": [10.0, 10.0, None],
        "days_to_next_tier": [100.0, None, None],
    })
    out = clearance_candidates(stock, sell_within_days=180, elasticity=2.0)
    old = out.filter(pl.col("sku_id") == "OLD").row(0, named=True)
    # 100 days to the tier: 300 excess; selling 400 in 100 days is a 4x lift -> 1 - 4^(-1/2) = 50 % off
    assert old["excess"] == 300
    assert_allclose(old["markdown"], 0.5)
    assert_allclose(old["new_price"], 5.0)
    assert "aging surcharge" in old["reason"]
    assert "OK" not in out["sku_id"].to_list()
    noprice = out.filter(pl.col("sku_id") == "NOPRICE").row(0, named=True)
    assert noprice["markdown"] is None and "No price data" in noprice["reason"]
    assert np.isclose(noprice["excess"], 220)
