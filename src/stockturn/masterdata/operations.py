"""Operations on canonical SKUs and their aliases: list, show, link, unlink, merge, split.

Each change runs in one transaction that also records it (history, undoable) and re-resolves the facts'
`sku_id` columns, so analytics always read canonical SKUs. Bad input raises a domain error before
anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from stockturn.errors import InputError, NotFound, StockturnError, ValidationFailed
from stockturn.masterdata import facts
from stockturn.masterdata.history import finish_change, history, sku_tables, start_change
from stockturn.warehouse import Warehouse
from stockturn.warehouse.keys import keyed_writes
from stockturn.warehouse.load import current_user

ALIAS_TYPES = ("seller_sku", "asin", "fnsku", "shopify_sku", "barcode", "erp_code", "name", "other")


@dataclass(frozen=True)
class ChangeResult:
    change_id: int
    summary: str
    rows_moved: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SkuDetail:
    sku: dict[str, Any]
    aliases: pl.DataFrame
    facts: dict[str, int]
    history: pl.DataFrame


def recorded(result: ChangeResult | None) -> ChangeResult:
    """The result of a link that cannot be skipped (it was called without skip_if_unchanged)."""
    if result is None:
        raise RuntimeError("a link that must be recorded was skipped")
    return result


def require_sku(wh: Warehouse, sku_id: str) -> None:
    if wh.scalar("SELECT count(*) FROM sku WHERE sku_id = ?", [sku_id]) == 0:
        close = wh.frame(
            "SELECT sku_id FROM sku ORDER BY jaro_winkler_similarity(lower(sku_id), lower(?)) DESC LIMIT 3",
            [sku_id],
        )["sku_id"].to_list()
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise NotFound(f"unknown SKU {sku_id!r}", hint=f"{hint}`stockturn sku list` shows the canonical SKUs")


def check_alias_type(alias_type: str) -> None:
    if alias_type not in ALIAS_TYPES:
        raise InputError(
            f"expected an alias type ({', '.join(ALIAS_TYPES)}), found {alias_type!r}", column="--type",
            hint="pass one of the listed types with --type",
        )


def list_skus(wh: Warehouse, search: str | None = None) -> pl.DataFrame:
    """Canonical SKUs with their alias count and sales lines; `search` filters id, title and aliases."""
    where, params = "", []
    if search:
        where = (
            "WHERE s.sku_id ILIKE ? OR s.title ILIKE ? "
            "OR s.sku_id IN (SELECT sku_id FROM sku_alias WHERE alias ILIKE ?)"
        )
        params = [f"%{search}%"] * 3
    return wh.frame(
        f"""
        SELECT s.sku_id, s.title, s.category, s.lifecycle,
               coalesce(a.aliases, 0) AS aliases, coalesce(l.sales_lines, 0) AS sales_lines
        FROM sku s
        LEFT JOIN (SELECT sku_id, count(*) AS aliases FROM sku_alias GROUP BY 1) a USING (sku_id)
        LEFT JOIN (SELECT sku_id, count(*) AS sales_lines FROM sales_line GROUP BY 1) l USING (sku_id)
        {where}
        ORDER BY s.sku_id
        """,
        params,
    )


def show_sku(wh: Warehouse, sku_id: str) -> SkuDetail:
    require_sku(wh, sku_id)
    sku = wh.frame("SELECT * FROM sku WHERE sku_id = ?", [sku_id]).row(0, named=True)
    aliases = wh.frame(
        "SELECT alias_type, alias, scope, confidence, created_by, strftime(created_at, '%Y-%m-%d %H:%M') AS created_at "
        "FROM sku_alias WHERE sku_id = ? "
        "ORDER BY alias_type, alias, scope",
        [sku_id],
    )
    counts = {
        t.name: int(wh.scalar(f'SELECT count(*) FROM "{t.name}" WHERE sku_id = ?', [sku_id]))
        for t in sku_tables(wh) if t.name not in ("sku", "sku_alias")
    }
    return SkuDetail(sku, aliases, {k: v for k, v in counts.items() if v}, history(wh, sku_id, limit=20))


def unmapped(wh: Warehouse) -> pl.DataFrame:
    """Identifiers in the facts that no canonical SKU claims, with how many rows carry each. Rows are
    never dropped for being unmapped: this is where they show up."""
    parts = []
    for table in sku_tables(wh):
        if table.name in ("sku", "sku_alias"):
            continue
        # A NULL sku_id without a source identifier is not unmapped: it means "all SKUs" (events, fees).
        identifier = "coalesce(source_sku, sku_id)" if table.has_source_sku else "sku_id"
        parts.append(
            f"SELECT '{table.name}' AS table_name, {table.scope_sql} AS scope, {identifier} AS identifier, "
            f'count(*) AS rows FROM "{table.name}" '
            f"WHERE {identifier} IS NOT NULL AND (sku_id IS NULL OR sku_id NOT IN (SELECT sku_id FROM sku)) "
            "GROUP BY ALL"
        )
    if not parts:
        return pl.DataFrame(schema={"table_name": pl.Utf8, "scope": pl.Utf8, "identifier": pl.Utf8, "rows": pl.Int64})
    return wh.frame(" UNION ALL ".join(parts) + " ORDER BY rows DESC, table_name, scope, identifier")


class _NothingToDo(Exception):
    """Raised inside a change's transaction to roll back a change that changed nothing."""


