"""SKUs: the searchable, filterable list of SKU-locations (paged on the server), its export, and one
SKU's detail page (sales history with stockout days, forecast fan, projected stock, aging, costs)."""

from __future__ import annotations

import io
import math
from datetime import date
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

import stockturn.analytics as an
from stockturn.warehouse import Warehouse
from stockturn.web.auth import User
from stockturn.web.context import get_db, render, require, web_context
from stockturn.web.pages._shared import (
    RECENT_DAYS,
    aging_layers,
    arrivals,
    choices,
    data_state,
    download,
    fans,
    jsonable,
    masters,
    recent_location_sales,
    summary,
    summary_by_sku,
)
from stockturn.web.pages._shared import history as history_all
from stockturn.web.pages._shared import profit as profit_table
from stockturn.web.queries import inventory
from stockturn.web.queries import sku as sku_queries
from stockturn.web.queries.inventory import CLASSES, SORTABLE, STATUSES, SkuQuery

router = APIRouter()
viewer = require("viewer")
EXPORT_COLUMNS = (
    "sku_id",
    "warehouse_id",
    "title",
    "category",
    "brand",
    "abc_class",
    "abc_xyz",
    "status",
    "on_hand",
    "available",
    "inbound",
    "units_sold",
    "revenue",
    "daily_demand",
    "cover_days",
    "lead_time_days",
    "stockout_days",
    "stockout_rate",
    "lost_units",
    "stock_value",
    "turnover_annualised",
    "net_profit",
)


def sku_query(
    q: Annotated[str, Query(max_length=100)] = "",
    warehouse: Annotated[str, Query(max_length=50)] = "",
    category: Annotated[str, Query(max_length=100)] = "",
    abc_class: Annotated[Literal["", "A", "B", "C"], Query(alias="class")] = "",
    status: Annotated[Literal["", "stockout", "low", "ok", "slow", "dead", "inactive"], Query()] = "",
    sort: Annotated[str, Query(max_length=40)] = "stock_value",
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> SkuQuery:
    return SkuQuery(
        q=q,
        warehouse=warehouse,
        category=category,
        abc_class=abc_class,
        status=status,
        sort=sort if sort in SORTABLE else "stock_value",
        desc=order == "desc",
        page=page,
        per_page=per_page,
    )


def list_data(request: Request, wh: Warehouse, query: SkuQuery) -> dict[str, Any]:
    ctx = web_context(request)
    state = data_state(request, wh)
    full = summary(ctx, wh, state)
    matched = inventory.filter_summary(full, query)
    pages = max(math.ceil(matched.height / query.per_page), 1)
    page = min(query.page, pages)
    rows = matched.slice((page - 1) * query.per_page, query.per_page)
    return {
        "as_of": state.as_of,
        "currency": ctx.settings.base_currency,
        "total": matched.height,
        "page": page,
        "pages": pages,
        "per_page": query.per_page,
        "rows": jsonable(rows.to_dicts()),
        "demand_source": "forecast" if state.forecast_run else "recent_sales",
        "forecast_run": state.forecast_run,
        "period": _period(request, wh),
        "_full": full,
    }


def _period(request: Request, wh: Warehouse) -> dict[str, Any]:
    ctx = web_context(request)
    period = an.resolve_period(wh, ctx.settings, None, data_state(request, wh).as_of)
    return {"start": period.start, "end": period.end, "days": period.days}


@router.get("/api/skus", tags=["skus"])
def api_skus(
    request: Request,
    query: Annotated[SkuQuery, Depends(sku_query)],
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(viewer)],
) -> dict[str, Any]:
    """SKU-locations with stock, 90-day sales, expected daily demand, days of cover, stockout days, ABC class
    and status; searched (`q` in SKU id or title), filtered, sorted and paged on the server."""
    data = list_data(request, wh, query)
    data.pop("_full")
    return data


@router.get("/api/skus/export", tags=["skus"], response_class=Response)
def api_skus_export(
    request: Request,
    query: Annotated[SkuQuery, Depends(sku_query)],
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(viewer)],
    fmt: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """Every SKU-location matching the filters (all pages) as CSV or XLSX."""
    ctx = web_context(request)
    state = data_state(request, wh)
    matched = inventory.filter_summary(summary(ctx, wh, state), query).select(EXPORT_COLUMNS)
    stamp = state.as_of.isoformat()
    if fmt == "xlsx":
        buffer = io.BytesIO()
        matched.write_excel(buffer, worksheet="skus", autofit=True, freeze_panes=(1, 0))
        return download(buffer.getvalue(), f"skus-{stamp}.xlsx")
    return download(matched.write_csv().encode("utf-8-sig"), f"skus-{stamp}.csv")


