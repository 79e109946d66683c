"""`stockturn sku ...`: canonical SKUs and their aliases (list, show, suggest, link, merge, undo...)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from stockturn.cli.common import DbOption, console, db_path, state
from stockturn.errors import InputError
from stockturn.masterdata import operations as ops
from stockturn.masterdata import suggestions as sg
from stockturn.masterdata.history import history as change_history
from stockturn.masterdata.history import undo as undo_change
from stockturn.masterdata.operations import ChangeResult
from stockturn.warehouse import open_warehouse
from stockturn.warehouse.load import current_user

app = typer.Typer(
    help="Canonical SKUs and the names every source gives them.\n\nExample: stockturn sku list --unmapped",
    no_args_is_help=True,
)

SkuArgument = Annotated[str, typer.Argument(help="Canonical SKU id.")]
SearchOption = Annotated[
    str | None, typer.Option("--search", "-s", help="Only SKUs whose id, title or alias contains this.")
]
NameOption = Annotated[
    list[str] | None, typer.Option("--name", "-n", help="Suggest for this text only (repeatable); stores nothing.")
]
AliasTypeOption = Annotated[str, typer.Option("--type", "-t", help=f"Alias type: {', '.join(ops.ALIAS_TYPES)}.")]
MappingFileOption = Annotated[
    Path | None, typer.Option("--file", "-f", help="Mapping CSV: alias, sku_id[, alias_type, scope].")
]
ThresholdOption = Annotated[
    float | None,
    typer.Option("--threshold", min=0, max=100, help="Lowest score shown (default: the sku_match_threshold setting)."),
]


def _table(frame: pl.DataFrame, title: str | None = None) -> Table:
    table = Table(*frame.columns, title=title)
    for row in frame.iter_rows():
        table.add_row(*["" if value is None else str(value) for value in row])
    return table


def _report(result: ChangeResult) -> None:
    moved = ", ".join(f"{table} {count:,}" for table, count in sorted(result.rows_moved.items())) or "none"
    console.print(f"Change {result.change_id}: {result.summary}. Fact rows re-resolved: {moved}.")
    console.print(f"Undo with: stockturn sku undo {result.change_id}")


@app.command("list")
def list_(
    ctx: typer.Context,
    search: SearchOption = None,
    unmapped: Annotated[bool, typer.Option("--unmapped", help="List the identifiers no SKU claims instead.")] = False,
    db: DbOption = None,
) -> None:
    """List canonical SKUs with their alias and sales-line counts, or the unmapped identifiers.

    Example: stockturn sku list --search RETROSPOT
    """
    with open_warehouse(db_path(ctx, db), read_only=True) as wh:
        if unmapped:
            _print_unmapped(ops.unmapped(wh))
            return
        frame = ops.list_skus(wh, search)
    console.print(_table(frame, title=f"{frame.height} canonical SKUs"))


def _print_unmapped(frame: pl.DataFrame) -> None:
    if frame.height == 0:
        console.print("No unmapped identifiers: every fact row names a canonical SKU.")
        return
    console.print(_table(frame, title=f"{frame.height} unmapped identifiers ({frame['rows'].sum():,} rows)"))
    console.print("Map them with `stockturn sku suggest` (exact rules, then suggestions) or `stockturn sku link`.")


@app.command()
def unmapped(ctx: typer.Context, db: DbOption = None) -> None:
    """List identifiers in the facts that no canonical SKU claims, with their row counts.

    Example: stockturn sku unmapped --db shop.duckdb
    """
    with open_warehouse(db_path(ctx, db), read_only=True) as wh:
        _print_unmapped(ops.unmapped(wh))


@app.command()
def show(ctx: typer.Context, sku: SkuArgument, db: DbOption = None) -> None:
    """Show one SKU: attributes, aliases, fact rows per table and its change history.

    Example: stockturn sku show 85099B
    """
    with open_warehouse(db_path(ctx, db), read_only=True) as wh:
        detail = ops.show_sku(wh, sku)
    hidden = ("sku_id", "import_id", "source_file", "source_row")
    attributes = {k: v for k, v in detail.sku.items() if v is not None and k not in hidden}
    console.print(f"[bold]{sku}[/bold] " + ", ".join(f"{k}={v}" for k, v in attributes.items()))
    console.print(_table(detail.aliases, title="Aliases"))
    console.print("Fact rows: " + (", ".join(f"{t} {n:,}" for t, n in sorted(detail.facts.items())) or "none"))
    if detail.history.height:
        console.print(_table(detail.history, title="History"))


@app.command()
def suggest(
    ctx: typer.Context,
    name: NameOption = None,
    threshold: ThresholdOption = None,
    top: Annotated[int, typer.Option("--top", min=1, max=20, help="Suggestions per identifier.")] = 3,
    no_exact: Annotated[bool, typer.Option("--no-exact", help="Do not apply the exact rules first.")] = False,
    db: DbOption = None,
) -> None:
    """Map unmapped identifiers: apply the exact rules, then list scored fuzzy suggestions to confirm or reject.

    Example: stockturn sku suggest --name "面膜10P"
    """
    cutoff = threshold if threshold is not None else state(ctx).settings.sku_match_threshold
    if name:  # ad hoc: reads only
        with open_warehouse(db_path(ctx, db), read_only=True) as wh:
            found = sg.suggest_names(wh, name, threshold=cutoff, top_k=top)
        console.print(_table(found, title=f"Suggestions at score >= {cutoff:g}") if found.height
                      else f"No SKU scores {cutoff:g} or more.")
        return
    with open_warehouse(db_path(ctx, db)) as wh:
        if not no_exact:
            applied = sg.apply_exact_rules(wh)
            if applied is not None and applied.change_id:
                _report(applied)
        found = sg.suggest_unmapped(wh, threshold=cutoff, top_k=top)
    if found.height == 0:
        console.print(f"No open suggestions at score >= {cutoff:g}. `stockturn sku unmapped` lists what is left.")
        return
    console.print(_table(found, title=f"{found.height} suggestions at score >= {cutoff:g}"))
    console.print("Accept with `stockturn sku confirm ID...`, refuse with `stockturn sku reject ID...`.")


@app.command()
def confirm(
    ctx: typer.Context,
    suggestion_ids: Annotated[list[int], typer.Argument(help="Suggestion ids from `stockturn sku suggest`.")],
    db: DbOption = None,
) -> None:
    """Accept suggestions: link each identifier to the suggested SKU (recorded, undoable).

    Example: stockturn sku confirm 12 15
    """
    with open_warehouse(db_path(ctx, db)) as wh:
        for suggestion_id in suggestion_ids:
            _report(sg.confirm(wh, suggestion_id))


@app.command()
def reject(
    ctx: typer.Context,
    suggestion_ids: Annotated[list[int], typer.Argument(help="Suggestion ids from `stockturn sku suggest`.")],
    db: DbOption = None,
) -> None:
    """Refuse suggestions: that identifier is never suggested for that SKU again.

    Example: stockturn sku reject 13
    """
    with open_warehouse(db_path(ctx, db)) as wh:
        for suggestion_id in suggestion_ids:
            console.print(sg.reject(wh, suggestion_id))


@app.command()
def link(
    ctx: typer.Context,
    sku: Annotated[str | None, typer.Argument(help="Canonical SKU id.")] = None,
    alias: Annotated[str | None, typer.Argument(help="The identifier exactly as the source writes it.")] = None,
    alias_type: AliasTypeOption = "seller_sku",
    scope: Annotated[str, typer.Option("--scope", help="Channel or warehouse id where the alias is only local.")] = "",
    file: MappingFileOption = None,
    db: DbOption = None,
) -> None:
    """Link an identifier (or every row of a mapping file) to a canonical SKU; facts follow at once.

    Example: stockturn sku link 85099B B07XJ8C8F5 --type asin
    """
    with open_warehouse(db_path(ctx, db)) as wh:
        if file is not None:
            if sku or alias:
                raise InputError("give either SKU ALIAS or --file, not both", hint="drop the arguments or --file")
            _report(ops.link_file(wh, file))
            return
        if not sku or not alias:
            raise InputError("expected SKU and ALIAS (or --file mapping.csv)",
                             hint="stockturn sku link 85099B B07XJ8C8F5 --type asin")
        _report(ops.link(wh, sku, alias, alias_type=alias_type, scope=scope))


@app.command()
def unlink(
    ctx: typer.Context,
    alias: Annotated[str, typer.Argument(help="The identifier to unlink.")],
    alias_type: Annotated[str | None, typer.Option("--type", "-t", help="Only the alias of this type.")] = None,
    scope: Annotated[str | None, typer.Option("--scope", help="Only the alias of this scope.")] = None,
    db: DbOption = None,
) -> None:
    """Remove an alias; fact rows that carried it become unmapped (and are reported, never dropped).

    Example: stockturn sku unlink SH-84347 --type shopify_sku
    """
    with open_warehouse(db_path(ctx, db)) as wh:
        _report(ops.unlink(wh, alias, alias_type=alias_type, scope=scope))


@app.command()
def merge(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="SKU that disappears.")],
    into: Annotated[str, typer.Argument(help="SKU that remains and takes its aliases and facts.")],
    db: DbOption = None,
) -> None:
    """Merge two canonical SKUs into one: aliases and facts of SOURCE move to INTO.

    Example: stockturn sku merge 85099C 85099B
    """
    with open_warehouse(db_path(ctx, db)) as wh:
        _report(ops.merge(wh, source, into))


@app.command()
def split(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="SKU whose aliases name two products.")],
    new_sku: Annotated[str, typer.Argument(help="Id of the new SKU.")],
    alias: Annotated[list[str], typer.Option("--alias", "-a", help="Alias to move to the new SKU (repeatable).")],
    title: Annotated[str | None, typer.Option("--title", help="Title of the new SKU (default: the old title).")] = None,
    db: DbOption = None,
) -> None:
    """Split a SKU: a new SKU takes the given aliases and the facts that carry them.

    Example: stockturn sku split 84347 84347-GOLD --alias SH-84347 --title "Rotating Gold Angels"
    """
    with open_warehouse(db_path(ctx, db)) as wh:
        _report(ops.split(wh, sku, new_sku, alias, title=title))


@app.command()
def undo(
    ctx: typer.Context,
    change_id: Annotated[int | None, typer.Argument(help="Change id (default: the latest standing change).")] = None,
    db: DbOption = None,
) -> None:
    """Undo a master-data change: SKUs, aliases and fact rows go back exactly as they were.

    Example: stockturn sku undo 7
    """
    with open_warehouse(db_path(ctx, db)) as wh:
        undone, summary = undo_change(wh, change_id, actor=current_user())
    console.print(f"Undid change {undone}: {summary}.")


@app.command("history")
def history_(
    ctx: typer.Context,
    sku: Annotated[str | None, typer.Option("--sku", help="Only changes touching this SKU.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest changes to show.")] = 50,
    db: DbOption = None,
) -> None:
    """List master-data changes, newest first: who, when, what, and whether undone.

    Example: stockturn sku history --sku 85099B
    """
    with open_warehouse(db_path(ctx, db), read_only=True) as wh:
        frame = change_history(wh, sku, limit)
    console.print(_table(frame, title="Master-data changes") if frame.height else "No changes recorded.")
