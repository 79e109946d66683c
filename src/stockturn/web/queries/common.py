"""Shared SQL pieces of the dashboard's queries: the reporting date, currency conversion, landed cost.

These are the dashboard's interim definitions until the analytics library (issue 4) lands; each is
written once here and documented in docs/web.md, so the pages and the JSON API agree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from stockturn.warehouse import Warehouse, latest_run

# Rate of each currency into the base currency on the reporting date (latest rate on or before it).
FX_CTE = """
fx AS (
    SELECT currency, arg_max(rate, rate_date) AS rate FROM fx_rate
    WHERE quote_currency = $base AND rate_date <= $asof GROUP BY currency
    UNION ALL SELECT $base, 1.0
)"""

# Landed cost per unit (purchase + first-leg freight + duty + other) valid on the reporting date, in base.
COST_CTE = """
cost AS (
    SELECT u.sku_id,
           arg_max((u.purchase_cost + u.freight_cost + u.duty_cost + u.other_cost) * fx.rate, u.valid_from)
               AS unit_cost
    FROM unit_cost u JOIN fx ON fx.currency = u.currency
    WHERE u.valid_from <= $asof GROUP BY u.sku_id
)"""


def frame(wh: Warehouse, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """Run SQL with named parameters and return a Polars frame (through Arrow)."""
    relation = wh.con.sql(sql, params=params or {})
    if relation is None:
        raise ValueError(f"not a query: {sql[:60]}")
    result = pl.from_arrow(relation.to_arrow_table())
    assert isinstance(result, pl.DataFrame)
    return result


def rows(wh: Warehouse, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cursor = wh.con.execute(sql, params or {})
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def as_of(wh: Warehouse) -> date:
    """The reporting date: the last stock snapshot, else the last sale, else today."""
    value = wh.scalar(
        "SELECT coalesce((SELECT max(snapshot_date) FROM stock_snapshot), "
        "(SELECT max(ordered_at)::DATE FROM sales_line), current_date)"
    )
    assert isinstance(value, date)
    return value


def data_version(wh: Warehouse) -> str:
    """Changes whenever imports, runs or SKU links change (sku_change ids only grow); part of every cache key."""
    row = wh.con.execute(
        "SELECT (SELECT count(*) || ':' || coalesce(max(import_id), 0) || ':' || "
        "        coalesce(CAST(max(coalesce(undone_at, started_at)) AS VARCHAR), '') FROM import_batch), "
        "       (SELECT count(*) || ':' || coalesce(CAST(max(started_at) AS VARCHAR), '') FROM run), "
        "       (SELECT count(*) || ':' || coalesce(CAST(max(created_at) AS VARCHAR), '') FROM sku_alias), "
        "       (SELECT coalesce(max(change_id), 0) FROM sku_change)"
    ).fetchall()
    return "|".join(str(part) for part in row[0])


def runs(wh: Warehouse) -> dict[str, str | None]:
    """The newest finished run of each kind the pages read."""
    return {kind: latest_run(wh, kind) for kind in ("forecast", "plan", "alert")}