@router.get("/skus", response_class=HTMLResponse, include_in_schema=False)
def skus_page(
    request: Request,
    query: Annotated[SkuQuery, Depends(sku_query)],
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(viewer)],
) -> Response:
    data = list_data(request, wh, query)
    full: pl.DataFrame = data.pop("_full")
    ctx, state = web_context(request), data_state(request, wh)
    params = {
        "q": query.q,
        "warehouse": query.warehouse,
        "category": query.category,
        "class": query.abc_class,
        "status": query.status,
        "sort": query.sort,
        "order": "desc" if query.desc else "asc",
    }
    template = "skus_table.html" if request.headers.get("hx-request") else "skus.html"
    return render(
        request,
        template,
        user,
        data=data,
        query=query,
        params=params,
        warehouses=choices(ctx, state, full, "warehouse_id"),
        categories=choices(ctx, state, full, "category"),
        classes=CLASSES,
        statuses=STATUSES,
        sortable=SORTABLE,
    )


# --- detail ------------------------------------------------------------------------------------------
def detail_data(request: Request, wh: Warehouse, sku_id: str) -> dict[str, Any]:
    ctx = web_context(request)
    state = data_state(request, wh)
    master = sku_queries.sku_master(masters(ctx, wh, state), sku_id)
    locations = summary_by_sku(ctx, wh, state).rows(sku_id)
    history = sku_queries.sales_history(history_all(ctx, wh, state), sku_id, state.as_of)
    fan = sku_queries.forecast_fan(fans(ctx, wh, state), sku_id)
    projected = sku_queries.projection(arrivals(ctx, wh, state), sku_id, state.as_of, locations, fan)
    period = an.resolve_period(wh, ctx.settings, None, state.as_of)
    layers = aging_layers(ctx, wh, state)
    profit = profit_table(ctx, wh, state)
    return {
        "as_of": state.as_of,
        "currency": ctx.settings.base_currency,
        "sku": master,
        "locations": jsonable(locations.to_dicts()),
        "history": history.to_dict(as_series=False),
        "forecast_run": state.forecast_run,
        "forecast": {w: f.to_dict(as_series=False) for w, f in fan.items()},
        "plan_run": state.plan_run,
        "projection": projected,
        "aging": sku_queries.aging(layers, sku_id, ctx.settings),
        "waterfall": sku_queries.cost_waterfall(profit, sku_id, period),
    }


@router.get("/api/skus/{sku_id}", tags=["skus"])
def api_sku(
    request: Request, sku_id: str, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> dict[str, Any]:
    """One SKU: master data and aliases, per-location stock, 365 days of sales with stockout days, the latest
    forecast (mean and quantiles per location), 90-day projected stock with arrivals, FIFO aging layers,
    and the cost waterfall from revenue to net profit."""
    return detail_data(request, wh, sku_id)


def _iso(days: list[date]) -> list[str]:
    return [d.isoformat() for d in days]


@router.get("/skus/{sku_id}", response_class=HTMLResponse, include_in_schema=False)
def sku_page(
    request: Request, sku_id: str, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> Response:
    data = detail_data(request, wh, sku_id)
    history = data["history"]
    charts: dict[str, Any] = {
        "sales": {
            "days": _iso(history["day"]),
            "units": history["units"],
            "out": [
                d.isoformat() for d, n in zip(history["day"], history["out_locations"], strict=True) if n and n > 0
            ],
        },
        "projection": {
            "days": _iso(data["projection"]["days"]),
            "stock": data["projection"]["stock"],
            "arrivals": [
                {"warehouse_id": a["warehouse_id"], "day": a["day"].isoformat(), "qty": a["qty"], "kind": a["kind"]}
                for a in data["projection"]["arrivals"]
            ],
        },
        "aging": data["aging"],
        "waterfall": data["waterfall"],
    }
    forecasts = data["forecast"]
    chosen = request.query_params.get("wh")
    if forecasts:
        if chosen not in forecasts:
            by_sales = sorted(data["locations"], key=lambda r: -(r["units_sold"] or 0))
            chosen = next(
                (r["warehouse_id"] for r in by_sales if r["warehouse_id"] in forecasts), next(iter(forecasts))
            )
        fan = forecasts[chosen]
        recent = sku_queries.location_sales(
            recent_location_sales(web_context(request), wh, data_state(request, wh)),
            sku_id,
            str(chosen),
            data["as_of"],
            days=RECENT_DAYS,
        )
        charts["forecast"] = {
            "warehouse": chosen,
            "history_days": _iso(recent["day"].to_list()),
            "history_units": recent["units"].to_list(),
            "days": _iso(fan["ds"]),
            **{k: v for k, v in fan.items() if k != "ds"},
        }
    return render(
        request, "sku_detail.html", user, data=data, charts=charts, fan_warehouses=list(forecasts), fan_warehouse=chosen
    )
