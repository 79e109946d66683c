"""Master data: review fuzzy SKU-match suggestions for unmapped identifiers (confirm / reject), link and
unlink aliases by hand; all through the master-data library, so the CLI sees the same changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from stockturn.warehouse import Warehouse
from stockturn.web.auth import User
from stockturn.web.context import get_db, render, require, require_write, web_context
from stockturn.web.pages._shared import jsonable
from stockturn.web.queries import masterdata

router = APIRouter()
viewer = require("viewer")
planner_write = require_write("planner")


class Link(BaseModel):
    alias: str = Field(min_length=1, max_length=200, description="The identifier exactly as the source writes it.")
    sku_id: str = Field("", max_length=100, description="The canonical SKU it means (not needed to unlink).")
    alias_type: str = Field("other", description="seller_sku, asin, fnsku, shopify_sku, barcode, erp_code, name, other")
    scope: str = Field("", max_length=100, description="Channel or warehouse where the alias is only local; '' = all.")


def md_data(wh: Warehouse) -> dict[str, Any]:
    data = masterdata.review(wh)
    data["changes"] = jsonable(data["changes"])
    return data


@router.get("/api/masterdata", tags=["master data"])
def api_masterdata(wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]) -> dict[str, Any]:
    """Unmapped identifiers (rows without a canonical SKU, per table and scope) with their open fuzzy
    suggestions, and the latest master-data changes."""
    return md_data(wh)


@router.post("/api/masterdata/suggest", tags=["master data"])
def api_suggest(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(planner_write)]
) -> dict[str, Any]:
    """Recompute the open suggestions (planner role, X-CSRF-Token)."""
    return {"open_suggestions": masterdata.refresh(wh, web_context(request).settings, user.username)}


@router.post("/api/masterdata/suggestions/{suggestion_id}/confirm", tags=["master data"])
def api_confirm(
    suggestion_id: int, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(planner_write)]
) -> dict[str, Any]:
    """Accept a suggestion: link its identifier to its SKU (planner role, X-CSRF-Token)."""
    return {"summary": masterdata.confirm(wh, suggestion_id, user.username)}


@router.post("/api/masterdata/suggestions/{suggestion_id}/reject", tags=["master data"])
def api_reject(
    suggestion_id: int, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(planner_write)]
) -> dict[str, Any]:
    """Refuse a suggestion; it is not suggested again (planner role, X-CSRF-Token)."""
    return {"summary": masterdata.reject(wh, suggestion_id, user.username)}


@router.post("/api/masterdata/link", tags=["master data"])
def api_link(
    link: Link, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(planner_write)]
) -> dict[str, Any]:
    """Link an identifier to a canonical SKU; its facts are re-resolved (planner role, X-CSRF-Token)."""
    return {"summary": masterdata.link(wh, link.alias, link.sku_id, link.alias_type, link.scope, user.username)}


@router.post("/api/masterdata/unlink", tags=["master data"])
def api_unlink(
    link: Link, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(planner_write)]
) -> dict[str, Any]:
    """Remove an alias; the facts that carried it become unmapped (planner role, X-CSRF-Token)."""
    return {"summary": masterdata.unlink(wh, link.alias, link.alias_type, link.scope, user.username)}


@router.get("/masterdata", response_class=HTMLResponse, include_in_schema=False)
def masterdata_page(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> Response:
    return render(request, "masterdata.html", user, data=md_data(wh), done=request.query_params.get("done", ""))


def _done(summary: str, back: str = "/masterdata") -> Response:
    from urllib.parse import urlencode

    return RedirectResponse(f"{back}?{urlencode({'done': summary[:200]})}", status_code=303)


@router.post("/masterdata/suggest", include_in_schema=False)
def suggest_form(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(planner_write)]
) -> Response:
    masterdata.refresh(wh, web_context(request).settings, user.username)
    return RedirectResponse("/masterdata", status_code=303)


@router.post("/masterdata/suggestions/{suggestion_id}/confirm", include_in_schema=False)
def confirm_form(
    suggestion_id: int, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(planner_write)]
) -> Response:
    return _done(masterdata.confirm(wh, suggestion_id, user.username))


@router.post("/masterdata/suggestions/{suggestion_id}/reject", include_in_schema=False)
def reject_form(
    suggestion_id: int, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(planner_write)]
) -> Response:
    return _done(masterdata.reject(wh, suggestion_id, user.username))


@router.post("/masterdata/link", include_in_schema=False)
def link_form(
    alias: Annotated[str, Form()],
    sku_id: Annotated[str, Form()],
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(planner_write)],
    alias_type: Annotated[str, Form()] = "other",
    scope: Annotated[str, Form()] = "",
) -> Response:
    return _done(masterdata.link(wh, alias, sku_id, alias_type, scope, user.username))


@router.post("/masterdata/unlink", include_in_schema=False)
def unlink_form(
    alias: Annotated[str, Form()],
    alias_type: Annotated[str, Form()],
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(planner_write)],
    scope: Annotated[str, Form()] = "",
    sku_id: Annotated[str, Form()] = "",
) -> Response:
    summary = masterdata.unlink(wh, alias, alias_type, scope, user.username)
    return _done(summary, f"/skus/{sku_id}" if sku_id else "/masterdata")
