"""Master data: review fuzzy SKU-match suggestions for unmapped identifiers; link and unlink aliases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from stockturn.warehouse import Warehouse
from stockturn.web.auth import User
from stockturn.web.context import get_db, render, require, require_write
from stockturn.web.pages._shared import jsonable
from stockturn.web.queries import masterdata

router = APIRouter()
viewer = require("viewer")
planner_write = require_write("planner")


class Link(BaseModel):
    alias: str = Field(min_length=1, max_length=200, description="The identifier exactly as the source writes it.")
    sku_id: str = Field(min_length=1, max_length=100, description="The canonical SKU it means.")
    alias_type: str = Field("other", description="seller_sku, asin, fnsku, shopify_sku, barcode, erp_code, name, other")


def md_data(wh: Warehouse) -> dict[str, Any]:
    return {"suggestions": masterdata.suggestions(wh), "recent_links": jsonable(masterdata.recent_links(wh)),
            "alias_types": list(masterdata.ALIAS_TYPES)}


@router.get("/api/masterdata", tags=["master data"])
def api_masterdata(wh: Warehouse = Depends(get_db), user: User = Depends(viewer)) -> dict[str, Any]:
    """Unmapped identifiers (sales and ad lines without a canonical SKU) with scored suggestions, and the
    links people made here."""
    return md_data(wh)


@router.post("/api/masterdata/link", tags=["master data"])
def api_link(link: Link, wh: Warehouse = Depends(get_db), user: User = Depends(planner_write)) -> dict[str, Any]:
    """Link an identifier to a canonical SKU (maps its facts). Needs the planner role and X-CSRF-Token."""
    return {"mapped": masterdata.link(wh, link.alias, link.sku_id, link.alias_type, user.username)}


@router.post("/api/masterdata/unlink", tags=["master data"])
def api_unlink(link: Link, wh: Warehouse = Depends(get_db), user: User = Depends(planner_write)) -> dict[str, Any]:
    """Remove an alias from a SKU (its facts become unmapped again). Needs the planner role and X-CSRF-Token."""
    return {"unmapped": masterdata.unlink(wh, link.alias, link.alias_type, link.sku_id, user.username)}


@router.get("/masterdata", response_class=HTMLResponse, include_in_schema=False)
def masterdata_page(request: Request, wh: Warehouse = Depends(get_db), user: User = Depends(viewer)) -> Response:
    return render(request, "masterdata.html", user, data=md_data(wh))


@router.post("/masterdata/link", include_in_schema=False)
def link_form(alias: Annotated[str, Form()], sku_id: Annotated[str, Form()],
              alias_type: Annotated[str, Form()] = "other", wh: Warehouse = Depends(get_db),
              user: User = Depends(planner_write)) -> Response:
    masterdata.link(wh, alias, sku_id.strip(), alias_type, user.username)
    return RedirectResponse("/masterdata", status_code=303)


@router.post("/masterdata/unlink", include_in_schema=False)
def unlink_form(alias: Annotated[str, Form()], sku_id: Annotated[str, Form()],
                alias_type: Annotated[str, Form()], wh: Warehouse = Depends(get_db),
                user: User = Depends(planner_write)) -> Response:
    masterdata.unlink(wh, alias, alias_type, sku_id, user.username)
    return RedirectResponse(f"/skus/{sku_id}", status_code=303)
