"""The `stockturn` command. Domain errors become one clear line and a non-zero exit here, and only here."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from stockturn import __version__
from stockturn.cli import (
    demo_cmd,
    forecast_cmd,
    import_cmds,
    plan_cmds,
    report_cmds,
    sku_cmds,
    warehouse_cmds,
    web_cmds,
)
from stockturn.cli.common import AppState, err_console
from stockturn.errors import StockturnError
from stockturn.settings import load_settings


class _TranslateErrors(TyperGroup):
    """Turn a StockturnError raised by any command into `error: ...` on stderr and its exit code."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors click; its Context type is private
        try:
            return super().invoke(ctx)
        except StockturnError as exc:
            if isinstance(ctx.obj, AppState) and ctx.obj.debug:
                raise
            err_console.print(f"[red]error:[/red] {exc.one_line()}", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_TranslateErrors,
    help="stockturn: inventory that turns faster with fewer stockouts.\n\nExample: stockturn demo",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stockturn {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback of an error.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    del version
    state = AppState(settings=load_settings(), debug=debug) if ctx.obj is None else ctx.obj
    state.debug = debug or state.debug
    ctx.obj = state


app.command()(warehouse_cmds.init)
app.command()(warehouse_cmds.status)
app.command()(warehouse_cmds.settings)
app.command()(demo_cmd.demo)
app.command()(report_cmds.report)
app.add_typer(sku_cmds.app, name="sku")
app.command("import")(import_cmds.import_)
app.add_typer(import_cmds.imports_app, name="imports")
app.command()(forecast_cmd.forecast)
app.command()(plan_cmds.plan)
app.command()(plan_cmds.transfers)
app.command()(plan_cmds.backtest)
app.command()(web_cmds.serve)
app.add_typer(web_cmds.user_app, name="user")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except StockturnError as exc:  # raised before a command runs, e.g. by settings at start-up
        if "--debug" in sys.argv:
            raise
        err_console.print(f"[red]error:[/red] {exc.one_line()}", soft_wrap=True)
        sys.exit(exc.exit_code)
