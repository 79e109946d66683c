"""Generic money files: FX rates, fees, ad spend, receivables and payables."""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext
from stockturn.ingestion.generic import GenericImporter, check_in, check_min, content_key, fill_context
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register

FEE_TYPES = ("storage", "aged_surcharge", "fulfilment", "referral", "disposal", "inbound", "other")


@register
class GenericFxRates(GenericImporter):
    name = "generic_fx_rates"
    description = "Daily FX rates: rate_date, currency, rate (+ quote_currency, default the base currency)"
    target = "fx_rate"
    cols = (
        Col("rate_date", ("rate_date", "date"), "date"),
        Col("currency", ("currency", "from"), "currency"),
        Col("quote_currency", ("quote_currency", "to", "quote"), "currency", required=False),
        Col("rate", ("rate", "fx rate", "exchange rate"), "float"),
    )

    def finish(self, frame: pl.DataFrame, raw: RawTable, ctx: ImportContext) -> dict[str, pl.DataFrame]:
        frame = frame.with_columns(pl.col("quote_currency").fill_null(ctx.settings.base_currency))
        check_min(frame, "rate", 0, ctx, self.header(raw, "rate"), strict=True)
        return {self.target: frame}


@register
class GenericFees(GenericImporter):
    name = "generic_fees"
    description = "Fees by period: fee_type, period_start, amount, currency (+ warehouse, channel, sku)"
    target = "fee"
    cols = (
        Col("fee_key", ("fee_key", "fee id", "reference"), required=False),
        Col("fee_type", ("fee_type", "type", "fee type")),
        Col("period_start", ("period_start", "start", "date"), "date"),
        Col("period_end", ("period_end", "end"), "date", required=False),
        Col("warehouse_id", ("warehouse", "warehouse_id"), required=False),
        Col("channel_id", ("channel", "channel_id"), required=False),
        Col("source_sku", ("sku",), required=False),
        Col("amount", ("amount", "fee", "value"), "float"),
        Col("currency", ("currency",), "currency"),
    )

    def finish(self, frame: pl.DataFrame, raw: RawTable, ctx: ImportContext) -> dict[str, pl.DataFrame]:
        frame = frame.with_columns(pl.col("fee_type").str.to_lowercase(),
                                   pl.col("period_end").fill_null(pl.col("period_start")))
        if ctx.warehouse is not None:
            frame = frame.with_columns(pl.col("warehouse_id").fill_null(ctx.warehouse))
        if ctx.channel is not None:
            frame = frame.with_columns(pl.col("channel_id").fill_null(ctx.channel))
        check_in(frame, "fee_type", FEE_TYPES, ctx, self.header(raw, "fee_type"))
        key = content_key(frame, ["period_start", "period_end", "warehouse_id", "channel_id", "source_sku"])
        return {self.target: frame.with_columns(pl.col("fee_key").fill_null(key))}


@register
class GenericAdSpend(GenericImporter):
    name = "generic_ad_spend"
    description = "Advertising spend per day, channel, campaign and SKU"
    target = "ad_spend"
    cols = (
        Col("spend_date", ("spend_date", "date", "day"), "date"),
        Col("channel_id", ("channel", "channel_id"), required=False),
        Col("campaign", ("campaign", "campaign name"), default=""),
        Col("source_sku", ("sku", "advertised sku"), default=""),
        Col("impressions", ("impressions",), "int", default=0),
        Col("clicks", ("clicks",), "int", default=0),
        Col("spend", ("spend", "cost", "ad spend"), "float"),
        Col("attributed_sales", ("attributed_sales", "sales", "revenue"), "float", default=0.0),
        Col("currency", ("currency",), "currency"),
    )

    def finish(self, frame: pl.DataFrame, raw: RawTable, ctx: ImportContext) -> dict[str, pl.DataFrame]:
        frame = fill_context(frame, "channel_id", ctx.channel, ctx, option="--channel")
        check_min(frame, "spend", 0, ctx, self.header(raw, "spend"))
        return {self.target: frame}


_MONEY_DOC = (
    Col("issued_date", ("issued_date", "issued", "invoice date", "date"), "date"),
    Col("due_date", ("due_date", "due"), "date"),
    Col("amount", ("amount", "total"), "float"),
    Col("currency", ("currency",), "currency"),
    Col("paid_date", ("paid_date", "paid on"), "date", required=False),
    Col("paid_amount", ("paid_amount", "paid"), "float", default=0.0),
)


@register
class GenericReceivables(GenericImporter):
    name = "generic_receivables"
    description = "Money owed to the seller: doc_id, counterparty, issued/due dates, amount, currency"
    target = "receivable"
    cols = (
        Col("doc_id", ("doc_id", "document", "invoice")),
        Col("counterparty", ("counterparty", "customer", "marketplace")),
        Col("channel_id", ("channel", "channel_id"), required=False),
        *_MONEY_DOC,
    )


@register
class GenericPayables(GenericImporter):
    name = "generic_payables"
    description = "Money the seller owes: doc_id, supplier_id, issued/due dates, amount, currency"
    target = "payable"
    cols = (
        Col("doc_id", ("doc_id", "document", "invoice")),
        Col("supplier_id", ("supplier_id", "supplier", "vendor")),
        Col("po_id", ("po_id", "po"), required=False),
        *_MONEY_DOC,
    )
