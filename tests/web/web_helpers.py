"""Helpers for the web tests (imported by name: conftest modules must not be imported directly)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from web_seed import USERS

Client = Callable[..., TestClient]


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(test_client: TestClient, user: str, password: str | None = None) -> Any:
    page = test_client.get("/login")
    response = test_client.post(
        "/login",
        data={"username": user, "password": password or USERS[user][0], "csrf_token": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )
    return response
