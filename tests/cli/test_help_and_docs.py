"""Docs that cannot drift: every command has an example and is in docs/cli.md; every setting and every
schema column is documented."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from stockturn.cli.app import app
from stockturn.settings import Settings
from stockturn.warehouse import open_warehouse

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _commands(group: Any, prefix: str = "stockturn") -> Iterator[tuple[str, Any]]:
    for name, command in sorted(group.commands.items()):
        full = f"{prefix} {name}"
        yield full, command
        if hasattr(command, "commands"):
            yield from _commands(command, full)


ALL_COMMANDS = list(_commands(typer.main.get_command(app)))


@pytest.mark.parametrize(("name", "command"), ALL_COMMANDS, ids=[n for n, _ in ALL_COMMANDS])
def test_every_command_has_an_example(name: str, command: Any) -> None:
    args = [*name.split()[1:], "--help"]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout, f"`{name} --help` shows no example"


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = [name for name, _ in ALL_COMMANDS if f"`{name}" not in text]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`{name}`" not in text]
    assert not missing, f"settings missing from docs/settings.md: {missing}"


def test_every_table_and_column_is_documented(tmp_path: Path) -> None:
    text = (DOCS / "schema.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^### |\Z)", text, flags=re.S | re.M))
    with open_warehouse(tmp_path / "w.duckdb", create=True) as wh:
        columns = wh.frame(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
        )
    problems = []
    for table, column in columns.iter_rows():
        if table not in sections:
            problems.append(f"table {table}")
        elif f"`{column}`" not in sections[table]:
            problems.append(f"{table}.{column}")
    assert not sorted(set(problems)), f"undocumented in docs/schema.md: {sorted(set(problems))}"
