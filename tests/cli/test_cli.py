"""The CLI in-process: exact messages, exit codes, and nothing changed on disk after a user's mistake."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from stockturn.cli.app import app
from stockturn.warehouse import open_warehouse

runner = CliRunner()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("status", "init", "settings", "demo"):
        assert command in result.stdout


def test_init_then_status(tmp_path: Path) -> None:
    path = tmp_path / "shop.duckdb"
    assert runner.invoke(app, ["init", "--db", str(path)]).exit_code == 0
    result = runner.invoke(app, ["status", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "SKUs:       0" in result.stdout
    assert "no sales yet" in result.stdout


def test_status_of_demo(demo_warehouse: Path) -> None:
    result = runner.invoke(app, ["status", "--db", str(demo_warehouse)])
    assert result.exit_code == 0, result.output
    assert "SKUs:       120" in result.stdout
    assert "Warehouses: 5 (3PL-US, CN-HOME, FBA-DE, FBA-UK, FBA-US)" in result.stdout
    assert "Sales:      2009-12-01 .. 2011-12-09" in result.stdout
    assert "stock_snapshot" in result.stdout


def _future_warehouse(path: Path) -> None:
    with open_warehouse(path, create=True) as wh:
        wh.con.execute("INSERT INTO schema_migration (version, name, stockturn_version) VALUES (999, 'x', '9')")


def _foreign_duckdb(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (x INT)")
    con.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (None, "error: no warehouse at"),
        (lambda p: p.write_text("not a database"), "is not a DuckDB database"),
        (_foreign_duckdb, "not a stockturn warehouse"),
        (_future_warehouse, "has schema version 999, newer than this stockturn knows"),
    ],
)
def test_bad_warehouse_one_line_nonzero_unchanged(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "x.duckdb"
    if make is not None:
        make(path)
    before = digest(path) if path.exists() else None
    result = runner.invoke(app, ["status", "--db", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert (digest(path) if path.exists() else None) == before


def test_debug_shows_the_exception(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--debug", "status", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "WarehouseNotFound"


def test_bad_setting_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCKTURN_BASE_CURRENCY", "euro")
    result = runner.invoke(app, ["settings"])
    assert result.exit_code == 2
    assert "setting base_currency" in result.output


def test_settings_lists_every_setting() -> None:
    result = runner.invoke(app, ["settings"], terminal_width=300)
    assert result.exit_code == 0
    assert "base_currency" in result.stdout and "capital_cost_rate" in result.stdout


def test_init_refuses_existing(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    path.write_text("keep me")
    result = runner.invoke(app, ["init", "--db", str(path)])
    assert result.exit_code == 2
    assert path.read_text() == "keep me"


def test_demo_command_builds_and_summarises(tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    result = runner.invoke(app, ["demo", "--db", str(path), "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "SKUs:       120" in result.stdout
    assert "Rows per table" in result.stdout
    assert path.exists() and not path.with_name(path.name + ".building").exists()


def test_module_entry_point() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "stockturn", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("stockturn ")
