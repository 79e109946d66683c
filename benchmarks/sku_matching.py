"""SKU suggestion quality and speed on labelled samples built from real data.

Samples (labels come from the data itself, not from the matcher):
- retail: the catalogue is UCI Online Retail II (2009-2010), one title per StockCode (its most frequent
  product description). Queries are the product descriptions of UCI Online Retail (2010-2011):
  positives are descriptions whose normalised text differs from the catalogue title of the same
  StockCode (the truth is that StockCode); negatives are descriptions of StockCodes absent from the
  catalogue (the truth is "no match", so any suggestion above the threshold is a false positive).
- retail codes: StockCodes written in lower case in one file and upper case in the other (exact rule).
- cjk: hand-labelled titles in tests/masterdata/fixtures (shop titles vs warehouse/ERP names).
- olist ids: the 32,951 real Olist product ids as catalogue codes; queries are 2,000 of them cut to 20
  characters, half of whose full ids are removed from the catalogue (scale, and codes without titles).

Precision = correct top-1 suggestions / all top-1 suggestions at or above the threshold;
recall = correct top-1 suggestions / queries that have a true match.
Speed: blocked matcher (token blocking + cpdist) against the unblocked cdist baseline, same process; and
seconds per master-data change (merge, link, unlink, each with its undo) on the demo warehouse.

Run: .venv/bin/python benchmarks/sku_matching.py
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from stockturn.demo.build import build_demo_warehouse
from stockturn.masterdata import operations as ops
from stockturn.masterdata.history import undo
from stockturn.masterdata.matching import DEFAULT_THRESHOLD, score_all_pairs, suggest
from stockturn.masterdata.normalize import normalize_code, normalize_title
from stockturn.warehouse import open_warehouse

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FIXTURES = ROOT / "tests" / "masterdata" / "fixtures"
THRESHOLDS = [60, 70, 75, 80, 85, 90, 95]
BASELINE_QUERIES = 256


def _products(frame: pl.DataFrame) -> pl.DataFrame:
    """Product lines only: sold (qty and price > 0), a numeric-led StockCode, an upper-case description
    (the retailer writes notes such as 'damaged' or 'check' in lower case)."""
    return frame.filter(
        pl.col("Quantity") > 0,
        pl.col("UnitPrice") > 0,
        pl.col("Description").is_not_null(),
        pl.col("StockCode").str.contains(r"^\d"),
        pl.col("Description").str.to_uppercase() == pl.col("Description"),
    )


def retail_sample() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(catalogue sku_id/text, queries query/expected_sku_id) from the two Online Retail files."""
    older = pl.read_parquet(DATA / "online_retail_ii" / "online_retail_ii_2009_2010.parquet")
    newer = pl.read_parquet(DATA / "online_retail" / "online_retail.parquet")
    older = _products(older.rename({"Price": "UnitPrice"}))
    newer = _products(newer)
    catalogue = (
        older.group_by("StockCode", "Description").len()
        .sort(["len", "Description"], descending=[True, False])
        .unique("StockCode", keep="first")
        .select(pl.col("StockCode").alias("sku_id"), pl.col("Description").alias("text"))
        .sort("sku_id")
    )
    seen = newer.select("StockCode", "Description").unique().join(
        catalogue.rename({"sku_id": "StockCode", "text": "title"}), on="StockCode", how="left"
    )
    norm = pl.col("Description").map_elements(normalize_title, return_dtype=pl.String)
    norm_title = pl.col("title").map_elements(normalize_title, return_dtype=pl.String)
    positives = seen.filter(pl.col("title").is_not_null()).filter(norm != norm_title)
    negatives = seen.filter(pl.col("title").is_null())
    queries = pl.concat([
        positives.select(pl.col("Description").alias("query"), pl.col("StockCode").alias("expected_sku_id")),
        negatives.select(pl.col("Description").alias("query"), pl.lit(None, pl.String).alias("expected_sku_id")),
    ])
    # A description used for two StockCodes cannot have one right answer: keep it only as a query when
    # all its StockCodes agree.
    # The retailer sometimes re-coded a product under an unchanged description, or gave two codes one
    # description; a query whose normalised text equals the title of a catalogue code other than its
    # own has no knowable right answer and is left out.
    titles = catalogue.select(
        pl.col("sku_id").alias("other"),
        pl.col("text").map_elements(normalize_title, return_dtype=pl.String).alias("norm"),
    )
    ambiguous = queries.with_columns(
        pl.col("query").map_elements(normalize_title, return_dtype=pl.String).alias("norm")
    ).join(titles, on="norm").filter(
        pl.col("expected_sku_id").is_null() | (pl.col("other") != pl.col("expected_sku_id"))
    ).select("query").unique()
    queries = queries.join(ambiguous, on="query", how="anti")
    queries = queries.group_by("query").agg(pl.col("expected_sku_id").unique()).filter(
        pl.col("expected_sku_id").list.len() == 1
    ).with_columns(pl.col("expected_sku_id").list.first()).sort("query")
    return catalogue, queries


