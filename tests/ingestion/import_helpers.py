"""Helpers shared by the import tests (a uniquely named module: every test folder has its own conftest)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from stockturn.ingestion import ImportResult, import_file
from stockturn.settings import Settings
from stockturn.warehouse import open_warehouse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def settings(**overrides: Any) -> Settings:
    return Settings(**overrides)


def run_import(db: Path, file: Path, **options: Any) -> ImportResult:
    with open_warehouse(db, create=True) as wh:
        return import_file(wh, file, settings=options.pop("settings", None) or settings(), **options)


def table_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: compares a warehouse row for row."""
    with open_warehouse(db, read_only=True) as wh:
        return {
            t: sorted(wh.con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
            for t in wh.tables() if t != "schema_migration"
        }


def count(db: Path, sql: str, params: list[Any] | None = None) -> Any:
    with open_warehouse(db, read_only=True) as wh:
        rows = wh.con.execute(sql, params or []).fetchall()
    return rows[0][0]



Importer = Callable[..., ImportResult]
