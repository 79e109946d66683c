"""`stockturn report NAME`: turnover, aging, cost, profit, ABC, cash, stockouts and alerts reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from stockturn.cli.common import DbOption, console, db_path, state
from stockturn.errors import InputError
from stockturn.reports import FORMATS, REPORTS, build_report, print_table, to_json, write_csv, write_xlsx
from stockturn.reports.render import first_sheet_csv
from stockturn.warehouse import open_warehouse

NAMES = [*REPORTS, "all"]


def report(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=f"Which report: {', '.join(NAMES)}.", show_default=False)],
    by: Annotated[str | None, typer.Option(
        "--by", help="Grain: sku, sku-warehouse, category, brand, warehouse, region, channel, company.")] = None,
    period: Annotated[str | None, typer.Option(
        "--period", help="90d, day, week, month, quarter, year, 2011-03, 2011-Q1, 2011 or START:END "
        "(default: the default_period setting).")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Day the period ends relative to (default: the latest day with data).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, xlsx or json.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file (required for xlsx).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows per table shown in the terminal.")] = 40,
    db: DbOption = None,
) -> None:
    """Print or export a report; every number comes from the metric definitions in docs/metrics.md.

    Example: stockturn report turnover --by category --period quarter --db stockturn-demo.duckdb
    """
    if name not in NAMES:
        raise InputError(f"report {name!r} does not exist", hint="use one of: " + ", ".join(NAMES))
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r} is not supported", column="--format", hint="use " + ", ".join(FORMATS))
    if fmt == "xlsx" and out is None:
        raise InputError("--format xlsx needs --out FILE.xlsx", column="--out", hint="add --out report.xlsx")
    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise InputError(f"--as-of {as_of!r} is not a day", column="--as-of",
                             hint="write it as YYYY-MM-DD") from None
    settings = state(ctx).settings
    with open_warehouse(db_path(ctx, db), read_only=True) as wh:
        built = build_report(wh, name, settings, by=by, period=period, as_of=day)
    if fmt == "table":
        print_table(built, console, limit=limit)
    elif fmt == "json":
        text = to_json(built)
        if out:
            out.write_text(text, encoding="utf-8")
            console.print(f"Wrote {out}")
        else:
            typer.echo(text)
    elif fmt == "csv":
        if out:
            for path in write_csv(built, out):
                console.print(f"Wrote {path}")
        else:
            typer.echo(first_sheet_csv(built), nl=False)
    elif out is not None:
        write_xlsx(built, out)
        console.print(f"Wrote {out} ({len(built.sheets)} sheet(s))")