def link_many(
    wh: Warehouse, links: pl.DataFrame, *, operation: str, summary: str, actor: str | None = None,
    confidence: float = 1.0, also_reresolve: list[str] | None = None, skip_if_unchanged: bool = False,
    also: Callable[[], None] | None = None,
) -> ChangeResult | None:
    """Link aliases (`sku_id`, `alias`, `alias_type`, `scope`) in one change; the sku_ids must exist.

    `also_reresolve` names more identifiers whose facts are resolved again in the same change. With
    `skip_if_unchanged`, a change that links nothing and moves no fact row is not recorded (None).
    `also` runs inside the same transaction (e.g. marking a suggestion confirmed)."""
    actor = actor or current_user()
    aliases = sorted(set(links["alias"].to_list()) | set(also_reresolve or []))
    # Every SKU the identifiers could resolve to, before or after: their rows are recorded too.
    related = wh.frame(
        "SELECT sku_id FROM sku_alias WHERE list_contains(?, alias) UNION SELECT sku_id FROM sku "
        "WHERE list_contains(?, sku_id)",
        [aliases, aliases],
    )["sku_id"].to_list()
    skus = sorted(set(links["sku_id"].to_list()) | set(related))
    try:
        with keyed_writes(wh), wh.transaction():
            change_id = start_change(
                wh, operation, summary, skus=skus, aliases=aliases, actor=actor,
                detail={"links": links.head(1000).to_dicts(), "count": links.height},
            )
            if links.height:
                frame = links.select("alias_type", "alias", "scope", "sku_id").with_columns(
                    pl.lit(confidence).alias("confidence"), pl.lit(datetime.now()).alias("created_at"),
                    pl.lit(actor).alias("created_by"),
                )
                wh.con.register("_links", frame.to_arrow())
                try:
                    wh.con.execute("INSERT OR REPLACE INTO sku_alias BY NAME SELECT * FROM _links")
                finally:
                    wh.con.unregister("_links")
            moved = facts.reresolve(wh, aliases)
            if skip_if_unchanged and links.height == 0 and not moved:
                raise _NothingToDo
            if also is not None:
                also()
            finish_change(wh, change_id)
    except _NothingToDo:
        return None
    return ChangeResult(change_id, summary, moved)


def link(
    wh: Warehouse, sku_id: str, alias: str, *, alias_type: str = "seller_sku", scope: str = "",
    actor: str | None = None,
) -> ChangeResult:
    """Make `alias` (as a source writes it) name canonical SKU `sku_id`; re-points it if it named another."""
    alias = alias.strip()
    if not alias:
        raise InputError("expected an identifier to link, found an empty string", column="ALIAS")
    check_alias_type(alias_type)
    require_sku(wh, sku_id)
    current = wh.scalar(
        "SELECT sku_id FROM sku_alias WHERE alias_type = ? AND alias = ? AND scope = ?", [alias_type, alias, scope]
    )
    if current == sku_id:
        raise StockturnError(f"{alias_type} {alias!r} already names {sku_id}", hint="nothing to do")
    where = f" in {scope}" if scope else ""
    summary = f"link {alias_type} {alias!r}{where} to {sku_id}" + (f" (was {current})" if current else "")
    links = pl.DataFrame({"sku_id": [sku_id], "alias": [alias], "alias_type": [alias_type], "scope": [scope]})
    return recorded(link_many(wh, links, operation="link", summary=summary, actor=actor))


