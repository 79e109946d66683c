"""Build the bundled demo sample from the real UCI Online Retail data (a maintainer's tool).

    python -m stockturn.demo.build_sample ../shared/data src/stockturn/demo/data/online_retail_sample.parquet

Takes every invoice line, cancellations included, of 120 product stock codes over 2009-12-01 ..
2011-12-09 (Online Retail II first sheet until 2010-11-30, then Online Retail), values unchanged: the
60 best sellers by revenue plus 60 drawn (seed 7) from ranks 61-800, so the demo has fast and slow,
smooth and intermittent items. The installed package ships the result; it never reads shared data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

PRODUCT_CODE = r"^\d{5}[A-Za-z]*$"  # non-product lines (POST, DOT, M, BANK CHARGES...) have other codes
COLUMNS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]


def build(data_dir: Path, out: Path, *, top: int = 60, drawn: int = 60, seed: int = 7) -> pl.DataFrame:
    first = pl.read_parquet(data_dir / "online_retail_ii" / "online_retail_ii_2009_2010.parquet").rename(
        {"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"}
    )
    second = pl.read_parquet(data_dir / "online_retail" / "online_retail.parquet")
    # The two files overlap on 2010-12-01 .. 2010-12-09 (the same invoices): take each day from one file.
    lines = pl.concat(
        [first.filter(pl.col("InvoiceDate") < pl.datetime(2010, 12, 1)).select(COLUMNS), second.select(COLUMNS)]
    )
    products = lines.filter(pl.col("StockCode").str.contains(PRODUCT_CODE) & (pl.col("Quantity") > 0))
    ranked = (
        products.group_by("StockCode")
        .agg((pl.col("Quantity") * pl.col("UnitPrice")).sum().alias("revenue"),
             pl.col("InvoiceDate").min().alias("first_sale"))
        .filter(pl.col("first_sale") < pl.datetime(2010, 6, 1))  # two seasons of history
        .sort(["revenue", "StockCode"], descending=[True, False])
    )
    chosen = pl.concat(
        [ranked.head(top), ranked.slice(top, 800 - top).sample(drawn, seed=seed)]
    )["StockCode"]
    sample = lines.filter(pl.col("StockCode").is_in(chosen.implode())).sort(["InvoiceDate", "InvoiceNo", "StockCode"])
    sample.write_parquet(out, compression="zstd", compression_level=19)
    return sample


if __name__ == "__main__":
    built = build(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{built.height} lines, {built['StockCode'].n_unique()} stock codes -> {sys.argv[2]}")
