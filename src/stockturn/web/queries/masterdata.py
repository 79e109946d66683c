"""Master-data review, as a thin skin over the master-data library (issue 3): unmapped identifiers,
stored fuzzy suggestions (refresh, confirm, reject), manual link and unlink, and the change history.
Every change is recorded and undoable by the library; the dashboard adds one audit row naming the user."""

from __future__ import annotations

from typing import Any

from stockturn.masterdata import operations, suggestions
from stockturn.masterdata.history import history
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse
from stockturn.web.queries.actions import audit

ALIAS_TYPES = ("seller_sku", "asin", "fnsku", "shopify_sku", "barcode", "erp_code", "name", "other")


def actor(username: str) -> str:
    return f"web:{username}"


def review(wh: Warehouse) -> dict[str, Any]:
    """Unmapped identifiers, each with its open suggestions (best first), and the latest changes."""
    open_ids = operations.unmapped(wh)
    stored = suggestions.open_suggestions(wh)
    by_identifier: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in stored.iter_rows(named=True):
        by_identifier.setdefault((row["alias"], row["scope"]), []).append(row)
    items = []
    for row in open_ids.iter_rows(named=True):
        items.append({**row, "suggestions": by_identifier.get((row["identifier"], row["scope"]), [])})
    return {"unmapped": items, "changes": history(wh, limit=30).to_dicts(), "alias_types": list(ALIAS_TYPES)}


def refresh(wh: Warehouse, settings: Settings, username: str) -> int:
    found = suggestions.suggest_unmapped(wh, threshold=settings.sku_match_threshold)
    audit(wh, username, "sku_suggestion.refresh", "all", {"open": found.height})
    return found.height


def confirm(wh: Warehouse, suggestion_id: int, username: str) -> str:
    result = suggestions.confirm(wh, suggestion_id, actor=actor(username))
    audit(
        wh,
        username,
        "sku_suggestion.confirm",
        str(suggestion_id),
        {"change_id": result.change_id, "moved": result.rows_moved},
    )
    return result.summary


def reject(wh: Warehouse, suggestion_id: int, username: str) -> str:
    summary = suggestions.reject(wh, suggestion_id, actor=actor(username))
    audit(wh, username, "sku_suggestion.reject", str(suggestion_id), {})
    return summary


def link(wh: Warehouse, alias: str, sku_id: str, alias_type: str, scope: str, username: str) -> str:
    result = operations.link(wh, sku_id.strip(), alias, alias_type=alias_type, scope=scope, actor=actor(username))
    audit(
        wh,
        username,
        "sku_alias.link",
        f"{alias_type}:{alias}",
        {"sku_id": sku_id, "change_id": result.change_id, "moved": result.rows_moved},
    )
    return result.summary


def unlink(wh: Warehouse, alias: str, alias_type: str, scope: str, username: str) -> str:
    result = operations.unlink(wh, alias, alias_type=alias_type, scope=scope, actor=actor(username))
    audit(
        wh,
        username,
        "sku_alias.unlink",
        f"{alias_type}:{alias}",
        {"change_id": result.change_id, "moved": result.rows_moved},
    )
    return result.summary
