"""Alerts of the latest alert run, and acknowledging them (who and when are recorded)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from stockturn.errors import NotFound
from stockturn.warehouse import Warehouse
from stockturn.web.auth import User
from stockturn.web.context import get_db, render, require, require_write
from stockturn.web.pages._shared import data_state, jsonable
from stockturn.web.queries import actions

router = APIRouter()
viewer = require("viewer")
planner_write = require_write("planner")
NO_ALERTS_HINT = "stockturn alerts"


def alerts_data(request: Request, wh: Warehouse, open_only: bool, severity: str) -> dict[str, Any]:
    run = data_state(request, wh).alert_run
    if run is None:
        return {"alert_run": None, "alerts": [], "how_to_create": NO_ALERTS_HINT}
    return {
        "alert_run": run,
        "alerts": jsonable(actions.alerts(wh, run, open_only=open_only, severity=severity)),
        "how_to_create": None,
    }


@router.get("/api/alerts", tags=["alerts"])
def api_alerts(
    request: Request,
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(viewer)],
    open_only: bool = False,
    severity: Annotated[Literal["", "info", "warning", "critical"], Query()] = "",
) -> dict[str, Any]:
    """Alerts of the latest alert run: what, why, what to do, and who acknowledged them when."""
    return alerts_data(request, wh, open_only, severity)


def _acknowledge(request: Request, wh: Warehouse, alert_id: int, user: User) -> str:
    run = data_state(request, wh).alert_run
    if run is None:
        raise NotFound("there are no alerts yet", hint=f"compute them with `{NO_ALERTS_HINT}`")
    actions.acknowledge_alert(wh, run, alert_id, user.username)
    return run


@router.post("/api/alerts/{alert_id}/acknowledge", tags=["alerts"])
def api_acknowledge(
    request: Request,
    alert_id: int,
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(planner_write)],
) -> dict[str, Any]:
    """Acknowledge an alert. Needs the planner role and X-CSRF-Token."""
    run = _acknowledge(request, wh, alert_id, user)
    return {"alert_run": run, "alert_id": alert_id, "acknowledged_by": user.username}


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(
    request: Request,
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(viewer)],
    open_only: bool = False,
    severity: Annotated[Literal["", "info", "warning", "critical"], Query()] = "",
) -> Response:
    return render(
        request,
        "alerts.html",
        user,
        data=alerts_data(request, wh, open_only, severity),
        open_only=open_only,
        severity=severity,
    )


@router.post("/alerts/{alert_id}/acknowledge", include_in_schema=False)
def acknowledge_form(
    request: Request,
    alert_id: int,
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(planner_write)],
) -> Response:
    _acknowledge(request, wh, alert_id, user)
    return RedirectResponse("/alerts", status_code=303)
