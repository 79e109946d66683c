"""`stockturn plan / transfers / backtest` in-process on the demo warehouse (real DuckDB file)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from plan_helpers import store_simple_forecast
from typer.testing import CliRunner

from stockturn.cli.app import app
from stockturn.planning.store import track_record_level_error
from stockturn.warehouse import open_warehouse


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), terminal_width=200)
    return result.exit_code, result.output


def test_plan_writes_lines_under_a_run(planned_demo: Path) -> None:
    code, out = run("plan", "--db", str(planned_demo))
    assert code == 0, out
    assert "Plan run plan-" in out and "Why (" in out and "Purchase-order drafts" in out
    with open_warehouse(planned_demo, read_only=True) as wh:
        counts = wh.frame("SELECT action, count(*) AS n, min(length(reason)) AS shortest FROM plan_line GROUP BY 1")
        bad = wh.scalar("SELECT count(*) FROM plan_line WHERE action = 'order' AND (qty <= 0 OR order_by IS NULL "
                        "OR expected_arrival < order_by)")
    by_action = {row[0]: row for row in counts.iter_rows()}
    assert by_action["order"][1] > 0 and by_action["order"][2] > 40
    assert bad == 0


def test_plan_budget_and_csv(planned_demo: Path) -> None:
    code, out = run("plan", "--budget", "20000", "--format", "csv", "--db", str(planned_demo))
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {"sku_id", "qty", "order_by", "reason", "budget_reason"} <= set(rows[0])
    spent = sum(float(r["qty"]) * (float(r["unit_cost"]) + float(r["freight_per_unit"])) for r in rows)
    assert spent <= 20000 + 1e-6


def test_transfers_and_backtest(planned_demo: Path) -> None:
    code, out = run("transfers", "--db", str(planned_demo))
    assert code == 0, out
    assert "Transfer run plan-" in out
    with open_warehouse(planned_demo, read_only=True) as wh:
        moves = wh.frame("SELECT source_warehouse_id, qty, cost, reason FROM plan_line WHERE action = 'transfer'")
    assert moves.height > 0  # the home warehouse's stock has no sales of its own: it is surplus
    assert (moves["qty"] > 0).all() and moves["reason"].str.contains("saves").all()
    code, out = run("backtest", "--policy", "cover_30d_avg_x60", "--start", "2011-09-01", "--end", "2011-11-30",
                    "--db", str(planned_demo))
    assert code == 0, out
    assert "fill_rate" in out and "turnover" in out


def test_backtest_unknown_policy_is_one_line_error(demo_warehouse: Path) -> None:
    code, out = run("backtest", "--policy", "magic", "--start", "2011-09-01", "--end", "2011-11-30",
                    "--db", str(demo_warehouse))
    assert code == 2
    assert "error: --policy: unknown policy 'magic'" in out


def _plan_run(path: Path) -> tuple[float, dict[str, object]]:
    with open_warehouse(path, read_only=True) as wh:
        run_id = wh.scalar("SELECT run_id FROM run WHERE kind = 'plan' ORDER BY started_at DESC LIMIT 1")
        parameters = json.loads(str(wh.scalar("SELECT parameters FROM run WHERE run_id = $r", {"r": run_id})))
        ordered = wh.scalar("SELECT sum(qty) FROM plan_line WHERE run_id = $r AND action = 'order'", {"r": run_id})
    return float(ordered or 0.0), parameters


def test_plan_learns_the_level_error_from_the_forecasts_track_record(demo_copy: Path) -> None:
    day = store_simple_forecast(demo_copy)
    assert run("plan", "--db", str(demo_copy))[0] == 0
    plain_units, plain = _plan_run(demo_copy)
    assert plain["level_error"]["values"] == [0.0]  # type: ignore[index]
    assert str(plain["level_error"]["source"]).startswith("no track record yet")  # type: ignore[index]

    store_simple_forecast(demo_copy, days_before=35, scale=0.6)  # a month-old forecast, 40 % too low
    with open_warehouse(demo_copy, read_only=True) as wh:
        ids = wh.frame("SELECT DISTINCT sku_id || '@' || warehouse_id AS id FROM forecast")["id"].to_list()
        learnt = track_record_level_error(wh, day, ids)
    assert learnt is not None
    level_error, source_run = learnt
    assert max(level_error.values) >= 0.08  # sums 40 % above the forecast call for a wide level error
    assert run("plan", "--db", str(demo_copy))[0] == 0
    units, parameters = _plan_run(demo_copy)
    assert parameters["level_error"]["source"] == f"track record of forecast run {source_run}"  # type: ignore[index]
    assert units > plain_units  # wider protection-period demand, more safety stock
