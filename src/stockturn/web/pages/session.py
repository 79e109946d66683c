"""Log in, log out, switch language, and the API's own index page (/docs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from stockturn.warehouse import Warehouse
from stockturn.web import auth
from stockturn.web.context import current_user, get_db, render, web_context
from stockturn.web.i18n import LANG_COOKIE, LOCALES

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a user to another site after logging in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, wh: Annotated[Warehouse, Depends(get_db)], next: str = "/") -> Response:
    return render(request, "login.html", None, next=safe_next(next), failed=False, no_users=not auth.users_exist(wh))


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    wh: Annotated[Warehouse, Depends(get_db)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not auth.tokens_match(csrf_token, request.state.csrf_cookie):
        raise auth.AccessDenied(
            "the form's security token is missing or out of date", hint="reload the page and try again"
        )
    user = auth.verify_password(wh, username, password)
    if user is None:
        return render(request, "login.html", None, status_code=401, next=safe_next(next), failed=True, no_users=False)
    token = auth.start_session(wh, user, web_context(request).settings.web_session_hours)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=web_context(request).settings.web_session_hours * 3600,
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(
    request: Request,
    wh: Annotated[Warehouse, Depends(get_db)],
    user: Annotated[auth.User, Depends(current_user)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not auth.tokens_match(csrf_token, user.csrf_token or request.state.csrf_cookie):
        raise auth.AccessDenied("the form's security token is missing or out of date", hint="reload the page")
    auth.end_session(wh, request.cookies.get(auth.SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE)
    return response


@router.get("/lang/{code}", include_in_schema=False)
def switch_language(code: str, next: str = "/") -> Response:
    """Remember the language in a cookie (changes nothing on the server) and go back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LOCALES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@router.get("/api/session", tags=["session"])
def api_session(request: Request, user: Annotated[auth.User, Depends(current_user)]) -> dict[str, Any]:
    """Who is logged in, with which role, and the CSRF token to send as `X-CSRF-Token` on writes."""
    token = user.csrf_token or request.state.csrf_cookie
    return {"username": user.username, "role": user.role, "csrf_token": token}


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request, user: Annotated[auth.User, Depends(current_user)]) -> Response:
    schema = request.app.openapi()
    endpoints = [
        {
            "method": method.upper(),
            "path": path,
            "summary": op.get("summary", ""),
            "description": (op.get("description") or "").split("\n")[0],
        }
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]
    return render(request, "docs.html", user, endpoints=endpoints)
