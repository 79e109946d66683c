"""Write one typed frame into its table by natural key: new keys are added, keys whose values changed
are replaced (the old row is kept in `import_replaced` so undo can restore it), identical rows are left
alone. Runs inside the caller's transaction; set-based SQL only (no per-row Python).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from stockturn.errors import InputError
from stockturn.ingestion.problems import ROW
from stockturn.warehouse import Warehouse

PROVENANCE = ("import_id", "source_file", "source_row")
CHUNK_ROWS = 2_000_000


@dataclass
class TableStats:
    table: str
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    duplicates: int = 0     # rows of the file whose key appears again later in the same file (last one wins)
    unmapped: int = 0       # rows whose sku_id is NULL (or fell back to the source identifier)


def settle(wh: Warehouse) -> None:
    """Finish any half-fetched result (duckdb 2.0 refuses `register` while one is pending)."""
    wh.con.execute("SELECT 1").fetchall()


def primary_key(wh: Warehouse, table: str) -> list[str]:
    rows = wh.con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() "
        "WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'", [table]
    ).fetchall()
    return list(rows[0][0]) if rows else []


def table_columns(wh: Warehouse, table: str) -> dict[str, str]:
    rows = wh.con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [table]
    ).fetchall()
    return dict(rows)


def nullable(wh: Warehouse, table: str, column: str) -> bool:
    rows = wh.con.execute(
        "SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
        "AND column_name = ?", [table, column]
    ).fetchall()
    return bool(rows) and rows[0][0] == "YES" and column not in primary_key(wh, table)


def upsert(wh: Warehouse, table: str, frame: pl.DataFrame, *, import_id: int, file: str) -> TableStats:
    """Add/replace `frame` (typed, with `__row`) in `table`; provenance columns are filled in here."""
    stats = TableStats(table)
    columns = table_columns(wh, table)
    if not columns:
        raise ValueError(f"unknown table {table}")
    keys = primary_key(wh, table)
    unknown = [c for c in frame.columns if c not in columns and c != ROW]
    if unknown:
        raise ValueError(f"{table} has no column(s) {unknown}")
    if keys:
        # Key order builds DuckDB's primary-key index several times faster than file order. Sorted, a
        # repeated key sits next to its repeats: the last one in the file wins, the others are dropped.
        frame = frame.sort([*keys, ROW])
        last = frame.select(pl.any_horizontal([pl.col(k).ne_missing(pl.col(k).shift(-1)) for k in keys]))
        keep = last.to_series()
        if not keep.all():
            stats.duplicates = frame.height - int(keep.sum())
            frame = frame.filter(keep)
    frame = frame.with_columns(
        pl.lit(import_id, dtype=pl.Int64).alias("import_id"),
        pl.lit(file).alias("source_file"),
        pl.col(ROW).cast(pl.Int64).alias("source_row"),
    ).drop(ROW)
    if frame.height == 0:
        return stats
    # Slices of a key-sorted, duplicate-free frame never share a key, so writing them one after the other
    # (in the caller's transaction) is the same as writing the whole frame, with one slice in Arrow at a time.
    for start in range(0, frame.height, CHUNK_ROWS):
        settle(wh)
        wh.con.register("_incoming", frame.slice(start, CHUNK_ROWS).to_arrow())
        try:
            _write(wh, table, frame.columns, keys, stats)
        except duckdb.ConstraintException as exc:
            raise InputError(
                f"expected rows that fit table {table}, found {str(exc).splitlines()[0][:200]}",
                hint="check the values named above (or report a bug if the file looks right)", file=file,
            ) from None
        finally:
            wh.con.unregister("_incoming")
    return stats


def _write(wh: Warehouse, table: str, columns: list[str], keys: list[str], stats: TableStats) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    if not keys:
        wh.con.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM _incoming')
        stats.added += int(wh.scalar("SELECT count(*) FROM _incoming"))
        return
    on = " AND ".join(f's."{k}" = t."{k}"' for k in keys)
    overlap = int(wh.scalar(f'SELECT count(*) FROM _incoming s JOIN "{table}" t ON {on}'))
    total = int(wh.scalar("SELECT count(*) FROM _incoming"))
    if overlap == 0:
        wh.con.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM _incoming')
        stats.added += total
        return
    values = [c for c in columns if c not in keys and c not in PROVENANCE]
    same = " AND ".join(f's."{c}" IS NOT DISTINCT FROM t."{c}"' for c in values) or "true"
    key_list = ", ".join(f's."{k}"' for k in keys)
    wh.con.execute(
        f'CREATE OR REPLACE TEMP TABLE _match AS SELECT {key_list}, ({same}) AS same '
        f'FROM _incoming s JOIN "{table}" t ON {on}'
    )
    try:
        on_m = " AND ".join(f'm."{k}" = t."{k}"' for k in keys)
        wh.con.execute(
            f"INSERT INTO import_replaced (replaced_by, table_name, old_import_id, row_json) "
            f"SELECT ?, ?, t.import_id, to_json(t) FROM \"{table}\" t JOIN _match m ON {on_m} WHERE NOT m.same",
            [int(wh.scalar("SELECT max(import_id) FROM _incoming")), table],
        )
        wh.con.execute(f'DELETE FROM "{table}" t USING _match m WHERE {on_m} AND NOT m.same')
        on_s = " AND ".join(f'm."{k}" = s."{k}"' for k in keys)
        wh.con.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {", ".join(f"s.{n}" for n in names.split(", "))} '
            f"FROM _incoming s ANTI JOIN (SELECT * FROM _match WHERE same) m ON {on_s}"
        )
        unchanged = int(wh.scalar("SELECT count(*) FROM _match WHERE same"))
    finally:
        wh.con.execute("DROP TABLE IF EXISTS _match")
    stats.unchanged += unchanged
    stats.replaced += overlap - unchanged
    stats.added += total - overlap
