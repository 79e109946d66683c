"""Read any supported file into one raw frame: CSV/TSV (any delimiter, UTF-8/BOM/GBK/GB18030/Latin-1),
XLSX (a chosen sheet), Parquet, each optionally gzip- or zip-compressed.

Text files are read with every column as text (values are typed later, with row-level messages);
Parquet keeps its types. Every frame gets a `__row` column: the row number a person sees in the file
(the header is row 1 in CSV and XLSX; Parquet rows count from 1).
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import polars as pl

from stockturn.errors import InputError
from stockturn.ingestion.problems import ROW

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", "\t", ";", "|")
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def normalize_header(name: str) -> str:
    """Header as compared by importers: lower case, spaces/underscores/hyphens collapsed to one space."""
    return re.sub(r"[\s_\-]+", " ", name.replace("\ufeff", "").strip().lower()).strip()


@dataclass
class RawTable:
    """One file as read: the frame (original headers + `__row`), its display name and path."""

    frame: pl.DataFrame
    file: str
    path: Path
    encoding: str = "utf-8"
    delimiter: str | None = None
    sheet: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # column -> header shown in messages (mappings)
    _lookup: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.frame.columns:
            if name != ROW:
                self._lookup.setdefault(normalize_header(name), name)

    def label(self, column: str) -> str:
        return self.labels.get(column, column)

    @property
    def headers(self) -> list[str]:
        return [c for c in self.frame.columns if c != ROW]

    @property
    def normalized(self) -> set[str]:
        return set(self._lookup)

    def column(self, *names: str) -> str | None:
        """The actual header of the first of `names` (compared normalized) present in the file."""
        for name in names:
            found = self._lookup.get(normalize_header(name))
            if found is not None:
                return found
        return None


def unique_names(names: list[str]) -> list[str]:
    """Headers made usable: BOM and spaces stripped, blanks named column_N, repeats suffixed _2, _3..."""
    out: list[str] = []
    for i, raw in enumerate(names):
        name = raw.replace("\ufeff", "").strip() or f"column_{i + 1}"
        candidate, n = name, 1
        while candidate in out or candidate == ROW:
            n += 1
            candidate = f"{name}_{n}"
        out.append(candidate)
    return out


def _fail(file: str, what: str, fix: str) -> InputError:
    return InputError(what, hint=fix, file=file)


def read_source(path: Path, *, sheet: str | None = None, display: str | None = None) -> RawTable:
    """Read `path` (any supported format) into a RawTable; unreadable files raise InputError."""
    file = display or path.name
    if not path.is_file():
        raise _fail(file, "no such file", "check the path")
    with path.open("rb") as handle:
        head = handle.read(8)
    suffixes = [s.lower() for s in path.suffixes]
    if head.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(path, "rb") as handle:
                data = handle.read()
        except (OSError, EOFError) as exc:
            raise _fail(file, f"expected a gzip file, found a damaged one ({exc})", "re-export the file") from None
        inner = path.with_suffix("") if suffixes and suffixes[-1] == ".gz" else path
        return _read_bytes(data, inner.name, file, path, sheet)
    if head.startswith(b"PK") and not (suffixes and suffixes[-1] in _XLSX_SUFFIXES):
        return _read_zip(path, file, sheet)
    if head.startswith(b"PAR1") or (suffixes and suffixes[-1] in _PARQUET_SUFFIXES):
        return _read_parquet(path, file)
    if head.startswith(b"PK"):
        return _read_xlsx(path, file, sheet)
    if head.startswith(_OLE_MAGIC):
        raise _xls_error(file)
    return _read_text(path, None, file, path)


def _xls_error(file: str) -> InputError:
    return _fail(file, "expected CSV, XLSX or Parquet, found an old Excel .xls (97-2003) workbook, which "
                       "stockturn cannot read (no maintained .xls reader is installed)",
                 "open it in Excel or LibreOffice and save it as .xlsx or .csv, then import that file")


def _read_bytes(data: bytes, inner_name: str, file: str, path: Path, sheet: str | None) -> RawTable:
    suffix = Path(inner_name).suffix.lower()
    if data.startswith(b"PAR1") or suffix in _PARQUET_SUFFIXES:
        return _read_parquet(io.BytesIO(data), file, path)
    if data.startswith(b"PK"):
        return _read_xlsx(io.BytesIO(data), file, sheet, path)
    if data.startswith(_OLE_MAGIC):
        raise _xls_error(file)
    return _read_text(None, data, file, path)


def _read_zip(path: Path, file: str, sheet: str | None) -> RawTable:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX")]
            if len(members) != 1:
                names = ", ".join(m.filename for m in members[:5]) or "nothing"
                raise _fail(file, f"expected a zip holding one data file, found {names}",
                            "unzip it and import the files one by one")
            data = archive.read(members[0])
            name = members[0].filename
    except zipfile.BadZipFile as exc:
        if path.suffix.lower() in _XLSX_SUFFIXES:
            raise _fail(file, f"expected an XLSX workbook, found a damaged one ({exc})", "re-save it") from None
        raise _fail(file, f"expected a zip archive, found a damaged one ({exc})", "re-export the file") from None
    return _read_bytes(data, name, f"{file}:{name}", path, sheet)


def _read_parquet(source: Path | io.BytesIO, file: str, path: Path | None = None) -> RawTable:
    try:
        frame = pl.read_parquet(source)
    except Exception as exc:  # pyarrow/polars raise many types for damaged files
        raise _fail(file, f"expected a Parquet file, found one that cannot be read ({_first_line(exc)})",
                    "re-export the file") from None
    frame = frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    return RawTable(frame, file, path or Path(str(source)))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


# --- text -----------------------------------------------------------------------------------------

def detect_encoding(sample: bytes) -> str:
    """utf-8 (with or without BOM), utf-16, gb18030 (covers GBK) when the text is Chinese, else cp1252/latin-1."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4 and len(sample) >= SAMPLE_BYTES:  # a character cut by the sample end
            return "utf-8"
    # GBK/GB18030 Chinese writes every character as two high bytes; Latin-1/cp1252 text has single high
    # bytes (an accented letter between ASCII ones). Decide on the share of high bytes that come in pairs.
    high = len(re.findall(rb"[\x80-\xff]", sample))
    paired = 2 * len(re.findall(rb"[\x81-\xfe][\x81-\xfe]", sample))
    if high and paired / high > 0.6:
        try:
            sample.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError as exc:
            if exc.start >= len(sample) - 4 and len(sample) >= SAMPLE_BYTES:
                return "gb18030"
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_text(path: Path | None, data: bytes | None, file: str, origin: Path) -> RawTable:
    if data is None:
        assert path is not None
        with path.open("rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
    else:
        sample = data[:SAMPLE_BYTES]
    if not sample.strip():
        raise _fail(file, "expected a header line and rows, found an empty file", "export the report again")
    if b"\x00" in sample[:4096] and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(file, "expected a text (CSV/TSV) file, found binary data",
                    "import CSV, TSV, XLSX or Parquet files (optionally .gz or .zip)")
    encoding = detect_encoding(sample)
    source: Path | io.BytesIO
    if encoding in ("utf-8", "utf-8-sig"):
        source = path if path is not None else io.BytesIO(data or b"")
    else:
        raw = data if data is not None else (path.read_bytes() if path else b"")
        try:
            source = io.BytesIO(raw.decode(encoding).encode("utf-8"))
        except UnicodeDecodeError as exc:
            raise _fail(file, f"expected text in {encoding}, found undecodable bytes at byte {exc.start}",
                        "save the file as UTF-8") from None
        sample = raw[:SAMPLE_BYTES]
    first = sample.decode(encoding if encoding != "utf-8" else "utf-8", errors="replace").lstrip("\ufeff")
    delimiter = detect_delimiter(first.splitlines()[0] if first.splitlines() else first)
    try:
        frame = pl.read_csv(
            source, separator=delimiter, infer_schema=False, has_header=True, quote_char='"',
            encoding="utf8", raise_if_empty=True, try_parse_dates=False,
        )
    except Exception as exc:  # polars raises ComputeError/NoDataError/ShapeError for malformed text
        message = _first_line(exc)
        if "utf-8" in message.lower() or "utf8" in message.lower():
            raise _fail(file, "expected UTF-8 text, found bytes that are not UTF-8 past the first megabyte",
                        "save the whole file in one encoding (UTF-8 preferred)") from None
        raise _fail(file, f"expected a well-formed {_delimiter_name(delimiter)}-separated file, "
                          f"found one that cannot be parsed ({message})",
                    "check quoting and that every line has the same number of fields") from None
    frame = frame.rename(dict(zip(frame.columns, unique_names(frame.columns), strict=True)))
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    return RawTable(frame, file, origin, encoding=encoding, delimiter=delimiter)


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}.get(delimiter, repr(delimiter))


