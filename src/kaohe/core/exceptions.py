"""Errors of the pure core.

    KaoheError                      base of everything kaohe raises on purpose
    └── UserInputError              a user's file or value is wrong; carries one Problem per mistake
        ├── SchemeError             a scheme YAML is invalid (file, line, key, what was expected)
        └── InputTableError         an inputs / monitoring table is invalid (file, sheet, row, column)

    Problem                         one mistake: message, and where and what, as fields
        file, sheet, line (= row)   the file, the sheet (Excel), the 1-based row (header = row 1) or YAML line
        column, key                 the column's header, the YAML key
        expected, found             what the cell should hold (``整数 (a whole number)``) and what it held (``1.5``)

The command line prints every Problem on its own line and exits with status 2, without a traceback; the
message a user reads is ``str(problem)`` (the structured fields add no text to it, so a screen can place
``expected`` next to its field without re-splitting the message).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake, located as precisely as the source allows."""

    message: str
    file: str | None = None
    sheet: str | None = None
    line: int | None = None  # YAML line or 1-based table row (header = row 1 in spreadsheets)
    column: str | None = None
    key: str | None = None
    expected: str | None = None
    found: str | None = None

    @property
    def row(self) -> int | None:
        """The table row (``line`` of a table; None for a YAML line)."""
        return self.line if self.key is None else None

    def __str__(self) -> str:
        where: list[str] = []
        if self.file:
            where.append(self.file)
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.line is not None:
            where.append(f"line {self.line}" if self.key is not None else f"row {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        if self.key:
            where.append(f"key {self.key}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class KaoheError(Exception):
    """Base class of kaohe's own errors."""


class UserInputError(KaoheError):
    """A user mistake. ``problems`` lists every mistake found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = problems
        super().__init__("\n".join(str(p) for p in problems))


class SchemeError(UserInputError):
    """The scheme YAML is invalid."""


class InputTableError(UserInputError):
    """An input table (Excel, CSV, Parquet) is invalid."""