def read_mapping_file(wh: Warehouse, path: Path) -> pl.DataFrame:
    """A user's mapping table (CSV with columns alias, sku_id and optionally alias_type, scope), checked
    whole before anything is linked."""
    if not path.is_file():
        raise InputError("file not found", file=str(path), hint="give the path of a CSV mapping file")
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV file: {exc}", file=str(path)) from None
    missing = [c for c in ("alias", "sku_id") if c not in frame.columns]
    if missing:
        raise InputError(
            f"expected columns alias, sku_id[, alias_type, scope], found {', '.join(frame.columns)}",
            file=str(path), row=1, hint=f"add the column(s) {', '.join(missing)} to the header",
        )
    frame = frame.with_columns(
        pl.col("alias").str.strip_chars(),
        pl.col("sku_id").str.strip_chars(),
        (pl.col("alias_type") if "alias_type" in frame.columns else pl.lit("other")).fill_null("other")
        .alias("alias_type"),
        (pl.col("scope") if "scope" in frame.columns else pl.lit("")).fill_null("").alias("scope"),
    ).with_row_index("row", offset=2)
    known = set(wh.frame("SELECT sku_id FROM sku")["sku_id"].to_list())
    problems: list[InputError] = []
    for row in frame.iter_rows(named=True):  # a mapping file is small; messages need the row
        if not row["alias"]:
            problems.append(InputError("expected an identifier, found nothing", file=str(path), row=row["row"],
                                       column="alias"))
        if row["sku_id"] not in known:
            problems.append(InputError(f"expected a canonical SKU, found {row['sku_id']!r}", file=str(path),
                                       row=row["row"], column="sku_id", hint="`stockturn sku list` shows them"))
        if row["alias_type"] not in ALIAS_TYPES:
            problems.append(InputError(f"expected one of {', '.join(ALIAS_TYPES)}, found {row['alias_type']!r}",
                                       file=str(path), row=row["row"], column="alias_type"))
    duplicated = frame.filter(pl.struct("alias_type", "alias", "scope").is_duplicated())
    for row in duplicated.iter_rows(named=True):
        problems.append(InputError(f"identifier {row['alias']!r} is mapped twice", file=str(path), row=row["row"],
                                   column="alias", hint="keep one row per alias_type, alias, scope"))
    if problems:
        raise ValidationFailed(problems[:20], file=str(path), total=len(problems))
    return frame.drop("row")


def link_file(wh: Warehouse, path: Path, *, actor: str | None = None) -> ChangeResult:
    links = read_mapping_file(wh, path)
    if links.height == 0:
        raise InputError("the mapping file has no rows", file=str(path))
    summary = f"link {links.height} aliases from {path.name}"
    return recorded(link_many(wh, links, operation="link", summary=summary, actor=actor))


def unlink(
    wh: Warehouse, alias: str, *, alias_type: str | None = None, scope: str | None = None, actor: str | None = None
) -> ChangeResult:
    """Remove the alias; the facts that carried it become unmapped (reported by `unmapped`)."""
    if alias_type is not None:
        check_alias_type(alias_type)
    rows = wh.frame(
        "SELECT alias_type, alias, scope, sku_id FROM sku_alias WHERE alias = ? "
        "AND (? IS NULL OR alias_type = ?) AND (? IS NULL OR scope = ?)",
        [alias, alias_type, alias_type, scope, scope],
    )
    if rows.height == 0:
        raise NotFound(f"no alias {alias!r}" + (f" of type {alias_type}" if alias_type else ""),
                       hint="`stockturn sku show SKU` lists a SKU's aliases")
    skus = sorted(set(rows["sku_id"].to_list()))
    summary = f"unlink {alias!r} from {', '.join(skus)}"
    actor = actor or current_user()
    with keyed_writes(wh), wh.transaction():
        change_id = start_change(wh, "unlink", summary, skus=skus, aliases=[alias], actor=actor,
                                 detail={"removed": rows.to_dicts()})
        wh.con.execute(
            "DELETE FROM sku_alias WHERE alias = ? AND (? IS NULL OR alias_type = ?) AND (? IS NULL OR scope = ?)",
            [alias, alias_type, alias_type, scope, scope],
        )
        moved = facts.reresolve(wh, [alias])
        finish_change(wh, change_id)
    return ChangeResult(change_id, summary, moved)


