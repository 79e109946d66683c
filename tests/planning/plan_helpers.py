"""Planning test helpers: store a simple forecast run (a test double) in a warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from stockturn.warehouse import finish_run, open_warehouse, start_run


def store_simple_forecast(path: Path, horizon: int = 400, days_before: int = 0, scale: float = 1.0) -> dt.date:
    """Store a forecast run: mean = ``scale`` x the last 56 days' average per SKU@warehouse, Poisson-like
    quantiles, made as of ``days_before`` days before the last stock snapshot.

    Planning reads forecasts through the warehouse; this stands in for `stockturn forecast` so the
    planning tests do not depend on the forecasting models.
    """
    with open_warehouse(path) as wh:
        last = wh.scalar("SELECT max(snapshot_date) FROM stock_snapshot")
        assert isinstance(last, dt.date)
        day = last - dt.timedelta(days=days_before)
        with wh.transaction():
            run = start_run(wh, "forecast", as_of=day, parameters={"test_double": True})
            wh.con.execute(
                """
                INSERT INTO forecast (run_id, sku_id, warehouse_id, ds, mean, quantiles)
                WITH rate AS (
                    SELECT sku_id, warehouse_id, $scale * sum(qty) / 56.0 AS m FROM sales_line
                    WHERE line_type = 'product' AND qty > 0 AND sku_id IS NOT NULL AND warehouse_id IS NOT NULL
                      AND CAST(ordered_at AS DATE) > $day - INTERVAL 56 DAY AND CAST(ordered_at AS DATE) <= $day
                    GROUP BY ALL
                )
                SELECT $run, sku_id, warehouse_id, CAST($day + INTERVAL (g) DAY AS DATE), m,
                       MAP([0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995],
                           [greatest(m - 2.58 * sqrt(m), 0), greatest(m - 1.96 * sqrt(m), 0),
                            greatest(m - 0.97 * sqrt(m), 0), greatest(m - 0.67 * sqrt(m), 0), m,
                            m + 0.67 * sqrt(m), m + 0.97 * sqrt(m), m + 1.96 * sqrt(m), m + 2.58 * sqrt(m)])
                FROM rate, range(1, $h + 1) t(g)
                """,
                {"run": run, "day": day, "h": horizon, "scale": scale},
            )
            finish_run(wh, run)
    return day
