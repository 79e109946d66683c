"""`stockturn sku ...` in-process on a copy of the demo warehouse."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from stockturn.cli.app import app
from stockturn.warehouse import open_warehouse


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), terminal_width=200)
    return result.exit_code, result.stdout, result.stderr


def _counts(path: Path) -> tuple[object, ...]:
    with open_warehouse(path, read_only=True) as wh:
        row = wh.con.execute(
            "SELECT (SELECT count(*) FROM sku), (SELECT count(*) FROM sku_alias), "
            "(SELECT count(*) FROM sales_line WHERE sku_id = '85099B'), (SELECT sum(on_hand) FROM stock_snapshot)"
        ).fetchall()
    return tuple(row[0])


def test_merge_show_undo(demo_copy: Path) -> None:
    db = str(demo_copy)
    before = _counts(demo_copy)
    code, out, _ = _run("sku", "merge", "85099C", "85099B", "--db", db)
    assert code == 0
    assert out.startswith("Change 1: merge 85099C into 85099B.")
    assert "Undo with: stockturn sku undo 1" in out
    code, out, _ = _run("sku", "show", "85099B", "--db", db)
    assert code == 0 and "85099C" in out and "merge" in out
    code, out, _ = _run("sku", "undo", "--db", db)
    assert (code, out.strip()) == (0, "Undid change 1: merge 85099C into 85099B.")
    assert _counts(demo_copy) == before


def test_unknown_sku_is_one_line_and_exit_2(demo_copy: Path) -> None:
    before = _counts(demo_copy)
    code, _, err = _run("sku", "merge", "NOPE", "85099B", "--db", str(demo_copy))
    assert code == 2
    assert err.startswith("error: unknown SKU 'NOPE'; fix: did you mean")
    assert len(err.strip().splitlines()) == 1
    assert _counts(demo_copy) == before


def test_unlink_then_unmapped_then_suggest_and_confirm(demo_copy: Path) -> None:
    db = str(demo_copy)
    assert _run("sku", "unlink", "SH-84347", "--db", db)[0] == 0
    code, out, _ = _run("sku", "list", "--unmapped", "--db", db)
    assert code == 0 and "SH-84347" in out
    code, out, _ = _run("sku", "suggest", "--db", db)
    assert code == 0
    line = next(line for line in out.splitlines() if "SH-84347" in line)
    assert "84347" in line.split("SH-84347", 1)[1]
    suggestion_id = line.split()[1]
    code, out, _ = _run("sku", "confirm", suggestion_id, "--db", db)
    assert code == 0 and "confirm suggestion" in out
    code, out, _ = _run("sku", "unmapped", "--db", db)
    assert "No unmapped identifiers" in out
    code, out, _ = _run("sku", "history", "--db", db)
    assert "confirm" in out and "unlink" in out


def test_link_needs_sku_and_alias(demo_copy: Path) -> None:
    code, _, err = _run("sku", "link", "85099B", "--db", str(demo_copy))
    assert code == 2 and "expected SKU and ALIAS" in err
