"""What every request shares: the app's context, a per-request warehouse cursor, the user, rendering.

DuckDB allows one writing process, so the server opens the warehouse read-write once and gives each
request its own cursor (a DuckDB connection is not thread-safe; cursors are).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from stockturn.settings import Settings
from stockturn.warehouse import Warehouse
from stockturn.web import auth
from stockturn.web.i18n import LANG_COOKIE, Translator, pick_locale


@dataclass
class WebContext:
    settings: Settings
    warehouse: Warehouse
    templates: Jinja2Templates
    upload_dir: Path
    cache: dict[tuple[str, ...], Any] = field(default_factory=dict)
    cache_lock: threading.Lock = field(default_factory=threading.Lock)
    key_locks: dict[tuple[str, ...], threading.Lock] = field(default_factory=dict)
    cursor_lock: threading.Lock = field(default_factory=threading.Lock)
    warm_enabled: bool = True
    warmers: list[threading.Thread] = field(default_factory=list)
    memo: dict[str, tuple[float, Any]] = field(default_factory=dict)
    writes: int = 0  # state-changing requests served: part of the cache key of data that edits change

    def remembered(self, name: str, seconds: float, compute: Callable[[], Any]) -> Any:
        """A small value (data version, whether users exist) reused for `seconds`. While the server runs it
        holds DuckDB's write lock, so these change only through the server itself, which calls forget()."""
        now = time.monotonic()
        found = self.memo.get(name)
        if found is not None and now - found[0] < seconds:
            return found[1]
        value = compute()
        self.memo[name] = (now, value)
        return value

    def forget(self) -> None:
        self.memo.clear()
        self.writes += 1

    def open_cursor(self) -> Warehouse:
        """A Warehouse on a new cursor. DuckDB 2 refuses (rather than waits) when two threads call the
        shared connection at once, so cursors are made and closed one at a time."""
        with self.cursor_lock:
            cursor = self.warehouse.cursor()
        return Warehouse(self.warehouse.path, cursor, read_only=self.warehouse.read_only)

    def close_cursor(self, handle: Warehouse) -> None:
        with self.cursor_lock:
            handle.con.close()

    def cached(self, key: tuple[str, ...], compute: Callable[[], Any]) -> Any:
        """Memoise `compute()` under `key` (keys include the data version, so stale entries never match).
        One lock per key: one thread computes, the others wait for its result; different keys (also nested
        ones) never wait for each other."""
        value = self.cache.get(key)
        if value is not None:
            return value
        with self.cache_lock:
            lock = self.key_locks.setdefault(key, threading.Lock())
        with lock:
            value = self.cache.get(key)
            if value is None:
                value = compute()
                with self.cache_lock:
                    if len(self.cache) > 64:
                        self.cache.clear()
                        self.key_locks = {k: v for k, v in self.key_locks.items() if k == key}
                    self.cache[key] = value
        return value


def web_context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def get_db(request: Request) -> Iterator[Warehouse]:
    """A warehouse handle on a fresh cursor, closed when the request ends."""
    ctx = web_context(request)
    handle = ctx.open_cursor()
    try:
        yield handle
    finally:
        ctx.close_cursor(handle)
        if request.method not in ("GET", "HEAD"):
            ctx.forget()  # a write may have changed the data version


def translator(request: Request) -> Translator:
    return Translator(pick_locale(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")))


def current_user(request: Request, wh: Annotated[Warehouse, Depends(get_db)]) -> auth.User:
    """The logged-in user; without any users (loopback only) everyone is the local admin."""
    if not web_context(request).remembered("users_exist", 5.0, lambda: auth.users_exist(wh)):
        return auth.User(auth.LOCAL_USER, "admin")
    user = auth.session_user(wh, request.cookies.get(auth.SESSION_COOKIE))
    if user is None:
        raise auth.LoginRequired("you are not logged in", hint="log in at /login")
    return user


def expected_csrf(request: Request, user: auth.User) -> str:
    """The token forms must echo: the session's, or (no users) the per-browser cookie's."""
    if user.csrf_token:
        return user.csrf_token
    token: str = request.state.csrf_cookie
    return token


def require(role: str) -> Callable[..., auth.User]:
    """Dependency for reading: the user must have at least `role`."""

    def dependency(user: Annotated[auth.User, Depends(current_user)]) -> auth.User:
        if not user.can(role):
            raise auth.AccessDenied(
                f"this needs the {role} role; {user.username} is a {user.role}", hint="ask an admin to change your role"
            )
        return user

    return dependency


def require_write(role: str) -> Callable[..., Coroutine[Any, Any, auth.User]]:
    """Dependency for every state-changing request: the role, and a CSRF token matching the session's."""

    reader = require(role)

    # a default, not Annotated: the annotation would name a local, which FastAPI cannot resolve later
    async def dependency(request: Request, user: auth.User = Depends(reader)) -> auth.User:  # noqa: B008
        given = request.headers.get("x-csrf-token")
        if not given and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = await request.form()
            value = form.get("csrf_token")
            given = value if isinstance(value, str) else None
        if not auth.tokens_match(given, expected_csrf(request, user)):
            raise auth.AccessDenied(
                "the form's security token is missing or out of date", hint="reload the page and try again"
            )
        return user

    return dependency


def render(
    request: Request, template: str, user: auth.User | None, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """Render a page with the language, formats, user and CSRF token every template needs."""
    ctx = web_context(request)
    tr = translator(request)
    csrf = expected_csrf(request, user) if user else request.state.csrf_cookie
    response: HTMLResponse = ctx.templates.TemplateResponse(
        request,
        template,
        {
            "t": tr.t,
            "fmt": tr,
            "locale": tr.locale,
            "user": user,
            "csrf_token": csrf,
            "base_currency": ctx.settings.base_currency,
            "path": request.url.path,
            **values,
        },
        status_code=status_code,
    )
    return response
