"""M5 (Walmart) files: wide daily unit sales, the calendar (events) and weekly sell prices.

Sales: one row per series `id` (ITEM_STORE_validation) and one column per day d_1..d_N (d_1 =
2011-01-29). Each non-zero cell becomes a sales line (order `ITEM@STORE:DATE`, channel M5-<store>,
warehouse <store>, unit_price 0 because prices live in list_price); zero days are not stored as lines.
Calendar: event_name_1/2 become events (National -> holiday) in the US. Prices: weekly prices go to
list_price; the week -> date mapping comes from calendar.csv(.gz), which must sit next to the price file.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl

from stockturn.errors import InputError
from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, missing_columns, take
from stockturn.ingestion.problems import ROW
from stockturn.ingestion.readers import RawTable, read_source
from stockturn.ingestion.registry import register

DAY_ONE = date(2011, 1, 29)
EVENT_TYPES = {"Sporting": "sporting", "Cultural": "cultural", "National": "holiday", "Religious": "religious"}


@register
class M5Sales(Importer):
    name = "m5_sales"
    description = "M5 wide daily unit sales (id, d_1 ... d_N)"
    targets = ("sales_line",)
    signature = ("id", "d_1")

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        days = [c for c in raw.headers if re.fullmatch(r"d_\d+", c)]
        if missing_columns(raw, (Col("id", ("id",)), Col("d_1", ("d_1",))), ctx):
            return Parsed({}, raw.frame.height)
        id_col = raw.column("id") or "id"
        wide = raw.frame.select(ROW, pl.col(id_col).cast(pl.Utf8).alias("id"), *days)
        parts = pl.col("id").str.replace(r"_(validation|evaluation)$", "").str.extract(r"^(.*)_([A-Z]{2}_\d+)$", 1)
        store = pl.col("id").str.replace(r"_(validation|evaluation)$", "").str.extract(r"^(.*)_([A-Z]{2}_\d+)$", 2)
        bad = wide.filter(store.is_null())
        if bad.height:
            ctx.problems.add_rows(bad, "id", column=id_col, expected="an M5 id such as FOODS_3_001_TX_3_validation",
                                  fix="keep the id column as the M5 files write it")
            return Parsed({}, raw.frame.height)
        long = (
            wide.with_columns(parts.alias("item"), store.alias("store"))
            .unpivot(index=[ROW, "item", "store"], on=days, variable_name="d", value_name="qty")
            .with_columns(pl.col("qty").cast(pl.Float64, strict=False))
            .filter(pl.col("qty") > 0)
        )
        ordered = pl.lit(DAY_ONE) + pl.duration(days=pl.col("d").str.slice(2).cast(pl.Int64) - 1)
        lines = long.with_columns(ordered.cast(pl.Datetime("us")).alias("ordered_at")).select(
            ROW,
            pl.concat_str([pl.col("item"), pl.lit("@"), pl.col("store"), pl.lit(":"),
                           pl.col("ordered_at").dt.date().cast(pl.Utf8)]).alias("order_id"),
            pl.lit(1, pl.Int32).alias("line_no"),
            (pl.lit(ctx.channel) if ctx.channel else pl.lit("M5-") + pl.col("store")).alias("channel_id"),
            "ordered_at", pl.col("item").alias("source_sku"),
            (pl.lit(ctx.warehouse) if ctx.warehouse else pl.col("store")).alias("warehouse_id"),
            pl.lit("US").alias("ship_country"), "qty", pl.lit(0.0).alias("unit_price"), pl.lit("USD").alias("currency"),
            pl.lit("product").alias("line_type"),
        )
        return Parsed({"sales_line": lines}, raw.frame.height)


@register
class M5Calendar(Importer):
    name = "m5_calendar"
    description = "M5 calendar (events of each day; SNAP flags are not imported)"
    targets = ("event",)
    signature = ("date", "wm_yr_wk", "d", "event_name_1", "event_type_1")

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        cols = (Col("day", ("date",), "date"), Col("n1", ("event_name_1",), required=False),
                Col("t1", ("event_type_1",), required=False), Col("n2", ("event_name_2",), required=False),
                Col("t2", ("event_type_2",), required=False))
        frame = take(raw, cols, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        events = pl.concat([
            frame.select(ROW, "day", pl.col(n).alias("name"), pl.col(t).alias("type"))
            for n, t in (("n1", "t1"), ("n2", "t2"))
        ]).filter(pl.col("name").is_not_null())
        out = events.select(
            ROW, "name", pl.col("type").replace_strict(EVENT_TYPES, default="other").alias("event_type"),
            pl.lit("US").alias("country"), pl.col("day").alias("start_date"), pl.col("day").alias("end_date"),
        )
        return Parsed({"event": out}, raw.frame.height)


@register
class M5Prices(Importer):
    name = "m5_prices"
    description = "M5 weekly sell prices (store_id, item_id, wm_yr_wk, sell_price; needs calendar.csv.gz beside)"
    targets = ("list_price",)
    signature = ("store_id", "item_id", "wm_yr_wk", "sell_price")

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        cols = (Col("store", ("store_id",)), Col("source_sku", ("item_id",)), Col("week", ("wm_yr_wk",), "int"),
                Col("price", ("sell_price",), "float"))
        frame = take(raw, cols, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        weeks = _calendar_weeks(raw)
        priced = frame.join(weeks, on="week", how="left", maintain_order="left")
        unknown = priced.filter(pl.col("valid_from").is_null())
        if unknown.height:
            ctx.problems.add_rows(unknown, "week", column="wm_yr_wk", expected="a week listed in calendar.csv",
                                  fix="use the calendar that belongs to this price file")
            return Parsed({}, raw.frame.height)
        out = priced.select(
            ROW, (pl.lit(ctx.channel) if ctx.channel else pl.lit("M5-") + pl.col("store")).alias("channel_id"),
            "source_sku", "valid_from", (pl.col("valid_from") + timedelta(days=6)).alias("valid_to"), "price",
            pl.lit("USD").alias("currency"),
        )
        return Parsed({"list_price": out}, raw.frame.height)


def _calendar_weeks(raw: RawTable) -> pl.DataFrame:
    for name in ("calendar.csv.gz", "calendar.csv", "calendar.parquet"):
        path = raw.path.parent / name
        if path.is_file():
            cal = read_source(path).frame
            return cal.select(
                pl.col("wm_yr_wk").cast(pl.Int64).alias("week"),
                pl.col("date").str.strptime(pl.Date, "%Y-%m-%d").alias("valid_from"),
            ).group_by("week").agg(pl.col("valid_from").min())
    raise InputError("expected calendar.csv.gz next to the M5 price file (to turn wm_yr_wk into dates), found none",
                     hint="put the M5 calendar.csv.gz in the same folder", file=raw.file)
