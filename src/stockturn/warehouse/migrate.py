"""Apply the ordered SQL migrations shipped in `stockturn.warehouse.migrations`.

Each migration runs in its own transaction together with the row that records it, so a failure leaves
the warehouse at the previous version, never half-migrated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import duckdb

from stockturn import __version__

_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

CREATE_MIGRATION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migration (
    version           INTEGER PRIMARY KEY,
    name              VARCHAR NOT NULL,
    applied_at        TIMESTAMP NOT NULL DEFAULT current_timestamp,
    stockturn_version VARCHAR NOT NULL
)
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """All migrations shipped with this version of stockturn, in the order they apply."""
    found = []
    for entry in resources.files("stockturn.warehouse.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {versions}")
    return found


def latest_version() -> int:
    migrations = available_migrations()
    return migrations[-1].version if migrations else 0


def applied_versions(con: duckdb.DuckDBPyConnection) -> list[int]:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migration'"
    ).fetchall()
    if exists[0][0] == 0:
        return []
    return [row[0] for row in con.execute("SELECT version FROM schema_migration ORDER BY version").fetchall()]


def apply_pending(con: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Apply every migration not yet recorded; return the ones applied."""
    con.execute(CREATE_MIGRATION_TABLE)
    done = set(applied_versions(con))
    applied = []
    for migration in available_migrations():
        if migration.version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migration (version, name, stockturn_version) VALUES (?, ?, ?)",
                [migration.version, migration.name, __version__],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(migration)
    return applied
