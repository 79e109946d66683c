"""Generic layouts: a documented column list per target table, which any export can be mapped onto.

A layout is a `GenericImporter` subclass with `cols` (the first header of each Col is the layout's
column name, the others are accepted synonyms), `target`, and optionally `finish` for derived values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed, take
from stockturn.ingestion.problems import ROW
from stockturn.ingestion.readers import RawTable, normalize_header

LINE_TYPES = ("product", "return", "shipping", "fee", "adjustment", "sample", "other")


class GenericImporter(Importer):
    cols: ClassVar[tuple[Col, ...]]
    target: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "cols" in cls.__dict__:
            cls.signature = tuple(c.headers[0] for c in cls.cols if c.required and c.default is None)
            cls.targets = cls.__dict__.get("targets", (cls.target,))

    def detect(self, headers: Iterable[str]) -> float:
        """Share of required columns present under any of their accepted names."""
        present = {normalize_header(h) for h in headers}
        required = [c for c in self.cols if c.required and c.default is None]
        hits = sum(any(normalize_header(h) in present for h in c.headers) for c in required)
        return hits / len(required) if required else 0.0

    def mapping_columns(self) -> tuple[str, ...]:
        return tuple(c.headers[0] for c in self.cols)

    def parse(self, raw: RawTable, ctx: ImportContext) -> Parsed:
        frame = take(raw, self.cols, ctx)
        if ctx.problems:
            return Parsed({}, raw.frame.height)
        tables = self.finish(frame, raw, ctx)
        return Parsed(tables, raw.frame.height)

    def finish(self, frame: pl.DataFrame, raw: RawTable, ctx: ImportContext) -> dict[str, pl.DataFrame]:
        return {self.target: frame}

    # helpers ------------------------------------------------------------------------------------------
    def header(self, raw: RawTable, name: str) -> str:
        col = next(c for c in self.cols if c.name == name)
        return raw.label(raw.column(*col.headers) or col.headers[0])


def check_in(frame: pl.DataFrame, column: str, allowed: Sequence[str], ctx: ImportContext, header: str) -> None:
    """Report values of `column` outside `allowed` (NULLs are not checked here)."""
    bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(list(allowed)))
    if bad.height:
        ctx.problems.add_rows(bad, column, column=header, expected="one of " + ", ".join(allowed),
                              fix="use one of those values (a mapping file can translate yours: [values])")


def check_min(frame: pl.DataFrame, column: str, minimum: float, ctx: ImportContext, header: str, *,
              strict: bool = False) -> None:
    cond = pl.col(column) <= minimum if strict else pl.col(column) < minimum
    bad = frame.filter(cond)
    if bad.height:
        word = "greater than" if strict else "at least"
        ctx.problems.add_rows(bad, column, column=header, expected=f"a number {word} {minimum:g}",
                              fix="correct the value (negative stock or prices are not possible)")


def fill_context(
    frame: pl.DataFrame, column: str, value: str | None, ctx: ImportContext, *, option: str
) -> pl.DataFrame:
    """Fill an id column (channel, warehouse) from --channel/--warehouse; report rows left without one."""
    if value is not None:
        frame = frame.with_columns(pl.col(column).fill_null(value))
    missing = frame.filter(pl.col(column).is_null())
    if missing.height:
        ctx.problems.add_rows(missing, column, column=column, expected=f"a {column} value",
                              fix=f"add a {column} column, or pass {option} for the whole file")
    return frame


def content_key(frame: pl.DataFrame, columns: Sequence[str]) -> pl.Expr:
    """A natural key built from content (stable across re-imports and overlapping exports)."""
    del frame
    return pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in columns], separator="|")


def rank_in(group: str) -> pl.Expr:
    """1, 2, ... within each `group`, in file order (line numbers when a source has none)."""
    return (pl.col(ROW).rank("ordinal").over(group)).cast(pl.Int32)


def fill_rank(frame: pl.DataFrame, column: str, group: str) -> pl.DataFrame:
    """Fill missing `column` values with rank_in(group); skips the (costly) window when nothing is missing."""
    if frame[column].null_count() == 0:
        return frame.with_columns(pl.col(column).cast(pl.Int32))
    return frame.with_columns(pl.col(column).fill_null(rank_in(group)).cast(pl.Int32))
