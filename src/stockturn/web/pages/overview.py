"""Overview: the company's KPIs over the last 90 days against the 90 days before, with a monthly trend."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from stockturn.warehouse import Warehouse
from stockturn.web.auth import User
from stockturn.web.context import get_db, render, require, web_context
from stockturn.web.pages._shared import data_state
from stockturn.web.pages._shared import overview as overview_cached

router = APIRouter()
viewer = require("viewer")

# (key, format, higher_is_better): how each KPI card is shown and which direction is good news
KPIS = (
    ("turnover", "ratio", True),
    ("dio_days", "days", False),
    ("stockout_rate", "pct", False),
    ("cash_in_stock", "money", False),
    ("ccc_days", "days", False),
)


def overview_data(request: Request, wh: Warehouse) -> dict[str, Any]:
    ctx = web_context(request)
    state = data_state(request, wh)
    data = overview_cached(ctx, wh, state)
    if state.alert_run:  # acknowledgements do not change the data version: count open alerts fresh
        data = {
            **data,
            "open_alerts": int(
                wh.scalar("SELECT count(*) FROM alert WHERE run_id = ? AND acknowledged_at IS NULL", [state.alert_run])
            ),
        }
    return data


@router.get("/api/overview", tags=["overview"])
def api_overview(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> dict[str, Any]:
    """KPIs (annualised turnover, DIO, stockout rate, cash in stock incl. in transit and paid POs, CCC, open
    alerts) over the default period and the one before, from the analytics library (the numbers of
    `stockturn report overview` / `report cash`), plus a monthly chart series; money in the base currency."""
    return overview_data(request, wh)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview_page(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> Response:
    data = overview_data(request, wh)
    cards = []
    for key, kind, higher_is_better in KPIS:
        now, before = data["current"][key], data["previous"][key]
        change = (now - before) / abs(before) if now is not None and before not in (None, 0) else None
        good = None if change is None or abs(change) < 0.005 else (change > 0) == higher_is_better
        cards.append({"key": key, "kind": kind, "value": now, "previous": before, "change": change, "good": good})
    months = data["monthly"]
    trend = {
        "months": [m["month"].isoformat()[:7] for m in months],
        "turnover": [None if m["turnover"] is None else round(m["turnover"], 2) for m in months],
        "value": [None if m["value"] is None else round(m["value"]) for m in months],
    }
    state = data_state(request, wh)
    return render(request, "overview.html", user, data=data, cards=cards, trend=trend, state=state)
