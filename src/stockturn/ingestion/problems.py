"""Collect the problems of one file, at most `max_problems_per_file` of them listed, all of them counted."""

from __future__ import annotations

import polars as pl

from stockturn.errors import InputError, ValidationFailed

ROW = "__row"  # every raw frame carries the file line number of each row in this column


def shown(value: object, width: int = 40) -> str:
    """A found value as the message shows it: quoted, cut to `width` characters."""
    if value is None:
        return "an empty cell"
    text = str(value)
    if len(text) > width:
        text = text[: width - 3] + "..."
    return repr(text)


class Problems:
    """The problems found in one file. `raise_if_any` turns them into one ValidationFailed."""

    def __init__(self, file: str, limit: int) -> None:
        self.file = file
        self.limit = limit
        self.items: list[InputError] = []
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, *, row: int | None, column: str | None, expected: str, found: str, fix: str) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(
                InputError(f"expected {expected}, found {found}", hint=fix, file=self.file, row=row, column=column)
            )

    def add_rows(self, bad: pl.DataFrame, value: str, *, column: str, expected: str, fix: str) -> None:
        """One problem per row of `bad` (columns ROW and `value`); only the first few are materialised."""
        room = max(self.limit - len(self.items), 0)
        for row, found in bad.head(room).select(ROW, value).iter_rows():
            self.items.append(
                InputError(f"expected {expected}, found {shown(found)}", hint=fix, file=self.file, row=row,
                           column=column)
            )
        self.total += bad.height

    def extend(self, other: Problems) -> None:
        """Take over `other`'s problems as if they had been added here, after the ones already here."""
        room = max(self.limit - len(self.items), 0)
        self.items.extend(other.items[:room])
        self.total += other.total

    def raise_if_any(self) -> None:
        if self.total:  # listed in file order (they are found column by column)
            ordered = sorted(self.items, key=lambda problem: problem.row or 0)
            raise ValidationFailed(ordered, file=self.file, total=self.total)
