"""Bulk writes into fact and master tables, with provenance.

Frames go in through Arrow (no per-row Python); callers wrap several writes in `Warehouse.transaction()`
so that one import is all-or-nothing.
"""

from __future__ import annotations

import getpass
import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from stockturn.warehouse.connection import Warehouse


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def start_import(
    wh: Warehouse, *, source: str, file_name: str, file_hash: str, target_table: str | None = None
) -> int:
    """Record a new import batch and return its id. Call inside the import's transaction."""
    import_id = int(wh.scalar("SELECT nextval('import_id_seq')"))
    wh.con.execute(
        "INSERT INTO import_batch (import_id, source, file_name, file_hash, target_table, imported_by, "
        "started_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [import_id, source, file_name, file_hash, target_table, current_user(), datetime.now()],
    )
    return import_id


def finish_import(wh: Warehouse, import_id: int, *, read: int, added: int, replaced: int, rejected: int) -> None:
    wh.con.execute(
        "UPDATE import_batch SET rows_read = ?, rows_added = ?, rows_replaced = ?, rows_rejected = ?, "
        "finished_at = ? WHERE import_id = ?",
        [read, added, replaced, rejected, datetime.now(), import_id],
    )


def insert_frame(wh: Warehouse, table: str, frame: pl.DataFrame) -> int:
    """Append `frame` to `table`, matching columns by name; returns the rows written."""
    if frame.height == 0:
        return 0
    if table not in wh.tables():
        raise ValueError(f"unknown table {table}")
    arrow = frame.to_arrow()
    wh.con.register("_incoming", arrow)
    try:
        wh.con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _incoming')
    finally:
        wh.con.unregister("_incoming")
    return frame.height


def with_provenance(frame: pl.DataFrame, *, import_id: int, source_file: str, first_row: int = 2) -> pl.DataFrame:
    """Add import_id, source_file and source_row (file line numbers; a header line makes the first row 2)."""
    return frame.with_columns(
        pl.lit(import_id, dtype=pl.Int64).alias("import_id"),
        pl.lit(source_file).alias("source_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_row).alias("source_row"),
    )


class _ArrowStream:
    """A Polars frame seen only as an Arrow C stream: DuckDB scans it zero-copy, with no pyarrow table
    built (and pyarrow not even imported). Each query over the registered name reads a fresh stream."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._frame.__arrow_c_stream__(requested_schema)


def register_frame(wh: Warehouse, name: str, frame: pl.DataFrame) -> None:
    """Make `frame` queryable as view `name` on `wh`'s connection (unregister it when done)."""
    wh.con.register(name, _ArrowStream(frame))


def query_frame(wh: Warehouse, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    """A query's result as a Polars frame through the Arrow C stream interface (no pyarrow)."""
    return pl.DataFrame(wh.con.sql(sql, params=params))
