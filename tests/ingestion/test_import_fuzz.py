"""Malformed files thrown at every importer: a domain error or a complete load, never a traceback and never
a partial load."""

from __future__ import annotations

import gzip
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_helpers import run_import

from stockturn.errors import StockturnError
from stockturn.ingestion import importers
from stockturn.warehouse import open_warehouse

NAMES = sorted(importers())
CELLS = st.one_of(
    st.sampled_from(["", "0", "-1", "1.5", "1,234.5", "12,5", "abc", "2024-03-01", "03/04/2024", "2024-13-45",
                     "USD", "usd", "XXX", "NaN", "inf", "1e400", '"', '""', "\\", "Shipped", "Cancelled",
                     "receipt", "sea", "storage", "holiday", "水润面膜", "Ünïcødé", "d_1", "FOODS_3_001_TX_3"]),
    st.text(max_size=12),
)


def _headers(name: str) -> list[str]:
    importer = importers()[name]
    cols = getattr(importer, "cols", None)
    names = [c.headers[0] for c in cols] if cols else list(importer.signature)
    return names


@st.composite
def malformed(draw: st.DrawFn, name: str) -> tuple[bytes, str]:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300)), ".csv"
    headers = _headers(name)
    headers = draw(st.lists(st.sampled_from(headers), min_size=1, max_size=len(headers) + 2, unique=False))
    headers += draw(st.lists(st.sampled_from(["extra", "", "备注"]), max_size=2))
    delimiter = draw(st.sampled_from([",", "\t", ";", "|"]))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(headers) + 1), max_size=6))
    text = delimiter.join(headers) + "\n" + "".join(delimiter.join(r) + "\n" for r in rows)
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])), errors="replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.integers(0, 5)) == 0:
        return gzip.compress(data), ".csv.gz"
    return data, ".csv"


def _fingerprint(db: Path) -> dict[str, tuple[int, int]]:
    """Rows and a hash of their content per table: any partial load or change shows."""
    with open_warehouse(db, read_only=True) as wh:
        return {t: tuple(wh.con.execute(f'SELECT count(*), coalesce(sum(hash(x)), 0) FROM "{t}" x').fetchall()[0])
                for t in wh.tables()}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_malformed_files_never_traceback_never_partial(data: st.DataObject, db: Path, tmp_path: Path) -> None:
    name = data.draw(st.sampled_from([*NAMES, "auto"]), label="source")
    contents, suffix = data.draw(malformed(name if name != "auto" else data.draw(st.sampled_from(NAMES))),
                                 label="file")
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(contents)
    before = _fingerprint(db)
    try:
        run_import(db, path, source=name, channel="FUZZ", warehouse="FUZZ")
    except StockturnError as exc:
        assert exc.one_line()
        assert _fingerprint(db) == before
