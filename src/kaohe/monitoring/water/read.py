"""Reading a section-measurement table (CSV, xlsx, Parquet) into a validated, typed frame: :func:`read_sections`.
Every mistake is reported at once in one :class:`InputTableError` (file, row, column, expected)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl

from kaohe.core.exceptions import InputTableError, Problem
from kaohe.monitoring.water.classify import _class_label, _present
from kaohe.monitoring.water.tables import (
    _CLASS_ALIASES,
    _IGNORED,
    _LEVEL_ALIASES,
    _OPTIONAL,
    _REQUIRED,
    _WATERBODY_ALIASES,
    LEVELS,
    PARAMETERS,
    SECTION_TYPES,
)

# --------------------------------------------------------------------------------------------------- reading

_NUMBER = r"[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+"
_BELOW_LIMIT = re.compile(rf"^\s*(?:<\s*(?P<lt>{_NUMBER})|(?P<flag>{_NUMBER})\s*[lL])\s*$")
_NOT_DETECTED = ("nd", "n.d.", "未检出")
_MAX_PROBLEMS = 50


def _parse_concentrations(raw: pl.Expr, allow_below_limit: bool) -> pl.Expr:
    """Strings -> Float64 following the detection-limit convention of the module docstring; unparsable -> NaN
    (so that it can be told apart from an empty cell, which is null)."""
    text = raw.str.strip_chars()
    lower = text.str.to_lowercase()
    below = text.str.extract(_BELOW_LIMIT.pattern, 1).fill_null(text.str.extract(_BELOW_LIMIT.pattern, 2))
    plain = text.cast(pl.Float64, strict=False)
    expr: Any = pl.when(text.is_null() | (text == "")).then(pl.lit(None, pl.Float64))
    if allow_below_limit:
        expr = (
            expr.when(lower.is_in(_NOT_DETECTED))
            .then(0.0)
            .when(below.is_not_null())
            .then(below.cast(pl.Float64, strict=False) / 2)
        )
    parsed: pl.Expr = expr.when(plain.is_not_null()).then(plain).otherwise(float("nan"))
    return parsed


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM that Excel writes), else GB 18030, which Chinese Excel saves by default."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _integer(text: pl.Expr) -> pl.Expr:
    """ "3", "3.0" (spreadsheets and Parquet floats) -> 3; anything else -> null."""
    number = text.cast(pl.Float64, strict=False)
    return pl.when(number == number.round(0)).then(number.cast(pl.Int64, strict=False))


def _read_raw(path: Path) -> tuple[pl.DataFrame, int]:
    """The table as strings, plus the offset from 0-based record index to the row number shown to users."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pl.read_csv(_decode(path.read_bytes()).encode(), infer_schema=False), 2  # header is row 1
        if suffix in (".xlsx", ".xlsm", ".xls"):
            frame = pl.read_excel(path, infer_schema_length=0, drop_empty_rows=False)
            return frame, 2
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
            return frame.with_columns(pl.all().cast(pl.String)), 1  # no header row: record 1 is row 1
    except FileNotFoundError as exc:
        raise InputTableError(Problem("file not found", file=str(path))) from exc
    except (pl.exceptions.PolarsError, OSError, ValueError, fastexcel.FastExcelError) as exc:
        # One line: Polars and calamine explain over several (hints, context).
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputTableError(Problem(f"cannot read the table: {first}", file=str(path))) from exc
    raise InputTableError(
        Problem(f"unsupported file type {suffix!r}; expected .csv, .xlsx or .parquet", file=str(path))
    )


def read_sections(path: str | Path) -> pl.DataFrame:
    """Read and validate a section-measurement table (CSV, xlsx: first sheet, or Parquet).

    Columns: ``section_id, section_name, unit_id, waterbody, target_class, month`` and one or more parameter
    columns (``PARAMETERS``, mg/L); optional ``year``, ``section_level``, ``section_type``, ``temperature``,
    ``fecal_coliform``. Every mistake found is reported in one :class:`InputTableError` (file, row, column,
    expected). Returns a frame with parameters as Float64, ``month``/``year`` as Int64, ``target_class`` as
    I..V, ``waterbody`` as river|lake, ``section_level``/``section_type`` normalised (null when empty).
    """
    path = Path(path)
    raw, offset = _read_raw(path)
    raw = raw.rename({c: c.strip() for c in raw.columns})
    raw = raw.with_row_index("_row", offset=offset)
    value_cols = [c for c in raw.columns if c != "_row"]
    raw = raw.filter(~pl.all_horizontal(pl.col(value_cols).is_null() | (pl.col(value_cols).str.strip_chars() == "")))
    return _validate(raw, str(path))


