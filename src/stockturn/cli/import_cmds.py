"""`stockturn import SOURCE FILE...` and `stockturn imports [undo ID | sources]`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from stockturn.cli.common import DbOption, console, db_path, err_console, state
from stockturn.errors import StockturnError, WarehouseNotFound
from stockturn.ingestion import import_file, importers, list_imports, undo_import
from stockturn.warehouse import open_warehouse


def import_(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Source format (see `stockturn imports sources`), or auto.")],
    files: Annotated[list[Path], typer.Argument(help="Files to import (CSV/TSV/XLSX/Parquet, .gz/.zip).")],
    warehouse: Annotated[str | None, typer.Option("--warehouse", "-w", help="Warehouse id for rows without one.")]
    = None,
    channel: Annotated[str | None, typer.Option("--channel", "-c", help="Channel id for rows without one.")] = None,
    mapping: Annotated[Path | None, typer.Option("--mapping", "-m", help="TOML mapping file for ERP/WMS exports.")]
    = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet name or number (default: first).")]
    = None,
    as_of: Annotated[datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"],
                                                   help="Day of snapshots that carry no date (default: today).")]
    = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and count, write nothing.")] = False,
    db: DbOption = None,
) -> None:
    """Import seller files: each file loads completely or not at all, and never twice.

    Example: stockturn import amazon_all_orders orders.txt --channel AMZ-US --dry-run
    """
    settings = state(ctx).settings
    day: date | None = as_of.date() if as_of else None
    failed = 0
    path = db_path(ctx, db)
    if dry_run and not path.exists():
        raise WarehouseNotFound(f"no warehouse at {path}", hint="a dry run checks against an existing warehouse (--db)")
    with open_warehouse(path, create=True) as wh:
        for file in files:
            try:
                result = import_file(wh, file, settings=settings, source=source, channel=channel,
                                     warehouse=warehouse, mapping=mapping, sheet=sheet, as_of=day, dry_run=dry_run)
            except StockturnError as exc:
                failed += 1
                err_console.print(f"[red]error:[/red] {exc.one_line()}", soft_wrap=True)
                continue
            what = "would add" if dry_run else "added"
            tag = "dry run, nothing written" if dry_run else f"import {result.import_id}"
            unmapped = f", {result.unmapped:,} unmapped SKU rows" if result.unmapped else ""
            console.print(
                f"{file.name}: {result.source}: read {result.rows_read:,}, {what} {result.added:,}, "
                f"replaced {result.replaced:,}, unchanged {result.unchanged:,}, rejected {result.rejected:,}"
                f"{unmapped} ({tag})", soft_wrap=True
            )
    if failed:
        raise typer.Exit(2)


imports_app = typer.Typer(help="List imports, undo one, list sources.\n\nExample: stockturn imports",
                          no_args_is_help=False)


@imports_app.callback(invoke_without_command=True)
def imports(ctx: typer.Context, db: DbOption = None,
            limit: Annotated[int, typer.Option(help="Show at most this many imports.")] = 50) -> None:
    """List imports, newest first: file, hash, source, rows added/replaced/unchanged/rejected, who, when.

    Example: stockturn imports --db shop.duckdb
    """
    if ctx.invoked_subcommand is not None:
        return
    with open_warehouse(db_path(ctx, db), read_only=True) as wh:
        frame = list_imports(wh, limit=limit)
    table = Table("id", "when", "who", "source", "file", "sha256", "read", "added", "replaced", "unchanged",
                  "rejected", "status", title="Imports")
    for row in frame.iter_rows(named=True):
        table.add_row(str(row["import_id"]), f"{row['started_at']:%Y-%m-%d %H:%M}", row["imported_by"],
                      row["source"], row["file_name"], row["file_hash"], f"{row['rows_read']:,}",
                      f"{row['rows_added']:,}", f"{row['rows_replaced']:,}", f"{row['rows_unchanged']:,}",
                      f"{row['rows_rejected']:,}", row["status"])
    _wide(170).print(table)


@imports_app.command("undo")
def undo(ctx: typer.Context, import_id: Annotated[int, typer.Argument(help="Import id (see `stockturn imports`).")],
         db: DbOption = None) -> None:
    """Remove exactly what one import added, and put back the rows it replaced.

    Example: stockturn imports undo 12 --db shop.duckdb
    """
    with open_warehouse(db_path(ctx, db)) as wh:
        result = undo_import(wh, import_id)
    deleted = ", ".join(f"{n:,} from {t}" for t, n in result.deleted.items()) or "no rows"
    restored = ", ".join(f"{n:,} into {t}" for t, n in result.restored.items() if n)
    console.print(f"Undid import {import_id}: deleted {deleted}" + (f"; restored {restored}" if restored else "."),
                  soft_wrap=True)


@imports_app.command("sources")
def sources() -> None:
    """List the built-in source formats, the tables they fill and the headers that identify them.

    Example: stockturn imports sources
    """
    table = Table("source", "fills", "what", title="Import sources (stockturn import SOURCE FILE...)")
    for name, importer in importers().items():
        table.add_row(name, ", ".join(importer.targets), importer.description)
    _wide(150).print(table)


def _wide(min_width: int) -> Console:
    """A console at least `min_width` wide: a narrow terminal would cut file names and counts to '…'."""
    return Console(highlight=False, width=max(console.width, min_width))
