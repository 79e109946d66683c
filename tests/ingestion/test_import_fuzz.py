"""Malformed files thrown at every importer: a domain error or a complete load, never a traceback and never
a partial load."""

from __future__ import annotations

import gzip
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stockturn.errors import StockturnError
from stockturn.ingestion import import_file, importers
from stockturn.settings import Settings
from stockturn.warehouse import Warehouse, open_warehouse

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


def _fingerprint(wh: Warehouse) -> dict[str, tuple[int, int]]:
    """Rows and a hash of their content per table: any partial load or change shows."""
    out = {}
    for table in wh.tables():
        count, digest = wh.con.execute(f'SELECT count(*), coalesce(sum(hash(x)), 0) FROM "{table}" x').fetchall()[0]
        out[table] = (int(count), int(digest))
    return out


def test_malformed_files_never_traceback_never_partial(db: Path, tmp_path: Path) -> None:
    with open_warehouse(db) as wh:

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(data=st.data())
        def check(data: st.DataObject) -> None:
            name = data.draw(st.sampled_from([*NAMES, "auto"]), label="source")
            layout = name if name != "auto" else data.draw(st.sampled_from(NAMES), label="layout")
            contents, suffix = data.draw(malformed(layout), label="file")
            path = tmp_path / f"fuzz{suffix}"
            path.write_bytes(contents)
            before = _fingerprint(wh)
            try:
                import_file(wh, path, settings=Settings(), source=name, channel="FUZZ", warehouse="FUZZ")
            except StockturnError as exc:
                assert exc.one_line()
                assert _fingerprint(wh) == before

        check()
