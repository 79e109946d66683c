"""The dashboard's FastAPI application, built by `create_app(settings)`; no module-level app or settings."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stockturn import __version__
from stockturn.settings import Settings
from stockturn.warehouse import open_warehouse
from stockturn.web import auth
from stockturn.web.context import WebContext
from stockturn.web.errors import install_error_handlers
from stockturn.web.pages import (
    alerts,
    imports,
    masterdata,
    overview,
    plan,
    session,
    settings_page,
    skus,
    warehouses,
)
from stockturn.web.pages._shared import warm

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


class _PerRequest:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware): the per-browser CSRF cookie, security headers
    and a Server-Timing header with the time spent in the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        cookie = Request(scope).cookies.get(auth.CSRF_COOKIE)
        token = cookie or auth.new_csrf_token()
        scope.setdefault("state", {})["csrf_cookie"] = token
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if cookie is None:
                    headers.append(
                        "set-cookie",
                        f"{auth.CSRF_COOKIE}={token}; HttpOnly; Path=/; SameSite=strict"
                        + ("; Secure" if secure else ""),
                    )
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = _CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings, *, db: Path | None = None, warm_caches: bool = True) -> FastAPI:
    """The dashboard over the warehouse at `db` (default: the `db` setting), opened read-write once."""
    path = Path(db) if db is not None else settings.db
    warehouse = open_warehouse(path, create=False)
    package = resources.files("stockturn.web")
    templates = Jinja2Templates(directory=str(package.joinpath("templates")))
    templates.env.globals["version"] = __version__
    templates.env.auto_reload = False  # templates ship with the package: no stat() per render
    templates.env.policies["json.dumps_kwargs"] = {"default": str, "sort_keys": False}  # dates in chart data
    upload_dir = path.resolve().parent / "uploads"
    ctx = WebContext(
        settings=settings, warehouse=warehouse, templates=templates, upload_dir=upload_dir, warm_enabled=warm_caches
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warm(ctx)
        yield
        for thread in ctx.warmers:  # a warming query must not be cut off by closing the connection
            thread.join(timeout=120)
        warehouse.close()

    app = FastAPI(
        title="stockturn",
        version=__version__,
        description="Inventory dashboard API: every number the pages show, as JSON.",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's Swagger page loads its assets from a CDN; /docs is our own page
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.mount("/static", StaticFiles(directory=str(package.joinpath("static"))), name="static")

    app.add_middleware(_PerRequest)

    install_error_handlers(app)
    for module in (session, overview, skus, warehouses, plan, alerts, imports, masterdata, settings_page):
        app.include_router(module.router)
    return app
