"""Dashed day-first dates (31-03-2024, 05-Mar-2024) and time-zone offsets: only a suffix after a time is a zone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from import_helpers import run_import, settings

from stockturn.ingestion.problems import Problems
from stockturn.ingestion.values import DateOrder, parse_datetime
from stockturn.warehouse import open_warehouse


def _parse(values: list[str], order: DateOrder) -> tuple[list[datetime | None], list[str]]:
    problems = Problems("f.csv", 20)
    rows = pl.Series(range(2, 2 + len(values)))
    got = parse_datetime(pl.Series(values), rows, problems, "d", order=order).to_list()
    return got, [p.one_line() for p in problems.items]


@pytest.mark.parametrize(("value", "expected"), [
    ("31-03-2024", datetime(2024, 3, 31)),
    ("31-03-2024 14:05", datetime(2024, 3, 31, 14, 5)),
    ("31-03-2024 14:05:09", datetime(2024, 3, 31, 14, 5, 9)),
    ("05-Mar-2024", datetime(2024, 3, 5)),
    ("05-MAR-2024", datetime(2024, 3, 5)),
    ("05-Mar-2024 10:00", datetime(2024, 3, 5, 10, 0)),
    ("05-Mar-2024 10:00:30", datetime(2024, 3, 5, 10, 0, 30)),
    ("31-03-2024 14:05+01:00", datetime(2024, 3, 31, 14, 5)),
    ("05-Mar-2024 10:00:00 -0500", datetime(2024, 3, 5, 10, 0)),
    ("31-03-2024 10:00-05", datetime(2024, 3, 31, 10, 0)),
    ("31-03-2024 10:00:00+08", datetime(2024, 3, 31, 10, 0)),
    ("31-03-2024 10:00:00 GMT+0800", datetime(2024, 3, 31, 10, 0)),
    ("31-03-2024 10:00 UTC+8", datetime(2024, 3, 31, 10, 0)),
    ("05-Mar-2024 10:00:00 GMT-05:00", datetime(2024, 3, 5, 10, 0)),
])
def test_dashed_day_first_dates_are_read_day_first(value: str, expected: datetime) -> None:
    got, problems = _parse([value], "dmy")
    assert (got, problems) == ([expected], [])


def test_named_month_dates_do_not_depend_on_date_order() -> None:
    assert _parse(["05-Mar-2024", "05-Mar-2024 10:00"], "mdy") == (
        [datetime(2024, 3, 5), datetime(2024, 3, 5, 10, 0)], [])


def test_dashed_month_first_dates_with_mdy() -> None:
    assert _parse(["03-31-2024", "03-31-2024 14:05"], "mdy") == (
        [datetime(2024, 3, 31), datetime(2024, 3, 31, 14, 5)], [])


@pytest.mark.parametrize(("order", "expected"), [("dmy", datetime(2024, 3, 4)), ("mdy", datetime(2024, 4, 3))])
def test_ambiguous_dashed_date_follows_date_order(order: DateOrder, expected: datetime) -> None:
    assert _parse(["04-03-2024"], order) == ([expected], [])
    assert _parse(["04-03-2024 08:30"], order) == ([expected.replace(hour=8, minute=30)], [])


def test_day_first_date_refused_when_date_order_is_mdy() -> None:
    got, problems = _parse(["31-03-2024"], "mdy")
    assert got == [None]
    assert problems == [
        "f.csv:2:d: expected a date such as 2024-03-31, 03/31/2024, found '31-03-2024'; fix: write dates as "
        "YYYY-MM-DD, or set date_order (dmy/mdy) for dates like 03/04/2024"]


@pytest.mark.parametrize("order", ["dmy", "mdy"])
def test_time_zone_offsets_are_still_dropped_keeping_wall_time(order: DateOrder) -> None:
    values = ["2024-03-05T10:00:00-05:00", "2024-03-05 10:00:00+08:00", "2024-03-05T10:00:00Z",
              "2024-03-05 10:00:00+0800", "2024-03-05 10:00:00 UTC", "2024-03-05 10:00:00.250+01:00",
              "2024-03-05 10:00 -0500", "2024-03-05"]
    got, problems = _parse(values, order)
    assert problems == []
    assert got == [datetime(2024, 3, 5, 10, 0)] * 5 + [datetime(2024, 3, 5, 10, 0, 0, 250000),
                                                      datetime(2024, 3, 5, 10, 0), datetime(2024, 3, 5)]


def test_date_parts_are_never_taken_for_an_offset() -> None:
    """Mixed with zoned timestamps (so the clean-up runs), the -MM / -YYYY of a date stay part of it."""
    got, problems = _parse(["2024-03-05T10:00:00Z", "31-03-2024", "05-Mar-2024", "2024-03-31"], "dmy")
    assert problems == []
    assert got == [datetime(2024, 3, 5, 10, 0), datetime(2024, 3, 31), datetime(2024, 3, 5),
                   datetime(2024, 3, 31)]


ORDERS = """order_id,line_no,channel,ordered_at,sku,qty,unit_price,currency
EU-1,1,B2B-EU,31-03-2024,MAT-2PK,2,7.50,EUR
EU-2,1,B2B-EU,31-03-2024 14:05,MAT-2PK,1,7.50,EUR
EU-3,1,B2B-EU,05-Mar-2024,SPAT-3,1,6.20,EUR
EU-4,1,B2B-EU,05-Mar-2024 10:00,SPAT-3,1,6.20,EUR
EU-5,1,B2B-EU,04-03-2024,SPAT-3,1,6.20,EUR
EU-6,1,B2B-EU,2024-03-05T10:00:00-05:00,SPAT-3,1,6.20,EUR
EU-7,1,B2B-EU,2024-03-05 10:00:00+08:00,SPAT-3,1,6.20,EUR
EU-8,1,B2B-EU,2024-03-05T10:00:00Z,SPAT-3,1,6.20,EUR
"""


@pytest.mark.parametrize(("order", "ambiguous"), [("dmy", "2024-03-04 00:00:00"), ("mdy", "2024-04-03 00:00:00")])
def test_generic_orders_with_dashed_day_first_dates(db: Path, tmp_path: Path, order: DateOrder,
                                                    ambiguous: str) -> None:
    text = ORDERS if order == "dmy" else "\n".join(
        line for line in ORDERS.splitlines() if not line.startswith(("EU-1,", "EU-2,"))) + "\n"
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    result = run_import(db, path, source="generic_orders", settings=settings(date_order=order))
    assert result.added == (8 if order == "dmy" else 6)
    with open_warehouse(db, read_only=True) as wh:
        got = dict(wh.con.execute(
            "SELECT order_id, strftime(ordered_at, '%Y-%m-%d %H:%M:%S') FROM sales_line").fetchall())
    expected = {"EU-3": "2024-03-05 00:00:00", "EU-4": "2024-03-05 10:00:00", "EU-5": ambiguous,
                "EU-6": "2024-03-05 10:00:00", "EU-7": "2024-03-05 10:00:00", "EU-8": "2024-03-05 10:00:00"}
    if order == "dmy":
        expected |= {"EU-1": "2024-03-31 00:00:00", "EU-2": "2024-03-31 14:05:00"}
    assert got == expected


@pytest.mark.parametrize("value", ["2024-03-31T10:00:00-05", "2024-03-31 10:00:00 GMT+0800", "2024/03/31 10:00 UTC+8"])
def test_iso_dates_with_bare_hour_or_named_offsets(value: str) -> None:
    assert _parse([value], "dmy") == ([datetime(2024, 3, 31, 10, 0)], [])


@pytest.mark.parametrize(("order", "values"), [
    ("dmy", ["31/03/24", "31-03-24", "31.03.24", "31-03-24 10:00-05"]),
    ("mdy", ["03/31/24", "03-31-24", "31.03.24", "03-31-24 10:00-05"]),
])
def test_two_digit_years_are_this_century(order: DateOrder, values: list[str]) -> None:
    # chrono's %Y also takes two digits: "31/03/24" must not become the year 24 (or 31 by %Y/%m/%d), and a
    # dashed "-24" is a year, not an offset
    got, problems = _parse(values, order)
    assert problems == []
    assert got == [datetime(2024, 3, 31)] * 3 + [datetime(2024, 3, 31, 10, 0)]
