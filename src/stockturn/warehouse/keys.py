"""Natural keys of the tables: a DuckDB PRIMARY KEY, or a key declared in `natural_key` that the writers
enforce in SQL themselves (sales_line since migration 060: its index made large imports twice as slow).

Every writer that can add rows to a table with a declared key must keep it unique: the importer
(anti-join against the table, repeats inside a file dropped first), import undo and master-data undo
(re-insert only where the key is free, or delete the key first). `duplicate_keys` counts violations;
the tests call it after every kind of write.

DuckDB would refuse two concurrent transactions that insert the same primary key; a declared key has no
index to conflict on, so writers to such tables hold `keyed_writes(wh)` for their whole transaction (one
writer at a time within the process; DuckDB's file lock allows only one writing process).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from stockturn.warehouse.connection import Warehouse

_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def primary_keys(wh: Warehouse) -> dict[str, tuple[str, ...]]:
    """Table -> its DuckDB primary key columns."""
    rows = wh.con.execute(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
        "WHERE constraint_type = 'PRIMARY KEY' AND schema_name = 'main'"
    ).fetchall()
    return {str(table): tuple(columns) for table, columns in rows}


def declared_keys(wh: Warehouse) -> dict[str, tuple[str, ...]]:
    """Table -> natural key columns that no index enforces (the `natural_key` table)."""
    if "natural_key" not in wh.tables():
        return {}
    rows = wh.con.execute("SELECT table_name, key_columns FROM natural_key").fetchall()
    return {str(table): tuple(columns) for table, columns in rows}


def natural_keys(wh: Warehouse) -> dict[str, tuple[str, ...]]:
    """Table -> natural key: the primary key, or the declared one."""
    return {**primary_keys(wh), **declared_keys(wh)}


def natural_key(wh: Warehouse, table: str) -> list[str]:
    """The natural key columns of `table` ([] when it has none)."""
    return list(natural_keys(wh).get(table, ()))


def is_declared(wh: Warehouse, table: str) -> bool:
    """True when `table`'s key is enforced by stockturn's writers, not by a DuckDB index."""
    return table in declared_keys(wh)


def duplicate_keys(wh: Warehouse, table: str) -> int:
    """Rows of `table` beyond the first for each natural key value (0 when the key holds)."""
    keys = natural_key(wh, table)
    if not keys:
        return 0
    columns = ", ".join(f'"{k}"' for k in keys)
    rows = wh.con.execute(f'SELECT count(*) - count(DISTINCT ({columns})) FROM "{table}"').fetchall()
    return int(rows[0][0])


@contextmanager
def keyed_writes(wh: Warehouse) -> Iterator[None]:
    """Hold while a transaction may add rows to a table with a declared key (re-entrant)."""
    name = str(wh.path.resolve())
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(name, threading.RLock())
    with lock:
        yield
