"""`stockturn init`, `status`, `settings`: create and inspect a warehouse."""

from __future__ import annotations

import typer
from rich.table import Table

from stockturn.cli.common import DbOption, console, db_path, state
from stockturn.errors import WarehouseError
from stockturn.settings import describe_settings
from stockturn.warehouse import WarehouseSummary, open_warehouse, summarize


def init(ctx: typer.Context, db: DbOption = None) -> None:
    """Create an empty warehouse with the current schema.

    Example: stockturn init --db shop.duckdb
    """
    path = db_path(ctx, db)
    if path.exists():
        raise WarehouseError(f"{path} already exists", hint="use `stockturn status` to inspect it, or another path")
    with open_warehouse(path, create=True) as wh:
        console.print(f"Created warehouse {path} (schema version {wh.schema_version()}).")


def status(ctx: typer.Context, db: DbOption = None) -> None:
    """Summarise a warehouse: SKUs, warehouses, channels, date range, rows per table.

    Example: stockturn status --db stockturn-demo.duckdb
    """
    with open_warehouse(db_path(ctx, db), read_only=True) as wh:
        print_summary(summarize(wh))


def settings(ctx: typer.Context) -> None:
    """List every setting with its type, default, current value and help.

    Example: STOCKTURN_BASE_CURRENCY=EUR stockturn settings
    """
    # A list, not a table: values such as storage rules are too wide for table cells.
    console.print("[bold]Settings[/bold] (flags > env STOCKTURN_<NAME> > stockturn.toml > default)")
    for row in describe_settings(state(ctx).settings):
        changed = "" if row["value"] == row["default"] else f"  [yellow](default {row['default']})[/yellow]"
        console.print(f"[cyan]{row['name']}[/cyan] = {row['value']}  [dim]{row['type']}[/dim]{changed}", soft_wrap=True)
        console.print(f"    {row['help']}", soft_wrap=True)


def print_summary(summary: WarehouseSummary) -> None:
    dates = f"{summary.first_sale} .. {summary.last_sale}" if summary.first_sale else "no sales yet"
    console.print(f"[bold]Warehouse[/bold] {summary.path} (schema version {summary.schema_version})")
    console.print(f"  SKUs:       {summary.skus}")
    console.print(f"  Warehouses: {len(summary.warehouses)} ({', '.join(summary.warehouses) or '-'})")
    console.print(f"  Channels:   {len(summary.channels)} ({', '.join(summary.channels) or '-'})")
    console.print(f"  Sales:      {dates}")
    if summary.unmapped_sales_lines:
        console.print(f"  [yellow]Unmapped sales lines: {summary.unmapped_sales_lines}[/yellow] (see `stockturn sku`)")
    table = Table("table", "rows", title="Rows per table")
    for name, count in sorted(summary.rows.items()):
        table.add_row(name, f"{count:,}")
    console.print(table)
