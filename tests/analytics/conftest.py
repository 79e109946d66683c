"""Tiny temporary warehouses for hand-computed metric cases (helpers in analytics_tiny.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stockturn.warehouse import Warehouse, open_warehouse


@pytest.fixture
def tiny(tmp_path: Path) -> Iterator[Callable[[], Warehouse]]:
    """Factory of empty warehouses (closed at the end of the test)."""
    opened: list[Warehouse] = []

    def make() -> Warehouse:
        wh = open_warehouse(tmp_path / f"t{len(opened)}.duckdb", create=True)
        opened.append(wh)
        return wh

    yield make
    for wh in opened:
        wh.close()
