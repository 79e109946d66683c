"""Plan lines, transfers and alerts: reading them, and the changes people make (with an audit row each)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
import xlsxwriter

from stockturn.errors import InputError, NotFound
from stockturn.warehouse import Warehouse
from stockturn.web.queries.common import frame, rows

PLAN_ACTIONS = ("order", "transfer", "clearance")
PLAN_STATUSES = ("proposed", "edited", "approved", "rejected")


def audit(wh: Warehouse, username: str, action: str, target: str, detail: dict[str, Any]) -> None:
    wh.con.execute(
        "INSERT INTO audit_log (audit_id, happened_at, username, action, target, detail) "
        "VALUES (nextval('audit_id_seq'), ?, ?, ?, ?, ?)",
        [datetime.now(), username, action, target, json.dumps(detail, default=str)],
    )


def audit_trail(wh: Warehouse, limit: int = 50) -> list[dict[str, Any]]:
    return rows(
        wh,
        "SELECT happened_at, username, action, target, detail FROM audit_log ORDER BY audit_id DESC LIMIT $n",
        {"n": limit},
    )


# --- plan -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanQuery:
    action: str = ""
    status: str = ""
    warehouse: str = ""
    supplier: str = ""
    q: str = ""
    page: int = 1
    per_page: int = 100


_PLAN_SELECT = """
SELECT p.line_id, p.sku_id, s.title, p.warehouse_id, p.supplier_id, sup.name AS supplier_name,
       p.source_warehouse_id, p.action, p.qty, p.mode, p.order_by, p.ship_by, p.expected_arrival,
       p.projected_stockout, p.cover_after_days, p.cost, p.cash_needed, p.cash_date, p.reason, p.status,
       p.approved_by, p.approved_at
FROM plan_line p LEFT JOIN sku s USING (sku_id) LEFT JOIN supplier sup ON sup.supplier_id = p.supplier_id
WHERE p.run_id = $run
"""


def plan_lines(wh: Warehouse, run_id: str, query: PlanQuery) -> tuple[list[dict[str, Any]], int]:
    """The filtered lines of one page, and how many lines match in total."""
    where, params = [], {"run": run_id}
    for column, value in (
        ("p.action", query.action),
        ("p.status", query.status),
        ("p.warehouse_id", query.warehouse),
        ("p.supplier_id", query.supplier),
    ):
        if value:
            name = column.split(".")[1]
            where.append(f"{column} = ${name}")
            params[name] = value
    if query.q:
        where.append("(p.sku_id ILIKE $q OR s.title ILIKE $q)")
        params["q"] = f"%{query.q.strip()}%"
    condition = "".join(f" AND {w}" for w in where)
    total = int(wh.con.execute(f"SELECT count(*) FROM ({_PLAN_SELECT}{condition})", params).fetchall()[0][0])
    page_params = {**params, "limit": query.per_page, "offset": (max(query.page, 1) - 1) * query.per_page}
    found = rows(
        wh,
        f"{_PLAN_SELECT}{condition} ORDER BY p.order_by NULLS LAST, p.line_id LIMIT $limit OFFSET $offset",
        page_params,
    )
    return found, total


def _plan_line(wh: Warehouse, run_id: str, line_id: int) -> dict[str, Any]:
    found = rows(
        wh,
        "SELECT qty, status FROM plan_line WHERE run_id = $run AND line_id = $line",
        {"run": run_id, "line": line_id},
    )
    if not found:
        raise NotFound(f"no plan line {line_id} in run {run_id}", hint="reload the replenishment page")
    return found[0]


def edit_plan_qty(wh: Warehouse, run_id: str, line_id: int, qty: float, username: str) -> None:
    if not qty >= 0 or qty > 1e9:
        raise InputError(
            f"quantity {qty} is not allowed", hint="enter a whole number of units, 0 or more", column="qty"
        )
    with wh.transaction():
        line = _plan_line(wh, run_id, line_id)
        if line["status"] == "approved":
            raise InputError(f"plan line {line_id} is already approved", hint="approved lines cannot be edited")
        wh.con.execute(
            "UPDATE plan_line SET qty = ?, status = 'edited' WHERE run_id = ? AND line_id = ?", [qty, run_id, line_id]
        )
        audit(wh, username, "plan_line.edit", f"{run_id}/{line_id}", {"qty_before": line["qty"], "qty_after": qty})


def approve_plan_line(wh: Warehouse, run_id: str, line_id: int, username: str) -> None:
    with wh.transaction():
        line = _plan_line(wh, run_id, line_id)
        if line["status"] == "approved":
            return
        wh.con.execute(
            "UPDATE plan_line SET status = 'approved', approved_by = ?, approved_at = ? "
            "WHERE run_id = ? AND line_id = ?",
            [username, datetime.now(), run_id, line_id],
        )
        audit(
            wh,
            username,
            "plan_line.approve",
            f"{run_id}/{line_id}",
            {"qty": line["qty"], "status_before": line["status"]},
        )


_PO_SQL = """
SELECT p.supplier_id, coalesce(sup.name, p.supplier_id) AS supplier_name, coalesce(sup.currency, '') AS currency,
       p.sku_id, s.title, p.warehouse_id AS destination, p.qty, ss.unit_price, p.qty * ss.unit_price AS amount,
       p.order_by, p.expected_arrival, p.mode, p.line_id, p.approved_by
