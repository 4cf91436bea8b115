"""Text kaohe writes to Excel stays text: a unit name or explanation can never become a live formula.

openpyxl stores a string that starts with ``=`` as a formula, and spreadsheet programs also evaluate cells that
start with ``+``, ``-`` or ``@`` (and a tab or carriage return in front of those). As OWASP's "CSV Injection" page
advises, every such text gets a leading apostrophe ``'``: the cell is the string ``'=HYPERLINK(…)``, shown as
written and never evaluated. Numbers, booleans, dates and empty cells pass through unchanged.

Every openpyxl writer in kaohe goes through :func:`safe` (one value) or :func:`safe_row` (a row for
``ws.append``); when kaohe reads one of its own workbooks back (the self-evaluation sheet, the inputs template)
:func:`restore` (or :data:`PREFIXED` for a Polars column) removes exactly that apostrophe, so text round-trips
unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# OWASP, CSV Injection: cells beginning with these characters are interpreted as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"
# A string kaohe prefixed, as a regular expression (for Polars' str.contains): the apostrophe and one of the above.
PREFIXED = r"^'[=+\-@\t\r]"


def safe(value: Any) -> Any:
    """``value`` as an Excel cell may hold it: text that a spreadsheet would read as a formula gets ``'`` in front."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return PREFIX + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``Worksheet.append``, every cell through :func:`safe`."""
    return [safe(v) for v in values]


def restore(value: Any) -> Any:
    """The text :func:`safe` was given: removes the one apostrophe it adds, and nothing else."""
    if isinstance(value, str) and value.startswith(PREFIX) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
