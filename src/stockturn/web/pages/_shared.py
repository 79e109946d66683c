"""Helpers the page modules share: the data state of the warehouse and cached summaries."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from fastapi import Request
from fastapi.responses import Response

import stockturn.analytics as an
from stockturn.warehouse import Warehouse
from stockturn.web.context import WebContext, web_context
from stockturn.web.queries import common, inventory
from stockturn.web.queries import sku as sku_queries
from stockturn.web.queries.sku import BySku

log = logging.getLogger("stockturn.web")
RECENT_DAYS = 56  # the SKU page's forecast chart shows this many days of history before the forecast


@dataclass(frozen=True)
class DataState:
    as_of: date
    version: str
    forecast_run: str | None
    plan_run: str | None
    alert_run: str | None


def data_state(request: Request, wh: Warehouse) -> DataState:
    return state_for(web_context(request), wh)


def state_for(ctx: WebContext, wh: Warehouse) -> DataState:
    version: str = ctx.remembered("data_version", 2.0, lambda: common.data_version(wh))

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


def overview(ctx: WebContext, wh: Warehouse, state: DataState) -> dict[str, Any]:
    result: dict[str, Any] = ctx.cached(
        ("overview", state.version), lambda: inventory.overview(wh, ctx.settings, state.as_of, state.alert_run)
    )
    return result


# Per-SKU frames for the detail page, each indexed by SKU once per data version (see BySku).
def summary_by_sku(ctx: WebContext, wh: Warehouse, state: DataState) -> BySku:
    result: BySku = ctx.cached(("summary_by_sku", state.version), lambda: BySku.of(summary(ctx, wh, state)))
    return result


def aging_layers(ctx: WebContext, wh: Warehouse, state: DataState) -> BySku:
    result: BySku = ctx.cached(
        ("aging", state.version), lambda: BySku.of(an.aging_layers(wh, state.as_of, ctx.settings))
    )
    return result


def profit(ctx: WebContext, wh: Warehouse, state: DataState) -> BySku:
    period = an.resolve_period(wh, ctx.settings, None, state.as_of)
    result: BySku = ctx.cached(
        ("profit", state.version), lambda: BySku.of(an.profit(wh, ctx.settings, by="sku", period=period))
    )
    return result


def masters(ctx: WebContext, wh: Warehouse, state: DataState) -> dict[str, BySku]:
    result: dict[str, BySku] = ctx.cached(("masters", state.version), lambda: sku_queries.masters_all(wh))
    return result


def history(ctx: WebContext, wh: Warehouse, state: DataState) -> BySku:
    result: BySku = ctx.cached(("history", state.version), lambda: sku_queries.history_all(wh, state.as_of))
    return result


def recent_location_sales(ctx: WebContext, wh: Warehouse, state: DataState) -> BySku:
    result: BySku = ctx.cached(
        ("recent_location_sales", state.version),
        lambda: sku_queries.recent_location_sales_all(wh, state.as_of, RECENT_DAYS),
    )
    return result


def fans(ctx: WebContext, wh: Warehouse, state: DataState) -> BySku:
    result: BySku = ctx.cached(("fans", state.version), lambda: sku_queries.fans_all(wh, state.forecast_run))
    return result


def arrivals(ctx: WebContext, wh: Warehouse, state: DataState) -> BySku:
    """Inbound quantities of all SKUs; plan lines change without an import (edit, approve), so the key also
    carries the count of the server's own writes."""
    result: BySku = ctx.cached(
        ("arrivals", state.version, str(ctx.writes)),
        lambda: sku_queries.arrivals_all(wh, state.as_of, state.plan_run),
    )
    return result


def warehouses(ctx: WebContext, wh: Warehouse, state: DataState) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = ctx.cached(
        ("warehouses", state.version),
        lambda: inventory.warehouses(wh, ctx.settings, state.as_of, summary(ctx, wh, state)),
    )
    return result


def warm(ctx: WebContext) -> threading.Thread | None:
    """Compute the cached summaries in the background (at start-up and after data changes), so that the
    first visitor does not wait for them."""

    def work() -> None:
        wh = ctx.open_cursor()
        try:
            state = state_for(ctx, wh)
            for step in (
                summary,
                overview,
                aging_layers,
                profit,
                history,
                masters,
                warehouses,
                summary_by_sku,
                recent_location_sales,
                fans,
                arrivals,
            ):
                step(ctx, wh, state)
        except Exception:  # warming is an optimisation: a failure shows up again on the real request
            log.warning("warming the dashboard caches failed", exc_info=True)
        finally:
            ctx.close_cursor(wh)

    ctx.forget()  # warming follows every change of the data: read the data version afresh
    if not ctx.warm_enabled:
        return None
    thread = threading.Thread(target=work, name="stockturn-warm", daemon=True)
    ctx.warmers = [t for t in ctx.warmers if t.is_alive()] + [thread]
    thread.start()
    return thread


def choices(ctx: WebContext, state: DataState, summary_frame: pl.DataFrame, column: str) -> list[str]:
    """The distinct values of a summary column, for a filter's drop-down (cached per data version)."""
    result: list[str] = ctx.cached(
        ("choices", column, state.version),
        lambda: sorted(str(v) for v in summary_frame[column].drop_nulls().unique().to_list()),
    )
    return result


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


_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(body: bytes, filename: str) -> Response:
    """A file download (CSV or XLSX, by the name's extension) with its media type and attachment name."""
    media_type = _MEDIA_TYPES[filename.rsplit(".", 1)[-1]]
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
