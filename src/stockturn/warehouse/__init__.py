"""The embedded DuckDB warehouse: connections, schema migrations, bulk loads, runs."""

from stockturn.warehouse.connection import Warehouse, open_warehouse
from stockturn.warehouse.load import finish_import, insert_frame, start_import, with_provenance
from stockturn.warehouse.runs import finish_run, latest_run, start_run
from stockturn.warehouse.status import WarehouseSummary, summarize

__all__ = [
    "Warehouse",
    "WarehouseSummary",
    "finish_import",
    "finish_run",
    "insert_frame",
    "latest_run",
    "open_warehouse",
    "start_import",
    "start_run",
    "summarize",
    "with_provenance",
]