def merge(wh: Warehouse, source: str, into: str, *, actor: str | None = None) -> ChangeResult:
    """`source` and `into` are one product: every alias and fact of `source` moves to `into`, `source`
    stays as an alias of `into` (so later imports that still say `source` resolve), and the SKU row of
    `source` is removed."""
    if source == into:
        raise InputError(f"cannot merge {source} into itself", hint="give two different SKUs")
    require_sku(wh, source)
    require_sku(wh, into)
    aliases = sorted(set(wh.frame("SELECT alias FROM sku_alias WHERE sku_id = ?", [source])["alias"].to_list())
                     | {source})
    summary = f"merge {source} into {into}"
    actor = actor or current_user()
    with keyed_writes(wh), wh.transaction():
        change_id = start_change(wh, "merge", summary, skus=[source, into], aliases=aliases, actor=actor,
                                 detail={"source": source, "into": into}, wide=True)
        wh.con.execute("UPDATE sku_alias SET sku_id = ? WHERE sku_id = ?", [into, source])
        wh.con.execute(
            "INSERT INTO sku_alias (alias_type, alias, scope, sku_id, created_at, created_by) "
            "VALUES ('other', ?, '', ?, ?, ?) ON CONFLICT DO NOTHING",
            [source, into, datetime.now(), actor],
        )
        moved = facts.remap_sku(wh, source, into)
        wh.con.execute("DELETE FROM sku WHERE sku_id = ?", [source])
        for table, count in facts.reresolve(wh, aliases).items():
            moved[table] = moved.get(table, 0) + count
        finish_change(wh, change_id)
    return ChangeResult(change_id, summary, moved)


def split(
    wh: Warehouse, sku_id: str, new_sku_id: str, aliases: list[str], *, title: str | None = None,
    actor: str | None = None,
) -> ChangeResult:
    """`aliases` of `sku_id` name another product: create `new_sku_id` (a copy of the SKU's attributes,
    with `title`), move those aliases and the facts whose source identifier is one of them."""
    require_sku(wh, sku_id)
    new_sku_id = new_sku_id.strip()
    if not new_sku_id:
        raise InputError("expected a new SKU id, found an empty string", column="NEW_SKU")
    if wh.scalar("SELECT count(*) FROM sku WHERE sku_id = ?", [new_sku_id]):
        raise StockturnError(f"SKU {new_sku_id!r} already exists",
                             hint="split into a new id, or use `stockturn sku link` to move aliases to it")
    if not aliases:
        raise InputError("expected at least one alias to move to the new SKU, found none", column="--alias")
    owned = set(wh.frame("SELECT alias FROM sku_alias WHERE sku_id = ?", [sku_id])["alias"].to_list())
    foreign = [a for a in aliases if a not in owned]
    if foreign:
        raise InputError(f"{', '.join(map(repr, foreign))} not an alias of {sku_id}", column="--alias",
                         hint=f"`stockturn sku show {sku_id}` lists its aliases")
    summary = f"split {', '.join(map(repr, aliases))} from {sku_id} into new {new_sku_id}"
    actor = actor or current_user()
    with keyed_writes(wh), wh.transaction():
        change_id = start_change(wh, "split", summary, skus=[sku_id, new_sku_id], aliases=aliases, actor=actor,
                                 detail={"sku_id": sku_id, "new_sku_id": new_sku_id, "aliases": aliases})
        wh.con.execute(
            "INSERT INTO sku BY NAME SELECT * REPLACE (CAST(? AS VARCHAR) AS sku_id, "
            "coalesce(CAST(? AS VARCHAR), title) AS title, NULL::BIGINT AS import_id, "
            "NULL::VARCHAR AS source_file, NULL::BIGINT AS source_row) FROM sku WHERE sku_id = ?",
            [new_sku_id, title, sku_id],
        )
        wh.con.execute("UPDATE sku_alias SET sku_id = ? WHERE sku_id = ? AND list_contains(?, alias)",
                       [new_sku_id, sku_id, aliases])
        moved = facts.reresolve(wh, aliases)
        finish_change(wh, change_id)
    return ChangeResult(change_id, summary, moved)
