"""Output runs: every forecast, plan, alert or backtest row is tagged with the run that produced it."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime
from typing import Any

from stockturn.warehouse.connection import Warehouse


def start_run(wh: Warehouse, kind: str, *, as_of: date | None = None, parameters: dict[str, Any] | None = None) -> str:
    """Record a run and return its id, e.g. `forecast-20240301T101500-3fa2`."""
    now = datetime.now()
    run_id = f"{kind}-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"
    wh.con.execute(
        "INSERT INTO run (run_id, kind, as_of, started_at, parameters) VALUES (?, ?, ?, ?, ?)",
        [run_id, kind, as_of, now, json.dumps(parameters or {}, default=str)],
    )
    return run_id


def finish_run(wh: Warehouse, run_id: str) -> None:
    wh.con.execute("UPDATE run SET finished_at = ? WHERE run_id = ?", [datetime.now(), run_id])


def latest_run(wh: Warehouse, kind: str) -> str | None:
    """The newest finished run of a kind, or None when there is none yet."""
    value = wh.scalar(
        "SELECT run_id FROM run WHERE kind = ? AND finished_at IS NOT NULL ORDER BY started_at DESC LIMIT 1",
        [kind],
    )
    return str(value) if value is not None else None
