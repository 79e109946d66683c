"""Generic events: holidays, platform sales days, promotions, closures."""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext
from stockturn.ingestion.generic import GenericImporter, check_in
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register

EVENT_TYPES = ("holiday", "platform", "promotion", "closure", "sporting", "cultural", "religious", "other")


@register
class GenericEvents(GenericImporter):
    name = "generic_events"
    description = "Events: name, event_type, start_date (+ end_date, country, channel, sku, discount_pct)"
    target = "event"
    cols = (
        Col("name", ("name", "event", "event name")),
        Col("event_type", ("event_type", "type", "event type")),
        Col("start_date", ("start_date", "start", "date", "from"), "date"),
        Col("end_date", ("end_date", "end", "to"), "date", required=False),
        Col("country", ("country",), default=""),
        Col("channel_id", ("channel", "channel_id"), required=False),
        Col("source_sku", ("sku",), required=False),
        Col("discount_pct", ("discount_pct", "discount"), "float", required=False),
    )

    def finish(self, frame: pl.DataFrame, raw: RawTable, ctx: ImportContext) -> dict[str, pl.DataFrame]:
        frame = frame.with_columns(pl.col("event_type").str.to_lowercase(),
                                   pl.col("end_date").fill_null(pl.col("start_date")))
        check_in(frame, "event_type", EVENT_TYPES, ctx, self.header(raw, "event_type"))
        bad = frame.filter(pl.col("end_date") < pl.col("start_date"))
        if bad.height:
            ctx.problems.add_rows(bad.with_columns(pl.col("end_date").cast(pl.Utf8)), "end_date",
                                  column=self.header(raw, "end_date"), expected="an end_date on or after start_date",
                                  fix="swap or correct the dates")
        return {self.target: frame}
