"""`stockturn serve` (the web dashboard) and `stockturn user add|list|remove` (who may use it)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stockturn.cli.common import DbOption, console, db_path, state
from stockturn.errors import InputError
from stockturn.settings import Settings
from stockturn.warehouse import open_warehouse
from stockturn.web import auth

user_app = typer.Typer(
    help="Users of the web dashboard (roles: viewer, planner, admin).\n\n"
    "Example: stockturn user add alice --role planner",
    no_args_is_help=True,
)


def serve_dashboard(settings: Settings, db: Path, host: str, port: int) -> None:
    """Check the bind address against the users, then run the dashboard until Ctrl+C."""
    import uvicorn

    from stockturn.web import create_app

    app = create_app(settings, db=db)
    auth.check_bind(app.state.ctx.warehouse, host)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"[green]✓[/green] Dashboard on http://{shown}:{port}/ over {db} (Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def serve(
    ctx: typer.Context,
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on; anything but loopback needs users.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the web dashboard (English / 简体中文) and its JSON API over the warehouse.

    Example: stockturn serve --db stockturn-demo.duckdb --port 8000
    """
    serve_dashboard(state(ctx).settings, db_path(ctx, db), host, port)


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Login name (lower case letters, digits, . _ -).")],
    role: Annotated[
        str, typer.Option(help="viewer (read), planner (approve, import), admin (undo, users).")
    ] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    db: DbOption = None,
) -> None:
    """Add a dashboard user; asks for the password twice (or reads one line from stdin).

    Example: stockturn user add alice --role planner
    """
    if password_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise InputError("the two passwords differ", hint="type the same password twice")
    with open_warehouse(db_path(ctx, db)) as wh:
        auth.add_user(wh, username, password, role)
    console.print(f"[green]✓[/green] user {username.strip().lower()} added as {role}")


@user_app.command("list")
def user_list(ctx: typer.Context, db: DbOption = None) -> None:
    """List dashboard users and their roles.

    Example: stockturn user list
    """
    with open_warehouse(db_path(ctx, db), read_only=True) as wh:
        users = auth.list_users(wh)
    table = Table("user", "role", "created", "by")
    for name, role, created, by in users:
        table.add_row(name, role, f"{created:%Y-%m-%d %H:%M}", by)
    console.print(table if users else "no users: the dashboard only serves 127.0.0.1 (stockturn user add NAME)")


@user_app.command("remove")
def user_remove(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="Login name.")], db: DbOption = None
) -> None:
    """Remove a dashboard user and end their sessions.

    Example: stockturn user remove alice
    """
    with open_warehouse(db_path(ctx, db)) as wh:
        auth.remove_user(wh, username)
    console.print(f"[green]✓[/green] user {username.strip().lower()} removed")
