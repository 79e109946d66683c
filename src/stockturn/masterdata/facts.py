"""Keep the facts on canonical SKUs: rewrite `sku_id` columns after links, unlinks, merges and splits.

Runs inside the caller's transaction. Rows move by delete + re-insert (DuckDB cannot update a key
column in place); when a moved row lands on the key of an existing row (two ids of one product counted
in the same snapshot), quantities of stock snapshots are added, and for other tables the existing row is
kept. The history records every row before and after, so undo restores the duplicates exactly.
"""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.resolve import DEFAULT_ALIAS_TYPES, lookup_aliases
from stockturn.masterdata.history import SkuTable, sku_tables
from stockturn.warehouse import Warehouse

# Quantities that add up when two ids of one product meet on the same key.
SUMMABLE = {"stock_snapshot": ("on_hand", "reserved", "inbound", "unfulfillable")}


def _fact_tables(wh: Warehouse) -> list[SkuTable]:
    return [t for t in sku_tables(wh) if t.name not in ("sku", "sku_alias")]


def _reinsert(wh: Warehouse, table: SkuTable) -> int:
    """Move the rows staged in temp table `_moving` (with their new sku_id) into `table`."""
    moved = int(wh.scalar("SELECT count(*) FROM _moving"))
    if moved == 0:
        wh.con.execute("DROP TABLE _moving")
        return 0
    wh.con.execute(f'DELETE FROM "{table.name}" WHERE rowid IN (SELECT _rid FROM _moving)')
    if "sku_id" in table.primary_key:
        keys = ", ".join(f'"{c}"' for c in table.primary_key)
        summable = SUMMABLE.get(table.name, ())
        columns = [r[0] for r in wh.con.execute("SELECT * FROM _moving LIMIT 0").description or []]
        others = [c for c in columns if c not in table.primary_key and c not in summable and c != "_rid"]
        pick = ", ".join([f'sum("{c}") AS "{c}"' for c in summable] + [f'first("{c}" ORDER BY _rid) AS "{c}"'
                                                                        for c in others])
        conflict = (
            "DO UPDATE SET " + ", ".join(f'"{c}" = "{c}" + excluded."{c}"' for c in summable)
            if summable else "DO NOTHING"
        )
        wh.con.execute(
            f'INSERT INTO "{table.name}" BY NAME SELECT {keys}, {pick} FROM _moving GROUP BY {keys} '
            f"ON CONFLICT {conflict}"
        )
    else:
        wh.con.execute(f'INSERT INTO "{table.name}" BY NAME SELECT * EXCLUDE (_rid) FROM _moving')
    wh.con.execute("DROP TABLE _moving")
    return moved


def remap_sku(wh: Warehouse, old: str, new: str) -> dict[str, int]:
    """Every fact row of canonical SKU `old` now belongs to `new` (merge). Returns rows moved per table."""
    moved = {}
    for table in _fact_tables(wh):
        wh.con.execute(
            f'CREATE TEMP TABLE _moving AS SELECT rowid AS _rid, * REPLACE (CAST(? AS VARCHAR) AS sku_id) '
            f'FROM "{table.name}" WHERE sku_id = ?',
            [new, old],
        )
        moved[table.name] = _reinsert(wh, table)
    return {k: v for k, v in moved.items() if v}


def reresolve(wh: Warehouse, identifiers: list[str]) -> dict[str, int]:
    """Resolve again, with the ingestion resolver, every fact row whose source identifier is one of
    `identifiers`. A row whose identifier no longer resolves becomes unmapped: sku_id NULL, or the
    identifier itself on tables whose sku_id cannot be NULL (the importer's convention)."""
    moved: dict[str, int] = {}
    if not identifiers:
        return moved
    for table in _fact_tables(wh):
        if not table.has_source_sku:
            continue
        seen = wh.frame(
            f'SELECT DISTINCT {table.scope_sql} AS scope, source_sku FROM "{table.name}" '
            "WHERE list_contains(?, source_sku)",
            [identifiers],
        )
        if seen.height == 0:
            continue
        parts = []
        for (scope,), group in seen.group_by(["scope"], maintain_order=True):
            found = lookup_aliases(wh, group["source_sku"], alias_types=DEFAULT_ALIAS_TYPES, scope=str(scope))
            parts.append(
                group.join(found.rename({"identifier": "source_sku", "sku_id": "resolved"}), on="source_sku",
                           how="left")
            )
        mapping = pl.concat(parts).select(
            pl.col("scope").cast(pl.Utf8), pl.col("source_sku").cast(pl.Utf8), pl.col("resolved").cast(pl.Utf8)
        )
        fallback = "NULL" if table.sku_nullable else "t.source_sku"
        wh.con.register("_resolved", mapping.to_arrow())
        try:
            wh.con.execute(
                f"CREATE TEMP TABLE _moving AS SELECT t.rowid AS _rid, t.* REPLACE "
                f"(coalesce(m.resolved, {fallback}) AS sku_id) "
                f'FROM "{table.name}" t JOIN _resolved m ON t.source_sku = m.source_sku '
                f"AND {table.scope_sql} = m.scope "
                f"WHERE t.sku_id IS DISTINCT FROM coalesce(m.resolved, {fallback})"
            )
        finally:
            wh.con.unregister("_resolved")
        count = _reinsert(wh, table)
        if count:
            moved[table.name] = count
    return moved
