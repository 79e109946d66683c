"""Cash: cash tied up in stock, the cash conversion cycle, receivable and payable aging.

Definitions: docs/metrics.md, "Cash". Money in base currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from stockturn.analytics._sql import cost_on, landed_cost_sql, lit, query
from stockturn.analytics.base import base_facts, ending_sql
from stockturn.analytics.definitions import compute
from stockturn.analytics.period import Period
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse
from stockturn.warehouse.fx import converted_sql, require_rates

AGE_BUCKETS = [(0, "not due"), (30, "1-30"), (60, "31-60"), (90, "61-90")]
OPEN_PO_STATUSES = "('draft', 'open', 'shipped')"


def cash_tied_up(wh: Warehouse, as_of: date, settings: Settings) -> pl.DataFrame:
    """Per warehouse (plus a total row): on-hand value, in-transit value, paid for open purchase orders,
    and their sum `cash_tied_up`, on `as_of` at landed cost."""
    base = settings.base_currency
    a = lit(as_of)
    stock = query(wh, f"""
        WITH cost AS ({landed_cost_sql(base, settings.fx_max_age_days)}),
        on_hand AS (SELECT warehouse_id, sum(ending_value) AS on_hand_value FROM ({ending_sql(a)}) GROUP BY ALL),
        transit AS (
            SELECT h.to_warehouse_id AS warehouse_id, sum(l.qty * coalesce(c.landed, 0)) AS in_transit_value
              FROM shipment_line l JOIN shipment h USING (shipment_id)
              LEFT JOIN cost c ON {cost_on('c', 'l.sku_id', 'h.ship_date')}
             WHERE h.status <> 'cancelled' AND h.ship_date <= {a} AND (h.arrived_date IS NULL OR h.arrived_date > {a})
             GROUP BY ALL)
        SELECT coalesce(o.warehouse_id, t.warehouse_id) AS warehouse_id,
               coalesce(o.on_hand_value, 0) AS on_hand_value, coalesce(t.in_transit_value, 0) AS in_transit_value
          FROM on_hand o FULL JOIN transit t USING (warehouse_id)""")
    needs = f"""SELECT p.paid_date AS day, p.currency, p.paid_amount,
                       coalesce(o.destination_warehouse_id, '(none)') AS warehouse_id
                  FROM payable p JOIN purchase_order o USING (po_id)
                 WHERE o.status IN {OPEN_PO_STATUSES} AND p.paid_date <= {lit(as_of)} AND p.paid_amount <> 0"""
    require_rates(wh, needs, base, what="payments for open purchase orders", max_age_days=settings.fx_max_age_days)
    paid = query(wh, f"""SELECT warehouse_id, sum(paid_amount * fx) AS open_po_paid
                           FROM ({converted_sql(needs, base, max_age_days=settings.fx_max_age_days)})
                          GROUP BY ALL""")
    out = stock.join(paid, on="warehouse_id", how="full", coalesce=True).fill_null(0.0).with_columns(
        (pl.col("on_hand_value") + pl.col("in_transit_value") + pl.col("open_po_paid")).alias("cash_tied_up")
    ).sort("warehouse_id")
    total = out.select(pl.lit("TOTAL").alias("warehouse_id"), pl.exclude("warehouse_id").sum())
    return pl.concat([out, total])


def _outstanding_days_sql(table: str, period: Period, settings: Settings) -> str:
    """Money-days outstanding of `table` (receivable or payable) over the period, in base currency at the
    issue day's rate: the full amount until paid_date, then amount - paid_amount."""
    s, e = lit(period.start), lit(period.end)
    needs = f"SELECT issued_date AS day, currency, amount, paid_amount, paid_date FROM {table}"
    return f"""
        SELECT coalesce(sum(fx * (
                 amount * greatest(0, least(coalesce(paid_date - 1, {e}), {e}) - greatest(day, {s}) + 1)
               + (amount - paid_amount) * CASE WHEN paid_date IS NULL THEN 0
                     ELSE greatest(0, {e} - greatest(paid_date, {s}) + 1) END)), 0)
          FROM ({converted_sql(needs, settings.base_currency, max_age_days=settings.fx_max_age_days)})
         WHERE day <= {e}"""


