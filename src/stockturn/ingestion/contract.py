"""The importer contract every source implements, and the typed column specs most of them are built from.

An importer says what it is (`name`, `description`, `targets`), how sure it is that a file is its
format (`detect(headers) -> score`, 0..1), and turns a raw file into typed frames, one per target table
(`parse(raw, ctx) -> Parsed`). Loading, SKU resolution, idempotency and audit are shared (ingestion.run),
so a new source is one new module in `stockturn.ingestion.sources`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Literal

import polars as pl

from stockturn.ingestion.problems import ROW, Problems
from stockturn.ingestion.readers import RawTable, normalize_header
from stockturn.ingestion.values import Kind, parse_kind
from stockturn.settings import Settings


@dataclass
class ImportContext:
    """What an import knows besides the file: settings, the --channel/--warehouse given, the day it runs."""

    settings: Settings
    problems: Problems
    channel: str | None = None
    warehouse: str | None = None
    as_of: date = field(default_factory=date.today)

    @property
    def file(self) -> str:
        return self.problems.file


@dataclass
class Parsed:
    """Typed frames keyed by target table (each with `__row`), and rows read but deliberately not loaded."""

    tables: dict[str, pl.DataFrame]
    rows_read: int
    skipped: int = 0
    unmapped: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Col:
    """One output column: the headers it may come from (first found wins), its kind, and if it must exist."""

    name: str
    headers: tuple[str, ...]
    kind: Kind = "str"
    required: bool = True
    default: Any = None
    formats: tuple[str, ...] | None = None


class Importer(ABC):
    """One source format. Subclasses set the class attributes and implement `parse`."""

    name: ClassVar[str]
    description: ClassVar[str]
    targets: ClassVar[tuple[str, ...]]
    signature: ClassVar[tuple[str, ...]]          # headers that together identify the format
    alias_types: ClassVar[tuple[str, ...]] = ("seller_sku", "erp_code", "shopify_sku", "barcode", "other")
    scope: ClassVar[Literal["channel", "warehouse"]] = "channel"
    default_channel: ClassVar[str | None] = None
    default_warehouse: ClassVar[str | None] = None

    def detect(self, headers: Iterable[str]) -> float:
        """Share of the signature headers present (1.0 = every one of them)."""
        present = {normalize_header(h) for h in headers}
        wanted = [normalize_header(h) for h in self.signature]
        return sum(h in present for h in wanted) / len(wanted) if wanted else 0.0

    @abstractmethod
    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        """Typed frames per target table; problems go to ctx.problems (the caller raises them)."""

    # helpers shared by sources -----------------------------------------------------------------------
    def channel(self, ctx: ImportContext) -> str:
        return ctx.channel or self.default_channel or self.name.upper()

    def warehouse(self, ctx: ImportContext) -> str:
        return ctx.warehouse or self.default_warehouse or self.name.upper()

    def mapping_columns(self) -> tuple[str, ...]:
        """Column names a mapping file may target (generic layouts override this)."""
        return ()

    def alias_scope(self, ctx: ImportContext) -> str:
        return (ctx.channel or "") if self.scope == "channel" else (ctx.warehouse or "")


def missing_columns(raw: RawTable, cols: Sequence[Col], ctx: ImportContext) -> bool:
    """Report required columns the file lacks; True when any is missing (typing the rest is pointless)."""
    missing = [c for c in cols if c.required and c.default is None and raw.column(*c.headers) is None]
    if missing:
        found = ", ".join(repr(h) for h in raw.headers[:12]) + (" ..." if len(raw.headers) > 12 else "")
        for col in missing:
            ctx.problems.add(row=1, column=col.headers[0], expected=f"a column {col.headers[0]!r}",
                             found=f"the columns {found}" if found else "no columns",
                             fix="rename the column, or describe the file with --mapping (see docs/importing.md)")
    return bool(missing)


def take(raw: RawTable, cols: Sequence[Col], ctx: ImportContext) -> pl.DataFrame:
    """A typed frame: `__row` plus one column per spec. Bad cells and empty required cells are reported.

    Columns are typed two at a time (Polars frees the GIL while it works; most string operations on one
    column use one core). Each column collects its problems apart and they are added in column order, so
    the problems listed are the same as one column after the other. The raw columns it reads are dropped
    from `raw.frame` once typed (headers stay known to `raw.column`).
    """
    out: dict[str, pl.Series] = {ROW: raw.frame[ROW]}
    rows = raw.frame[ROW]
    if missing_columns(raw, cols, ctx):
        return pl.DataFrame()
    headers = [raw.column(*col.headers) for col in cols]
    last_use = {header: i for i, header in enumerate(headers) if header is not None}
    with ThreadPoolExecutor(max_workers=TYPING_THREADS) as pool:
        typed = [None if header is None else pool.submit(_typed, col, raw.frame[header], rows, raw.label(header), ctx)
                 for col, header in zip(cols, headers, strict=True)]
        for i, (col, header, job) in enumerate(zip(cols, headers, typed, strict=True)):
            if header is None or job is None:
                out[col.name] = _constant(col, raw.frame.height)
                continue
            value, found = job.result()
            ctx.problems.extend(found)
            out[col.name] = value
            if last_use[header] == i:  # the text column is no longer needed: free it (big files, memory)
                raw.frame = raw.frame.drop(header)
    return pl.DataFrame(out)


TYPING_THREADS = 2


def _typed(col: Col, cells: pl.Series, rows: pl.Series, label: str, ctx: ImportContext) -> tuple[pl.Series, Problems]:
    """One typed column and the problems of its cells."""
    found = Problems(ctx.problems.file, ctx.problems.limit)
    formats = list(col.formats) if col.formats else None
    value = parse_kind(col.kind, cells, rows, found, label, order=ctx.settings.date_order, formats=formats)
    if col.default is not None:
        value = value.fill_null(col.default)
    elif col.required and value.null_count():
        blank = value.is_null() & _blank(cells)  # unreadable values were reported already
        if blank.any():
            bad = pl.DataFrame({ROW: rows}).with_columns(pl.lit(None, pl.Utf8).alias("value"))
            found.add_rows(bad.filter(blank), "value", column=label, expected="a value",
                           fix="fill in every row of this column")
    return value.alias(col.name), found


def _blank(series: pl.Series) -> pl.Series:
    if series.dtype == pl.Utf8:
        return series.is_null() | (series.str.strip_chars() == "")
    return series.is_null()


def _constant(col: Col, height: int) -> pl.Series:
    dtype: pl.DataType = {"float": pl.Float64(), "int": pl.Int64(), "date": pl.Date(), "datetime": pl.Datetime("us"),
                          "bool": pl.Boolean()}.get(col.kind, pl.Utf8())
    return pl.select(pl.repeat(col.default, height, dtype=dtype).alias(col.name)).to_series()
