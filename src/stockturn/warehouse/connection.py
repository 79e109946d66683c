"""Open the warehouse: the one place in stockturn that creates DuckDB connections.

Opening checks, before anything is written, that the path is a DuckDB file, that it is a stockturn
warehouse, and that its schema is not newer than this code; only then are pending migrations applied.
A connection is not thread-safe: give each thread its own `Warehouse.cursor()`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import polars as pl

from stockturn.errors import NotAWarehouse, SchemaTooNew, WarehouseBusy, WarehouseError, WarehouseNotFound
from stockturn.warehouse.migrate import applied_versions, apply_pending, latest_version

# A DuckDB database file carries this magic at byte offset 8 (storage header).
_DUCKDB_MAGIC = b"DUCK"


class Warehouse:
    """An open warehouse. Use as a context manager, or call close()."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, *, read_only: bool) -> None:
        self.path = path
        self.con = con
        self.read_only = read_only

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for another thread (DuckDB connections are not thread-safe)."""
        return self.con.cursor()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: commits when the block ends, rolls back on any exception."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def frame(self, sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
        """Run a query and return a Polars frame (through Arrow, no per-row Python)."""
        relation = self.con.sql(sql, params=params)
        if relation is None:
            raise ValueError(f"not a query: {sql[:60]}")
        frame: pl.DataFrame = relation.pl()
        return frame

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        # fetchall, not fetchone: DuckDB 2 refuses new work while a result is only partly fetched.
        rows = self.con.execute(sql, params).fetchall()
        return rows[0][0] if rows else None

    def schema_version(self) -> int:
        versions = applied_versions(self.con)
        return versions[-1] if versions else 0

    def tables(self) -> list[str]:
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()
        return [row[0] for row in rows]


def _check_is_duckdb(path: Path) -> None:
    if path.is_dir():
        raise NotAWarehouse(f"{path} is a directory, not a warehouse file", hint="give the path of a .duckdb file")
    with path.open("rb") as handle:
        header = handle.read(12)
    if header[8:12] != _DUCKDB_MAGIC:
        raise NotAWarehouse(
            f"{path} is not a DuckDB database (no DuckDB header)",
            hint="give the path of a stockturn .duckdb file, or a new path to create one",
        )


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise WarehouseBusy(
                f"{path} is open for writing in another process",
                hint="wait for the other stockturn command to finish, or stop the server using it",
            ) from None
        raise NotAWarehouse(f"{path} cannot be opened as a DuckDB database: {text.splitlines()[0]}") from None
    except duckdb.Error as exc:
        raise NotAWarehouse(f"{path} cannot be opened as a DuckDB database: {str(exc).splitlines()[0]}") from None


def _inspect(path: Path) -> int:
    """Schema version of an existing file, read without writing anything to it."""
    con = _connect(path, read_only=True)
    try:
        versions = applied_versions(con)
        if not versions:
            other = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
            if other[0][0] > 0:
                raise NotAWarehouse(
                    f"{path} is a DuckDB database but not a stockturn warehouse (no schema_migration table)",
                    hint="give another path; stockturn will not write into a database it did not create",
                )
            return 0
        return versions[-1]
    finally:
        con.close()


def open_warehouse(path: Path | str, *, create: bool = False, read_only: bool = False) -> Warehouse:
    """Open (and, with create=True, create) the warehouse at `path`, migrating it to the current schema."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise WarehouseNotFound(
                f"no warehouse at {path}",
                hint="check --db / STOCKTURN_DB, or create one with `stockturn init` or `stockturn demo`",
            )
        if not path.parent.exists():
            raise WarehouseError(f"folder {path.parent} does not exist", hint="create the folder first")
        con = _connect(path, read_only=False)
        apply_pending(con)
        return Warehouse(path, con, read_only=False)

    _check_is_duckdb(path)
    version = _inspect(path)
    newest = latest_version()
    if version > newest:
        raise SchemaTooNew(
            f"{path} has schema version {version}, newer than this stockturn knows ({newest})",
            hint="upgrade stockturn (pip install -U stockturn) to open it",
        )
    if version < newest:
        con = _connect(path, read_only=False)
        apply_pending(con)
        if not read_only:
            return Warehouse(path, con, read_only=False)
        con.close()
    return Warehouse(path, _connect(path, read_only=read_only), read_only=read_only)