@dataclass(frozen=True)
class CashCycle:
    period: Period
    dio: float | None
    dso: float | None
    dpo: float | None
    revenue: float
    cogs: float
    avg_receivables: float
    avg_payables: float
    avg_inventory_value: float

    @property
    def ccc(self) -> float | None:
        if self.dio is None or self.dso is None or self.dpo is None:
            return None
        return self.dio + self.dso - self.dpo

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame({
            "metric": ["DIO", "DSO", "DPO", "CCC", "Revenue", "COGS", "Avg receivables", "Avg payables",
                       "Avg inventory value"],
            "value": [self.dio, self.dso, self.dpo, self.ccc, self.revenue, self.cogs, self.avg_receivables,
                      self.avg_payables, self.avg_inventory_value],
            "unit": ["days", "days", "days", "days", "money", "money", "money", "money", "money"],
        })


def cash_cycle(wh: Warehouse, period: Period, settings: Settings) -> CashCycle:
    """CCC = DIO + DSO - DPO over the period, company-wide (docs/metrics.md)."""
    for table in ("receivable", "payable"):
        require_rates(wh, f"SELECT issued_date AS day, currency FROM {table} WHERE issued_date <= {lit(period.end)}",
                      settings.base_currency, what=f"{table}s", max_age_days=settings.fx_max_age_days)
    company = compute(base_facts(wh, period, settings, scope="turnover"), "company", period.days).row(0, named=True)
    ar_days = float(query(wh, _outstanding_days_sql("receivable", period, settings)).item())
    ap_days = float(query(wh, _outstanding_days_sql("payable", period, settings)).item())
    revenue, cogs = float(company["revenue"]), float(company["cogs"])
    return CashCycle(
        period=period,
        dio=company["dio"],
        dso=ar_days / revenue if revenue > 0 else None,
        dpo=ap_days / cogs if cogs > 0 else None,
        revenue=revenue,
        cogs=cogs,
        avg_receivables=ar_days / period.days,
        avg_payables=ap_days / period.days,
        avg_inventory_value=float(company["avg_inventory_value"]),
    )


def open_items(wh: Warehouse, table: str, as_of: date, settings: Settings) -> pl.DataFrame:
    """Open receivables or payables on `as_of`: one row per document with its open amount (base currency at
    the as-of rate), days past due and aging bucket."""
    if table not in ("receivable", "payable"):
        raise ValueError(table)
    party = "counterparty" if table == "receivable" else "supplier_id"
    a = lit(as_of)
    needs = f"""SELECT doc_id, {party} AS party, issued_date, due_date, {a} AS day, currency,
                       CASE WHEN paid_date IS NULL OR paid_date > {a} THEN amount ELSE amount - paid_amount END
                           AS open_amount
                  FROM {table} WHERE issued_date <= {a}"""
    require_rates(wh, f"SELECT day, currency FROM ({needs}) WHERE abs(open_amount) > 0.005",
                  settings.base_currency, what=f"open {table}s", max_age_days=settings.fx_max_age_days)
    cases = " ".join(f"WHEN {a} - due_date <= {limit} THEN '{label}'" for limit, label in AGE_BUCKETS)
    return query(wh, f"""
        SELECT doc_id, party, issued_date, due_date, open_amount * fx AS open_amount,
               {a} - due_date AS days_past_due, CASE {cases} ELSE '90+' END AS bucket
          FROM ({converted_sql(needs, settings.base_currency, max_age_days=settings.fx_max_age_days)})
         WHERE abs(open_amount) > 0.005 ORDER BY days_past_due DESC, doc_id""")


def aging_buckets(items: pl.DataFrame) -> pl.DataFrame:
    """Open amount per party and bucket (columns: party, not due, 1-30, ..., 90+, total)."""
    labels = [label for _, label in AGE_BUCKETS] + ["90+"]
    if items.height == 0:
        return pl.DataFrame({"party": [], **{lab: [] for lab in labels}, "total": []},
                            schema={"party": pl.String, **dict.fromkeys(labels, pl.Float64), "total": pl.Float64})
    wide = items.pivot(on="bucket", index="party", values="open_amount", aggregate_function="sum")
    for label in labels:
        if label not in wide.columns:
            wide = wide.with_columns(pl.lit(0.0).alias(label))
    wide = wide.select("party", *labels).fill_null(0.0).with_columns(pl.sum_horizontal(labels).alias("total"))
    total = wide.select(pl.lit("TOTAL").alias("party"), pl.exclude("party").sum())
    return pl.concat([wide.sort("party"), total])
