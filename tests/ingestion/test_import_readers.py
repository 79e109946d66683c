"""Readers: delimiters, encodings, compression, workbooks, and clear errors for what cannot be read."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from import_helpers import FIXTURES

from stockturn.errors import InputError
from stockturn.ingestion.problems import Problems
from stockturn.ingestion.readers import detect_encoding, read_source
from stockturn.ingestion.values import parse_datetime, parse_float

TEXT = "sku;名称;qty\nA-1;水润面膜10片装;3\nB-2;Crème brûlée set;4\n"


@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
])
def test_encodings_are_detected_and_decoded(tmp_path: Path, encoding: str, expected: str) -> None:
    text = TEXT if encoding != "gbk" else TEXT.replace("Crème brûlée set", "锅铲")
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode(encoding))
    raw = read_source(path)
    assert (raw.encoding, raw.delimiter) == (expected, ";")
    assert raw.headers == ["sku", "名称", "qty"]
    assert raw.frame["名称"][0] == "水润面膜10片装"
    assert raw.frame["__row"].to_list() == [2, 3]


def test_latin1_text(tmp_path: Path) -> None:
    path = tmp_path / "x.tsv"
    path.write_bytes("sku\tname\nA\tCrème brûlée\n".encode("latin-1"))
    raw = read_source(path)
    assert raw.encoding == "cp1252" and raw.frame["name"][0] == "Crème brûlée"
    assert detect_encoding("naïve".encode("latin-1")) == "cp1252"


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_any_delimiter(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "x.txt"
    second = "2,5" if delimiter != "," else "2"
    path.write_text(delimiter.join(["a", "b", "c"]) + "\n" + delimiter.join(["1", second, "3"]) + "\n")
    assert read_source(path).headers == ["a", "b", "c"]


def test_xlsx_sheet_by_name_or_number(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "notes"
    first.append(["just notes"])
    data = book.create_sheet("stock")
    data.append([None])
    data.append(["sku", "on_hand"])
    data.append(["A", 3])
    path = tmp_path / "x.xlsx"
    book.save(path)
    raw = read_source(path, sheet="stock")
    assert raw.headers == ["sku", "on_hand"] and raw.frame["__row"].to_list() == [3]
    assert read_source(path, sheet="2").sheet == "stock"
    with pytest.raises(InputError, match="expected a sheet named 'nope', found sheets notes, stock"):
        read_source(path, sheet="nope")


def test_xls_gets_a_save_as_xlsx_message(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputError) as caught:
        read_source(path)
    assert "save it as .xlsx or .csv" in caught.value.one_line()


def test_compressed_files(tmp_path: Path) -> None:
    src = FIXTURES / "amazon_fba_inventory.txt"
    gz = tmp_path / "inv.txt.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    assert read_source(gz).frame.height == 3
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("a.csv", "x\n1\n")
        archive.writestr("b.csv", "x\n2\n")
    with pytest.raises(InputError, match=r"expected a zip holding one data file, found a\.csv, b\.csv"):
        read_source(two)
    parquet = tmp_path / "p.parquet.gz"
    buffer = tmp_path / "p.parquet"
    pl.DataFrame({"a": [1, 2]}).write_parquet(buffer)
    parquet.write_bytes(gzip.compress(buffer.read_bytes()))
    assert read_source(parquet).frame["a"].to_list() == [1, 2]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "found an empty file"),
    (b"\x00\x01\x02binary\x00", "found binary data"),
    (b'a,b\n"unterminated,1\n2,3,4,5\n', "cannot be parsed"),
])
def test_unreadable_text(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_source(path)


def test_numbers_and_dates_in_common_formats() -> None:
    problems = Problems("f.csv", 10)
    rows = pl.Series([2, 3, 4, 5, 6, 7])
    numbers = pl.Series(["1,234.50", "12,50", "1.234,56", "(3.5)", "$4", "€ 7"])
    assert parse_float(numbers, rows, problems, "n").to_list() == [1234.5, 12.5, 1234.56, -3.5, 4.0, 7.0]
    dates = pl.Series(["2024-03-01T10:11:12+00:00", "2024-03-01 10:15:22 -0500", "31.03.2024", "Mar 5, 2024",
                       "2024年3月1日", "2024/03/01"])
    got = [str(d) for d in parse_datetime(dates, rows, problems, "d", order="dmy").to_list()]
    assert got == ["2024-03-02 10:11:12"[:0] + "2024-03-01 10:11:12", "2024-03-01 10:15:22", "2024-03-31 00:00:00",
                   "2024-03-05 00:00:00", "2024-03-01 00:00:00", "2024-03-01 00:00:00"]
    assert not problems
    parse_datetime(pl.Series(["2024-02-30"]), pl.Series([9]), problems, "d", order="dmy")
    assert problems.items[0].one_line().startswith("f.csv:9:d: expected a date such as 2024-03-31")


def test_fast_paths_give_the_same_values_and_messages() -> None:
    """Time-zone suffixes are stripped only from values the chosen format cannot read, currencies that are
    all codes skip the clean-up, blank checks run only when a column has empty cells: same results."""
    from stockturn.ingestion.values import parse_currency

    problems = Problems("f.csv", 10)
    rows = pl.Series([2, 3, 4, 5, 6])
    stamps = pl.Series(["2024-03-01 10:00:00", "2024-03-01 11:00:00Z", "2024-03-01 12:00:00 UTC",
                        "2024-03-01 13:00:00+01:00", "soon UTC"])
    got = parse_datetime(stamps, rows, problems, "at", order="dmy").to_list()
    assert [str(d) for d in got[:4]] == ["2024-03-01 10:00:00", "2024-03-01 11:00:00", "2024-03-01 12:00:00",
                                         "2024-03-01 13:00:00"]
    assert got[4] is None
    assert [p.one_line() for p in problems.items] == [
        "f.csv:6:at: expected a date such as 2024-03-31, 31/03/2024, found 'soon'; fix: write dates as YYYY-MM-DD, "
        "or set date_order (dmy/mdy) for dates like 03/04/2024"]
    problems = Problems("f.csv", 10)
    codes = pl.Series(["USD", "EUR", None])
    assert parse_currency(codes, rows.head(3), problems, "c").to_list() == ["USD", "EUR", None]
    assert parse_currency(pl.Series(["usd", "RMB", " € ", "XYZ"]), rows.head(4), problems, "c").to_list() == \
        ["USD", "CNY", "EUR", None]
    assert [p.row for p in problems.items] == [5]
