"""Every exception becomes a response here, and only here.

The JSON API answers with one pinned shape, `{"error": {"status", "code", "message", "hint"}}`; pages
answer with the error page (or a redirect to the login page). A user's mistake never shows a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

import duckdb
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from stockturn.errors import InputError, NotFound, StockturnError, ValidationFailed, WarehouseBusy
from stockturn.web.auth import AccessDenied, LoginRequired

log = logging.getLogger("stockturn.web")


class UploadTooLarge(StockturnError):
    status_code = 413


def _status(exc: StockturnError) -> int:
    explicit = getattr(exc, "status_code", None)
    if isinstance(explicit, int):
        return explicit
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, WarehouseBusy):
        return 409
    if isinstance(exc, InputError | ValidationFailed):
        return 422
    return 400


def _code(exc: BaseException) -> str:
    """The error class name in snake case, e.g. `not_found`, `access_denied`."""
    name = type(exc).__name__
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def error_body(status: int, code: str, message: str, hint: str | None) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "hint": hint}}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in {"/openapi.json"}


def _respond(request: Request, status: int, code: str, message: str, hint: str | None) -> Response:
    if _wants_json(request):
        return JSONResponse(error_body(status, code, message, hint), status_code=status)
    if status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    from stockturn.web.context import render  # late import: context imports this module's siblings

    return render(request, "error.html", None, status_code=status, status=status, code=code, message=message, hint=hint)


def install_error_handlers(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StockturnError)
        return _respond(request, _status(exc), _code(exc), exc.message, exc.hint)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _respond(request, exc.status_code, code, str(exc.detail), None)

    async def on_bad_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid request')}"
        return _respond(request, 422, "invalid_request", message, "check the request's parameters")

    async def on_conflict(request: Request, exc: Exception) -> Response:
        return _respond(
            request,
            409,
            "conflict",
            "another change to the same rows happened at the same time",
            "reload the page and try again",
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _respond(
            request,
            500,
            "internal_error",
            "something went wrong inside stockturn",
            "the server log has the details; please report it",
        )

    app.add_exception_handler(StockturnError, on_domain_error)
    app.add_exception_handler(AccessDenied, on_domain_error)
    app.add_exception_handler(LoginRequired, on_domain_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_bad_request)
    app.add_exception_handler(duckdb.TransactionException, on_conflict)
    app.add_exception_handler(Exception, on_unexpected)
