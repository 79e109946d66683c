"""Who may do what: logins, roles, session cookies, CSRF on every state-changing route, bind address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from web_helpers import Client, csrf_of, login

from stockturn.cli.app import app as cli
from stockturn.warehouse import open_warehouse
from stockturn.web import auth
from stockturn.web.auth import AccessDenied, check_bind, is_loopback


def test_anonymous_is_sent_to_login_and_api_gets_401(reader: Client) -> None:
    http = reader()
    page = http.get("/skus", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/skus"
    api = http.get("/api/overview")
    assert api.status_code == 401 and api.json()["error"]["code"] == "login_required"


def test_login_sets_an_httponly_samesite_session_cookie(reader: Client) -> None:
    http = reader()
    response = login(http, "vic")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("stockturn_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert http.get("/api/session").json()["username"] == "vic"


def test_wrong_password_and_missing_csrf_are_refused(reader: Client) -> None:
    http = reader()
    assert login(http, "vic", "not-the-password").status_code == 401
    no_token = http.post("/login", data={"username": "vic", "password": "vic-password-1"}, follow_redirects=False)
    assert no_token.status_code == 403


def test_passwords_are_stored_as_argon2_hashes(seeded: tuple[Path, dict[str, Any]]) -> None:
    with open_warehouse(seeded[0], read_only=True) as wh:
        hashes = [r[0] for r in wh.con.execute("SELECT password_hash FROM app_user").fetchall()]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any("password" in h for h in hashes)


def test_viewer_cannot_change_anything(reader: Client) -> None:
    http = reader("vic")
    token = http.get("/api/session").json()["csrf_token"]
    response = http.post("/api/plan/1/approve", headers={"X-CSRF-Token": token})
    assert response.status_code == 403 and response.json()["error"]["code"] == "access_denied"
    page = http.get("/replenishment").text
    assert 'action="/replenishment/1/approve"' not in page and 'name="qty"' not in page


def _routes(routes: list[Any]) -> list[Any]:
    flat = []
    for route in routes:  # FastAPI wraps included routers; unwrap them
        inner = getattr(route, "original_router", None)
        flat.extend(_routes(inner.routes) if inner is not None else [route])
    return flat


def _state_changing_routes(app: Any) -> list[str]:
    found = []
    for route in _routes(app.routes):
        methods = getattr(route, "methods", set()) or set()
        if methods & {"POST", "PUT", "PATCH", "DELETE"} and route.path not in ("/login",):
            found.append(
                route.path.replace("{line_id}", "1")
                .replace("{alert_id}", "1")
                .replace("{import_id}", "1")
                .replace("{suggestion_id}", "1")
            )
    return found


def test_every_state_changing_route_needs_the_csrf_token(client: Client) -> None:
    http = client("pat")
    routes = _state_changing_routes(http.app)
    assert len(routes) >= 15
    for path in routes:
        response = http.post(
            path, data={"qty": "5", "alias": "x", "sku_id": "y", "alias_type": "other"}, follow_redirects=False
        )
        assert response.status_code == 403, (path, response.status_code, response.text[:200])
        wrong = http.post(path, headers={"X-CSRF-Token": "forged"}, follow_redirects=False)
        assert wrong.status_code == 403, path


def test_logout_ends_the_session(client: Client) -> None:
    http = client("vic")
    token = csrf_of(http.get("/").text)
    assert http.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert http.get("/api/overview").status_code == 401


def test_bind_refuses_the_network_without_users(
    tmp_path: Path, demo_warehouse: Path, seeded: tuple[Path, dict[str, Any]]
) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    with open_warehouse(demo_warehouse, read_only=True) as wh:
        check_bind(wh, "127.0.0.1")
        with pytest.raises(AccessDenied, match=r"refusing to listen on 0\.0\.0\.0"):
            check_bind(wh, "0.0.0.0")
    with open_warehouse(seeded[0], read_only=True) as wh:
        check_bind(wh, "0.0.0.0")


def test_user_commands(tmp_path: Path) -> None:
    db = tmp_path / "u.duckdb"
    open_warehouse(db, create=True).close()
    runner = CliRunner()
    added = runner.invoke(
        cli, ["user", "add", "Alice", "--role", "planner", "--password-stdin", "--db", str(db)], input="long-enough-1\n"
    )
    assert added.exit_code == 0, added.output
    assert "user alice added as planner" in added.stdout
    weak = runner.invoke(cli, ["user", "add", "bob", "--password-stdin", "--db", str(db)], input="short\n")
    assert weak.exit_code == 2 and "at least 8" in weak.output
    listed = runner.invoke(cli, ["user", "list", "--db", str(db)], terminal_width=120)
    assert "alice" in listed.stdout and "planner" in listed.stdout
    with open_warehouse(db, read_only=True) as wh:
        assert auth.verify_password(wh, "alice", "long-enough-1") == auth.User("alice", "planner")
    removed = runner.invoke(cli, ["user", "remove", "alice", "--db", str(db)])
    assert removed.exit_code == 0
    assert runner.invoke(cli, ["user", "remove", "alice", "--db", str(db)]).exit_code == 2
    serve_refused = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--db", str(db)])
    assert serve_refused.exit_code == 2 and "refusing to listen on 0.0.0.0" in serve_refused.output
