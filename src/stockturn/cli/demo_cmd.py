"""`stockturn demo`: build the demo warehouse from the bundled sample and run the main job on it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from stockturn.analytics import data_end, run_alerts
from stockturn.cli.common import console
from stockturn.cli.warehouse_cmds import print_summary
from stockturn.demo.build import build_demo_warehouse
from stockturn.planning.store import run_plan
from stockturn.settings import load_settings
from stockturn.warehouse import latest_run, open_warehouse, summarize

DEMO_DB = Path("stockturn-demo.duckdb")


def demo(
    db: Annotated[Path, typer.Option("--db", help="Where to write the demo warehouse.")] = DEMO_DB,
    seed: Annotated[int, typer.Option(help="Seed of the generated parts of the demo data.")] = 42,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="End by serving the dashboard on http://127.0.0.1:PORT/.")
    ] = True,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the dashboard.")] = 8000,
) -> None:
    """Build the demo warehouse (a cross-border seller: China home warehouse, FBA US/UK/DE, a US 3PL)
    from the bundled real order lines, then run the daily job on it.

    Example: stockturn demo --db /tmp/demo.duckdb
    """
    started = time.perf_counter()
    with console.status("Building the demo warehouse from the bundled sample..."):
        counts = build_demo_warehouse(db, seed=seed)
    console.print(f"[green]✓[/green] Demo warehouse written to {db}: {sum(counts.values()):,} rows "
                  f"in {time.perf_counter() - started:.1f} s")
    with open_warehouse(db, read_only=True) as wh:
        print_summary(summarize(wh))
    settings = load_settings()
    with open_warehouse(db) as wh:
        # The daily job. The plan forecasts as far ahead as its lead times need (issue 5's forecast, stored as
        # its own run), so one forecast serves the plan and then the alerts' days of cover (issues 4, 6).
        step = time.perf_counter()
        with console.status("Forecasting demand per SKU x warehouse and planning replenishment..."):
            plan = run_plan(wh, settings)
        orders = plan.lines.filter(pl.col("action") == "order").height
        console.print(f"[green]✓[/green] Forecast run {latest_run(wh, 'forecast')} and plan run {plan.run_id}: "
                      f"{plan.lines.height} plan lines ({orders} orders) in {time.perf_counter() - step:.1f} s "
                      f"(`stockturn plan --db {db}`)")
        step = time.perf_counter()
        with console.status("Computing alerts..."):
            run_id, alerts = run_alerts(wh, settings, data_end(wh))
        console.print(f"[green]✓[/green] Alerts: {alerts.height} stored as run {run_id} in "
                      f"{time.perf_counter() - step:.1f} s (`stockturn report alerts --db {db}`)")
    console.print(f"Demo job done in {time.perf_counter() - started:.1f} s.")
    console.print(f"Next: `stockturn status --db {db}`; see docs/demo.md for what is real and what is generated.")
    if serve:  # last step of the daily job: the dashboard (issue 7)
        from stockturn.cli.web_cmds import serve_dashboard

        serve_dashboard(settings, db, "127.0.0.1", port)
