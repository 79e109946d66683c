"""Seed a copy of the demo warehouse with what the dashboard shows beyond the demo: a forecast run, a plan
run (orders from two suppliers and a transfer), an alert run, and three users. Shared by tests/web and
tests/browser (which puts this folder on sys.path)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl

import stockturn.analytics as an
from stockturn import phrases as P
from stockturn.settings import Settings
from stockturn.warehouse import finish_run, insert_frame, open_warehouse, start_run
from stockturn.web.auth import add_user

FORECAST_SKU = "85123A"
USERS = {"ada": ("ada-password-1", "admin"), "pat": ("pat-password-1", "planner"), "vic": ("vic-password-1", "viewer")}
LEVELS = (0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995)
# quantile = mean x factor, so the fan's bands are known exactly
FACTORS = (0.2, 0.4, 0.7, 0.8, 1.0, 1.2, 1.3, 1.6, 1.8)


def seed(path: Path, *, users: bool = True) -> dict[str, object]:
    with open_warehouse(path) as wh:
        asof = an.data_end(wh)
        forecast_run = start_run(wh, "forecast", as_of=asof)
        keys = "[" + ", ".join(f"{v}" for v in LEVELS) + "]"
        values = "[" + ", ".join(f"mean * {f}" for f in FACTORS) + "]"
        wh.con.execute(
            f"""INSERT INTO forecast
                SELECT $run, sku_id, warehouse_id, CAST($asof AS DATE) + CAST(i AS INTEGER), mean,
                       MAP({keys}, {values})
                FROM (SELECT DISTINCT sku_id, warehouse_id FROM stock_snapshot WHERE sku_id = $sku
                      AND warehouse_id <> 'CN-HOME'),
                     (SELECT i, 10.0 + i * 0.5 AS mean FROM range(1, 29) t(i))""",
            {"run": forecast_run, "asof": asof, "sku": FORECAST_SKU},
        )
        finish_run(wh, forecast_run)
        plan_run = start_run(wh, "plan", as_of=asof)
        suppliers = dict(wh.con.execute("SELECT sku_id, supplier_id FROM sku_supplier WHERE is_primary").fetchall())
        two = sorted({suppliers[s] for s in suppliers})[:2]
        order_skus = [
            next(s for s in sorted(suppliers) if suppliers[s] == two[0]),
            next(s for s in sorted(suppliers) if suppliers[s] == two[1]),
            FORECAST_SKU,
        ]
        lines = []
        for line_id, sku in enumerate(order_skus, start=1):
            lines.append(
                {
                    "run_id": plan_run,
                    "line_id": line_id,
                    "sku_id": sku,
                    "warehouse_id": "CN-HOME",
                    "supplier_id": suppliers[sku],
                    "source_warehouse_id": None,
                    "action": "order",
                    "qty": 240.0 * line_id,
                    "mode": "sea",
                    "order_by": asof,
                    "ship_by": None,
                    "expected_arrival": date.fromordinal(asof.toordinal() + 30),
                    "projected_stockout": date.fromordinal(asof.toordinal() + 20),
                    "cover_after_days": 60.0,
                    "cost": 500.0 * line_id,
                    "cash_needed": 150.0 * line_id,
                    "cash_date": asof,
                    # reasons as the planner writes them (stockturn.phrases), so pages can show them in Chinese
                    "reason": P.PLAN_STOCK.en.format(40 * line_id, 12, 3.25) + P.PLAN_RUNS_OUT.en.format("2011-12-21")
                    + P.PLAN_LEVEL.en.format("A", 98, 240 * line_id + 40, 65),
                    "status": "proposed",
                }
            )
        lines.append(
            {
                "run_id": plan_run,
                "line_id": 4,
                "sku_id": FORECAST_SKU,
                "warehouse_id": "FBA-US",
                "supplier_id": None,
                "source_warehouse_id": "3PL-US",
                "action": "transfer",
                "qty": 50.0,
                "mode": "truck",
                "order_by": None,
                "ship_by": asof,
                "expected_arrival": date.fromordinal(asof.toordinal() + 5),
                "projected_stockout": None,
                "cover_after_days": 30.0,
                "cost": 80.0,
                "cash_needed": 80.0,
                "cash_date": asof,
                "reason": P.TRANSFER.en.format("3PL-US", 120, "FBA-US", 3, 1, 40, "truck", 5, 80.0, 196.0),
                "status": "proposed",
            }
        )
        with wh.transaction():
            insert_frame(wh, "plan_line", pl.DataFrame(lines, infer_schema_length=None))
        finish_run(wh, plan_run)
        alert_run, alerts = an.run_alerts(wh, Settings(), asof)
        if users:
            for name, (password, role) in USERS.items():
                add_user(wh, name, password, role)
    return {
        "as_of": asof,
        "forecast_run": forecast_run,
        "plan_run": plan_run,
        "alert_run": alert_run,
        "alerts": alerts.height,
        "order_skus": order_skus,
        "suppliers": two,
        "seeded_at": datetime.now(),
    }
