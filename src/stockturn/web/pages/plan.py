"""Replenishment (plan lines: filter, edit quantity, approve, export purchase orders) and Transfers."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from stockturn.errors import NotFound
from stockturn.warehouse import Warehouse
from stockturn.web.auth import User
from stockturn.web.context import get_db, render, require, require_write
from stockturn.web.pages._shared import data_state, download, jsonable
from stockturn.web.queries import actions
from stockturn.web.queries.actions import PLAN_ACTIONS, PLAN_STATUSES, PlanQuery

router = APIRouter()
viewer = require("viewer")
planner_write = require_write("planner")
NO_PLAN_HINT = "stockturn plan"


def plan_query(
    action: Annotated[Literal["", "order", "transfer", "clearance"], Query()] = "",
    status: Annotated[Literal["", "proposed", "edited", "approved", "rejected"], Query()] = "",
    warehouse: Annotated[str, Query(max_length=50)] = "",
    supplier: Annotated[str, Query(max_length=50)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> PlanQuery:
    return PlanQuery(
        action=action, status=status, warehouse=warehouse, supplier=supplier, q=q, page=page, per_page=per_page
    )


def plan_data(request: Request, wh: Warehouse, query: PlanQuery) -> dict[str, Any]:
    state = data_state(request, wh)
    if state.plan_run is None:
        return {"plan_run": None, "lines": [], "total": 0, "page": 1, "pages": 1, "how_to_create": NO_PLAN_HINT}
    lines, total = actions.plan_lines(wh, state.plan_run, query)
    return {
        "plan_run": state.plan_run,
        "lines": jsonable(lines),
        "total": total,
        "page": query.page,
        "pages": max(math.ceil(total / query.per_page), 1),
        "how_to_create": None,
    }


def _run(request: Request, wh: Warehouse) -> str:
    run = data_state(request, wh).plan_run
    if run is None:
        raise NotFound("there is no plan yet", hint=f"create one with `{NO_PLAN_HINT}`")
    return run


@router.get("/api/plan", tags=["replenishment"])
def api_plan(
    request: Request,
    query: Annotated[PlanQuery, Depends(plan_query)],
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(viewer)],
) -> dict[str, Any]:
    """Lines of the latest plan run (order, transfer, clearance) with quantity, dates, mode, cost, cash,
    reason and approval status; filtered and paged. `plan_run` is null when no plan exists yet."""
    return plan_data(request, wh, query)


class QtyChange(BaseModel):
    qty: float = Field(ge=0, le=1e9, description="New quantity in units.")


@router.post("/api/plan/{line_id}/qty", tags=["replenishment"])
def api_edit_qty(
    request: Request,
    line_id: int,
    change: QtyChange,
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(planner_write)],
) -> dict[str, Any]:
    """Change a proposed line's quantity (status becomes `edited`). Needs the planner role and X-CSRF-Token."""
    run = _run(request, wh)
    actions.edit_plan_qty(wh, run, line_id, change.qty, user.username)
    return {"run_id": run, "line_id": line_id, "qty": change.qty, "status": "edited"}


@router.post("/api/plan/{line_id}/approve", tags=["replenishment"])
def api_approve(
    request: Request,
    line_id: int,
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(planner_write)],
) -> dict[str, Any]:
    """Approve a line (records who and when). Needs the planner role and X-CSRF-Token."""
    run = _run(request, wh)
    actions.approve_plan_line(wh, run, line_id, user.username)
    return {"run_id": run, "line_id": line_id, "status": "approved", "approved_by": user.username}


@router.get("/api/plan/purchase-orders", tags=["replenishment"], response_class=Response)
def api_purchase_orders(
    request: Request,
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(viewer)],
    fmt: Annotated[Literal["xlsx", "csv", "json"], Query(alias="format")] = "xlsx",
) -> Response:
    """Approved order lines of the latest plan as purchase-order drafts grouped by supplier: XLSX (one sheet
    per supplier), CSV or JSON."""
    run = _run(request, wh)
    orders = actions.purchase_orders(wh, run)
    if fmt == "json":
        from fastapi.encoders import jsonable_encoder
        from fastapi.responses import JSONResponse

        return JSONResponse(jsonable_encoder({"plan_run": run, "lines": jsonable(orders.to_dicts())}))
    if fmt == "csv":
        return download(actions.purchase_orders_csv(orders), f"purchase-orders-{run}.csv")
    return download(actions.purchase_orders_xlsx(orders, run), f"purchase-orders-{run}.xlsx")


@router.get("/replenishment", response_class=HTMLResponse, include_in_schema=False)
def plan_page(
    request: Request,
    query: Annotated[PlanQuery, Depends(plan_query)],
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(viewer)],
) -> Response:
    data = plan_data(request, wh, query)
    params = {
        "action": query.action,
        "status": query.status,
        "warehouse": query.warehouse,
        "supplier": query.supplier,
        "q": query.q,
    }
    warehouses = [r[0] for r in wh.con.execute("SELECT warehouse_id FROM warehouse ORDER BY 1").fetchall()]
    suppliers = [r[0] for r in wh.con.execute("SELECT supplier_id FROM supplier ORDER BY 1").fetchall()]
    return render(
        request,
        "replenishment.html",
        user,
        data=data,
        query=query,
        params=params,
        actions=PLAN_ACTIONS,
        statuses=PLAN_STATUSES,
        warehouses=warehouses,
        suppliers=suppliers,
    )


def _back(request: Request) -> str:
    referer = request.headers.get("referer", "")
    path = referer.split("//", 1)[-1].split("/", 1)[-1] if "//" in referer else ""
    return "/" + path if path.startswith("replenishment") else "/replenishment"


@router.post("/replenishment/{line_id}/qty", include_in_schema=False)
def edit_qty_form(
    request: Request,
    line_id: int,
    qty: Annotated[float, Form()],
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(planner_write)],
) -> Response:
    actions.edit_plan_qty(wh, _run(request, wh), line_id, qty, user.username)
    return RedirectResponse(_back(request), status_code=303)


@router.post("/replenishment/{line_id}/approve", include_in_schema=False)
def approve_form(
    request: Request,
    line_id: int,
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(planner_write)],
) -> Response:
    actions.approve_plan_line(wh, _run(request, wh), line_id, user.username)
    return RedirectResponse(_back(request), status_code=303)


# --- transfers -------------------------------------------------------------------------------------
def transfers_data(request: Request, wh: Warehouse) -> dict[str, Any]:
    state = data_state(request, wh)
    proposed: list[dict[str, Any]] = []
    if state.plan_run:
        proposed, _ = actions.plan_lines(wh, state.plan_run, PlanQuery(action="transfer", per_page=500))
    return {
        "plan_run": state.plan_run,
        "proposed": jsonable(proposed),
        "in_transit": jsonable(actions.shipments_in_transit(wh)),
        "how_to_create": None if state.plan_run else NO_PLAN_HINT,
    }


@router.get("/api/transfers", tags=["transfers"])
def api_transfers(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> dict[str, Any]:
    """Transfers proposed by the latest plan, and shipments between warehouses still in transit."""
    return transfers_data(request, wh)


@router.get("/transfers", response_class=HTMLResponse, include_in_schema=False)
def transfers_page(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> Response:
    return render(request, "transfers.html", user, data=transfers_data(request, wh))
