"""Web tests run in-process (FastAPI TestClient) against real DuckDB copies of the seeded demo warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import Client, login
from web_seed import seed

from stockturn.settings import Settings
from stockturn.web import create_app


@pytest.fixture(scope="session")
def seeded(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A demo warehouse with a forecast, a plan, alerts and users ada (admin), pat (planner), vic (viewer)."""
    path = tmp_path_factory.mktemp("web") / "seeded.duckdb"
    path.write_bytes(demo_warehouse.read_bytes())
    return path, seed(path)


@pytest.fixture(scope="session")
def shared_app(seeded: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One app over one copy of the seeded warehouse for tests that only read: its caches are computed once."""
    copy = tmp_path_factory.mktemp("web") / "shared.duckdb"
    copy.write_bytes(seeded[0].read_bytes())
    app = create_app(Settings(), db=copy, warm_caches=False)
    yield app
    app.state.ctx.warehouse.close()


@pytest.fixture
def reader(shared_app: Any) -> Client:
    """Factory: a TestClient on the shared app, logged in as `user` (reads only; do not change data here)."""

    def make(user: str | None = None) -> TestClient:
        test_client = TestClient(shared_app, base_url="http://127.0.0.1")
        if user:
            login(test_client, user)
        return test_client

    return make


@pytest.fixture
def client(seeded: tuple[Path, dict[str, Any]], tmp_path: Path) -> Iterator[Client]:
    """Factory: a TestClient over a private copy of the seeded warehouse, logged in as `user` (or anonymous)."""
    opened: list[TestClient] = []

    def make(user: str | None = None, *, settings: Settings | None = None, source: Path | None = None) -> TestClient:
        copy = tmp_path / f"w{len(opened)}.duckdb"
        copy.write_bytes((source or seeded[0]).read_bytes())
        app = create_app(settings or Settings(), db=copy, warm_caches=False)
        test_client = TestClient(app, base_url="http://127.0.0.1")
        test_client.__enter__()
        opened.append(test_client)
        if user:
            login(test_client, user)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)
