"""Helpers for the browser tests (imported by name: conftest modules must not be imported directly)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/NAME.png (gitignored; look at them)."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target
