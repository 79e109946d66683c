"""`stockturn imports`: list every import, and undo one.

Undo of import N, in one transaction:
1. delete every row, in every table, whose `import_id` is N (what N added, and its new versions of rows
   it replaced);
2. re-insert the rows N replaced (kept in `import_replaced`) where their key is free again; a key that a
   later import has since written keeps the later row;
3. forget the copies other imports kept of N's rows (undoing those imports later must not bring N back);
4. mark N `undone` (the import_batch row stays, for the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from stockturn.errors import NotFound, StockturnError
from stockturn.ingestion.upsert import table_columns
from stockturn.warehouse import Warehouse
from stockturn.warehouse.keys import keyed_writes, natural_key

_NOT_FACTS = ("import_batch", "import_replaced")


def list_imports(wh: Warehouse, *, limit: int = 200) -> pl.DataFrame:
    """Newest first: id, when, who, source, file, hash, rows read/added/replaced/unchanged/rejected, status."""
    return wh.frame(
        "SELECT import_id, started_at, imported_by, source, file_name, left(file_hash, 12) AS file_hash, "
        "target_table, rows_read, rows_added, rows_replaced, coalesce(rows_unchanged, 0) AS rows_unchanged, "
        "rows_rejected, status FROM import_batch ORDER BY import_id DESC LIMIT ?",
        [limit],
    )


@dataclass
class UndoResult:
    import_id: int
    deleted: dict[str, int] = field(default_factory=dict)
    restored: dict[str, int] = field(default_factory=dict)


def _tables_with_provenance(wh: Warehouse) -> list[str]:
    rows = wh.con.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'main' "
        "AND column_name = 'import_id' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows if r[0] not in _NOT_FACTS]


def _count(wh: Warehouse, table: str) -> int:
    return int(wh.scalar(f'SELECT count(*) FROM "{table}"'))


def undo_import(wh: Warehouse, import_id: int) -> UndoResult:
    row = wh.con.execute("SELECT status FROM import_batch WHERE import_id = ?", [import_id]).fetchone()
    if row is None:
        raise NotFound(f"no import with id {import_id}", hint="list imports with `stockturn imports`")
    if row[0] == "undone":
        raise StockturnError(f"import {import_id} was already undone", hint="nothing to do")
    result = UndoResult(import_id)
    with keyed_writes(wh), wh.transaction():
        for table in _tables_with_provenance(wh):
            before = _count(wh, table)
            wh.con.execute(f'DELETE FROM "{table}" WHERE import_id = ?', [import_id])
            if before - _count(wh, table):
                result.deleted[table] = before - _count(wh, table)
        kept = wh.con.execute(
            "SELECT DISTINCT table_name FROM import_replaced WHERE replaced_by = ?", [import_id]
        ).fetchall()
        for (table,) in kept:
            columns = table_columns(wh, table)
            structure = "{" + ", ".join(f'"{c}": "{t}"' for c, t in columns.items()) + "}"
            before = _count(wh, table)
            # only where the key is free again: a later import's row for the key stays (an anti-join,
            # not INSERT OR IGNORE, so tables whose key no index enforces are covered too)
            keys = natural_key(wh, table)
            old_rows = ("SELECT unnest(json_transform(row_json, ?)) FROM import_replaced "
                        "WHERE replaced_by = ? AND table_name = ?")
            free = (f' o ANTI JOIN "{table}" t ON ' + " AND ".join(f'o."{k}" = t."{k}"' for k in keys)
                    if keys else " o")
            wh.con.execute(f'INSERT INTO "{table}" BY NAME SELECT o.* FROM ({old_rows}){free}',
                           [structure, import_id, table])
            result.restored[table] = _count(wh, table) - before
        wh.con.execute("DELETE FROM import_replaced WHERE replaced_by = ? OR old_import_id = ?",
                       [import_id, import_id])
        wh.con.execute("UPDATE import_batch SET status = 'undone', undone_at = ? WHERE import_id = ?",
                       [datetime.now(), import_id])
    return result
