"""The layering of STYLE.md, held by a test: imports flow one way, only `warehouse` connects to DuckDB."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "stockturn"

BASE = {"errors", "settings", "phrases", "__init__"}
# package -> the stockturn packages it may import (besides BASE and itself)
ALLOWED = {
    "warehouse": set(),
    "ingestion": {"warehouse", "masterdata"},
    "masterdata": {"warehouse", "ingestion"},
    "analytics": {"warehouse"},
    "forecasting": {"warehouse", "analytics"},
    "planning": {"warehouse", "analytics", "forecasting"},
    "reports": {"warehouse", "analytics", "forecasting", "planning"},
    "demo": {"warehouse"},
}


def _stockturn_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "stockturn" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_imports_flow_one_way() -> None:
    problems = []
    for package, allowed in ALLOWED.items():
        for path in sorted((PACKAGE / package).rglob("*.py")):
            bad = _stockturn_imports(path) - allowed - BASE - {package}
            if bad:
                problems.append(f"{path.relative_to(PACKAGE)} imports {sorted(bad)}")
    assert not problems, "layering broken:\n" + "\n".join(problems)


def test_only_the_warehouse_opens_connections() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "duckdb.connect(" in path.read_text(encoding="utf-8") and path.parent.name != "warehouse"
    ]
    assert not offenders, f"duckdb.connect outside stockturn.warehouse: {offenders}"
