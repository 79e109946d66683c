"""Change history of master data, and undo.

A change is recorded as whole rows before and after it, for `sku`, `sku_alias` and every fact table
whose `sku_id` it may rewrite. Undo deletes the 'after' rows by natural key (the primary key, or the key
declared in `natural_key` for tables without one, see stockturn.warehouse.keys) and re-inserts the 'before'
rows, so it restores exactly what the change touched, whatever the operation was, in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from stockturn.errors import NotFound, StockturnError
from stockturn.warehouse import Warehouse
from stockturn.warehouse.keys import declared_keys, keyed_writes, natural_keys

# Results of past runs stay as they were computed; the next run reads canonical SKUs anyway.
OUTPUT_TABLES = frozenset({"forecast", "forecast_model", "plan_line", "alert"})
OWN_TABLES = frozenset({"sku_change", "sku_change_row", "sku_suggestion"})


@dataclass(frozen=True)
class SkuTable:
    """A table that carries `sku_id`: its primary key, and whether it keeps the source identifier."""

    name: str
    primary_key: tuple[str, ...]
    has_source_sku: bool
    sku_nullable: bool
    scope_sql: str  # SQL for the alias scope of a row: its channel or warehouse, '' when neither


def sku_tables(wh: Warehouse) -> list[SkuTable]:
    """Fact and master tables with a `sku_id` column and a primary key (found in the schema, so tables
    that later migrations add are covered too). `sku` and `sku_alias` come first."""
    columns = wh.frame(
        "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'main'"
    )
    keys = natural_keys(wh)  # primary keys, and keys the writers enforce without an index (sales_line)
    by_table: dict[str, dict[str, str]] = {}
    for table, column, nullable in columns.iter_rows():
        by_table.setdefault(table, {})[column] = nullable
    found = []
    for table, cols in by_table.items():
        if "sku_id" not in cols or table in OUTPUT_TABLES or table in OWN_TABLES or table not in keys:
            continue
        scope_parts = [c for c in ("channel_id", "warehouse_id") if c in cols]
        scope_sql = f"coalesce({', '.join(scope_parts)}, '')" if scope_parts else "''"
        found.append(SkuTable(table, keys[table], "source_sku" in cols, cols["sku_id"] == "YES", scope_sql))
    order = {"sku": 0, "sku_alias": 1}
    return sorted(found, key=lambda t: (order.get(t.name, 2), t.name))


def affected_where(table: SkuTable, *, wide: bool) -> str | None:
    """Rows of `table` a change over canonical SKUs `$skus` and identifiers `$aliases` can touch; None
    when it cannot touch the table.

    A wide change (merge) rewrites every row of its SKUs. A narrow one (link, unlink, split, confirm)
    re-resolves only rows that carry one of its identifiers; rows of its SKUs that do not can still
    change where sku_id is part of the key (a moved snapshot is added to the SKU's row of that day)."""
    if table.name == "sku":
        return "list_contains($skus, sku_id)"
    if table.name == "sku_alias":
        return "(list_contains($skus, sku_id) OR list_contains($aliases, alias))"
    by_sku = "list_contains($skus, sku_id)"
    if not table.has_source_sku:
        return by_sku if wide else None
    by_alias = "list_contains($aliases, source_sku) OR list_contains($aliases, sku_id)"
    if wide or "sku_id" in table.primary_key:
        return f"({by_sku} OR {by_alias})"
    return f"({by_alias})"


def capture(wh: Warehouse, change_id: int, phase: str, skus: list[str], aliases: list[str], *, wide: bool) -> None:
    """Store the whole rows the change can touch, as JSON, before or after it."""
    for table in sku_tables(wh):
        where = affected_where(table, wide=wide)
        if where is None:
            continue
        params: dict[str, Any] = {"change_id": change_id, "table": table.name, "phase": phase}
        if "$skus" in where:
            params["skus"] = skus
        if "$aliases" in where:
            params["aliases"] = aliases
        wh.con.execute(
            f'INSERT INTO sku_change_row SELECT $change_id, $table, $phase, to_json(t) FROM "{table.name}" t '
            f"WHERE {where}",
            params,
        )


def start_change(
    wh: Warehouse, operation: str, summary: str, *, skus: list[str], aliases: list[str], detail: dict[str, Any],
    actor: str, wide: bool = False,
) -> int:
    """Record a change and its 'before' rows; call inside the change's transaction, before changing.
    `wide` for changes that rewrite every row of their SKUs (merge), see `affected_where`."""
    change_id = int(wh.scalar("SELECT nextval('sku_change_id_seq')"))
    detail = {**detail, "capture": "wide" if wide else "narrow"}
    wh.con.execute(
        "INSERT INTO sku_change (change_id, operation, summary, sku_ids, aliases, detail, changed_by, changed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [change_id, operation, summary, sorted(set(skus)), sorted(set(aliases)), json.dumps(detail), actor,
         datetime.now()],
    )
    capture(wh, change_id, "before", skus, aliases, wide=wide)
    return change_id


