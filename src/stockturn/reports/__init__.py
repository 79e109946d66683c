"""Reports over the analytics API, rendered as Rich tables, CSV, XLSX or JSON (same numbers everywhere)."""

from stockturn.reports.build import REPORTS, build_report
from stockturn.reports.model import Report, Sheet
from stockturn.reports.render import FORMATS, print_table, to_json, write_csv, write_xlsx

__all__ = ["FORMATS", "REPORTS", "Report", "Sheet", "build_report", "print_table", "to_json", "write_csv",
           "write_xlsx"]
