"""Small registers written as the columns of issue 12 §2, for the tests: text rows in, typed register out (through
the same parser a file goes through)."""

from __future__ import annotations

import polars as pl

from kaohe.registers import REGISTERS, parse_register


def register(kind: str, *rows: dict[str, str | None]) -> pl.DataFrame:
    """Rows with only the columns that matter; the others are empty (ids are filled in: R1, R2 …)."""
    spec = REGISTERS[kind]
    full = []
    for n, row in enumerate(rows, start=1):
        filled: dict[str, str | None] = dict.fromkeys(spec.ids)
        filled[spec.key] = f"R{n}"
        filled.update(row)
        full.append(filled)
    text = pl.DataFrame(full, schema=dict.fromkeys(spec.ids, pl.String))
    return parse_register(kind, text)