FROM plan_line p LEFT JOIN sku s USING (sku_id) LEFT JOIN supplier sup ON sup.supplier_id = p.supplier_id
LEFT JOIN sku_supplier ss ON ss.sku_id = p.sku_id AND ss.supplier_id = p.supplier_id
WHERE p.run_id = $run AND p.action = 'order' AND p.status = 'approved'
ORDER BY p.supplier_id, p.sku_id, p.warehouse_id
"""


def purchase_orders(wh: Warehouse, run_id: str) -> pl.DataFrame:
    """Approved order lines of a plan, one draft purchase order per supplier."""
    return frame(wh, _PO_SQL, {"run": run_id})


def purchase_orders_csv(orders: pl.DataFrame) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(orders.columns)
    for row in orders.iter_rows():
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")  # a BOM so Excel reads Chinese titles correctly


def purchase_orders_xlsx(orders: pl.DataFrame, run_id: str) -> bytes:
    """One sheet per supplier, with formatted headers, number formats, frozen header and a total."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "default_date_format": "yyyy-mm-dd"})
    header = book.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    qty_format = book.add_format({"num_format": "#,##0"})
    money = book.add_format({"num_format": "#,##0.00"})
    bold_money = book.add_format({"num_format": "#,##0.00", "bold": True})
    columns = [
        "sku_id",
        "title",
        "destination",
        "qty",
        "unit_price",
        "amount",
        "order_by",
        "expected_arrival",
        "mode",
        "line_id",
        "approved_by",
    ]
    if orders.height == 0:
        sheet = book.add_worksheet("no approved orders")
        sheet.write(0, 0, f"Plan {run_id} has no approved order lines yet.")
    for (supplier,), part in orders.group_by(["supplier_id"], maintain_order=True):
        sheet = book.add_worksheet(str(supplier or "no supplier")[:31])
        sheet.write(
            0,
            0,
            f"Purchase order draft: {part['supplier_name'][0]} ({supplier}), plan {run_id}",
            book.add_format({"bold": True}),
        )
        for col, name in enumerate(columns):
            sheet.write(2, col, name, header)
        for r, row in enumerate(part.select(columns).iter_rows(), start=3):
            for col, value in enumerate(row):
                name = columns[col]
                fmt = qty_format if name == "qty" else money if name in ("unit_price", "amount") else None
                if value is None:
                    sheet.write_blank(r, col, None)
                else:
                    sheet.write(r, col, value, fmt)
        last = 3 + part.height
        sheet.write(last, 4, f"total {part['currency'][0]}")
        sheet.write(last, 5, float(part["amount"].fill_null(0).sum()), bold_money)
        sheet.freeze_panes(3, 0)
        sheet.set_column(0, 0, 12)
        sheet.set_column(1, 1, 36)
        sheet.set_column(2, 10, 14)
    book.close()
    return buffer.getvalue()


# --- transfers ------------------------------------------------------------------------------------
def shipments_in_transit(wh: Warehouse) -> list[dict[str, Any]]:
    return rows(
        wh,
        """
        SELECT sh.shipment_id, sh.from_warehouse_id, sh.to_warehouse_id, sh.mode, sh.ship_date, sh.eta,
               sh.status, count(sl.line_no) AS lines, coalesce(sum(sl.qty), 0) AS units
        FROM shipment sh LEFT JOIN shipment_line sl USING (shipment_id)
        WHERE sh.status IN ('planned', 'in_transit') AND sh.arrived_date IS NULL
        GROUP BY ALL ORDER BY sh.eta, sh.shipment_id
    """,
    )


# --- alerts ---------------------------------------------------------------------------------------
def alerts(wh: Warehouse, run_id: str, *, open_only: bool = False, severity: str = "") -> list[dict[str, Any]]:
    where = " AND acknowledged_at IS NULL" if open_only else ""
    params: dict[str, Any] = {"run": run_id}
    if severity:
        where += " AND severity = $severity"
        params["severity"] = severity
    return rows(
        wh,
        "SELECT alert_id, alert_type, severity, sku_id, warehouse_id, what, why, action, created_at, "
        "acknowledged_by, acknowledged_at FROM alert WHERE run_id = $run"
        + where
        + " ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, alert_id",
        params,
    )


def acknowledge_alert(wh: Warehouse, run_id: str, alert_id: int, username: str) -> None:
    with wh.transaction():
        found = rows(
            wh,
            "SELECT acknowledged_at FROM alert WHERE run_id = $run AND alert_id = $id",
            {"run": run_id, "id": alert_id},
        )
        if not found:
            raise NotFound(f"no alert {alert_id} in run {run_id}", hint="reload the alerts page")
        if found[0]["acknowledged_at"] is not None:
            return
        wh.con.execute(
            "UPDATE alert SET acknowledged_by = ?, acknowledged_at = ? WHERE run_id = ? AND alert_id = ?",
            [username, datetime.now(), run_id, alert_id],
        )
        audit(wh, username, "alert.acknowledge", f"{run_id}/{alert_id}", {})
