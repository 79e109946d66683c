"""Users, roles, sessions and CSRF tokens, stored in the warehouse (tables app_user, app_session).

Passwords are kept only as argon2id hashes; a session cookie holds a random token of which only the
sha256 is stored, so a copy of the warehouse file cannot be used to log in. Every state-changing
request must carry the session's CSRF token (form field `csrf_token` or header `X-CSRF-Token`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from stockturn.errors import InputError, NotFound, StockturnError
from stockturn.warehouse import Warehouse

ROLES = ("viewer", "planner", "admin")
SESSION_COOKIE = "stockturn_session"
CSRF_COOKIE = "stockturn_csrf"
LOCAL_USER = "local"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
_MIN_PASSWORD = 8
_hasher = PasswordHasher()


class AccessDenied(StockturnError):
    """The request lacks a login, the role it needs, or a valid CSRF token."""

    status_code = 403


class LoginRequired(AccessDenied):
    status_code = 401


@dataclass(frozen=True)
class User:
    username: str
    role: str
    csrf_token: str | None = None  # the session's token; None when the server runs without users

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


# --- user administration (used by `stockturn user ...` and the tests) -----------------------------
def add_user(wh: Warehouse, username: str, password: str, role: str, *, created_by: str = "cli") -> None:
    """Create a user; raises InputError for a bad name, weak password, unknown role or a duplicate."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InputError(
            f"user name {username!r} is not allowed",
            hint="use 2-32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter/digit",
        )
    if name == LOCAL_USER:
        raise InputError(f"user name {LOCAL_USER!r} is reserved", hint="pick another name")
    if role not in ROLES:
        raise InputError(f"role {role!r} is unknown", hint=f"use one of {', '.join(ROLES)}")
    if len(password) < _MIN_PASSWORD:
        raise InputError(
            f"password has {len(password)} characters, expected at least {_MIN_PASSWORD}",
            hint="choose a longer password",
        )
    if wh.scalar("SELECT count(*) FROM app_user WHERE username = ?", [name]):
        raise InputError(f"user {name!r} already exists", hint="remove it first or pick another name")
    wh.con.execute(
        "INSERT INTO app_user (username, password_hash, role, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
        [name, _hasher.hash(password), role, datetime.now(), created_by],
    )


def list_users(wh: Warehouse) -> list[tuple[str, str, datetime, str]]:
    rows = wh.con.execute("SELECT username, role, created_at, created_by FROM app_user ORDER BY username").fetchall()
    return [(str(r[0]), str(r[1]), r[2], str(r[3])) for r in rows]


def remove_user(wh: Warehouse, username: str) -> None:
    name = username.strip().lower()
    if not wh.scalar("SELECT count(*) FROM app_user WHERE username = ?", [name]):
        raise NotFound(f"no user {name!r}", hint="see `stockturn user list`")
    with wh.transaction() as con:
        con.execute("DELETE FROM app_session WHERE username = ?", [name])
        con.execute("DELETE FROM app_user WHERE username = ?", [name])


def users_exist(wh: Warehouse) -> bool:
    return bool(wh.scalar("SELECT count(*) FROM app_user"))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(wh: Warehouse, host: str) -> None:
    """Refuse to serve the warehouse beyond this machine while anyone could use it without a login."""
    if not is_loopback(host) and not users_exist(wh):
        raise AccessDenied(
            f"refusing to listen on {host}: the warehouse has no users, so anyone on the network could change it",
            hint="add one first with `stockturn user add NAME --role admin`, or serve on 127.0.0.1",
        )


# --- sessions --------------------------------------------------------------------------------------
def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def verify_password(wh: Warehouse, username: str, password: str) -> User | None:
    found = wh.con.execute(
        "SELECT username, password_hash, role FROM app_user WHERE username = ?", [username.strip().lower()]
    ).fetchall()
    row = found[0] if found else None
    if row is None:
        _hasher.hash(password)  # spend the same time as a real check, so names cannot be probed by timing
        return None
    try:
        _hasher.verify(row[1], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return User(str(row[0]), str(row[2]))


def start_session(wh: Warehouse, user: User, hours: int) -> str:
    """Store a new session and return the cookie value."""
    token = secrets.token_urlsafe(32)
    now = datetime.now()
    with wh.transaction() as con:
        con.execute("DELETE FROM app_session WHERE expires_at < ?", [now])
        con.execute(
            "INSERT INTO app_session (token_sha256, username, csrf_token, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [_sha(token), user.username, secrets.token_urlsafe(32), now, now + timedelta(hours=hours)],
        )
    return token


def session_user(wh: Warehouse, token: str | None) -> User | None:
    if not token:
        return None
    found = wh.con.execute(
        "SELECT u.username, u.role, s.csrf_token FROM app_session s JOIN app_user u USING (username) "
        "WHERE s.token_sha256 = ? AND s.expires_at > ?",
        [_sha(token), datetime.now()],
    ).fetchall()
    row = found[0] if found else None
    return User(str(row[0]), str(row[1]), str(row[2])) if row else None


def end_session(wh: Warehouse, token: str | None) -> None:
    if token:
        wh.con.execute("DELETE FROM app_session WHERE token_sha256 = ?", [_sha(token)])


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))
