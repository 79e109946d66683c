"""Mapping files: load any ERP/WMS export onto a generic layout without code.

```toml
layout = "generic_stock_snapshots"       # the importer the mapped file is fed to
sheet = "库存"                           # optional, for XLSX
[columns]                                # layout column = header in the export
sku = "商品编码"
on_hand = "可用数量"
snapshot_date = "盘点日期"
[constants]                              # layout column = the same value on every row
warehouse = "CN-HOME"
[dates]                                  # layout column = strftime format of the export's dates
snapshot_date = "%Y年%m月%d日"
[units]                                  # layout column = unit the export uses (converted to ours)
weight_kg = "g"
[scale]                                  # layout column = factor to multiply by (any unit change)
qty = 12
[values.status]                          # layout column -> {export value = our value}
"已发货" = "shipped"
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from stockturn.errors import InputError
from stockturn.ingestion.problems import ROW, Problems
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.values import parse_datetime, parse_float

# factor from the named unit to stockturn's unit of that quantity (kg, cm, units)
UNIT_FACTORS = {
    "kg": 1.0, "g": 0.001, "lb": 0.45359237, "lbs": 0.45359237, "oz": 0.028349523125, "t": 1000.0,
    "cm": 1.0, "mm": 0.1, "m": 100.0, "in": 2.54, "inch": 2.54, "inches": 2.54, "ft": 30.48,
    "unit": 1.0, "units": 1.0, "pcs": 1.0, "each": 1.0, "pair": 2.0, "dozen": 12.0,
}
_KNOWN_KEYS = {"layout", "sheet", "columns", "constants", "dates", "units", "scale", "values", "description"}


@dataclass
class Mapping:
    path: Path
    layout: str
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def targets(self) -> set[str]:
        return set(self.columns) | set(self.constants) | set(self.dates) | set(self.scale) | set(self.values)


def _table(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise InputError(f"expected a [{key}] table, found {type(value).__name__}", file=str(path),
                         hint=f"write [{key}] followed by name = value lines")
    return value


def load_mapping(path: Path) -> Mapping:
    if not path.is_file():
        raise InputError("no such mapping file", file=str(path), hint="check the --mapping path")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"expected a TOML mapping file, found invalid TOML ({exc})", file=str(path),
                         hint="fix the syntax (see docs/importing.md for an example)") from None
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise InputError(f"expected keys {sorted(_KNOWN_KEYS)}, found {unknown}", file=str(path),
                         hint="remove or rename those keys")
    layout = data.get("layout")
    if not isinstance(layout, str):
        raise InputError("expected layout = \"generic_...\", found none", file=str(path),
                         hint="name the layout the export is mapped onto, e.g. layout = \"generic_orders\"")
    scale = {k: float(v) for k, v in _table(data, "scale", path).items()}
    for column, unit in _table(data, "units", path).items():
        factor = UNIT_FACTORS.get(str(unit).lower())
        if factor is None:
            raise InputError(f"expected a unit in {sorted(UNIT_FACTORS)}, found {unit!r}", file=str(path),
                             column=f"units.{column}", hint="use [scale] with an explicit factor instead")
        scale[column] = scale.get(column, 1.0) * factor
    values = {k: {str(a): str(b) for a, b in v.items()} for k, v in _table(data, "values", path).items()}
    return Mapping(
        path=path, layout=layout, sheet=data.get("sheet"),
        columns={k: str(v) for k, v in _table(data, "columns", path).items()},
        constants={k: str(v) for k, v in _table(data, "constants", path).items()},
        dates={k: str(v) for k, v in _table(data, "dates", path).items()},
        scale=scale, values=values,
    )


def apply_mapping(mapping: Mapping, raw: RawTable, problems: Problems, allowed: set[str]) -> RawTable:
    """The export seen through the mapping: layout column names, constants, converted values."""
    bad_targets = sorted(mapping.targets() - allowed)
    if bad_targets:
        raise InputError(f"expected columns of {mapping.layout} ({', '.join(sorted(allowed))}), "
                         f"found {', '.join(bad_targets)}", file=str(mapping.path),
                         hint="use the layout's column names on the left-hand side")
    frame = raw.frame
    out: dict[str, pl.Series] = {ROW: frame[ROW]}
    for target, header in mapping.columns.items():
        found = raw.column(header)
        if found is None:
            problems.add(row=1, column=header, expected=f"a column {header!r} (mapped to {target})",
                         found="the columns " + ", ".join(repr(h) for h in raw.headers[:12]),
                         fix=f"correct [columns] {target} in {mapping.path.name}")
            continue
        out[target] = frame[found].alias(target)
    for target, value in mapping.constants.items():
        out[target] = pl.Series(target, [value] * frame.height, dtype=pl.Utf8)
    for target, table in mapping.values.items():
        if target in out:
            out[target] = out[target].cast(pl.Utf8).str.strip_chars().replace(table)
    rows = frame[ROW]
    for target, fmt in mapping.dates.items():
        if target in out:
            out[target] = parse_datetime(out[target], rows, problems, mapping.columns.get(target, target),
                                         order="dmy", formats=[fmt])
    for target, factor in mapping.scale.items():
        if target in out:
            out[target] = parse_float(out[target], rows, problems, mapping.columns.get(target, target)) * factor
    labels = {target: header for target, header in mapping.columns.items() if target in out}
    return RawTable(pl.DataFrame(out), raw.file, raw.path, encoding=raw.encoding, delimiter=raw.delimiter,
                    sheet=raw.sheet, labels=labels)
