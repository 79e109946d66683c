"""A summary of any warehouse: what is in it, over which dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from stockturn.warehouse.connection import Warehouse


@dataclass
class WarehouseSummary:
    path: str
    schema_version: int
    skus: int
    warehouses: list[str]
    channels: list[str]
    first_sale: date | None
    last_sale: date | None
    unmapped_sales_lines: int
    rows: dict[str, int] = field(default_factory=dict)


def summarize(wh: Warehouse) -> WarehouseSummary:
    rows = {
        table: int(wh.scalar(f'SELECT count(*) FROM "{table}"'))
        for table in wh.tables()
        if table != "schema_migration"
    }
    first, last = wh.con.execute(
        "SELECT min(ordered_at)::DATE, max(ordered_at)::DATE FROM sales_line"
    ).fetchall()[0]
    return WarehouseSummary(
        path=str(wh.path),
        schema_version=wh.schema_version(),
        skus=rows.get("sku", 0),
        warehouses=[r[0] for r in wh.con.execute("SELECT warehouse_id FROM warehouse ORDER BY 1").fetchall()],
        channels=[r[0] for r in wh.con.execute("SELECT channel_id FROM channel ORDER BY 1").fetchall()],
        first_sale=first,
        last_sale=last,
        unmapped_sales_lines=int(wh.scalar("SELECT count(*) FROM sales_line WHERE sku_id IS NULL")),
        rows=rows,
    )
