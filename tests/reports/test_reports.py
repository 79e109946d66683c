"""Reports run on the demo warehouse and show the same numbers in every format and in the library API."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from numpy.testing import assert_allclose
from typer.testing import CliRunner

from stockturn import analytics as an
from stockturn.cli.app import app
from stockturn.reports import REPORTS, build_report, write_xlsx
from stockturn.settings import Settings
from stockturn.warehouse import open_warehouse


@pytest.fixture(scope="module")
def all_reports(demo_warehouse: Path) -> dict[str, object]:
    with open_warehouse(demo_warehouse, read_only=True) as wh:
        built = build_report(wh, "all", Settings())
        turnover = an.metrics(wh, Settings(), by="sku")
    return {"report": built, "turnover": turnover}


def test_every_report_builds_on_the_demo(all_reports: dict[str, object]) -> None:
    report = all_reports["report"]
    names = [sheet.name for sheet in report.sheets]  # type: ignore[attr-defined]
    assert len(names) >= len(REPORTS)
    for sheet in report.sheets:  # type: ignore[attr-defined]
        assert sheet.frame.width > 0, sheet.name
    overview = report.sheets[0].frame  # type: ignore[attr-defined]
    assert overview.filter(pl.col("metric") == "Turnover")["value"][0] > 0


def test_report_numbers_equal_the_library(demo_warehouse: Path, all_reports: dict[str, object]) -> None:
    with open_warehouse(demo_warehouse, read_only=True) as wh:
        report = build_report(wh, "turnover", Settings(), by="sku")
    table = report.sheets[0].frame.sort("sku_id")
    library = all_reports["turnover"].sort("sku_id")  # type: ignore[attr-defined]
    assert_allclose(table["turnover"].fill_null(-1).to_numpy(), library["turnover"].fill_null(-1).to_numpy())
    assert_allclose(table["cogs"].sum(), library["cogs"].sum())


def test_xlsx_has_one_formatted_sheet_per_report_sheet(all_reports: dict[str, object], tmp_path: Path) -> None:
    report = all_reports["report"]
    out = write_xlsx(report, tmp_path / "all.xlsx")  # type: ignore[arg-type]
    book = openpyxl.load_workbook(out)
    assert len(book.sheetnames) == len(report.sheets)  # type: ignore[attr-defined]
    sheet = book[book.sheetnames[1]]
    assert sheet.freeze_panes == "B5"
    assert sheet.cell(4, 1).font.bold
    formats = {sheet.cell(5, c).number_format for c in range(1, sheet.max_column + 1)}
    assert "#,##0.00" in formats


def test_cli_report_formats(demo_warehouse: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["report", "stockouts", "--db", str(demo_warehouse)], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "Stockouts and lost sales" in shown.output and "FBA-US" in shown.output
    as_json = runner.invoke(app, ["report", "cash", "--format", "json", "--db", str(demo_warehouse)])
    assert as_json.exit_code == 0, as_json.output
    payload = json.loads(as_json.stdout)
    assert [s["name"] for s in payload["sheets"]][:2] == ["Cash tied up", "Cash conversion cycle"]
    out = tmp_path / "aging.csv"
    as_csv = runner.invoke(app, ["report", "aging", "--by", "category", "--format", "csv", "--out", str(out),
                                 "--db", str(demo_warehouse)])
    assert as_csv.exit_code == 0, as_csv.output
    assert pl.read_csv(out)["category"].len() >= 5
    assert (tmp_path / "aging.slow-and-dead-stock.csv").exists()


def test_cli_report_mistakes_are_one_line(demo_warehouse: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["report", "turnover", "--period", "last quarter", "--db", str(demo_warehouse)])
    assert bad.exit_code == 2 and "period 'last quarter' is not understood" in bad.stderr
    bad = runner.invoke(app, ["report", "turnover", "--by", "planet", "--db", str(demo_warehouse)])
    assert bad.exit_code == 2 and "grain 'planet' is not known" in bad.stderr
    bad = runner.invoke(app, ["report", "nonsense", "--db", str(demo_warehouse)])
    assert bad.exit_code == 2 and "does not exist" in bad.stderr


def test_alerts_are_stored_with_a_run_id(demo_copy: Path) -> None:
    with open_warehouse(demo_copy) as wh:
        run_id, alerts = an.run_alerts(wh, Settings(), an.data_end(wh))
        stored = an.stored_alerts(wh)
    assert stored.height == alerts.height > 0 and set(stored["run_id"]) == {run_id}
    assert {"stockout_risk", "overstock", "turnover_slowing"} <= set(stored["alert_type"])
    for column in ("what", "why", "action"):
        assert stored[column].str.len_chars().min() > 10  # type: ignore[operator]


def test_lean_turnover_scope_equals_the_full_computation(demo_warehouse: Path) -> None:
    with open_warehouse(demo_warehouse, read_only=True) as wh:
        full = an.metrics(wh, Settings(), by="sku-warehouse", with_previous=False).sort("sku_id", "warehouse_id")
        lean = an.metrics(wh, Settings(), by="sku-warehouse", with_previous=False,
                          only=list(an.TURNOVER_METRICS)).sort("sku_id", "warehouse_id")
    assert lean.columns == ["sku_id", "warehouse_id", *an.TURNOVER_METRICS]
    for name in an.TURNOVER_METRICS:
        assert_allclose(lean[name].fill_null(-1).to_numpy(), full[name].fill_null(-1).to_numpy(), err_msg=name)