def cjk_sample() -> tuple[pl.DataFrame, pl.DataFrame]:
    catalogue = pl.read_csv(FIXTURES / "cjk_catalogue.csv").rename({"title": "text"})
    queries = pl.read_csv(FIXTURES / "cjk_queries.csv", schema_overrides={"expected_sku_id": pl.String})
    return catalogue, queries


def pr_table(suggestions: pl.DataFrame, queries: pl.DataFrame, thresholds: list[float]) -> pl.DataFrame:
    """Precision and recall of the top-1 suggestion at each threshold."""
    top = suggestions.sort("score", descending=True).unique("query", keep="first")
    joined = queries.join(top, on="query", how="left")
    positives = queries["expected_sku_id"].is_not_null().sum()
    rows = []
    for threshold in thresholds:
        made = joined.filter(pl.col("score") >= threshold)
        correct = made.filter(pl.col("sku_id") == pl.col("expected_sku_id")).height
        rows.append({
            "threshold": threshold,
            "suggested": made.height,
            "correct": correct,
            "precision": round(correct / made.height, 3) if made.height else 1.0,
            "recall": round(correct / positives, 3) if positives else 1.0,
        })
    return pl.DataFrame(rows)


def olist_sample(seed: int = 7, n: int = 2000, width: int = 20) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Scale and code matching: the catalogue is the real Olist product ids (32-character hex) minus half
    of a random sample; the queries are the sampled ids cut to `width` characters, as a fixed-width ERP
    field or a spreadsheet column would cut them (a synthetic edit of real ids). Ids left out of the
    catalogue must get no suggestion."""
    ids = pl.read_csv(DATA / "olist" / "olist_products_dataset.csv.gz", columns=["product_id"])["product_id"]
    sample = ids.sample(n, seed=seed, shuffle=True)
    dropped = set(sample[: n // 2].to_list())
    catalogue = pl.DataFrame({"sku_id": ids, "text": ids}).filter(~pl.col("sku_id").is_in(list(dropped)))
    queries = pl.DataFrame({
        "query": sample.str.slice(0, width),
        "expected_sku_id": [None if i in dropped else i for i in sample.to_list()],
    }, schema={"query": pl.String, "expected_sku_id": pl.String})
    return catalogue, queries


def code_case_sample() -> tuple[int, int]:
    """StockCodes that differ between the two files only by letter case, and how many the exact rule
    (normalize_code) maps to the one catalogue code."""
    older = pl.read_parquet(DATA / "online_retail_ii" / "online_retail_ii_2009_2010.parquet")
    newer = pl.read_parquet(DATA / "online_retail" / "online_retail.parquet")
    old_codes = set(older["StockCode"].unique().to_list())
    new_codes = set(newer["StockCode"].unique().to_list())
    by_norm: dict[str, set[str]] = {}
    for code in old_codes:
        by_norm.setdefault(normalize_code(code), set()).add(code)
    unmatched = [c for c in new_codes - old_codes if normalize_code(c) in by_norm]
    unique = [c for c in unmatched if len(by_norm[normalize_code(c)]) == 1]
    return len(unmatched), len(unique)


def operations_timing() -> None:
    """Seconds per master-data change on the demo warehouse (120 SKUs, 121k sales lines, 443k stock
    snapshots), each followed by its undo; every change re-resolves the facts and records its rows."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.duckdb"
        build_demo_warehouse(path)
        with open_warehouse(path) as wh:
            steps = {
                "merge 85099C into 85099B": lambda: ops.merge(wh, "85099C", "85099B", actor="bench"),
                "link an ASIN": lambda: ops.link(wh, "85099B", "B0BENCH001", alias_type="asin", actor="bench"),
                "unlink a Shopify SKU": lambda: ops.unlink(wh, "SH-84347", actor="bench"),
            }
            for name, step in steps.items():
                started = time.perf_counter()
                result = step()
                done = time.perf_counter() - started
                started = time.perf_counter()
                undo(wh, result.change_id, actor="bench")
                undone = time.perf_counter() - started
                print(f"{name}: {done:.2f} s ({sum(result.rows_moved.values()):,} fact rows moved), "
                      f"undo {undone:.2f} s")


