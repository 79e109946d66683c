"""Source identifier -> canonical SKU, by exact match only. The one place this rule lives.

`resolve_skus` looks every distinct identifier up in `sku_alias` (alias_type in the importer's order,
an alias scoped to the channel/warehouse before a global one with scope ''), then in `sku.sku_id`
itself. Unmatched identifiers get `sku_id` NULL: the line is kept and reported as unmapped. Master
data code (aliases, fuzzy suggestions) calls the same function to re-resolve lines when links change.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from stockturn.ingestion.upsert import settle
from stockturn.warehouse import Warehouse
from stockturn.warehouse.load import query_frame, register_frame

# Helper columns a source may add next to `source_sku`, and the alias type each one is looked up as.
EXTRA_IDENTIFIERS = {"_asin": "asin", "_fnsku": "fnsku", "_barcode": "barcode"}
DEFAULT_ALIAS_TYPES = ("seller_sku", "erp_code", "shopify_sku", "barcode", "fnsku", "asin", "other")


def lookup_aliases(
    wh: Warehouse, identifiers: pl.Series, *, alias_types: Sequence[str], scope: str = ""
) -> pl.DataFrame:
    """Frame `identifier`, `sku_id` for the identifiers that match an alias (or a canonical sku_id)."""
    keys = pl.DataFrame({"identifier": identifiers.cast(pl.Utf8)}).drop_nulls().unique()
    if keys.height == 0:
        return pl.DataFrame(schema={"identifier": pl.Utf8, "sku_id": pl.Utf8})
    rank = " ".join(f"WHEN '{t}' THEN {i}" for i, t in enumerate(alias_types))
    types = ", ".join(f"'{t}'" for t in alias_types)
    settle(wh)
    register_frame(wh, "_resolve_keys", keys)
    try:
        found = query_frame(
            wh,
            f"""
            SELECT identifier, sku_id FROM (
                SELECT k.identifier, a.sku_id,
                       row_number() OVER (PARTITION BY k.identifier
                           ORDER BY CASE WHEN a.scope = ? THEN 0 ELSE 1 END, CASE a.alias_type {rank} END) AS pick
                FROM _resolve_keys k JOIN sku_alias a ON a.alias = k.identifier
                WHERE a.alias_type IN ({types}) AND (a.scope = ? OR a.scope = '')
                UNION ALL
                SELECT k.identifier, s.sku_id, 1000 AS pick FROM _resolve_keys k JOIN sku s ON s.sku_id = k.identifier
            ) QUALIFY row_number() OVER (PARTITION BY identifier ORDER BY pick) = 1
            """,
            [scope, scope],
        )
    finally:
        wh.con.unregister("_resolve_keys")
    return found.select(pl.col("identifier").cast(pl.Utf8), pl.col("sku_id").cast(pl.Utf8))


def _unmapped(height: int) -> pl.Series:
    return pl.select(pl.repeat(None, height, dtype=pl.Utf8).alias("sku_id")).to_series()


def _join_back(frame: pl.DataFrame, mapped: pl.DataFrame, keys: list[str], scope_column: str) -> pl.Series:
    """Each row's sku_id from `mapped` (one row per distinct `keys`), in row order.

    Only the key columns go through the join (joining the whole frame would copy every column of a big
    file), and as few of them as the answer needs: nothing when no identifier matched (a first import),
    the identifiers alone when none resolves differently in different scopes (aliases are mostly global).
    On the 10M-line benchmark file (nothing matched) resolution fell from 2.75 s to 0.74 s.
    """
    if mapped["sku_id"].null_count() == mapped.height:
        return _unmapped(frame.height)
    ids = [k for k in keys if k != scope_column]
    per_id = mapped.group_by(ids).agg(pl.col("sku_id").n_unique().alias("_n"), pl.col("sku_id").first())
    if per_id["_n"].max() == 1:  # n_unique counts a null as a value: null here, a SKU there is 2
        keys, mapped = ids, per_id.drop("_n")
    return frame.select(keys).join(mapped, on=keys, how="left", nulls_equal=True, maintain_order="left")["sku_id"]


def resolve_skus(
    wh: Warehouse,
    frame: pl.DataFrame,
    scope: str = "",
    *,
    alias_types: Sequence[str] = DEFAULT_ALIAS_TYPES,
    column: str = "source_sku",
    scope_column: str | None = None,
) -> pl.DataFrame:
    """`frame` with `sku_id` set from `column` (then `_asin`/`_fnsku`/`_barcode` if present); NULL when unmapped.

    `scope_column` (e.g. channel_id) scopes each row by its own channel/warehouse instead of one `scope`.
    The helper columns are dropped from the result. An existing `sku_id` column is replaced.
    """
    if scope_column is not None and scope_column in frame.columns:
        # resolve each distinct (scope, identifiers) once, then join back: no split or copy of a big frame
        keys = [scope_column, column, *[h for h in EXTRA_IDENTIFIERS if h in frame.columns]]
        pairs = frame.select(keys).unique().with_row_index("_pair")
        per_scope = [
            resolve_skus(wh, part, str(value) if value is not None else scope, alias_types=alias_types,
                         column=column).select("_pair", "sku_id")
            for (value,), part in pairs.group_by(scope_column)
        ]
        if per_scope:
            mapped = pairs.join(pl.concat(per_scope), on="_pair", how="left").drop("_pair")
            return frame.drop("sku_id", strict=False).with_columns(_join_back(frame, mapped, keys, scope_column)).drop(
                list(EXTRA_IDENTIFIERS), strict=False)
    result = frame.drop("sku_id", strict=False)
    tries: list[tuple[str, Sequence[str]]] = [(column, alias_types)]
    tries += [(helper, (kind,)) for helper, kind in EXTRA_IDENTIFIERS.items() if helper in frame.columns]
    resolved = _unmapped(frame.height)
    for source, types in tries:
        if source not in frame.columns:
            continue
        found = lookup_aliases(wh, frame[source], alias_types=types, scope=scope)
        if found.height == 0:
            continue
        matched = (
            frame.select(pl.col(source).cast(pl.Utf8).alias("identifier"))
            .join(found, on="identifier", how="left", maintain_order="left")["sku_id"]
        )
        resolved = resolved.fill_null(matched)
    return result.with_columns(resolved.alias("sku_id")).drop(list(EXTRA_IDENTIFIERS), strict=False)
