"""Fuzzy suggestions: scores, the number rule, blocking against the unblocked baseline, and precision and
recall on the hand-labelled CJK set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from numpy.testing import assert_allclose

from stockturn.masterdata.matching import DEFAULT_THRESHOLD, score_all_pairs, suggest

FIXTURES = Path(__file__).parent / "fixtures"


def _catalogue() -> pl.DataFrame:
    return pl.read_csv(FIXTURES / "cjk_catalogue.csv").rename({"title": "text"})


def _queries() -> pl.DataFrame:
    return pl.read_csv(FIXTURES / "cjk_queries.csv", schema_overrides={"expected_sku_id": pl.String})


def test_shop_title_matches_warehouse_short_name() -> None:
    candidates = pl.DataFrame({"sku_id": ["M10", "M20"], "text": ["水润面膜10片装", "水润面膜20片装"]})
    found = suggest(["面膜10P"], candidates, min_score=0)
    assert found["sku_id"].to_list()[0] == "M10"
    assert found["score"][0] >= DEFAULT_THRESHOLD
    # Same words, a different count: far below the threshold.
    other = found.filter(pl.col("sku_id") == "M20")["score"][0]
    assert other < 50


def test_ten_pieces_is_not_twenty_pieces() -> None:
    candidates = pl.DataFrame({"sku_id": ["M20"], "text": ["面膜20片"]})
    assert suggest(["面膜10片"], candidates).height == 0
    assert suggest(["面膜20P"], candidates)["sku_id"].to_list() == ["M20"]


def test_code_with_prefix_matches_its_core() -> None:
    candidates = pl.DataFrame({"sku_id": ["84347", "84348"], "text": ["84347", "84348"]})
    found = suggest(["SH-84347"], candidates, min_score=0)
    assert found["sku_id"].to_list()[0] == "84347"
    assert found["score"][0] >= DEFAULT_THRESHOLD
    assert "84348" not in found["sku_id"].to_list()  # no shared block: never even scored
    full = score_all_pairs(["SH-84347"], candidates, min_score=0)
    assert full.filter(pl.col("sku_id") == "84348")["score"][0] < DEFAULT_THRESHOLD  # digits differ


def test_best_text_per_sku_and_top_k() -> None:
    candidates = pl.DataFrame({
        "sku_id": ["A", "A", "B", "C"],
        "text": ["Jumbo Bag Red Retrospot", "JUMBO BAG RED", "Lunch Bag Red Retrospot", "Jumbo Bag Pink Polkadot"],
    })
    found = suggest(["jumbo bag retrospot red"], candidates, min_score=0, top_k=2)
    assert found.height == 2
    assert found["sku_id"].to_list()[0] == "A"
    assert found["matched_text"][0] == "Jumbo Bag Red Retrospot"
    assert found["score"].is_sorted(descending=True)


def test_empty_inputs() -> None:
    candidates = pl.DataFrame({"sku_id": ["A"], "text": ["x"]})
    assert suggest([], candidates).height == 0
    assert suggest(["a"], candidates.clear()).height == 0


def test_blocking_finds_what_the_full_matrix_finds_on_the_cjk_set() -> None:
    queries = _queries()["query"].to_list()
    blocked = suggest(queries, _catalogue(), min_score=60, top_k=1).sort("query")
    full = score_all_pairs(queries, _catalogue(), min_score=60, top_k=1).sort("query")
    assert blocked.select("query", "sku_id").equals(full.select("query", "sku_id"))
    assert_allclose(blocked["score"].to_numpy(), full["score"].to_numpy())


def test_precision_and_recall_on_the_cjk_set() -> None:
    queries = _queries()
    top = suggest(queries["query"].to_list(), _catalogue(), min_score=DEFAULT_THRESHOLD, top_k=1)
    joined = queries.join(top, on="query", how="inner")
    correct = joined.filter(pl.col("sku_id") == pl.col("expected_sku_id")).height
    with_truth = int(queries["expected_sku_id"].is_not_null().sum())
    # Measured in benchmarks/sku_matching.py: 33 suggestions, all right, of 36 queries with a true match.
    assert_allclose(np.array([correct / joined.height, correct / with_truth]), np.array([1.0, 33 / 36]))
