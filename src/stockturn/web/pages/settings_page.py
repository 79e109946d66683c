"""Settings (read-only view of the one settings table), users and the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from stockturn.settings import describe_settings
from stockturn.warehouse import Warehouse
from stockturn.web import auth
from stockturn.web.auth import User
from stockturn.web.context import get_db, render, require, web_context
from stockturn.web.queries import actions

router = APIRouter()
viewer = require("viewer")


def settings_data(request: Request, wh: Warehouse, user: User) -> dict[str, Any]:
    ctx = web_context(request)
    data: dict[str, Any] = {"warehouse": str(ctx.warehouse.path), "settings": describe_settings(ctx.settings)}
    if user.can("admin"):
        data["users"] = [
            {"username": u, "role": r, "created_at": c, "created_by": b} for u, r, c, b in auth.list_users(wh)
        ]
        data["audit"] = actions.audit_trail(wh)
    return data


@router.get("/api/settings", tags=["settings"])
def api_settings(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> dict[str, Any]:
    """Every setting with its type, default, current value and help; for admins also users and the audit trail."""
    return settings_data(request, wh, user)


@router.get("/settings", response_class=HTMLResponse, include_in_schema=False)
def settings_page(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> Response:
    return render(request, "settings.html", user, data=settings_data(request, wh, user))
