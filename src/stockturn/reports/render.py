"""Render a Report as a Rich table, CSV, JSON or XLSX. Formatting follows each column's kind only."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from rich.console import Console
from rich.table import Table

from stockturn.reports.model import Report, Sheet

FORMATS = ("table", "csv", "xlsx", "json")
XLSX_FORMATS = {"units": "#,##0", "money": "#,##0.00", "share": "0.0%", "days": "#,##0.0", "ratio": "0.00",
                "count": "#,##0", "date": "yyyy-mm-dd"}
RIGHT = {"units", "money", "share", "days", "ratio", "count"}


def format_value(value: Any, kind: str) -> str:
    """One cell as text for the terminal (CSV and JSON keep raw numbers)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "share":
        return f"{value * 100:,.1f}%"
    if kind == "money":
        return f"{value:,.2f}"
    if kind in ("units", "count"):
        return f"{value:,.0f}"
    if kind == "days":
        return f"{value:,.1f}"
    if kind == "ratio":
        return f"{value:,.2f}"
    return str(value)


def _label(column: str) -> str:
    return column.replace("_", " ")


TERMINAL_HIDDEN = ("trend",)


def _print_items(sheet: Sheet, console: Console, limit: int) -> None:
    """Alerts read better as short paragraphs than as a wide table."""
    for row in sheet.frame.head(limit).iter_rows(named=True):
        colour = {"critical": "red", "warning": "yellow"}.get(str(row.get("severity")), "cyan")
        console.print(f"[{colour}]{row.get('severity')}[/{colour}] [bold]{row['what']}[/bold]", soft_wrap=True)
        console.print(f"    why: {row['why']}", soft_wrap=True)
        console.print(f"    do:  {row['action']}", soft_wrap=True)


def print_table(report: Report, console: Console, *, limit: int = 40) -> None:
    console.print(f"[bold]{report.title}[/bold]  {report.subtitle}")
    for sheet in report.sheets:
        if {"what", "why", "action"} <= set(sheet.frame.columns):
            console.print(f"[bold]{sheet.name}[/bold] ({sheet.frame.height})")
            _print_items(sheet, console, limit)
        else:
            columns = [c for c in sheet.frame.columns
                       if c not in TERMINAL_HIDDEN and not c.endswith("_prev") and c != sheet.row_kind]
            table = Table(title=sheet.name, title_justify="left", show_lines=False)
            for column in columns:
                table.add_column(_label(column), justify="right" if sheet.kind(column) in RIGHT else "left",
                                 overflow="fold")
            for row in sheet.frame.head(limit).iter_rows(named=True):
                table.add_row(*[format_value(row[c], sheet.cell_kind(c, row)) for c in columns])
            console.print(table)
            if "trend" in sheet.frame.columns:
                flagged = sheet.frame.filter(pl.col("trend").fill_null("") != "").head(5)
                keys = [c for c in columns if sheet.kind(c) == "text"][:2]
                for row in flagged.iter_rows(named=True):
                    who = " / ".join(str(row[k]) for k in keys) if keys else "total"
                    console.print(f"[yellow]trend[/yellow] {who}: {row['trend']}", soft_wrap=True)
        more = sheet.frame.height - limit
        if more > 0:
            console.print(f"... {more} more rows (use --limit, or --format csv/xlsx/json for all)")
        if sheet.note:
            console.print(f"[dim]{sheet.note}[/dim]", soft_wrap=True)


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def to_json(report: Report) -> str:
    payload = {
        "report": report.name, "title": report.title, "subtitle": report.subtitle,
        "sheets": [{"name": s.name, "note": s.note, "columns": {c: s.kind(c) for c in s.frame.columns},
                    "rows": [{k: _plain(v) for k, v in row.items()} for row in s.frame.iter_rows(named=True)]}
                   for s in report.sheets],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def csv_paths(report: Report, out: Path) -> list[tuple[Sheet, Path]]:
    """The first sheet goes to `out`; further sheets beside it as `<stem>.<sheet>.csv`."""
    paths = []
    for index, sheet in enumerate(report.sheets):
        if index == 0:
            paths.append((sheet, out))
        else:
            slug = "".join(ch if ch.isalnum() else "-" for ch in sheet.name.lower()).strip("-")
            paths.append((sheet, out.with_name(f"{out.stem}.{slug}{out.suffix or '.csv'}")))
    return paths


def write_csv(report: Report, out: Path) -> list[Path]:
    written = []
    for sheet, path in csv_paths(report, out):
        sheet.frame.write_csv(path)
        written.append(path)
    return written


def first_sheet_csv(report: Report) -> str:
    return report.sheets[0].frame.write_csv() if report.sheets else ""


def write_xlsx(report: Report, out: Path) -> Path:
    """One worksheet per sheet: title rows, bold wrapped headers, number formats, frozen header and key column."""
    workbook = xlsxwriter.Workbook(str(out), {"nan_inf_to_errors": True, "remove_timezone": True})
    try:
        header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                      "valign": "top"})
        title = workbook.add_format({"bold": True, "font_size": 13})
        formats = {kind: workbook.add_format({"num_format": fmt}) for kind, fmt in XLSX_FORMATS.items()}
        used: set[str] = set()
        for sheet in report.sheets:
            name = sheet.name[:31]
            for ch in "[]:*?/\\":
                name = name.replace(ch, "-")
            while name in used:
                name = (name[:28] + f"~{len(used)}")[:31]
            used.add(name)
            ws = workbook.add_worksheet(name)
            ws.write(0, 0, f"{report.title}: {sheet.name}", title)
            ws.write(1, 0, report.subtitle + (f". {sheet.note}" if sheet.note else ""))
            first = 3
            for col, column in enumerate(sheet.frame.columns):
                ws.write(first, col, _label(column), header)
                kind = sheet.kind(column)
                width = max(10, min(40, len(column) + 2))
                if kind == "text":
                    lengths = sheet.frame[column].cast(pl.String).str.len_chars().max()
                    width = max(width, min(60, int(lengths or 0) + 2)) if isinstance(lengths, int) else width
                ws.set_column(col, col, width, formats.get(kind))
            for r, named in enumerate(sheet.frame.iter_rows(named=True), start=first + 1):
                for col, (column, value) in enumerate(named.items()):
                    clean = _plain(value)
                    if clean is None:
                        continue
                    kind = sheet.cell_kind(column, named)
                    if kind == "date" and isinstance(value, (date, datetime)):
                        ws.write_datetime(r, col, datetime(value.year, value.month, value.day), formats["date"])
                    else:
                        ws.write(r, col, clean, formats.get(kind))
            ws.freeze_panes(first + 1, 1)
            if sheet.frame.height:
                ws.autofilter(first, 0, first + sheet.frame.height, max(0, sheet.frame.width - 1))
    finally:
        workbook.close()
    return out
