"""Real-browser tests: a live uvicorn server on a free loopback port over a seeded copy of the demo
warehouse, driven by Playwright with Debian's chromium (/usr/bin/chromium; never `playwright install`)."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))  # the seed shared with tests/web
from web_seed import USERS, seed

from stockturn.settings import Settings
from stockturn.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_server(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a uvicorn server running the dashboard in a background thread."""
    path = tmp_path_factory.mktemp("browser") / "live.duckdb"
    path.write_bytes(demo_warehouse.read_bytes())
    seed(path)
    app = create_app(Settings(), db=path)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="live-dashboard", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dashboard server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=120)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) with a 1400x900 window, logged in as the planner."""
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1400, "height": 900}, accept_downloads=True, locale="en-US"
    )
    context.set_default_timeout(60_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto("/login")
    tab.fill("input[name=username]", "pat")
    tab.fill("input[name=password]", USERS["pat"][0])
    tab.click("form[action='/login'] button[type=submit]")
    tab.wait_for_url(f"{live_server}/")
    yield tab
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
