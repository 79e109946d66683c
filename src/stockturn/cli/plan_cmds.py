"""`stockturn plan`, `stockturn transfers`, `stockturn backtest`: replenishment planning and its replay proof."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from stockturn.cli.common import DbOption, console, db_path, state
from stockturn.errors import InputError
from stockturn.planning.plan import purchase_order_drafts
from stockturn.planning.store import run_backtest, run_plan, run_transfers
from stockturn.warehouse import open_warehouse

FORMATS = ("table", "csv", "xlsx")
SHOWN = ("sku_id", "warehouse_id", "qty", "mode", "order_by", "ship_by", "expected_arrival", "projected_stockout",
         "cover_after_days", "cost", "cash_date")


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{flag} {text!r} is not a day", column=flag, hint="write it as YYYY-MM-DD") from None


def _check_format(fmt: str, out: Path | None) -> None:
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r} is not supported", column="--format", hint="use " + ", ".join(FORMATS))
    if fmt == "xlsx" and out is None:
        raise InputError("--format xlsx needs --out FILE.xlsx", column="--out", hint="add --out plan.xlsx")


def _print(frame: pl.DataFrame, title: str, columns: tuple[str, ...], limit: int) -> None:
    table = Table(*[c for c in columns if c in frame.columns], title=title)
    for row in frame.head(limit).iter_rows(named=True):
        table.add_row(*[_cell(row[c]) for c in columns if c in frame.columns])
    console.print(table)
    if frame.height > limit:
        console.print(f"... {frame.height - limit} more row(s); use --format csv or xlsx for all")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 or value.is_integer() else f"{value:,.2f}"
    return str(value)


def _emit(sheets: dict[str, pl.DataFrame], fmt: str, out: Path | None) -> None:
    first = next(iter(sheets.values()))
    if fmt == "csv":
        if out is None:
            typer.echo(first.write_csv(), nl=False)
        else:
            first.write_csv(out)
            console.print(f"Wrote {out}")
    elif fmt == "xlsx":
        assert out is not None
        import xlsxwriter

        with xlsxwriter.Workbook(out) as book:
            for name, frame in sheets.items():
                frame.write_excel(book, worksheet=name[:31], autofit=True)
        console.print(f"Wrote {out} ({len(sheets)} sheet(s))")


def plan(
    ctx: typer.Context,
    budget: Annotated[float | None, typer.Option(
        "--budget", help="Cash limit for this plan's orders; quantities are cut where they earn least.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Plan as of this day (default: latest stock).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or xlsx.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file (required for xlsx).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows shown in the terminal.")] = 30,
    db: DbOption = None,
) -> None:
    """Replenishment plan per SKU x warehouse (what to order, when, how), stored as a plan run.

    Example: stockturn plan --budget 50000 --format xlsx --out plan.xlsx --db stockturn-demo.duckdb
    """
    _check_format(fmt, out)
    settings = state(ctx).settings
    with open_warehouse(db_path(ctx, db)) as wh:
        result = run_plan(wh, settings, as_of=_day(as_of, "--as-of"), budget=budget)
    lines = result.lines.filter(pl.col("qty") > 0)
    drafts = purchase_order_drafts(lines)
    sheets = {"plan": result.lines, "purchase orders": drafts, "clearance": result.clearance}
    if fmt != "table":
        _emit(sheets, fmt, out)
        return
    console.print(f"Plan run {result.run_id} as of {result.as_of}: {lines.height} order line(s), "
                  f"{lines['cost'].sum():,.0f} {settings.base_currency}.")
    if result.budget is not None:
        b = result.budget
        console.print(f"Budget {b.budget:,.0f}: spent {b.spent:,.0f} of {b.requested:,.0f} requested; "
                      f"cut-off return {b.cutoff_return:.2f} per unit of cash ({b.status}).")
    _print(lines, "Order lines", SHOWN, limit)
    if lines.height:
        console.print(f"Why ({lines['sku_id'][0]} @ {lines['warehouse_id'][0]}): {lines['reason'][0]}")
    _print(drafts, "Purchase-order drafts", tuple(drafts.columns), limit)
    _print(result.clearance, "Clearance candidates",
           ("sku_id", "warehouse_id", "on_hand", "excess", "tied_cost", "markdown", "new_price"), limit)


def transfers(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Plan as of this day (default: latest stock).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or xlsx.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file (required for xlsx).")] = None,
    db: DbOption = None,
) -> None:
    """Transfers between warehouses that save more margin than they cost (min-cost model).

    Example: stockturn transfers --db stockturn-demo.duckdb
    """
    _check_format(fmt, out)
    settings = state(ctx).settings
    with open_warehouse(db_path(ctx, db)) as wh:
        run_id, moves = run_transfers(wh, settings, as_of=_day(as_of, "--as-of"))
    if fmt != "table":
        _emit({"transfers": moves}, fmt, out)
        return
    console.print(f"Transfer run {run_id}: {moves.height} move(s), freight {moves['cost'].sum():,.0f}, "
                  f"margin saved {moves['margin_saved'].sum():,.0f}.")
    _print(moves, "Transfers", ("sku_id", "source_warehouse_id", "warehouse_id", "mode", "qty", "transit_days",
                                "cost", "margin_saved"), 40)


def backtest(
    ctx: typer.Context,
    policy: Annotated[str, typer.Option("--policy", help="stockturn, cover_30d_avg_x60, fixed_min_max, classic_sQ.")],
    start: Annotated[str, typer.Option("--start", help="First replayed day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--end", help="Last replayed day (YYYY-MM-DD).")],
    service_level: Annotated[float, typer.Option("--service-level", help="Fill-rate target (stockturn).")] = 0.97,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random lead times.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", help="Write the daily trajectory to this CSV file.")] = None,
    db: DbOption = None,
) -> None:
    """Replay a replenishment policy day by day over the real sales history (lost sales, random lead times).

    Example: stockturn backtest --policy cover_30d_avg_x60 --start 2011-06-01 --end 2011-11-30 --db demo.duckdb
    """
    first, last = _day(start, "--start"), _day(end, "--end")
    assert first is not None and last is not None
    if last < first:
        raise InputError(f"--end {last} is before --start {first}", column="--end", hint="swap the dates")
    settings = state(ctx).settings
    with open_warehouse(db_path(ctx, db)) as wh:
        run_id, result = run_backtest(wh, settings, policy=policy, start=first, end=last,
                                      service_level=service_level, seed=seed)
    s = result.summary
    console.print(f"Backtest run {run_id}: {policy} over {first}..{last}, {int(s['series'])} SKU-locations.")
    table = Table("metric", "value")
    for key in ("turnover", "fill_rate", "stockout_day_rate", "average_inventory_value", "holding_cost",
                "lost_margin", "freight_cost"):
        table.add_row(key, f"{s[key]:,.3f}" if s[key] < 10 else f"{s[key]:,.0f}")
    console.print(table)
    if out is not None:
        result.trajectory.write_csv(out)
        console.print(f"Wrote {out}")
