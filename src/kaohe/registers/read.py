"""Read a register file (.csv, .xlsx, .parquet) all or nothing, every mistake located by file, sheet, row and column.

    read_register(kind, path, sheet=None, notes=None) -> DataFrame      a file, after kaohe.core.guards.input_file
    parse_register(kind, frame, file=None, sheet=None) -> DataFrame     a table already in memory (text or typed:
                                                                        what the web app builds from its rows)

The file is read by ``kaohe.core.tables.read_raw`` (UTF-8 or GBK CSV, the first visible sheet of an .xlsx that is
not the template's 说明, Parquet; formula errors and merged cells refused) and every cell by the one value
vocabulary, ``kaohe.core.values`` (yes/no, dates, the wording of a mistake). The result has one column per column of
the register (``kinds.REGISTERS[kind].ids``, in that order): keys, text and words as String, yes/no as Boolean, dates
as Date; empty cells are null. A header may be the column id, the template's header (``整改时限 [deadline]``) or its
Chinese label alone; every column must be there, and a column the register does not have is refused (a misspelt
``dealine`` would otherwise leave every deadline empty) unless its header starts with ``_``. A register without rows
is valid: a year without incidents is a good year.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from kaohe.core import values
from kaohe.core.exceptions import InputTableError, Problem
from kaohe.core.guards import input_file
from kaohe.core.scheme import InputDef
from kaohe.core.tables import read_raw
from kaohe.registers.kinds import Column, RegisterKind, register_kind

MAX_REPORTED = 20  # problems reported per column (as kaohe.core.inputs)
_ID_IN_HEADER = re.compile(r"\[([A-Za-z_][A-Za-z0-9_]*)\]\s*$")
_DTYPES: dict[str, pl.DataType] = {
    "key": pl.String(),
    "text": pl.String(),
    "choice": pl.String(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
}


def _kind(kind: str | RegisterKind) -> RegisterKind:
    return kind if isinstance(kind, RegisterKind) else register_kind(kind)


def empty_register(kind: str | RegisterKind) -> pl.DataFrame:
    """A register without rows, in the dtypes :func:`parse_register` returns."""
    register = _kind(kind)
    return pl.DataFrame(schema={c.id: _DTYPES[c.kind] for c in register.columns})


def read_register(
    kind: str | RegisterKind, path: str | Path, sheet: str | None = None, notes: list[str] | None = None
) -> pl.DataFrame:
    """The register file at ``path``, typed; :class:`InputTableError` lists every mistake. ``notes`` receives what
    a person should know about how the file was read (a hidden sheet skipped)."""
    input_file(path)  # a directory, a device, a damaged or inflating .xlsx: refused before reading
    frame, sheet = read_raw(path, sheet, notes)
    return parse_register(kind, frame, file=str(path), sheet=sheet)


def _header_ids(register: RegisterKind, headers: list[str]) -> dict[str, str]:
    labels = {c.label: c.id for c in register.columns}
    out: dict[str, str] = {}
    for header in headers:
        text = str(header).strip()
        match = _ID_IN_HEADER.search(text)
        out[header] = match.group(1) if match else labels.get(text, text)
    return out


def parse_register(
    kind: str | RegisterKind, frame: pl.DataFrame, file: str | None = None, sheet: str | None = None
) -> pl.DataFrame:
    """``frame`` (text, or columns a reader or the web app already typed) as the typed register; every mistake
    in one :class:`InputTableError`, rows numbered as in a spreadsheet (the header is row 1)."""
    register = _kind(kind)
    where: dict[str, Any] = {"file": file, "sheet": sheet}
    ids = _header_ids(register, frame.columns)
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for header, column_id in ids.items():
        if column_id in seen:
            message = f"列 {column_id} 出现两次 (column {column_id!r} given twice: {seen[column_id]!r}, {header!r})"
            problems.append(Problem(message, column=header, **where))
        seen[column_id] = header
    for column in register.columns:
        if column.id not in seen:
            message = f"缺少列 {column.header} (missing column {column.id!r} of the {register.id} register)"
            problems.append(Problem(message, column=column.header, **where))
    for header, column_id in ids.items():
        if column_id not in register.ids and not column_id.startswith("_"):
            expected = "、".join(register.ids)
            message = f"未知列 “{header}” (unknown column {header!r}; the {register.id} register has {expected})"
            problems.append(Problem(message, column=header, expected=expected, found=header, **where))
    if problems:
        raise InputTableError(problems)
    text = frame.select(pl.col(seen[c.id]).cast(pl.String).alias(c.id) for c in register.columns)
    if text.height == 0:
        return empty_register(register)
    typed: list[pl.Series] = []
    for column in register.columns:
        series, bad = _parse(column, text.get_column(column.id))
        typed.append(series)
        problems += [_problem(column, index, cell, message, expected, where) for index, cell, message, expected in bad]
    problems += _duplicates(register, text, where)
    if problems:
        order = {c.header: i for i, c in enumerate(register.columns)}
        problems.sort(key=lambda p: (p.line or 0, order.get(p.column or "", 0)))
        raise InputTableError(problems)
    return pl.DataFrame(typed)


def _spec(column: Column) -> InputDef:
    """The column as an input of the value vocabulary (its grammar, its words for a mistake)."""
    if column.kind == "choice":
        return InputDef(id=column.id, name=column.label, kind="category", choices=list(column.choices))
    return InputDef(id=column.id, name=column.label, kind="boolean")


Bad = tuple[int, Any, str, str]  # row index, cell, message, what was expected


def _parse(column: Column, series: pl.Series) -> tuple[pl.Series, list[Bad]]:
    """One column typed, and its bad cells (at most MAX_REPORTED)."""
    bad: list[Bad] = []
    if column.kind == "date":
        typed, wrong = values.parse_date_column(series)
        bad += [(i, cell, values.not_valid(cell, why), str(why)) for i, cell, why in wrong]
    elif column.kind == "boolean":
        typed, wrong = values.parse_column(_spec(column), series)
        bad += [(i, cell, values.not_valid(cell, why), str(why)) for i, cell, why in wrong]
    else:
        stripped = pl.col("t").str.strip_chars()
        typed = pl.DataFrame({"t": series}).select(pl.when(stripped != "").then(stripped)).to_series()
        if column.kind == "choice":
            spec = _spec(column)
            outside = typed.is_not_null() & ~typed.is_in(column.choices)
            for i in outside.arg_true().head(MAX_REPORTED).to_list():
                bad.append((i, typed[i], values.not_a_choice(typed[i], spec), str(values.choices_text(spec))))
    if column.required:
        empty_rows = series.str.strip_chars().fill_null("").eq("").arg_true().head(MAX_REPORTED).to_list()
        what = "、".join(column.choices) if column.choices else column.label
        for i in empty_rows:
            bad.append((i, "", f"{column.label}不能为空 (empty {column.id!r}; every row needs one)", what))
    bad.sort(key=lambda b: b[0])
    return typed.cast(_DTYPES[column.kind]).alias(column.id), bad[:MAX_REPORTED]


def _problem(column: Column, index: int, cell: Any, message: str, expected: str, where: dict[str, Any]) -> Problem:
    found = "" if cell is None else str(cell)
    return Problem(message, line=index + 2, column=column.header, expected=expected, found=found, **where)


def _duplicates(register: RegisterKind, text: pl.DataFrame, where: dict[str, Any]) -> list[Problem]:
    """Each row once: a row id given twice would be counted twice."""
    key = text.get_column(register.key).str.strip_chars()
    column = register.column(register.key)
    dup = (key.is_duplicated() & key.is_not_null() & (key != "")).arg_true().head(MAX_REPORTED).to_list()
    return [
        Problem(
            f"{column.label} “{key[i]}” 重复出现 (duplicate {register.key} {key[i]!r}; one row per {register.key})",
            line=i + 2,
            column=column.header,
            expected=f"每个{column.label}一行",
            found=str(key[i]),
            **where,
        )
        for i in dup
    ]
