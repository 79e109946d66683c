"""Helpers the page modules share: the data state of the warehouse and cached summaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from fastapi import Request

from stockturn.warehouse import Warehouse
from stockturn.web.context import WebContext, web_context
from stockturn.web.queries import common, inventory


@dataclass(frozen=True)
class DataState:
    as_of: date
    version: str
    forecast_run: str | None
    plan_run: str | None
    alert_run: str | None


def data_state(request: Request, wh: Warehouse) -> DataState:
    version = common.data_version(wh)
    ctx = web_context(request)

    def compute() -> DataState:
        found = common.runs(wh)
        return DataState(common.as_of(wh), version, found["forecast"], found["plan"], found["alert"])

    state: DataState = ctx.cached(("state", version), compute)
    return state


def summary(ctx: WebContext, wh: Warehouse, state: DataState) -> pl.DataFrame:
    result: pl.DataFrame = ctx.cached(
        ("summary", state.version),
        lambda: inventory.sku_location_summary(wh, ctx.settings, state.as_of, state.forecast_run),
    )
    return result


def choices(summary_frame: pl.DataFrame, column: str) -> list[str]:
    return sorted(str(v) for v in summary_frame[column].drop_nulls().unique().to_list())


def jsonable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Floats that JSON cannot carry (NaN, inf) become null."""
    out = []
    for record in records:
        clean = {}
        for key, value in record.items():
            if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
                value = None
            clean[key] = value
        out.append(clean)
    return out