# --- xlsx -----------------------------------------------------------------------------------------

def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _read_xlsx(source: Path | io.BytesIO, file: str, sheet: str | None, path: Path | None = None) -> RawTable:
    import openpyxl  # imported here: only XLSX imports pay for it

    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise _fail(file, f"expected an XLSX workbook, found one that cannot be opened ({_first_line(exc)})",
                    "re-save it in Excel/LibreOffice as .xlsx") from None
    try:
        names = list(book.sheetnames)
        chosen = names[0] if sheet is None else sheet
        if sheet is not None and sheet not in names and sheet.isdigit() and 1 <= int(sheet) <= len(names):
            chosen = names[int(sheet) - 1]
        if chosen not in names:
            raise _fail(file, f"expected a sheet named {sheet!r}, found sheets {', '.join(names)}",
                        "pass --sheet with one of those names (or its number, 1 = first)")
        rows = book[chosen].iter_rows(values_only=True)
        header: list[str] | None = None
        header_row = 0
        columns: list[list[str | None]] = []
        numbers: list[int] = []
        for number, values in enumerate(rows, start=1):  # openpyxl yields rows one by one; XLSX files are small
            cells = [_cell_text(v) for v in values]
            if header is None:
                if any(c is not None for c in cells):
                    header = [c.strip() if c else f"column_{i + 1}" for i, c in enumerate(cells)]
                    header_row = number
                    columns = [[] for _ in header]
                continue
            if not any(c is not None for c in cells):
                continue
            for i in range(len(header)):
                columns[i].append(cells[i] if i < len(cells) else None)
            numbers.append(number)
    finally:
        book.close()
    if header is None:
        raise _fail(file, f"expected a header row in sheet {chosen!r}, found an empty sheet",
                    "choose the sheet with the data (--sheet)")
    del header_row
    unique = unique_names(header)
    frame = pl.DataFrame({name: pl.Series(name, col, dtype=pl.Utf8) for name, col in zip(unique, columns, strict=True)})
    frame = frame.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64))
    return RawTable(frame, file, path or Path(str(source)), sheet=chosen)
