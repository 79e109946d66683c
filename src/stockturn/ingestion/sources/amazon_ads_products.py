"""Amazon Ads Sponsored Products "Advertised product" report (daily, XLSX or CSV).

One row per day, campaign, ad group and advertised SKU. attributed_sales is the 7-day total sales
(14-day when only that is present). The campaign stored is "Campaign Name / Ad Group Name", so two ad
groups advertising the same SKU stay two rows. Channel: --channel (default AMAZON).
"""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, take
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register

COLS = (
    Col("spend_date", ("Date", "Start Date"), "date"),
    Col("currency", ("Currency",), "currency"),
    Col("campaign_name", ("Campaign Name",)),
    Col("ad_group", ("Ad Group Name",), default=""),
    Col("source_sku", ("Advertised SKU",), default=""),
    Col("_asin", ("Advertised ASIN",), required=False),
    Col("impressions", ("Impressions",), "int", default=0),
    Col("clicks", ("Clicks",), "int", default=0),
    Col("spend", ("Spend", "Cost"), "float"),
    Col("attributed_sales", ("7 Day Total Sales", "7 Day Total Sales ($)", "14 Day Total Sales",
                             "Total Sales"), "float", default=0.0),
)


@register
class AmazonAdsProducts(Importer):
    name = "amazon_ads_products"
    description = "Amazon Ads Sponsored Products advertised-product report (daily ad spend per SKU)"
    targets = ("ad_spend",)
    signature = ("Date", "Campaign Name", "Ad Group Name", "Advertised SKU", "Impressions", "Clicks", "Spend")
    alias_types = ("seller_sku", "asin")
    default_channel = "AMAZON"

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        frame = take(raw, COLS, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        spend = frame.select(
            "__row", "spend_date", pl.lit(self.channel(ctx)).alias("channel_id"),
            pl.concat_str([pl.col("campaign_name"), pl.col("ad_group")], separator=" / ").alias("campaign"),
            "source_sku", "_asin", "impressions", "clicks", "spend", "attributed_sales", "currency",
        )
        return Parsed({"ad_spend": spend}, raw.frame.height)