def finish_change(wh: Warehouse, change_id: int) -> None:
    """Store the 'after' rows; call inside the change's transaction, after changing."""
    skus, aliases, detail = _one(
        wh, "SELECT sku_ids, aliases, detail FROM sku_change WHERE change_id = ?", [change_id]
    ) or ([], [], "{}")
    wide = json.loads(detail).get("capture") == "wide"
    capture(wh, change_id, "after", list(skus), list(aliases), wide=wide)


def history(wh: Warehouse, sku_id: str | None = None, limit: int = 50) -> pl.DataFrame:
    """Changes, newest first; only those touching `sku_id` when given."""
    where = "WHERE list_contains(sku_ids, ?)" if sku_id else ""
    params: list[Any] = [sku_id] if sku_id else []
    return wh.frame(
        "SELECT change_id, strftime(changed_at, '%Y-%m-%d %H:%M:%S') AS changed_at, changed_by, operation, summary, "
        "strftime(undone_at, '%Y-%m-%d %H:%M:%S') AS undone_at, undone_by FROM sku_change "
        f"{where} ORDER BY change_id DESC LIMIT {int(limit)}",
        params,
    )


def _one(wh: Warehouse, sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    """First row or None (fetchall: DuckDB 2 refuses new work while a result is only partly fetched)."""
    rows = wh.con.execute(sql, params).fetchall()
    return tuple(rows[0]) if rows else None


def _structure(wh: Warehouse, table: str) -> str:
    rows = wh.con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return json.dumps(dict(rows))


def undo(wh: Warehouse, change_id: int | None, *, actor: str) -> tuple[int, str]:
    """Undo one change (the latest standing one when `change_id` is None); returns its id and summary.

    Refused when a later standing change touched the same SKUs or identifiers: undo that one first.
    """
    if change_id is None:
        change_id = wh.scalar("SELECT max(change_id) FROM sku_change WHERE undone_at IS NULL")
        if change_id is None:
            raise NotFound("no master-data change to undo", hint="`stockturn sku history` lists the changes")
    row = _one(wh, "SELECT summary, sku_ids, aliases, undone_at FROM sku_change WHERE change_id = ?", [change_id])
    if row is None:
        raise NotFound(f"no master-data change {change_id}", hint="`stockturn sku history` lists the changes")
    summary, skus, aliases, undone_at = row
    if undone_at is not None:
        raise StockturnError(f"change {change_id} ({summary}) was already undone at {undone_at:%Y-%m-%d %H:%M}")
    later = _one(
        wh,
        "SELECT change_id, summary FROM sku_change WHERE change_id > ? AND undone_at IS NULL "
        "AND (len(list_intersect(sku_ids, ?)) > 0 OR len(list_intersect(aliases, ?)) > 0) "
        "ORDER BY change_id DESC LIMIT 1",
        [change_id, list(skus), list(aliases)],
    )
    if later is not None:
        raise StockturnError(
            f"change {change_id} ({summary}) cannot be undone while later change {later[0]} ({later[1]}) "
            "touches the same SKUs",
            hint=f"undo change {later[0]} first: stockturn sku undo {later[0]}",
        )
    tables = {t.name: t for t in sku_tables(wh)}
    declared = declared_keys(wh)
    names = [r[0] for r in wh.con.execute(
        "SELECT DISTINCT table_name FROM sku_change_row WHERE change_id = ?", [change_id]
    ).fetchall()]
    with keyed_writes(wh), wh.transaction():
        for name in names:
            table = tables.get(name)
            if table is None:  # the table was dropped by a later migration
                continue
            rows = f"SELECT unnest(json_transform(row_json, '{_structure(wh, name)}')) FROM sku_change_row " \
                   "WHERE change_id = ? AND table_name = ? AND phase = ?"
            on = " AND ".join(f't."{c}" = a."{c}"' for c in table.primary_key)
            wh.con.execute(f'DELETE FROM "{name}" t USING ({rows}) a WHERE {on}', [change_id, name, "after"])
        for name in names:
            if name not in tables:
                continue
            structure = _structure(wh, name)
            # Rows of an import that `stockturn imports undo` has removed since stay removed.
            alive = (
                " WHERE import_id IS NULL OR import_id NOT IN "
                "(SELECT import_id FROM import_batch WHERE status = 'undone')"
                if '"import_id"' in structure else ""
            )
            before = (f"SELECT * FROM (SELECT unnest(json_transform(row_json, '{structure}')) FROM sku_change_row "
                      f"WHERE change_id = ? AND table_name = ? AND phase = 'before'){alive}")
            if name in declared:  # no index for INSERT OR REPLACE: delete the key first, then insert
                on = " AND ".join(f't."{c}" = b."{c}"' for c in tables[name].primary_key)
                wh.con.execute(f'DELETE FROM "{name}" t USING ({before}) b WHERE {on}', [change_id, name])
                wh.con.execute(f'INSERT INTO "{name}" BY NAME {before}', [change_id, name])
            else:
                wh.con.execute(f'INSERT OR REPLACE INTO "{name}" BY NAME {before}', [change_id, name])
        wh.con.execute(
            "UPDATE sku_change SET undone_by = ?, undone_at = ? WHERE change_id = ?", [actor, datetime.now(), change_id]
        )
    return int(change_id), str(summary)
