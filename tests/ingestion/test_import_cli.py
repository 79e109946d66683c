"""The import commands in-process: output, exit codes, dry run, undo."""

from __future__ import annotations

from pathlib import Path

from import_helpers import FIXTURES, count
from typer.testing import CliRunner

from stockturn.cli.app import app


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), terminal_width=200)
    return result.exit_code, result.stdout, result.stderr


def test_import_list_undo(tmp_path: Path) -> None:
    db = str(tmp_path / "shop.duckdb")
    code, out, _ = _run("import", "auto", str(FIXTURES / "amazon_all_orders.txt"), "--db", db)
    assert code == 0
    assert out.strip() == ("amazon_all_orders.txt: amazon_all_orders: read 6, added 5, replaced 0, unchanged 0, "
                           "rejected 1, 5 unmapped SKU rows (import 1)")
    code, out, _ = _run("import", "auto", str(FIXTURES / "amazon_all_orders.txt"), "--db", db, "--dry-run")
    assert code == 0 and "would add 0, replaced 0, unchanged 5" in out and "dry run, nothing written" in out
    code, out, _ = _run("imports", "--db", db)
    assert code == 0 and "amazon_all_orders.txt" in out and "done" in out
    code, out, _ = _run("imports", "undo", "1", "--db", db)
    assert code == 0 and out.strip() == "Undid import 1: deleted 5 from sales_line."
    assert count(Path(db), "SELECT count(*) FROM sales_line") == 0


def test_bad_file_exits_2_and_lists_problems(tmp_path: Path) -> None:
    db = tmp_path / "shop.duckdb"
    bad = tmp_path / "bad.csv"
    bad.write_text("order_id,ordered_at,sku,qty,unit_price,currency,channel\nA,2024-03-01,S,two,1,USD,C\n")
    code, out, err = _run("import", "generic_orders", str(FIXTURES / "generic_orders.csv"), str(bad),
                          "--db", str(db))
    assert code == 2
    assert "generic_orders.csv: generic_orders: read 4, added 4" in out  # the good file still loads
    assert "bad.csv:2:qty: expected a number, found 'two'; fix:" in err
    assert count(db, "SELECT count(*) FROM import_batch") == 1


def test_unknown_source_and_sources_list(tmp_path: Path) -> None:
    code, _, err = _run("import", "nope", str(FIXTURES / "generic_orders.csv"), "--db", str(tmp_path / "w.duckdb"))
    assert code == 2 and "expected a source name, found 'nope'" in err
    code, out, _ = _run("imports", "sources")
    assert code == 0 and "amazon_inventory_ledger" in out and "generic_fx_rates" in out


def test_every_source_is_documented() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "importing.md").read_text(encoding="utf-8")
    from stockturn.ingestion import importers

    missing = [name for name in importers() if f"`{name}`" not in text]
    assert not missing, f"sources missing from docs/importing.md: {missing}"
