"""Small SQL helpers shared by the analytics modules (queries run on the caller's open Warehouse)."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from stockturn.settings import Settings, StorageRule
from stockturn.warehouse import Warehouse

# Inventory inflows that start a FIFO layer (age counts from the day the units arrived at the location).
INFLOW_TYPES = "('receipt', 'transfer_in', 'return', 'adjustment')"


def query(wh: Warehouse, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    used = {key: value for key, value in (params or {}).items() if f"${key}" in sql}
    relation = wh.con.sql(sql, params=used)
    if relation is None:
        raise ValueError(f"not a query: {sql[:60]}")
    frame: pl.DataFrame = relation.pl()
    return frame


def lit(day: date) -> str:
    """A DATE literal (dates come from date objects, never from user text)."""
    return f"DATE '{day.isoformat()}'"


def landed_cost_sql(base: str, max_age_days: int) -> str:
    """(sku_id, valid_from, valid_to, landed): landed cost per unit in base currency, valid on days
    valid_from <= day < valid_to, converted at the rate of the cost's own valid_from day (historical cost).
    The earliest cost of a SKU also applies before it. Join big tables to it with a range condition
    (`ON c.sku_id = x.sku_id AND x.day >= c.valid_from AND x.day < c.valid_to`): a hash join on the SKU,
    many times faster in DuckDB than an ASOF join over tens of millions of rows."""
    from stockturn.warehouse.fx import converted_sql

    raw = ("SELECT sku_id, valid_from AS day, currency, "
           "purchase_cost + freight_cost + duty_cost + other_cost AS landed FROM unit_cost")
    return f"""
        SELECT sku_id,
               CASE WHEN day = min(day) OVER (PARTITION BY sku_id) THEN DATE '0001-01-01' ELSE day END AS valid_from,
               coalesce(lead(day) OVER (PARTITION BY sku_id ORDER BY day), DATE '9999-12-31') AS valid_to,
               landed * fx AS landed
          FROM ({converted_sql(raw, base, max_age_days=max_age_days)})"""


def cost_on(alias: str, sku: str, day: str) -> str:
    """Join condition of the `cost` CTE (landed_cost_sql) valid on `day` for `sku`."""
    return f"{alias}.sku_id = {sku} AND {day} >= {alias}.valid_from AND {day} < {alias}.valid_to"


def volume_sql(settings: Settings) -> str:
    """(sku_id, volume_m3): unit volume from dimensions in cm, else the unit_volume_m3 setting."""
    return f"""SELECT sku_id, coalesce(length_cm * width_cm * height_cm / 1e6, {settings.unit_volume_m3!r})
                        AS volume_m3 FROM sku"""


def rule_for(settings: Settings, warehouse_id: str, warehouse_type: str) -> StorageRule:
    rules = settings.storage_rules
    return rules.get(warehouse_id) or rules.get(warehouse_type) or StorageRule()


def _rules(wh: Warehouse, settings: Settings) -> list[tuple[str, StorageRule]]:
    return [(str(w), rule_for(settings, w, kind))
            for w, kind in wh.con.execute("SELECT warehouse_id, type FROM warehouse").fetchall()]


def storage_rules_sql(wh: Warehouse, settings: Settings) -> str:
    """(warehouse_id, off_rate, peak_rate, min_unit_month): per m3-month rates of every warehouse."""
    rows = []
    for warehouse_id, rule in _rules(wh, settings):
        peak = rule.peak_rate_m3_month if rule.peak_rate_m3_month is not None else rule.rate_m3_month
        safe_id = warehouse_id.replace("'", "''")
        rows.append(f"('{safe_id}', {float(rule.rate_m3_month)!r}, {float(peak)!r}, {float(rule.min_unit_month)!r})")
    if not rows:
        return ("SELECT NULL::VARCHAR AS warehouse_id, NULL::DOUBLE AS off_rate, NULL::DOUBLE AS peak_rate, "
                "NULL::DOUBLE AS min_unit_month WHERE false")
    return ("SELECT * FROM (VALUES " + ", ".join(rows) + ") AS r(warehouse_id, off_rate, peak_rate, min_unit_month)")


def peak_month_sql(wh: Warehouse, settings: Settings, warehouse: str, day: str) -> str:
    """A boolean SQL expression: is `day` in a peak month of the storage rule of `warehouse`?"""
    sets = {wid: sorted(set(rule.peak_months)) for wid, rule in _rules(wh, settings)}
    distinct = {tuple(months) for months in sets.values()}
    if len(distinct) <= 1:
        months = next(iter(distinct), ())
        return f"month({day}) IN ({', '.join(map(str, months))})" if months else "false"
    cases = " ".join(
        f"WHEN '{wid.replace(chr(39), chr(39) * 2)}' THEN "
        + (f"month({day}) IN ({', '.join(map(str, months))})" if months else "false")
        for wid, months in sets.items())
    return f"(CASE {warehouse} {cases} ELSE false END)"


def surcharge_tiers_sql(wh: Warehouse, settings: Settings) -> str:
    """(warehouse_id, min_age_days, max_age_days, rate_m3_month, rate_unit_month) of every warehouse."""
    rows = []
    for warehouse_id, kind in wh.con.execute("SELECT warehouse_id, type FROM warehouse").fetchall():
        tiers = sorted(rule_for(settings, warehouse_id, kind).surcharge_tiers, key=lambda t: t.min_age_days)
        safe_id = str(warehouse_id).replace("'", "''")
        for index, tier in enumerate(tiers):
            upper = tiers[index + 1].min_age_days - 1 if index + 1 < len(tiers) else 1_000_000
            rows.append(f"('{safe_id}', {tier.min_age_days}, {upper}, {tier.rate_m3_month!r}, "
                        f"{tier.rate_unit_month!r})")
    if not rows:
        return ("SELECT NULL::VARCHAR AS warehouse_id, NULL::INTEGER AS min_age_days, NULL::INTEGER AS max_age_days,"
                " NULL::DOUBLE AS rate_m3_month, NULL::DOUBLE AS rate_unit_month WHERE false")
    return ("SELECT * FROM (VALUES " + ", ".join(rows) + ") AS t(warehouse_id, min_age_days, max_age_days, "
            "rate_m3_month, rate_unit_month)")
