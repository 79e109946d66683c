"""The demo seller's master data (generated, documented in ATTRIBUTION.md): a cross-border gift seller
with a home warehouse in China, Amazon FBA in the US, UK and DE, a Shopify shop served by a US 3PL."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

WAREHOUSES = pl.DataFrame(
    {
        "warehouse_id": ["CN-HOME", "FBA-US", "FBA-UK", "FBA-DE", "3PL-US"],
        "name": ["Yiwu home warehouse", "Amazon FBA US", "Amazon FBA UK", "Amazon FBA DE", "ShipBob-style 3PL NJ"],
        "type": ["own", "fba", "fba", "fba", "3pl"],
        "country": ["CN", "US", "GB", "DE", "US"],
        "region": ["APAC", "NA", "EU", "EU", "NA"],
        "currency": ["CNY", "USD", "GBP", "EUR", "USD"],
    }
)

# channel -> the warehouse that fulfils it
CHANNELS = pl.DataFrame(
    {
        "channel_id": ["AMZ-US", "SHOP-US", "AMZ-UK", "AMZ-DE"],
        "name": ["Amazon.com", "Shopify store", "Amazon.co.uk", "Amazon.de"],
        "platform": ["amazon", "shopify", "amazon", "amazon"],
        "country": ["US", "US", "GB", "DE"],
        "currency": ["USD", "USD", "GBP", "EUR"],
        "warehouse_id": ["FBA-US", "3PL-US", "FBA-UK", "FBA-DE"],
    }
)

SUPPLIERS = pl.DataFrame(
    {
        "supplier_id": ["SUP-YIWU", "SUP-SHENZHEN", "SUP-NINGBO", "SUP-GUANGZHOU", "FWD-SZ"],
        "name": ["Yiwu Home Crafts Co.", "Shenzhen Bright Lighting Ltd", "Ningbo Kitchenware Factory",
                 "Guangzhou Paper & Gift Co.", "Shenzhen freight forwarder"],
        "country": ["CN"] * 5,
        "currency": ["CNY"] * 5,
        "lead_time_mean_days": [20.0, 25.0, 18.0, 15.0, 0.0],
        "lead_time_sd_days": [4.0, 6.0, 3.0, 3.0, 0.0],
        "moq_units": [200, 300, 240, 500, 1],
        "payment_terms_days": [30, 45, 30, 15, 30],
        "deposit_share": [0.3, 0.3, 0.3, 0.5, 0.0],
        "capacity_units_month": [60_000, 40_000, 50_000, 80_000, None],
    }
)

# Category -> supplier; categories come from keywords of the real product descriptions.
CATEGORY_RULES = [
    ("Christmas", ("CHRISTMAS", "XMAS", "ADVENT", "SNOWFLAKE", "REINDEER", "BAUBLE")),
    ("Lighting", ("LIGHT", "LANTERN", "CANDLE", "T-LIGHT", "LAMP")),
    ("Kitchen", ("MUG", "CUP", "PLATE", "BOWL", "JAR", "TEA", "CAKE", "LUNCH", "BOTTLE", "SPOON", "TIN")),
    ("Bags", ("BAG", "TOTE", "PURSE", "BASKET")),
    ("Paper & party", ("CARD", "PAPER", "WRAP", "NAPKIN", "PARTY", "BUNTING", "CHALK", "PENCIL", "STICKER")),
    ("Home decor", ("HEART", "SIGN", "FRAME", "CLOCK", "HOOK", "HANGER", "DOORSTOP", "CUSHION", "ORNAMENT")),
]
CATEGORY_SUPPLIER = {
    "Christmas": "SUP-GUANGZHOU", "Lighting": "SUP-SHENZHEN", "Kitchen": "SUP-NINGBO", "Bags": "SUP-YIWU",
    "Paper & party": "SUP-GUANGZHOU", "Home decor": "SUP-YIWU", "Gifts": "SUP-YIWU",
}

# (to, mode, transit mean, sd, customs, receiving, USD per kg, duty rate)
ROUTES = pl.DataFrame(
    [
        ("CN-HOME", "FBA-US", "sea", 32.0, 5.0, 3.0, 7.0, 1.1, 0.04),
        ("CN-HOME", "FBA-US", "air", 7.0, 1.5, 1.0, 5.0, 6.5, 0.04),
        ("CN-HOME", "FBA-US", "express", 5.0, 1.0, 1.0, 3.0, 9.0, 0.04),
        ("CN-HOME", "3PL-US", "sea", 30.0, 5.0, 3.0, 2.0, 1.0, 0.04),
        ("CN-HOME", "3PL-US", "air", 7.0, 1.5, 1.0, 1.0, 6.0, 0.04),
        ("CN-HOME", "FBA-UK", "sea", 38.0, 6.0, 3.0, 6.0, 1.2, 0.03),
        ("CN-HOME", "FBA-UK", "air", 7.0, 1.5, 1.0, 4.0, 6.8, 0.03),
        ("CN-HOME", "FBA-DE", "sea", 36.0, 6.0, 3.0, 6.0, 1.2, 0.04),
        ("CN-HOME", "FBA-DE", "rail", 20.0, 4.0, 2.0, 6.0, 2.6, 0.04),
        ("CN-HOME", "FBA-DE", "air", 7.0, 1.5, 1.0, 4.0, 6.8, 0.04),
        ("3PL-US", "FBA-US", "truck", 4.0, 1.0, 0.0, 5.0, 0.5, 0.0),
    ],
    schema=["from_warehouse_id", "to_warehouse_id", "mode", "transit_mean_days", "transit_sd_days",
            "customs_days", "receiving_days", "cost_per_kg", "duty_rate"],
    orient="row",
).with_columns(pl.lit("USD").alias("currency"))


def _span(name: str, kind: str, country: str, start: date, days: int = 1) -> tuple[str, str, str, date, date]:
    return (name, kind, country, start, start + timedelta(days=days - 1))


def events() -> pl.DataFrame:
    """Public holidays, platform events and supply closures over the demo period (real dates)."""
    rows = []
    for year, easter, thanksgiving, cny in (
        (2009, date(2009, 4, 12), date(2009, 11, 26), date(2009, 1, 26)),
        (2010, date(2010, 4, 4), date(2010, 11, 25), date(2010, 2, 14)),
        (2011, date(2011, 4, 24), date(2011, 11, 24), date(2011, 2, 3)),
        (2012, date(2012, 4, 8), date(2012, 11, 22), date(2012, 1, 23)),
    ):
        for country in ("GB", "US", "DE"):
            rows.append(_span("Christmas Day", "holiday", country, date(year, 12, 25)))
            rows.append(_span("New Year's Day", "holiday", country, date(year, 1, 1)))
        for country in ("GB", "DE"):
            rows.append(_span("Good Friday", "holiday", country, easter - timedelta(days=2)))
            rows.append(_span("Easter Monday", "holiday", country, easter + timedelta(days=1)))
        rows.append(_span("Boxing Day", "holiday", "GB", date(year, 12, 26)))
        rows.append(_span("Independence Day", "holiday", "US", date(year, 7, 4)))
        rows.append(_span("Thanksgiving", "holiday", "US", thanksgiving))
        rows.append(_span("Tag der Deutschen Einheit", "holiday", "DE", date(year, 10, 3)))
        rows.append(_span("Black Friday", "platform", "", thanksgiving + timedelta(days=1)))
        rows.append(_span("Cyber Monday", "platform", "", thanksgiving + timedelta(days=4)))
        rows.append(_span("Singles' Day 11.11", "platform", "CN", date(year, 11, 11)))
        # Factories close around Chinese New Year: about 2 weeks before to 2 weeks after.
        rows.append(_span("Chinese New Year closure", "closure", "CN", cny - timedelta(days=14), 29))
        rows.append(_span("Golden Week", "closure", "CN", date(year, 10, 1), 7))
    return pl.DataFrame(rows, schema=["name", "event_type", "country", "start_date", "end_date"], orient="row")


def categorize(descriptions: pl.Series) -> pl.Series:
    """First matching keyword rule wins; otherwise 'Gifts'."""
    expr = pl.lit("Gifts")
    for category, words in reversed(CATEGORY_RULES):
        expr = pl.when(pl.col("d").str.contains("|".join(words))).then(pl.lit(category)).otherwise(expr)
    return pl.DataFrame({"d": descriptions.fill_null("").str.to_uppercase()}).select(expr)["literal"]