def main() -> None:
    print(f"machine: {platform.machine()}, Python {sys.version.split()[0]}, {platform.system()}")
    samples = {"retail": retail_sample(), "cjk": cjk_sample(), "olist ids": olist_sample()}
    for name, (catalogue, queries) in samples.items():
        positives = queries["expected_sku_id"].is_not_null().sum()
        print(f"\n## {name}: {catalogue.height} catalogue titles, {queries.height} queries "
              f"({positives} with a true match, {queries.height - positives} without)")
        started = time.perf_counter()
        blocked = suggest(queries["query"].to_list(), catalogue, min_score=0, top_k=1)
        blocked_s = time.perf_counter() - started
        # The unblocked baseline scores every pair: on the large sample only its first queries, timed
        # against the blocked matcher on the same queries.
        same = queries.head(BASELINE_QUERIES) if catalogue.height > 10_000 else queries
        started = time.perf_counter()
        same_blocked = suggest(same["query"].to_list(), catalogue, min_score=0, top_k=1)
        same_blocked_s = time.perf_counter() - started
        started = time.perf_counter()
        full = score_all_pairs(same["query"].to_list(), catalogue, min_score=0, top_k=1)
        full_s = time.perf_counter() - started
        print(f"all {queries.height} queries, blocked (token blocking + cpdist): {blocked_s:.2f} s")
        print(f"{same.height} queries: blocked {same_blocked_s:.2f} s, unblocked cdist baseline {full_s:.2f} s")
        table = pr_table(blocked, queries, THRESHOLDS)
        baseline = pr_table(full, same, [DEFAULT_THRESHOLD])
        blocked_same = pr_table(same_blocked, same, [DEFAULT_THRESHOLD])
        with pl.Config(tbl_rows=20, tbl_hide_dataframe_shape=True, tbl_formatting="MARKDOWN",
                       tbl_hide_column_data_types=True):
            print(table)
        print(f"at {DEFAULT_THRESHOLD} on those {same.height} queries: blocked precision "
              f"{blocked_same['precision'][0]}, recall {blocked_same['recall'][0]}; unblocked precision "
              f"{baseline['precision'][0]}, recall {baseline['recall'][0]}")
    found, unique = code_case_sample()
    print(f"\n## retail codes: {found} StockCodes of the 2010-11 file differ from a 2009-10 code only by case "
          f"or width; the exact rule maps {unique} of them to exactly one code")
    print("\n## operations on the demo warehouse")
    operations_timing()


if __name__ == "__main__":
    main()
