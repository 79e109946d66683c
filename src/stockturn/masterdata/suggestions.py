"""Mapping unmapped identifiers: exact rules first, then fuzzy suggestions a person confirms or rejects.

Exact rules (applied as one recorded, undoable change):
1. the ingestion resolver: an alias of any type (scoped before global) or a canonical sku_id;
2. the same identifier up to width, case and spaces ("８５０９９ｃ" = "85099C") as one SKU's code or alias;
3. the same title after normalisation ("水潤保濕面膜10片裝" = "水润保湿面膜10片装") as one SKU's title or name.
A rule that points at two SKUs maps nothing; the identifier goes to the fuzzy suggestions instead.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from stockturn.errors import NotFound, StockturnError
from stockturn.masterdata import matching
from stockturn.masterdata.normalize import normalize_code, normalize_title
from stockturn.masterdata.operations import ChangeResult, link_many, recorded, unmapped
from stockturn.warehouse import Warehouse
from stockturn.warehouse.load import current_user

_PLATFORM_ALIAS_TYPE = {"amazon": "seller_sku", "shopify": "shopify_sku"}


def candidates(wh: Warehouse) -> pl.DataFrame:
    """Every text that names a canonical SKU: its id, title and aliases (`sku_id`, `text`, `kind`)."""
    return wh.frame(
        """
        SELECT sku_id, sku_id AS text, 'code' AS kind FROM sku
        UNION SELECT sku_id, title, 'title' FROM sku
        UNION SELECT a.sku_id, a.alias, CASE WHEN a.alias_type = 'name' THEN 'title' ELSE 'code' END
        FROM sku_alias a JOIN sku s USING (sku_id)
        ORDER BY 1, 2
        """
    )


def _alias_types(wh: Warehouse, scopes: pl.Series) -> pl.Series:
    """Alias type a new link gets: the seller SKU of an Amazon channel, the Shopify SKU of a Shopify
    channel, else `other` (which every importer looks up)."""
    platforms = dict(wh.con.execute("SELECT channel_id, platform FROM channel").fetchall())
    return scopes.map_elements(
        lambda scope: _PLATFORM_ALIAS_TYPE.get(platforms.get(scope, ""), "other"), return_dtype=pl.Utf8
    )


def _unique_match(keys: pl.DataFrame, catalogue: pl.DataFrame, rule: str) -> pl.DataFrame:
    """Identifiers whose key equals the key of exactly one SKU."""
    owners = catalogue.filter(pl.col("key") != "").unique(["key", "sku_id"]).group_by("key").agg(
        pl.col("sku_id").first(), pl.len().alias("owners")
    ).filter(pl.col("owners") == 1)
    return keys.join(owners.drop("owners"), on="key").with_columns(pl.lit(rule).alias("rule"))


def exact_matches(wh: Warehouse) -> pl.DataFrame:
    """Unmapped identifiers that rules 2 and 3 map to exactly one SKU (`identifier, scope, sku_id, rule`)."""
    open_ids = unmapped(wh).select("identifier", "scope").unique()
    if open_ids.height == 0:
        return pl.DataFrame(schema={"identifier": pl.Utf8, "scope": pl.Utf8, "sku_id": pl.Utf8, "rule": pl.Utf8})
    known = candidates(wh)
    codes = known.filter(pl.col("kind") == "code").with_columns(
        pl.col("text").map_elements(normalize_code, return_dtype=pl.Utf8).alias("key"))
    titles = known.filter(pl.col("kind") == "title").with_columns(
        pl.col("text").map_elements(normalize_title, return_dtype=pl.Utf8).alias("key"))
    by_code = _unique_match(
        open_ids.with_columns(pl.col("identifier").map_elements(normalize_code, return_dtype=pl.Utf8).alias("key")),
        codes, "same code up to width, case and spaces",
    )
    by_title = _unique_match(
        open_ids.with_columns(pl.col("identifier").map_elements(normalize_title, return_dtype=pl.Utf8).alias("key")),
        titles, "same title after normalisation",
    )
    return pl.concat([by_code, by_title]).unique(["identifier", "scope"], keep="first", maintain_order=True).select(
        "identifier", "scope", "sku_id", "rule"
    )


def apply_exact_rules(wh: Warehouse, *, actor: str | None = None) -> ChangeResult | None:
    """Map what the exact rules can map, as one undoable change; None when there was nothing to map."""
    stale = unmapped(wh)["identifier"].unique().sort().to_list()
    if not stale:
        return None
    found = exact_matches(wh)
    links = found.select(
        "sku_id", pl.col("identifier").alias("alias"), _alias_types(wh, found["scope"]).alias("alias_type"), "scope"
    )
    summary = f"exact rules: {links.height} new aliases, unmapped identifiers resolved again"
    return link_many(wh, links, operation="auto_link", summary=summary, actor=actor, also_reresolve=stale,
                     skip_if_unchanged=True)


def suggest_unmapped(
    wh: Warehouse, *, threshold: float = matching.DEFAULT_THRESHOLD, top_k: int = 3
) -> pl.DataFrame:
    """Fuzzy suggestions for every unmapped identifier, stored as open suggestions (replacing earlier
    open ones); pairs a person rejected are not suggested again. Returns the stored rows."""
    open_ids = unmapped(wh).group_by("identifier", "scope").agg(pl.col("rows").sum())
    known = candidates(wh)
    found = matching.suggest(open_ids["identifier"].to_list(), known, min_score=threshold, top_k=top_k + 2)
    rejected = wh.frame("SELECT alias AS query, sku_id FROM sku_suggestion WHERE status = 'rejected'")
    found = found.join(rejected, on=["query", "sku_id"], how="anti")
    rows = (
        open_ids.join(found.rename({"query": "identifier"}), on="identifier")
        .sort(["rows", "identifier", "score"], descending=[True, False, True])
        .with_columns(pl.int_range(pl.len()).over("identifier", "scope").alias("rank"))
        .filter(pl.col("rank") < top_k)
    )
    now = datetime.now()
    with wh.transaction():
        wh.con.execute("DELETE FROM sku_suggestion WHERE status = 'open'")
        if rows.height:
            first = int(wh.scalar("SELECT nextval('sku_suggestion_id_seq')"))
            stored = rows.select(
                (pl.int_range(pl.len(), dtype=pl.Int64) + first).alias("suggestion_id"),
                pl.col("identifier").alias("alias"),
                "scope",
                _alias_types(wh, rows["scope"]).alias("alias_type"),
                "sku_id", "score", "matched_text", "method",
                pl.lit(now).alias("created_at"),
            )
            wh.scalar("SELECT setval('sku_suggestion_id_seq', ?)", [first + rows.height - 1])
            wh.con.register("_suggested", stored.to_arrow())
            try:
                wh.con.execute("INSERT INTO sku_suggestion BY NAME SELECT * FROM _suggested")
            finally:
                wh.con.unregister("_suggested")
    return open_suggestions(wh)


def open_suggestions(wh: Warehouse) -> pl.DataFrame:
    return wh.frame(
        "SELECT s.suggestion_id, s.alias, s.scope, s.sku_id, k.title, s.score, s.matched_text, s.method "
        "FROM sku_suggestion s LEFT JOIN sku k USING (sku_id) WHERE s.status = 'open' "
        "ORDER BY s.alias, s.scope, s.score DESC, s.sku_id"
    )


def _open_suggestion(wh: Warehouse, suggestion_id: int) -> dict[str, object]:
    found = wh.frame("SELECT * FROM sku_suggestion WHERE suggestion_id = ?", [suggestion_id])
    if found.height == 0:
        raise NotFound(f"no suggestion {suggestion_id}", hint="`stockturn sku suggest` lists the open suggestions")
    row = found.row(0, named=True)
    if row["status"] != "open":
        raise StockturnError(f"suggestion {suggestion_id} was already {row['status']} by {row['decided_by']}",
                             hint="`stockturn sku suggest` lists the open suggestions")
    return row


def confirm(wh: Warehouse, suggestion_id: int, *, actor: str | None = None) -> ChangeResult:
    """Accept a suggestion: link its identifier to its SKU (recorded, undoable)."""
    row = _open_suggestion(wh, suggestion_id)
    actor = actor or current_user()
    links = pl.DataFrame({"sku_id": [row["sku_id"]], "alias": [row["alias"]], "alias_type": [row["alias_type"]],
                          "scope": [row["scope"]]})
    summary = f"confirm suggestion {suggestion_id}: {row['alias']!r} is {row['sku_id']} (score {row['score']})"

    def mark_confirmed() -> None:
        wh.con.execute(
            "UPDATE sku_suggestion SET status = 'confirmed', decided_by = ?, decided_at = ? WHERE suggestion_id = ?",
            [actor, datetime.now(), suggestion_id],
        )
        wh.con.execute("DELETE FROM sku_suggestion WHERE status = 'open' AND alias = ? AND scope = ?",
                       [row["alias"], row["scope"]])

    return recorded(link_many(wh, links, operation="confirm", summary=summary, actor=actor, also=mark_confirmed))


def reject(wh: Warehouse, suggestion_id: int, *, actor: str | None = None) -> str:
    """Refuse a suggestion: that identifier is never suggested for that SKU again."""
    row = _open_suggestion(wh, suggestion_id)
    with wh.transaction():
        wh.con.execute(
            "UPDATE sku_suggestion SET status = 'rejected', decided_by = ?, decided_at = ? WHERE suggestion_id = ?",
            [actor or current_user(), datetime.now(), suggestion_id],
        )
    return f"rejected suggestion {suggestion_id}: {row['alias']!r} is not {row['sku_id']}"


def suggest_names(
    wh: Warehouse, names: list[str], *, threshold: float = matching.DEFAULT_THRESHOLD, top_k: int = 3
) -> pl.DataFrame:
    """Ad-hoc suggestions for free-text names or codes (nothing stored)."""
    return matching.suggest(names, candidates(wh), min_score=threshold, top_k=top_k).join(
        wh.frame("SELECT sku_id, title FROM sku"), on="sku_id", how="left"
    ).select("query", "sku_id", "title", "score", "matched_text", "method")
