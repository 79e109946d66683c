"""Planning test fixtures: a demo warehouse copy with a simple stored forecast run (a test double)."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_helpers import store_simple_forecast


@pytest.fixture
def planned_demo(demo_copy: Path) -> Path:
    store_simple_forecast(demo_copy)
    return demo_copy
