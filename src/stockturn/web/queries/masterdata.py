"""Master-data review: identifiers no canonical SKU claims yet, fuzzy suggestions for them, link/unlink.

Suggestions come from the master-data library (`stockturn.masterdata.matching.suggest`). Linking and
unlinking are written here until the library offers them (issue 3): a link adds a `sku_alias` row
confirmed by a person (confidence 1.0) and maps the facts that carried the identifier; unlinking
removes the alias and un-maps exactly those facts again. Both record an audit row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from stockturn.errors import InputError, NotFound
from stockturn.masterdata.matching import suggest
from stockturn.warehouse import Warehouse
from stockturn.web.queries.actions import audit
from stockturn.web.queries.common import frame, rows

ALIAS_TYPES = ("seller_sku", "asin", "fnsku", "shopify_sku", "barcode", "erp_code", "name", "other")
# facts that keep the identifier as the source wrote it next to the canonical sku_id
_FACTS = ("sales_line", "ad_spend")


def unmapped(wh: Warehouse, limit: int = 200) -> pl.DataFrame:
    return frame(wh, """
        SELECT source_sku, sum(n) AS lines, min(first_seen) AS first_seen, max(last_seen) AS last_seen
        FROM (SELECT source_sku, count(*) AS n, min(ordered_at)::DATE AS first_seen, max(ordered_at)::DATE AS last_seen
              FROM sales_line WHERE sku_id IS NULL GROUP BY 1
              UNION ALL
              SELECT source_sku, count(*), min(spend_date), max(spend_date) FROM ad_spend WHERE sku_id IS NULL GROUP BY 1)
        GROUP BY 1 ORDER BY lines DESC, source_sku LIMIT $n
    """, {"n": limit})


def suggestions(wh: Warehouse, limit: int = 200) -> list[dict[str, Any]]:
    """Each unmapped identifier with up to three scored candidate SKUs, best first."""
    open_ids = unmapped(wh, limit)
    if open_ids.height == 0:
        return []
    candidates = frame(wh, "SELECT sku_id, title AS text FROM sku UNION ALL SELECT sku_id, sku_id FROM sku "
                           "UNION ALL SELECT sku_id, alias FROM sku_alias")
    scored = suggest(open_ids["source_sku"].to_list(), candidates, min_score=60.0)
    titles = frame(wh, "SELECT sku_id, title FROM sku")
    scored = scored.join(titles, on="sku_id", how="left")
    out = []
    for item in open_ids.iter_rows(named=True):
        mine = scored.filter(pl.col("query") == item["source_sku"]).sort("score", descending=True)
        out.append({**item, "candidates": mine.select("sku_id", "title", "score", "matched_text", "method").to_dicts()})
    return out


def link(wh: Warehouse, alias: str, sku_id: str, alias_type: str, username: str) -> dict[str, int]:
    if alias_type not in ALIAS_TYPES:
        raise InputError(f"alias type {alias_type!r} is unknown", hint=f"use one of {', '.join(ALIAS_TYPES)}")
    if not alias.strip():
        raise InputError("the identifier to link is empty", hint="give the identifier as the source writes it")
    with wh.transaction():
        if not wh.scalar("SELECT count(*) FROM sku WHERE sku_id = ?", [sku_id]):
            raise NotFound(f"no SKU {sku_id!r}", hint="pick a canonical SKU from the list")
        owner = wh.scalar("SELECT sku_id FROM sku_alias WHERE alias_type = ? AND alias = ? AND scope = ''",
                          [alias_type, alias])
        if owner is not None and owner != sku_id:
            raise InputError(f"{alias_type} {alias!r} already belongs to SKU {owner}", hint="unlink it there first")
        if owner is None:
            wh.con.execute("INSERT INTO sku_alias (alias_type, alias, scope, sku_id, confidence, created_at, created_by) "
                           "VALUES (?, ?, '', ?, 1.0, ?, ?)", [alias_type, alias, sku_id, datetime.now(),
                                                               f"web:{username}"])
        mapped = {}
        for table in _FACTS:
            before = int(wh.scalar(f"SELECT count(*) FROM {table} WHERE source_sku = ? AND sku_id IS NULL", [alias]))
            wh.con.execute(f"UPDATE {table} SET sku_id = ? WHERE source_sku = ? AND sku_id IS NULL", [sku_id, alias])
            mapped[table] = before
        audit(wh, username, "sku_alias.link", f"{alias_type}:{alias}", {"sku_id": sku_id, "mapped": mapped})
    return mapped


def unlink(wh: Warehouse, alias: str, alias_type: str, sku_id: str, username: str) -> dict[str, int]:
    with wh.transaction():
        found = rows(wh, "SELECT created_by FROM sku_alias WHERE alias_type = $t AND alias = $a AND scope = '' "
                         "AND sku_id = $s", {"t": alias_type, "a": alias, "s": sku_id})
        if not found:
            raise NotFound(f"SKU {sku_id} has no {alias_type} alias {alias!r}", hint="reload the page")
        wh.con.execute("DELETE FROM sku_alias WHERE alias_type = ? AND alias = ? AND scope = '' AND sku_id = ?",
                       [alias_type, alias, sku_id])
        unmapped_rows = {}
        for table in _FACTS:
            before = int(wh.scalar(f"SELECT count(*) FROM {table} WHERE source_sku = ? AND sku_id = ?", [alias, sku_id]))
            if before and alias != sku_id:
                wh.con.execute(f"UPDATE {table} SET sku_id = NULL WHERE source_sku = ? AND sku_id = ?", [alias, sku_id])
                unmapped_rows[table] = before
        audit(wh, username, "sku_alias.unlink", f"{alias_type}:{alias}", {"sku_id": sku_id, "unmapped": unmapped_rows})
    return unmapped_rows


def recent_links(wh: Warehouse, limit: int = 50) -> list[dict[str, Any]]:
    return rows(wh, "SELECT a.alias_type, a.alias, a.sku_id, s.title, a.created_by, a.created_at FROM sku_alias a "
                    "LEFT JOIN sku s USING (sku_id) WHERE a.created_by LIKE 'web:%' "
                    "ORDER BY a.created_at DESC LIMIT $n", {"n": limit})
