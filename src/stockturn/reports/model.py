"""What a report is: titled sheets of Polars frames whose columns carry a kind (money, share, days...)
so that every renderer (terminal, CSV, XLSX, JSON) formats the same numbers the same way."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from stockturn.analytics import METRICS

KINDS = ("text", "units", "money", "share", "days", "ratio", "count", "date")
_UNIT_KIND = {"units": "units", "money": "money", "share": "share", "days": "days", "ratio": "ratio",
              "per_year": "ratio"}
_KNOWN = {m.name: _UNIT_KIND[m.unit] for m in METRICS}
_MONEY_WORDS = ("revenue", "cogs", "cost", "value", "margin", "profit", "fees", "spend", "surcharge", "refunds",
                "paid", "amount", "receivables", "payables", "cash", "total", "not due", "1-30", "31-60", "61-90",
                "90+")


def kind_of(column: str, dtype: pl.DataType) -> str:
    """The display kind of a column, from the metric catalogue first, then its name and type."""
    base = column.removesuffix("_prev")
    if column.endswith(("_change", "_pct")) or column in ("share", "cum_share", "revenue_share"):
        return "share"
    if base in _KNOWN:
        return _KNOWN[base]
    if dtype == pl.Date or dtype == pl.Datetime:
        return "date"
    if not dtype.is_numeric():
        return "text"
    if dtype.is_integer():
        return "count"
    name = column.lower()
    if name.startswith("units") or "units" in name:
        return "units"
    if "days" in name or name.endswith("_age_days"):
        return "days"
    if any(word in name for word in _MONEY_WORDS):
        return "money"
    return "ratio"


@dataclass
class Sheet:
    name: str  # <= 31 characters (Excel)
    frame: pl.DataFrame
    note: str = ""
    kinds: dict[str, str] = field(default_factory=dict)
    row_kind: str | None = None  # a column holding each row's kind, for the numeric columns of that row

    def kind(self, column: str) -> str:
        return self.kinds.get(column) or kind_of(column, self.frame.schema[column])

    def cell_kind(self, column: str, row: dict[str, object]) -> str:
        kind = self.kind(column)
        if self.row_kind and kind in ("ratio", "units", "money", "days", "share") and column != "change":
            value = row.get(self.row_kind)
            mapped = {"per_year": "ratio"}.get(str(value), str(value))
            return mapped if mapped in ("units", "money", "share", "days", "ratio") else kind
        return kind


@dataclass
class Report:
    name: str
    title: str
    subtitle: str
    sheets: list[Sheet]
