"""Reporting periods: parse `--period` values and find the previous period to compare with.

Accepted values (see docs/metrics.md, "Periods"):
  `90d` (the N days ending on the as-of day), `day`, `week`, `month`, `quarter`, `year` (the latest
  complete calendar period ending on or before the as-of day; weeks start on Monday), `2011-03` (a month),
  `2011-Q1` (a quarter), `2011` (a year), `2011-01-01:2011-03-31` (a custom range, both days included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from stockturn.errors import InputError

_DAYS = re.compile(r"^(\d{1,4})d$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?::|\.\.)(\d{4}-\d{2}-\d{2})$")
CALENDAR = ("day", "week", "month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    """Days `start` to `end`, both included. `kind` says how the previous period is found."""

    start: date
    end: date
    kind: str = "range"  # range | day | week | month | quarter | year
    label: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before: the previous calendar period, or the same number of days before."""
        if self.kind in ("month", "quarter", "year"):
            months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
            start = _add_months(self.start, -months)
            end = self.start - timedelta(days=1)
        else:
            end = self.start - timedelta(days=1)
            start = end - timedelta(days=self.days - 1)
        return Period(start, end, self.kind, f"previous {self.describe()}")

    def describe(self) -> str:
        if self.kind == "range":
            return f"{self.days} days"
        return self.kind

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(year: int, month: int) -> date:
    return _add_months(date(year, month, 1), 1) - timedelta(days=1)


def parse_period(text: str, as_of: date) -> Period:
    """Turn a `--period` value into a Period; `as_of` is the latest day with data."""
    value = text.strip()
    if match := _DAYS.match(value):
        n = int(match.group(1))
        if n < 1:
            raise InputError(f"period {text!r} has no days", column="--period", hint="use 1d or more, e.g. 90d")
        return Period(as_of - timedelta(days=n - 1), as_of, "range", f"last {n} days")
    if value == "day":
        return Period(as_of, as_of, "day", str(as_of))
    if value == "week":  # latest complete Monday..Sunday week
        end = as_of - timedelta(days=(as_of.weekday() + 1) % 7)
        return Period(end - timedelta(days=6), end, "week", f"week to {end}")
    if value in ("month", "quarter", "year"):
        months = {"month": 1, "quarter": 3, "year": 12}[value]
        first_of_month = date(as_of.year, as_of.month, 1)
        if value == "month":
            current = first_of_month
        elif value == "quarter":
            current = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
        else:
            current = date(as_of.year, 1, 1)
        next_start = _add_months(current, months)
        if as_of == next_start - timedelta(days=1):  # as_of closes the current period: it is complete
            return Period(current, as_of, value, f"{value} to {as_of}")
        start = _add_months(current, -months)
        return Period(start, current - timedelta(days=1), value, f"{value} to {current - timedelta(days=1)}")
    if match := _MONTH.match(value):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise InputError(f"period {text!r}: month {month} does not exist", column="--period",
                             hint="write a month as YYYY-MM, e.g. 2011-03")
        return Period(date(year, month, 1), _month_end(year, month), "month", value)
    if match := _QUARTER.match(value):
        year, quarter = int(match.group(1)), int(match.group(2))
        start = date(year, 3 * quarter - 2, 1)
        return Period(start, _month_end(year, 3 * quarter), "quarter", value.upper())
    if match := _YEAR.match(value):
        year = int(match.group(1))
        return Period(date(year, 1, 1), date(year, 12, 31), "year", value)
    if match := _RANGE.match(value):
        try:
            start, end = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
        except ValueError as exc:
            raise InputError(f"period {text!r}: {exc}", column="--period",
                             hint="write real days, e.g. 2011-01-01:2011-03-31") from None
        if end < start:
            raise InputError(f"period {text!r} ends before it starts", column="--period",
                             hint="write START:END with START on or before END")
        return Period(start, end, "range", f"{start}..{end}")
    raise InputError(
        f"period {text!r} is not understood",
        column="--period",
        hint="use 90d, day, week, month, quarter, year, 2011-03, 2011-Q1, 2011 or 2011-01-01:2011-03-31",
    )