def _validate(raw: pl.DataFrame, file: str) -> pl.DataFrame:
    problems: list[Problem] = []

    def bad_rows(mask: pl.Expr, column: str, message: str) -> None:
        rows = raw.filter(mask.fill_null(False)).select("_row", pl.col(column).alias("_v"))
        for row, value in rows.iter_rows():
            shown = (
                value if not isinstance(value, str) or len(value) <= 60 else f"{value[:40]}… ({len(value)} characters)"
            )
            problems.append(Problem(message.format(value=shown), file=file, line=row, column=column))

    known = {*_REQUIRED, *_OPTIONAL, *PARAMETERS, *_IGNORED, "_row"}
    for column in raw.columns:
        if column not in known:
            problems.append(
                Problem(
                    f"unknown column {column!r}; expected one of {', '.join(sorted(known - {'_row'}))}",
                    file=file,
                    line=1,
                    column=column,
                )
            )
    for column in _REQUIRED:
        if column not in raw.columns:
            problems.append(Problem(f"missing required column {column!r}", file=file, column=column))
    params = _present(raw)
    if not params:
        problems.append(Problem(f"no parameter column; expected some of {', '.join(PARAMETERS)}", file=file))
    if problems:
        raise InputTableError(problems)

    text = {c: pl.col(c).str.strip_chars() for c in raw.columns if c != "_row"}
    for column in ("section_id", "section_name", "unit_id"):
        bad_rows(text[column].is_null() | (text[column] == ""), column, "empty; expected a value")
        # ";" separates list items in the per-unit CSV/Excel output (wq_sections etc.)
        bad_rows(text[column].str.contains(";", literal=True), column, "{value!r} contains ';'; expected no ';'")
    month = _integer(text["month"])
    bad_rows(month.is_null() | ~month.is_between(1, 12), "month", "{value!r} is not a month; expected 1-12")
    if "year" in raw.columns:
        year = _integer(text["year"])
        bad_rows(year.is_null() | ~year.is_between(1900, 2200), "year", "{value!r} is not a year")
    waterbody = text["waterbody"].str.to_lowercase().replace_strict(_WATERBODY_ALIASES, default=None)
    bad_rows(waterbody.is_null(), "waterbody", "{value!r} is not a waterbody; expected river or lake")
    target = text["target_class"].str.to_uppercase().replace_strict(_CLASS_ALIASES, default=None, return_dtype=pl.Int8)
    bad_rows(target.is_null(), "target_class", "{value!r} is not a target class; expected I, II, III, IV or V")
    level = text.get("section_level", pl.lit(None, pl.String))
    level_norm = level.str.to_lowercase().replace_strict(_LEVEL_ALIASES, default=None)
    if "section_level" in raw.columns:
        bad_rows(
            level.is_not_null() & (level != "") & level_norm.is_null(),
            "section_level",
            "{value!r} is not a section level; expected " + ", ".join(LEVELS) + " (or 国控 省控 市控 县控 交接)",
        )
    kind = text.get("section_type", pl.lit(None, pl.String)).str.to_lowercase()
    if "section_type" in raw.columns:
        bad_rows(
            kind.is_not_null() & (kind != "") & ~kind.is_in(SECTION_TYPES),
            "section_type",
            "{value!r} is not a section type; expected " + ", ".join(SECTION_TYPES) + " or empty",
        )
    numeric = {c: _parse_concentrations(text[c], allow_below_limit=c != "ph") for c in params}
    numeric |= {c: _parse_concentrations(text[c], True) for c in _IGNORED if c in raw.columns}
    for column, value in numeric.items():
        expected = "a number" if column == "ph" else 'a number, "ND", "<limit" or "limitL"'
        bad_rows(value.is_nan(), column, "{value!r} is not a number; expected " + expected)
        bad_rows(value.is_infinite(), column, "{value!r} is not a finite number; expected " + expected)
        if column != "temperature":
            bad_rows(value < 0, column, "{value!r} is negative; expected a concentration >= 0")
    if "ph" in numeric:  # pH is dimensionless on the 0–14 scale (GB 3838-2002 表1 item 1 grades 6–9 within it)
        bad_rows(
            (numeric["ph"] > 14) & ~numeric["ph"].is_nan(), "ph", "{value!r} is not a pH; expected a value from 0 to 14"
        )
    if problems:
        raise InputTableError(_capped(problems))

    typed = raw.select(
        "_row",
        *(text[c].alias(c) for c in ("section_id", "section_name", "unit_id")),
        waterbody.alias("waterbody"),
        _class_label(target).alias("target_class"),
        month.alias("month"),
        (_integer(text["year"]) if "year" in raw.columns else pl.lit(None, pl.Int64)).alias("year"),
        level_norm.alias("section_level"),
        pl.when(kind == "").then(None).otherwise(kind).alias("section_type"),
        *(v.alias(c) for c, v in numeric.items()),
    )
    _check_consistency(typed, file, problems)
    if problems:
        raise InputTableError(_capped(problems))
    if "year" not in raw.columns:
        typed = typed.drop("year")
    return typed.drop("_row")


def _check_consistency(typed: pl.DataFrame, file: str, problems: list[Problem]) -> None:
    """Duplicate (section, year, month) rows; a section must keep its unit and waterbody, and its target class
    within a year."""
    keys = ["section_id", "year", "month"]
    dups = typed.filter(pl.len().over(keys) > 1).sort("_row")
    seen: dict[tuple[Any, ...], int] = {}
    for row in dups.iter_rows(named=True):
        key = tuple(row[k] for k in keys)
        if key in seen:
            when = f"month {row['month']}" + (f" of {row['year']}" if row["year"] is not None else "")
            problems.append(
                Problem(
                    f"duplicate row for section {row['section_id']!r}, {when} (first at row "
                    f"{seen[key]}); expected one row per section and month",
                    file=file,
                    line=row["_row"],
                    column="month",
                )
            )
        else:
            seen[key] = row["_row"]
    for column, over in (
        ("unit_id", ["section_id"]),
        ("waterbody", ["section_id"]),
        ("target_class", ["section_id", "year"]),
    ):
        clash = typed.filter(pl.col(column).n_unique().over(over) > 1)
        if clash.height:
            first = clash.group_by(over, maintain_order=True).agg(pl.col("_row").max(), pl.col(column).unique())
            for row in first.iter_rows(named=True):
                problems.append(
                    Problem(
                        f"section {row['section_id']!r} has several values {sorted(row[column])}; expected one",
                        file=file,
                        line=row["_row"],
                        column=column,
                    )
                )


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= _MAX_PROBLEMS:
        return problems
    rest = len(problems) - _MAX_PROBLEMS
    return [*problems[:_MAX_PROBLEMS], Problem(f"... and {rest} more problems", file=problems[0].file)]
