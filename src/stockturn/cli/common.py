"""What every command shares: the app state, the --db option, the console."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from stockturn.settings import Settings

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file (default: the `db` setting, env STOCKTURN_DB).", show_default=False),
]


@dataclass
class AppState:
    settings: Settings
    debug: bool = False


def state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        raise RuntimeError("stockturn CLI state missing: invoke through stockturn.cli.app")
    return root.obj


def db_path(ctx: typer.Context, db: Path | None) -> Path:
    """The --db flag when given, else the `db` setting."""
    return db if db is not None else state(ctx).settings.db
