"""Warehouses: stock, value, cover, aging and fees per warehouse."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

import stockturn.analytics as an
from stockturn.warehouse import Warehouse
from stockturn.web.auth import User
from stockturn.web.context import get_db, render, require, web_context
from stockturn.web.pages._shared import data_state, jsonable
from stockturn.web.pages._shared import warehouses as warehouses_cached

router = APIRouter()
viewer = require("viewer")


def warehouses_data(request: Request, wh: Warehouse) -> dict[str, Any]:
    ctx = web_context(request)
    state = data_state(request, wh)
    found = warehouses_cached(ctx, wh, state)
    period = an.resolve_period(wh, ctx.settings, None, state.as_of)
    return {
        "as_of": state.as_of,
        "currency": ctx.settings.base_currency,
        "warehouses": jsonable(found),
        "period": {"start": period.start, "end": period.end, "days": period.days},
    }


@router.get("/api/warehouses", tags=["warehouses"])
def api_warehouses(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> dict[str, Any]:
    """Per warehouse over the default period (analytics library): units and value on hand, in transit to it,
    turnover, DIO, days of cover, share of units older than 90 days (FIFO), storage fees, holding cost,
    stockout rate; plus the number of SKUs in stock."""
    return warehouses_data(request, wh)


@router.get("/warehouses", response_class=HTMLResponse, include_in_schema=False)
def warehouses_page(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> Response:
    return render(request, "warehouses.html", user, data=warehouses_data(request, wh))
