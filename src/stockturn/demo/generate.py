"""Turn the bundled real order lines into a whole cross-border seller (seeded, deterministic).

Real: every order line (invoice, stock code, description, quantity, time, price) of the bundled sample.
Generated here, from seed 42: the marketplace of each customer, prices in USD/EUR (GBP price x a
generated FX rate), SKU dimensions and case packs, suppliers, routes, purchase orders, shipments, daily
stock (simulated against the real demand, so stockouts censor real sales), unit costs, fees, ad spend,
receivables and payables. ATTRIBUTION.md says the same for users.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources

import numpy as np
import polars as pl

from stockturn.demo import world
from stockturn.demo.simulate import Lane, SimulationInput, SimulationOutput, simulate

SAMPLE_FILE = "online_retail_sample.parquet"
START, END = date(2009, 12, 1), date(2011, 12, 9)
EU = {"EIRE", "Germany", "France", "Netherlands", "Spain", "Portugal", "Belgium", "Switzerland", "Italy",
      "Sweden", "Cyprus", "Norway", "Finland", "Austria", "Greece", "Denmark", "Poland", "Malta", "Iceland",
      "Lithuania", "European Community", "Czech Republic", "Channel Islands"}
SALES_WAREHOUSES = ["FBA-US", "3PL-US", "FBA-UK", "FBA-DE"]


@dataclass
class DemoData:
    """Table name -> rows to load, plus which rows come from the real sample file."""

    tables: dict[str, pl.DataFrame]
    real_tables: frozenset[str] = frozenset({"sales_line"})


def read_sample() -> pl.DataFrame:
    with resources.as_file(resources.files("stockturn.demo") / "data" / SAMPLE_FILE) as path:
        return pl.read_parquet(path).with_row_index("source_row", offset=1)


def fx_rates(rng: np.random.Generator) -> pl.DataFrame:
    """Daily rates to USD: random walks around the levels of 2010-2011 (generated, not real quotes)."""
    days = pl.date_range(date(2009, 11, 1), date(2012, 3, 31), eager=True)
    frames = []
    for currency, level, vol in (("GBP", 1.58, 0.004), ("EUR", 1.36, 0.004), ("CNY", 0.150, 0.001)):
        walk = level * np.exp(np.cumsum(rng.normal(0, vol, days.len())))
        frames.append(pl.DataFrame({"rate_date": days, "currency": currency, "quote_currency": "USD",
                                    "rate": np.round(walk, 5)}))
    return pl.concat(frames)


def assign_channels(lines: pl.DataFrame) -> pl.DataFrame:
    """EU customers buy on Amazon.de, the rest of the world on Amazon.com; UK customers are split by a
    stable hash of the customer (or invoice) into Amazon.co.uk 40 %, Amazon.com 35 %, Shopify 13 %,
    Amazon.de 12 %, so every marketplace has real demand patterns."""
    key = pl.coalesce(pl.col("CustomerID").cast(pl.Int64),
                      pl.col("InvoiceNo").str.replace("C", "").cast(pl.Int64, strict=False).fill_null(0))
    bucket = (key * 2654435761) % 1000 // 10
    uk = (pl.when(bucket < 40).then(pl.lit("AMZ-UK")).when(bucket < 75).then(pl.lit("AMZ-US"))
          .when(bucket < 88).then(pl.lit("SHOP-US")).otherwise(pl.lit("AMZ-DE")))
    channel = (pl.when(pl.col("Country") == "United Kingdom").then(uk)
               .when(pl.col("Country").is_in(list(EU))).then(pl.lit("AMZ-DE")).otherwise(pl.lit("AMZ-US")))
    return lines.with_columns(channel.alias("channel_id")).join(
        world.CHANNELS.select("channel_id", "warehouse_id", "currency", ship_country="country"), on="channel_id"
    )


def sku_master(lines: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    skus = (lines.filter(pl.col("Quantity") > 0).group_by("StockCode")
            .agg(pl.col("Description").drop_nulls().mode().first().alias("Description"),
                 pl.col("InvoiceDate").min().dt.date().alias("launch_date"),
                 pl.col("UnitPrice").median().alias("median_price_gbp"))
            .sort("StockCode"))
    n = skus.height
    category = world.categorize(skus["Description"])
    return skus.with_columns(
        pl.col("StockCode").alias("sku_id"),
        pl.col("Description").str.to_titlecase().alias("title"),
        pl.lit("Homely Gifts").alias("brand"),
        category.alias("category"),
        pl.Series("length_cm", np.round(rng.uniform(8, 40, n), 1)),
        pl.Series("width_cm", np.round(rng.uniform(5, 30, n), 1)),
        pl.Series("height_cm", np.round(rng.uniform(2, 25, n), 1)),
        pl.Series("weight_kg", np.round(rng.uniform(0.08, 1.6, n), 3)),
        pl.Series("case_pack", rng.choice([6, 12, 24, 48], n)).cast(pl.Int32),
        pl.lit("active").alias("lifecycle"),
    )


def _lanes() -> tuple[list[Lane], list[Lane]]:
    slow: list[Lane] = []
    fast: list[Lane] = []
    for warehouse in SALES_WAREHOUSES:
        routes = world.ROUTES.filter(pl.col("to_warehouse_id") == warehouse)
        for mode, target in (("sea", slow), ("air", fast)):
            r = routes.filter(pl.col("mode") == mode).row(0, named=True)
            target.append(Lane(mode, r["transit_mean_days"], r["transit_sd_days"],
                               r["customs_days"] + r["receiving_days"]))
    return slow, fast


def run_simulation(lines: pl.DataFrame, skus: pl.DataFrame, seed: int) -> tuple[SimulationOutput, pl.DataFrame]:
    days = (END - START).days + 1
    keys = skus.select("sku_id").join(pl.DataFrame({"warehouse_id": SALES_WAREHOUSES}), how="cross").with_columns(
        pl.int_range(pl.len()).alias("key"))
    sku_index = {s: i for i, s in enumerate(skus["sku_id"])}
    keys = keys.with_columns(
        pl.col("sku_id").replace_strict(sku_index).alias("sku_idx"),
        pl.col("warehouse_id").replace_strict({w: i for i, w in enumerate(SALES_WAREHOUSES)}).alias("wh_idx"),
    )
    daily = (lines.filter(pl.col("Quantity") > 0)
             .with_columns(((pl.col("InvoiceDate").dt.date() - START).dt.total_days()).alias("day"))
             .group_by("day", "sku_id", "warehouse_id").agg(pl.col("Quantity").sum())
             .join(keys, on=["sku_id", "warehouse_id"]))
    demand = np.zeros((days, keys.height))
    demand[daily["day"].to_numpy(), daily["key"].to_numpy()] = daily["Quantity"].to_numpy()
    suppliers = skus.join(world.SUPPLIERS, on="supplier_id")
    slow, fast = _lanes()
    closures = world.events().filter(pl.col("event_type") == "closure")
    out = simulate(SimulationInput(
        start=START, demand=demand, key_sku=keys["sku_idx"].to_numpy(), key_warehouse=keys["wh_idx"].to_numpy(),
        slow_lane=slow, fast_lane=fast, case_pack=skus["case_pack"].to_numpy().astype(float),
        supplier_lead_mean=suppliers["lead_time_mean_days"].to_numpy(),
        supplier_lead_sd=suppliers["lead_time_sd_days"].to_numpy(),
        moq=np.minimum(suppliers["moq_units"].to_numpy(), 240).astype(float),
        closures=list(zip(closures["start_date"], closures["end_date"], strict=True)), seed=seed,
    ))
    return out, keys


def censor_sales(lines: pl.DataFrame, keys: pl.DataFrame, out: SimulationOutput) -> pl.DataFrame:
    """Keep each day's order lines, in time order, until that day's simulated stock runs out."""
    sold = keys.select("sku_id", "warehouse_id", "key")
    positive = (lines.filter(pl.col("Quantity") > 0)
                .with_columns(((pl.col("InvoiceDate").dt.date() - START).dt.total_days()).alias("day"))
                .join(sold, on=["sku_id", "warehouse_id"]).sort("InvoiceDate", "source_row"))
    allowed = out.sales[positive["day"].to_numpy(), positive["key"].to_numpy()]
    positive = positive.with_columns(pl.Series("allowed", allowed)).with_columns(
        pl.col("Quantity").cum_sum().over("day", "key").alias("cum"))
    positive = positive.with_columns(
        pl.min_horizontal(pl.col("Quantity"), pl.col("allowed") - pl.col("cum") + pl.col("Quantity"))
        .clip(lower_bound=0).cast(pl.Int64).alias("Quantity")
    ).filter(pl.col("Quantity") > 0)
    returns = lines.filter(pl.col("Quantity") <= 0)
    return pl.concat([positive.select(returns.columns), returns])


def sales_lines(lines: pl.DataFrame, fx: pl.DataFrame, skus: pl.DataFrame) -> pl.DataFrame:
    to_usd = fx.pivot(on="currency", index="rate_date", values="rate")
    priced = (lines.with_columns(pl.col("InvoiceDate").dt.date().alias("rate_date"))
              .join(to_usd, on="rate_date", how="left")
              .join(skus.select("sku_id", "weight_kg"), on="sku_id")
              .sort("source_row"))
    local_to_usd = (pl.when(pl.col("currency") == "USD").then(1.0)
                    .when(pl.col("currency") == "EUR").then(pl.col("EUR")).otherwise(pl.col("GBP")))
    price = (pl.col("UnitPrice") * pl.col("GBP") / local_to_usd).round(2)
    units = pl.col("Quantity").abs()
    # The real items are cheap (median ~GBP 2) and sold by the case, so fulfilment is charged per order
    # line, not per unit: Amazon 15 % referral + FBA USD 1.0 + 0.4/kg per line; Shopify 2.9 % payment +
    # a 3PL pick fee of USD 0.9 per line. Per-unit FBA fees would exceed the price of most items.
    line_kg = pl.col("weight_kg") * units
    amazon = 0.15 * price * units + (1.0 + 0.4 * line_kg.clip(upper_bound=10)) / local_to_usd
    shopify = 0.029 * price * units + 0.9
    fees = pl.when(pl.col("channel_id") == "SHOP-US").then(shopify).otherwise(amazon)
    return priced.with_columns(
        pl.col("InvoiceNo").alias("order_id"),
        pl.int_range(1, pl.len() + 1).over("InvoiceNo").cast(pl.Int32).alias("line_no"),
        pl.col("InvoiceDate").alias("ordered_at"),
        pl.when(pl.col("channel_id") == "SHOP-US").then(pl.lit("SH-") + pl.col("sku_id"))
        .otherwise(pl.col("sku_id")).alias("source_sku"),
        pl.col("Quantity").cast(pl.Float64).alias("qty"),
        price.alias("unit_price"),
        pl.when(pl.col("UnitPrice") <= 0).then(0.0).when(pl.col("Quantity") < 0).then(-fees).otherwise(fees)
        .round(2).alias("fees"),
        # Real lines at price 0 are free samples/replacements: kept, but not product sales.
        pl.when(pl.col("UnitPrice") <= 0).then(pl.lit("sample"))
        .when(pl.col("Quantity") < 0).then(pl.lit("return")).otherwise(pl.lit("product")).alias("line_type"),
    ).select("order_id", "line_no", "channel_id", "ordered_at", "source_sku", "sku_id", "warehouse_id",
             "ship_country", "qty", "unit_price", "currency", "fees", "line_type", "source_row")
