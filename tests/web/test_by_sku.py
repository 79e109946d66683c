"""The detail page's per-SKU index: the same rows a filter would give, in the frame's order."""

from __future__ import annotations

import polars as pl

from stockturn.web.queries.sku import BySku, forecast_fan


def test_rows_equal_a_filter_and_unknown_skus_are_empty() -> None:
    frame = pl.DataFrame({"sku_id": ["B", "A", None, "B", "C", "A"], "n": [1, 2, 3, 4, 5, 6]})
    indexed = BySku.of(frame)
    for sku in ("A", "B", "C"):
        assert indexed.rows(sku).equals(frame.filter(pl.col("sku_id") == sku))
    assert indexed.rows("Z").height == 0 and indexed.rows("Z").columns == ["sku_id", "n"]
    assert indexed.frame.height == 5  # rows without a SKU are not served


def test_forecast_fan_splits_one_sku_by_warehouse() -> None:
    fans = BySku.of(pl.DataFrame({"sku_id": ["A", "A", "A", "B"], "warehouse_id": ["W1", "W1", "W2", "W1"],
                                  "ds": [1, 2, 1, 1], "mean": [1.0, 2.0, 3.0, 4.0]}))
    fan = forecast_fan(fans, "A")
    assert list(fan) == ["W1", "W2"] and fan["W1"]["mean"].to_list() == [1.0, 2.0]
    assert forecast_fan(fans, "missing") == {}
