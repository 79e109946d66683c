"""Import files: read, (map), detect, parse and validate, resolve SKUs, then write each file in ONE
transaction with its import_batch row. A file loads completely or not at all; a dry run does the same
work and rolls back, so its counts are exactly what a real import would do.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from stockturn.errors import InputError
from stockturn.ingestion.contract import ImportContext, Importer, Parsed
from stockturn.ingestion.mapping import apply_mapping, load_mapping
from stockturn.ingestion.problems import Problems
from stockturn.ingestion.readers import read_source
from stockturn.ingestion.registry import detect, get_importer
from stockturn.ingestion.resolve import resolve_skus
from stockturn.ingestion.upsert import TableStats, nullable, table_columns, upsert
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse
from stockturn.warehouse.keys import keyed_writes
from stockturn.warehouse.load import file_sha256, finish_import, start_import

Progress = Callable[[str], None]


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that everything written is rolled back."""


@dataclass
class ImportResult:
    file: str
    source: str
    import_id: int | None
    rows_read: int
    dry_run: bool = False
    skipped: int = 0
    tables: list[TableStats] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(t.added for t in self.tables)

    @property
    def replaced(self) -> int:
        return sum(t.replaced for t in self.tables)

    @property
    def unchanged(self) -> int:
        return sum(t.unchanged for t in self.tables)

    @property
    def rejected(self) -> int:
        return self.skipped + sum(t.duplicates for t in self.tables)

    @property
    def unmapped(self) -> int:
        return sum(t.unmapped for t in self.tables)


def parse_file(
    wh: Warehouse | None,
    path: Path,
    *,
    settings: Settings,
    source: str = "auto",
    channel: str | None = None,
    warehouse: str | None = None,
    mapping: Path | None = None,
    sheet: str | None = None,
    as_of: date | None = None,
) -> tuple[Importer, Parsed]:
    """Read and validate one file; raises ValidationFailed (at most max_problems_per_file listed)."""
    spec = load_mapping(mapping) if mapping is not None else None
    raw = read_source(path, sheet=sheet or (spec.sheet if spec else None))
    problems = Problems(raw.file, settings.max_problems_per_file)
    if spec is not None:
        if source not in ("auto", spec.layout):
            raise InputError(f"expected source {spec.layout} (from the mapping), found {source}", file=str(mapping),
                             hint="leave SOURCE as auto when giving --mapping, or change layout in the mapping")
        importer = get_importer(spec.layout)
        raw = apply_mapping(spec, raw, problems, set(importer.mapping_columns()))
        problems.raise_if_any()
    else:
        importer = detect(raw.headers, raw.file) if source == "auto" else get_importer(source)
    ctx = ImportContext(settings=settings, problems=problems, channel=channel, warehouse=warehouse,
                        as_of=as_of or date.today())
    try:
        parsed = importer.parse(raw, ctx)
    except pl.exceptions.PolarsError as exc:  # a shape no check anticipated: still a user-facing message
        problems.raise_if_any()
        raise InputError(
            f"expected a {importer.name} file, found one that cannot be read as such "
            f"({str(exc).splitlines()[0][:160]})",
            hint="check that SOURCE matches the file, or describe the file with --mapping", file=raw.file,
        ) from None
    problems.raise_if_any()
    if wh is not None:
        _resolve(wh, importer, ctx, parsed)
    return importer, parsed


def _resolve(wh: Warehouse, importer: Importer, ctx: ImportContext, parsed: Parsed) -> None:
    """Set sku_id from source_sku. Where the table cannot hold a NULL sku_id (it is part of the key), an
    unmapped identifier stands in for itself; `parsed.unmapped` counts unmapped rows either way."""
    for table, frame in list(parsed.tables.items()):
        if "source_sku" not in frame.columns or "sku_id" not in table_columns(wh, table):
            continue
        # without --channel/--warehouse, each row is scoped by its own channel/warehouse column, if it has one
        by_row = None if (ctx.channel if importer.scope == "channel" else ctx.warehouse) else (
            "channel_id" if importer.scope == "channel" else "warehouse_id")
        resolved = resolve_skus(wh, frame, importer.alias_scope(ctx), alias_types=importer.alias_types,
                                scope_column=by_row)
        parsed.unmapped[table] = int(resolved["sku_id"].null_count())
        if not nullable(wh, table, "sku_id"):
            resolved = resolved.with_columns(pl.col("sku_id").fill_null(pl.col("source_sku")))
        parsed.tables[table] = resolved


def import_file(
    wh: Warehouse,
    path: Path,
    *,
    settings: Settings,
    source: str = "auto",
    channel: str | None = None,
    warehouse: str | None = None,
    mapping: Path | None = None,
    sheet: str | None = None,
    as_of: date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file in one transaction (rolled back on any error, or at the end of a dry run)."""
    say = progress or (lambda _stage: None)
    say(f"reading {path.name}")
    with ThreadPoolExecutor(max_workers=1) as pool:  # hash the file while it is parsed (hashlib frees the GIL)
        hashing = pool.submit(file_sha256, path)
        importer, parsed = parse_file(wh, path, settings=settings, source=source, channel=channel,
                                      warehouse=warehouse, mapping=mapping, sheet=sheet, as_of=as_of)
        digest = hashing.result()
    result = ImportResult(file=path.name, source=importer.name, import_id=None, rows_read=parsed.rows_read,
                          dry_run=dry_run, skipped=parsed.skipped)
    try:
        with keyed_writes(wh), wh.transaction():
            import_id = start_import(wh, source=importer.name, file_name=str(path.name), file_hash=digest,
                                     target_table=",".join(parsed.tables))
            say("writing")
            for table in list(parsed.tables):  # popped: each frame is freed as soon as it is written (memory)
                stats = upsert(wh, table, parsed.tables.pop(table), import_id=import_id, file=path.name)
                stats.unmapped = parsed.unmapped.get(table, 0)
                result.tables.append(stats)
            finish_import(wh, import_id, read=parsed.rows_read, added=result.added, replaced=result.replaced,
                          rejected=result.rejected)
            wh.con.execute(
                "UPDATE import_batch SET rows_unchanged = ?, channel_id = ?, warehouse_id = ? WHERE import_id = ?",
                [result.unchanged, channel, warehouse, import_id],
            )
            say("committing")
            if dry_run:
                raise _DryRun
            result.import_id = import_id
    except _DryRun:
        pass
    return result

