"""Shared fixtures: real DuckDB files, never mocks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stockturn.demo.build import build_demo_warehouse

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse, built once per test session. Read-only: copy it before writing."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo_warehouse(path)
    return path


@pytest.fixture
def demo_copy(demo_warehouse: Path, tmp_path: Path) -> Iterator[Path]:
    """A private, writable copy of the demo warehouse."""
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(demo_warehouse.read_bytes())
    yield copy


@pytest.fixture
def shared_data() -> Path:
    """The real datasets in ../shared/data (read-only)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real data folder missing: {SHARED_DATA}")
    return SHARED_DATA
