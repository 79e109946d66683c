"""Warehouses: stock, value, cover, aging and fees per warehouse."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from stockturn.warehouse import Warehouse
from stockturn.web.auth import User
from stockturn.web.context import get_db, render, require, web_context
from stockturn.web.pages._shared import data_state, jsonable, summary
from stockturn.web.queries import inventory

router = APIRouter()
viewer = require("viewer")


def warehouses_data(request: Request, wh: Warehouse) -> dict[str, Any]:
    ctx = web_context(request)
    state = data_state(request, wh)
    found: list[dict[str, Any]] = ctx.cached(
        ("warehouses", state.version),
        lambda: inventory.warehouses(wh, ctx.settings, state.as_of, summary(ctx, wh, state)))
    return {"as_of": state.as_of, "currency": ctx.settings.base_currency, "warehouses": jsonable(found)}


@router.get("/api/warehouses", tags=["warehouses"])
def api_warehouses(request: Request, wh: Warehouse = Depends(get_db), user: User = Depends(viewer)) -> dict[str, Any]:
    """Per warehouse: SKUs, units on hand and available, stock value, days of cover, share of units older
    than 90 days (FIFO), fees of the last 90 days, stockout rate."""
    return warehouses_data(request, wh)


@router.get("/warehouses", response_class=HTMLResponse, include_in_schema=False)
def warehouses_page(request: Request, wh: Warehouse = Depends(get_db), user: User = Depends(viewer)) -> Response:
    return render(request, "warehouses.html", user, data=warehouses_data(request, wh))
