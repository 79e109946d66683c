"""Imports: upload a file (validated by the ingestion library), see its problems, history, undo."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from stockturn.errors import StockturnError, ValidationFailed
from stockturn.ingestion.audit import list_imports, undo_import
from stockturn.ingestion.registry import importers
from stockturn.ingestion.run import import_file
from stockturn.warehouse import Warehouse
from stockturn.web import auth
from stockturn.web.auth import User
from stockturn.web.context import expected_csrf, get_db, render, require, require_write, web_context
from stockturn.web.pages._shared import jsonable, warm
from stockturn.web.queries.actions import audit
from stockturn.web.uploads import receive_upload

router = APIRouter()
viewer = require("viewer")
planner = require("planner")
admin_write = require_write("admin")


def history(wh: Warehouse) -> list[dict[str, Any]]:
    return jsonable(list_imports(wh, limit=200).to_dicts())


def _import(
    request: Request, wh: Warehouse, user: User, fields: dict[str, str], path: Any, original: str
) -> dict[str, Any]:
    """Run the import; a file with problems gives the problems (nothing loaded), not an error page."""
    ctx = web_context(request)
    source = fields.get("source") or "auto"
    try:
        result = import_file(
            wh,
            path,
            settings=ctx.settings,
            source=source,
            warehouse=fields.get("warehouse") or None,
            channel=fields.get("channel") or None,
        )
    except ValidationFailed as exc:
        # messages name the stored copy; show the name the user chose instead
        problems = [
            {"row": p.row, "column": p.column, "message": p.message.replace(path.name, original), "hint": p.hint}
            for p in exc.problems
        ]
        return {
            "ok": False,
            "file": original,
            "total_problems": exc.total,
            "problems": problems,
            "message": exc.message.splitlines()[0].replace(path.name, original),
        }
    except StockturnError as exc:
        return {
            "ok": False,
            "file": original,
            "total_problems": 1,
            "problems": [
                {"row": None, "column": None, "message": exc.message.replace(path.name, original), "hint": exc.hint}
            ],
            "message": exc.message.replace(path.name, original),
        }
    if result.import_id is not None:
        wh.con.execute(
            "UPDATE import_batch SET imported_by = ?, file_name = ? WHERE import_id = ?",
            [f"web:{user.username}", original, result.import_id],
        )
        audit(
            wh,
            user.username,
            "import.upload",
            str(result.import_id),
            {"file": original, "stored_as": path.name, "source": result.source},
        )
        warm(ctx)
    return {
        "ok": True,
        "file": original,
        "import_id": result.import_id,
        "source": result.source,
        "rows_read": result.rows_read,
        "added": result.added,
        "replaced": result.replaced,
        "rejected": result.rejected,
        "unmapped": result.unmapped,
    }


async def _upload(request: Request, wh: Warehouse, user: User) -> dict[str, Any]:
    """CSRF first (header, or the form's field once the size-limited body is read), then import."""
    ctx = web_context(request)
    expected = expected_csrf(request, user)
    header = request.headers.get("x-csrf-token")
    is_form = request.headers.get("content-type", "").startswith("multipart/form-data")
    if (header is None and not is_form) or (header is not None and not auth.tokens_match(header, expected)):
        raise auth.AccessDenied("the form's security token is missing or out of date", hint="reload the page")
    upload = await receive_upload(request, ctx.upload_dir, ctx.settings.web_upload_max_mb * 1024 * 1024)
    if header is None and not auth.tokens_match(upload.fields.get("csrf_token"), expected):
        upload.path.unlink(missing_ok=True)
        raise auth.AccessDenied("the form's security token is missing or out of date", hint="reload the page")
    return await run_in_threadpool(_import, request, wh, user, upload.fields, upload.path, upload.original_name)


@router.get("/api/imports", tags=["imports"])
def api_imports(wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]) -> dict[str, Any]:
    """Every import, newest first: file, hash, source, rows read/added/replaced/rejected, who, when, status."""
    return {"imports": history(wh), "sources": sorted(importers())}


@router.post("/api/imports", tags=["imports"])
async def api_upload(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(planner)]
) -> dict[str, Any]:
    """Upload one file (multipart field `file`, optional `source`, `warehouse`, `channel`) and import it;
    returns the import's counts, or its validation problems (nothing is loaded then). Needs X-CSRF-Token."""
    return await _upload(request, wh, user)


@router.post("/api/imports/{import_id}/undo", tags=["imports"])
def api_undo(
    request: Request,
    import_id: int,
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(admin_write)],
) -> dict[str, Any]:
    """Remove exactly what one import added (admin role)."""
    result = undo_import(wh, import_id)
    warm(web_context(request))
    audit(wh, user.username, "import.undo", str(import_id), {"deleted": result.deleted, "restored": result.restored})
    return {"import_id": import_id, "deleted": result.deleted, "restored": result.restored}


@router.get("/imports", response_class=HTMLResponse, include_in_schema=False)
def imports_page(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(viewer)]
) -> Response:
    return render(
        request,
        "imports.html",
        user,
        imports=history(wh),
        sources=sorted(importers()),
        outcome=None,
        max_mb=web_context(request).settings.web_upload_max_mb,
    )


@router.post("/imports", response_class=HTMLResponse, include_in_schema=False)
async def upload_form(
    request: Request, wh: Annotated[Warehouse, Depends(get_db)], user: Annotated[User, Depends(planner)]
) -> Response:
    outcome = await _upload(request, wh, user)
    return render(
        request,
        "imports.html",
        user,
        status_code=200 if outcome["ok"] else 422,
        imports=history(wh),
        sources=sorted(importers()),
        outcome=outcome,
        max_mb=web_context(request).settings.web_upload_max_mb,
    )


@router.post("/imports/{import_id}/undo", include_in_schema=False)
def undo_form(
    request: Request,
    import_id: int,
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[User, Depends(admin_write)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    result = undo_import(wh, import_id)
    warm(web_context(request))
    audit(wh, user.username, "import.undo", str(import_id), {"deleted": result.deleted, "restored": result.restored})
    return RedirectResponse("/imports", status_code=303)
