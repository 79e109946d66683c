"""Write one typed frame into its table by natural key: new keys are added, keys whose values changed
are replaced (the old row is kept in `import_replaced` so undo can restore it), identical rows are left
alone. Runs inside the caller's transaction; set-based SQL only (no per-row Python).

The key is the table's natural key (`stockturn.warehouse.keys`): a DuckDB primary key, or a declared key
that no index enforces (sales_line). Either way the frame is made duplicate-free first (a key repeated in
the file keeps its last row) and matched against the table with a join, so a key is never written twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from stockturn.errors import InputError
from stockturn.ingestion.problems import ROW
from stockturn.warehouse import Warehouse
from stockturn.warehouse.keys import is_declared, natural_key
from stockturn.warehouse.load import register_frame

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
    """The natural key of `table` (a primary key or a declared one, see stockturn.warehouse.keys)."""
    return natural_key(wh, table)


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


def last_of_each_key(frame: pl.DataFrame, keys: list[str]) -> pl.Series:
    """True for the row that wins its key: the one with the highest `__row` (the last in the file).

    A hash of the key columns finds, in one cheap pass, the rows that can share a key; only those are
    compared exactly (equal keys have equal hashes, so no repeat is missed)."""
    hashes = frame.select(keys).hash_rows()
    if hashes.n_unique() == frame.height:
        return pl.select(pl.repeat(True, frame.height, dtype=pl.Boolean)).to_series()
    suspect = hashes.is_duplicated()
    candidates = frame.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_pos"), *keys, ROW).filter(suspect)
    winners = candidates.sort(ROW, maintain_order=True).unique(keys, keep="last", maintain_order=False)["_pos"]
    return (~suspect).scatter(winners, True)


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
    frame = frame.drop([c for c in PROVENANCE if c in frame.columns])
    if keys and not is_declared(wh, table):
        # Key order builds DuckDB's primary-key index several times faster than file order. Sorted, a
        # repeated key sits next to its repeats: the last one in the file wins, the others are dropped.
        frame = frame.sort([*keys, ROW])
        keep = frame.select(pl.any_horizontal([pl.col(k).ne_missing(pl.col(k).shift(-1)) for k in keys])).to_series()
    elif keys:  # no index to feed: file order is kept, repeats are found by hashing the key
        keep = last_of_each_key(frame, keys)
    if keys and not keep.all():
        stats.duplicates = frame.height - int(keep.sum())
        frame = frame.filter(keep)
    if frame.height == 0:
        return stats
    # Provenance is added in SQL: no constant columns of the frame's length are built in memory.
    target = [c for c in frame.columns if c != ROW] + list(PROVENANCE)
    select = [f's."{c}"' for c in frame.columns if c != ROW] + ["$import_id", "$file", f's."{ROW}"']
    # With the table empty before this upsert, no key can be present (the frame is duplicate-free).
    fresh = wh.scalar(f'SELECT count(*) FROM (SELECT 1 FROM "{table}" LIMIT 1)') == 0
    # Slices of a duplicate-free frame never share a key, so writing them one after the other (in the
    # caller's transaction) is the same as writing the whole frame, with one slice in Arrow at a time.
    for start in range(0, frame.height, CHUNK_ROWS):
        settle(wh)
        part = frame.slice(start, CHUNK_ROWS)
        register_frame(wh, "_incoming", part)
        try:
            _write(wh, table, target, select, keys, stats, rows=part.height, fresh=fresh,
                   params={"import_id": import_id, "file": file})
        except duckdb.ConstraintException as exc:
            raise InputError(
                f"expected rows that fit table {table}, found {str(exc).splitlines()[0][:200]}",
                hint="check the values named above (or report a bug if the file looks right)", file=file,
            ) from None
        finally:
            wh.con.unregister("_incoming")
    return stats


def _write(wh: Warehouse, table: str, target: list[str], select: list[str], keys: list[str], stats: TableStats,
           *, rows: int, fresh: bool, params: dict[str, object]) -> None:
    names = ", ".join(f'"{c}"' for c in target)
    values_sql = ", ".join(select)
    if not keys or fresh:
        wh.con.execute(f'INSERT INTO "{table}" ({names}) SELECT {values_sql} FROM _incoming s', params)
        stats.added += rows
        return
    on = " AND ".join(f's."{k}" = t."{k}"' for k in keys)
    overlap = int(wh.scalar(f'SELECT count(*) FROM _incoming s JOIN "{table}" t ON {on}'))
    if overlap == 0:
        wh.con.execute(f'INSERT INTO "{table}" ({names}) SELECT {values_sql} FROM _incoming s', params)
        stats.added += rows
        return
    values = [c for c in target if c not in keys and c not in PROVENANCE]
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
            [params["import_id"], table],
        )
        wh.con.execute(f'DELETE FROM "{table}" t USING _match m WHERE {on_m} AND NOT m.same')
        on_s = " AND ".join(f'm."{k}" = s."{k}"' for k in keys)
        wh.con.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {values_sql} '
            f"FROM _incoming s ANTI JOIN (SELECT * FROM _match WHERE same) m ON {on_s}",
            params,
        )
        unchanged = int(wh.scalar("SELECT count(*) FROM _match WHERE same"))
    finally:
        wh.con.execute("DROP TABLE IF EXISTS _match")
    stats.unchanged += unchanged
    stats.replaced += overlap - unchanged
    stats.added += rows - overlap
