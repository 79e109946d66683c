"""Domain errors. Raised deep inside the library, translated to a message only at the edge (CLI, web).

Every message says what was expected, what was found, where, and how to fix it, so a user never needs
a traceback to act on it.
"""

from __future__ import annotations


class StockturnError(Exception):
    """Base of every error a user can cause and fix. `hint` says how to fix it."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message}; fix: {self.hint}" if self.hint else self.message


class SettingsError(StockturnError):
    """A setting has an invalid value (env, stockturn.toml or a flag)."""


class WarehouseError(StockturnError):
    """The warehouse file cannot be used as it is."""


class WarehouseNotFound(WarehouseError):
    """No warehouse file at the given path."""


class NotAWarehouse(WarehouseError):
    """The file exists but is not a DuckDB database, or not a stockturn one."""


class SchemaTooNew(WarehouseError):
    """The warehouse was written by a newer stockturn than this one."""


class WarehouseBusy(WarehouseError):
    """Another process holds the warehouse open for writing."""


class NotFound(StockturnError):
    """A named thing (SKU, warehouse, import, run...) does not exist."""


class InputError(StockturnError):
    """A user's input file or value is wrong. Carries the location so messages can point at it."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        where = ":".join(str(part) for part in (file, row, column) if part is not None)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.file = file
        self.row = row
        self.column = column


class ValidationFailed(StockturnError):
    """Several input problems found at once; `problems` lists them, one line each."""

    def __init__(self, problems: list[InputError], *, file: str, total: int | None = None) -> None:
        shown = len(problems)
        total = total if total is not None else shown
        more = f" (showing the first {shown})" if total > shown else ""
        lines = "\n".join(p.one_line() for p in problems)
        super().__init__(f"{file}: {total} problem(s){more}; nothing was loaded\n{lines}")
        self.problems = problems
        self.total = total
